"""Slack's slash commands come from the core's registry, and the shipped manifest says the
same: a member command's description changed in the core cannot go stale on Slack."""

from pathlib import Path

import yaml

from bot.adapters.slack.blocks import SLASH_COMMANDS
from bot.adapters.slack.client import PRIVATE_COMMANDS, SLASH, manifest_slash_commands
from bot.core.commands import registry

PROJECT = Path(__file__).resolve().parent.parent


def test_the_manifest_lists_the_served_member_commands_with_the_registry_texts() -> None:
    manifest = yaml.safe_load((PROJECT / "slack-manifest.yaml").read_text(encoding="utf-8"))
    listed = manifest["features"]["slash_commands"]
    by_name = {command.name: command for command in registry()}
    assert listed == manifest_slash_commands()
    assert {entry["command"] for entry in listed} == set(SLASH)
    for entry in listed:
        command = by_name[entry["command"].removeprefix("/")]
        assert not command.admin
        assert entry["description"] == command.menu_description


def test_served_commands_are_member_commands_answered_as_the_registry_says() -> None:
    by_name = {command.name: command for command in registry()}
    assert set(SLASH.values()) == set(SLASH_COMMANDS) <= {
        name for name, command in by_name.items() if not command.admin}
    assert {"exemple", "question", "fiche", "proposer", "chiffres", "aide"} <= set(SLASH_COMMANDS)
    for name in SLASH_COMMANDS:
        assert (name in PRIVATE_COMMANDS) == by_name[name].private, name
