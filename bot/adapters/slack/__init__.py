"""Slack: slack-bolt's AsyncApp in Socket Mode (no public address needed)."""
