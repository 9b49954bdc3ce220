"""Wiring: build the core from the command line and configuration, then start an adapter."""

from __future__ import annotations

import argparse
import os
import sys

from bot.adapters.console import BANNER, run_console
from bot.core.commands import Assistant, Caller
from bot.core.service import KnowledgeService
from bot.paths import DEFAULT_KNOWLEDGE, PROJECT_ROOT, shown


def token_configured() -> bool:
    """A Discord token is set in the environment or in the project's .env file."""
    if os.environ.get("DISCORD_TOKEN", "").strip():
        return True
    env_file = PROJECT_ROOT / ".env"
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "DISCORD_TOKEN" and value.strip().strip("'\""):
                return True
    return False


async def run_console_app(args: argparse.Namespace) -> int:
    folder = args.knowledge if args.knowledge is not None else shown(DEFAULT_KNOWLEDGE)
    knowledge = KnowledgeService(folder)
    result = knowledge.load()
    for problem in result.problems:
        print(f"Attention : {problem}", file=sys.stderr)
    assistant = Assistant(knowledge)
    user = args.user or os.environ.get("USER") or "vous"
    caller = Caller(id=f"console:{user}", name=user, is_admin=args.admin)
    banner = BANNER if getattr(args, "banner", False) else None
    await run_console(assistant, caller, banner=banner)
    return 0


def run_discord(args: argparse.Namespace) -> int:
    print("Le bot Discord n'est pas encore disponible dans cette version : "
          "utilisez « python -m bot console ».", file=sys.stderr)
    return 1
