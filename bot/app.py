"""Wiring: build the core from the command line and configuration, then start an adapter."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path

from bot.adapters.console import BANNER, run_console
from bot.config import Config, ConfigError, load_config, read_token
from bot.core import curation, figures
from bot.core.commands import Assistant, Caller
from bot.core.replies import Message, Reply
from bot.core.service import KnowledgeService
from bot.core.submissions import Limits, Workflow
from bot.paths import shown
from bot.storage.database import Database, DatabaseError
from bot.storage.knowledge_files import KnowledgeFiles


def token_configured() -> bool:
    return read_token() is not None


@asynccontextmanager
async def open_core(config: Config, knowledge_dir: Path | None = None, db_path: Path | None = None):
    """The whole core, state included; closes the database on the way out."""
    folder = knowledge_dir if knowledge_dir is not None else shown(config.knowledge)
    knowledge = KnowledgeService(folder)
    result = knowledge.load()
    db = await Database(db_path or config.database).open()
    try:
        files = KnowledgeFiles(folder, config.examples_file,
                               history_versions=config.history_versions)
        workflow = Workflow(db, knowledge, files, Limits(config.max_pending, config.max_per_day),
                            prefix=config.prefix)
        await workflow.reconcile()
        knowledge.index.set_votes(await db.net_votes())
        assistant = Assistant(knowledge, prefix=config.prefix)
        curation.install(assistant, workflow)
        figures.install(assistant)
        yield assistant, result
    finally:
        await db.close()


async def console_turn_hook(assistant: Assistant, caller: Caller) -> list[Reply]:
    """Before each console message: reload hand edits, deliver the member's notifications."""
    replies: list[Reply] = []
    knowledge = assistant.knowledge
    if await asyncio.to_thread(knowledge.changed_on_disk):
        result = await assistant.workflow.reload()
        if result.problems and caller.is_admin:
            replies += curation.problems_reply(curation.WorkflowError(
                "Les fichiers de la base ont changé mais contiennent des erreurs : la dernière "
                "version valide reste en service.", result.problems))
        elif not result.problems and caller.is_admin:
            replies.append(Message(f"Base rechargée après modification des fichiers : "
                                   f"{result.base.summary_line()}."))
    replies += await curation.deliver_console_notices(assistant, caller)
    return replies


async def run_console_app(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    try:
        async with open_core(config, args.knowledge, args.db) as (assistant, result):
            for problem in result.problems:
                print(f"Attention : {problem}", file=sys.stderr)
            user = args.user or os.environ.get("USER") or "vous"
            caller = Caller(id=f"console:{user}", name=user, is_admin=args.admin)
            banner = BANNER if getattr(args, "banner", False) else None

            async def before_each(c: Caller) -> list[Reply]:
                return await console_turn_hook(assistant, c)

            await run_console(assistant, caller, banner=banner, before_each=before_each)
    except DatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


def run_discord(args: argparse.Namespace) -> int:
    from bot.adapters.discord.runner import run

    return run(args)
