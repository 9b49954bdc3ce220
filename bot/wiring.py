"""Composition root: the core (knowledge, state, workflow) built once from the configuration.

Adapters receive what this module builds; they never import it back.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Config
from bot.core import curation, figures
from bot.core.commands import Assistant
from bot.core.service import DEFAULT_CACHE, KnowledgeService, Progress
from bot.core.submissions import Limits, Workflow
from bot.paths import ENV_FILE, shown
from bot.storage.database import Database
from bot.storage.knowledge_files import KnowledgeFiles


def cache_folder(db_file: Path | str) -> Path:
    """Where the semantic vectors are cached: beside the state database (never committed)."""
    return DEFAULT_CACHE if str(db_file) == ":memory:" else Path(db_file).parent / "cache"


@asynccontextmanager
async def open_core(config: Config, knowledge_dir: Path | None = None, db_path: Path | None = None,
                    semantic: str = "off", progress: Progress | None = None):
    """The whole core, state included, built once for every platform of the process: yields
    (assistant, load result). `semantic`: "now" builds the semantic layer before the first
    answer (console), "background" answers at once with the words and brings it in when ready
    (chat bot), "off" uses the words only (tests). On the way out, once the adapters are
    stopped, waits for any approval in progress (`workflow._publish_lock`) and closes the
    database."""
    folder = knowledge_dir if knowledge_dir is not None else shown(config.knowledge)
    db_file = db_path or config.database
    knowledge = KnowledgeService(folder, cache_dir=cache_folder(db_file))
    result = await asyncio.to_thread(knowledge.load, semantic, progress)
    db = await Database(db_file).open()
    workflow: Workflow | None = None
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
        try:
            if workflow is not None:
                async with workflow._publish_lock:  # never close in the middle of an approval
                    await db.close()
        finally:
            await db.close()  # cancelled while waiting, or no workflow yet


def read_secret(name: str, env_file: Path = ENV_FILE) -> str | None:
    """`name` from the environment, else from the project's git-ignored .env file."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key.strip().removeprefix("export ").strip() == name:
                value = value.strip().strip("'\"")
                if value:
                    return value
    return None
