"""Approvals survive SIGKILL at any instant: nothing lost, nothing published twice."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import re
import signal
import time
from pathlib import Path

from bot.app import open_core
from bot.config import Config
from bot.core.knowledge import load_knowledge
from bot.core.submissions import Draft, WorkflowError
from tests.conftest import write_base

KILLS = 200
SUBMISSIONS = 600


def config_for(tmp_path: Path) -> Config:
    return Config(knowledge=tmp_path / "knowledge", database=tmp_path / "etat.sqlite3",
                  max_pending=10_000, max_per_day=10_000)


async def _fill(config: Config) -> None:
    async with open_core(config, config.knowledge) as (assistant, _):
        workflow = assistant.workflow
        for i in range(SUBMISSIONS):
            draft = Draft(sector="btp", tools=["blog"], title=f"Chantier numéro {i}",
                          summary=f"Une entreprise du bâtiment raconte son chantier {i} sur son "
                                  f"blog {random.random():.6f}.")
            await workflow.db.add_submission(f"m{i % 7}", f"membre {i % 7}",
                                             {k: v for k, v in vars(draft).items() if v}, None)


def _approve_forever(config: Config) -> None:
    async def run() -> None:
        async with open_core(config, config.knowledge) as (assistant, _):
            workflow = assistant.workflow
            while True:
                pending = await workflow.db.submissions(status="pending", limit=5)
                if not pending:
                    return
                try:
                    await workflow.approve(random.choice(pending).id, "admin", "admin")
                except WorkflowError:
                    pass

    random.seed(os.getpid())
    asyncio.run(run())
    os._exit(0)


def test_sigkill_during_a_stream_of_approvals(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    write_base(config.knowledge)
    asyncio.run(_fill(config))
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(1234)
    kills = 0
    while kills < KILLS:
        child = ctx.Process(target=_approve_forever, args=(config,))
        child.start()
        time.sleep(rng.uniform(0.005, 0.2))
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        child.join()
    result = load_knowledge(config.knowledge)
    assert result.ok, result.problems[:5]

    async def verify() -> tuple[list, str]:
        async with open_core(config, config.knowledge) as (assistant, _):  # reconciles
            subs = await assistant.workflow.db.submissions(limit=10_000)
        return subs, (config.knowledge / "exemples.yaml").read_text()

    subs, text = asyncio.run(verify())
    published = re.findall(r"^  - id: (\S+)$", text, re.MULTILINE)
    assert len(published) == len(set(published)), "an example was written twice"
    approved = {s.example_id for s in subs if s.status == "approved"}
    print(f"{kills} kills, {len(approved)} approvals landed")
    assert approved, "no approval completed: the kills came too early to test anything"
    assert approved <= set(published), "an approved submission is missing from the file"
    new_ids = set(published) - {e.id for e in load_knowledge(
        write_base(tmp_path / "original")).base.examples}
    assert new_ids == approved, "the file holds an example whose submission is not approved"
    assert {s.status for s in subs} <= {"approved", "pending"}
    assert sum(s.status == "pending" for s in subs) == SUBMISSIONS - len(approved)
    assert text.startswith("# Fichier d'exemples de test : ce commentaire doit survivre")
    kept = [p for p in (config.knowledge / ".historique").iterdir() if not p.name.startswith(".")]
    # the history is bounded: the last versions only (one more if a kill came before pruning)
    assert 1 <= len(kept) <= config.history_versions + 1
