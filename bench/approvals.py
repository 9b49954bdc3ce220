"""`make bench`, second part: approvals, withdrawals and reloads on a large base.

Drives the real core (`open_core`: SQLite state, workflow, knowledge files) on a generated base
whose examples all live in one big file, the approvals' target (the worst case: every approval
appends to a file of about 10 MB at 20,000 examples). While each admin action runs, a member
searches every 50 ms on the same event loop, as a chat platform would deliver messages; the
slowest of these answers is what the member feels. The baseline is the same search with nothing
else running, measured in the same run.

Targets (issue 7): a member's search during an approval answered within 2 s; the approval
confirmed within 10 s; `!retirer` likewise.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate_base
from bot.app import open_core
from bot.config import Config
from bot.core.commands import Caller

SEARCH = "!exemple industrie linkedin recrutement"
MEMBER = Caller("bench:membre", "membre")
ADMIN = Caller("bench:admin", "admin", is_admin=True)


async def timed(coro) -> tuple[float, object]:
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def while_searching(assistant, action) -> tuple[float, list[float], str]:
    """Run `action` while a member searches every 50 ms; (action time, search times, reply)."""
    searches: list[float] = []
    done = asyncio.Event()

    async def member() -> None:
        while not done.is_set():
            elapsed, _ = await timed(assistant.handle(SEARCH, MEMBER))
            searches.append(elapsed)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(member())
    await asyncio.sleep(0.1)
    elapsed, replies = await timed(action)
    done.set()
    await task
    text = " ".join(getattr(r, "template", "") for r in replies)
    return elapsed, searches, text


async def measure(size: int, workdir: Path, rounds: int) -> dict:
    folder = generate_base(workdir / f"base-{size}", size, per_file=size)
    target = next(folder.glob("exemples-*.yaml")).name
    config = Config(knowledge=folder, database=workdir / f"etat-{size}.sqlite3",
                    examples_file=target, max_pending=1000, max_per_day=1000)
    row: dict = {"size": size, "file_mb": (folder / target).stat().st_size / 1e6}
    async with open_core(config, folder) as (assistant, _):
        alone = [(await timed(assistant.handle(SEARCH, MEMBER)))[0] for _ in range(30)]
        row["search_alone"] = statistics.median(alone)
        for i in range(rounds):
            await assistant.handle(
                f"!proposer industrie | linkedin | Une fonderie numéro {i} recrute trois mouleurs "
                f"grâce à LinkedIn. | https://example.org/fonderie-{i}", MEMBER)
        approvals, withdrawals, during, during_withdrawals = [], [], [], []
        for i in range(rounds):
            elapsed, searches, text = await while_searching(
                assistant, assistant.handle(f"!valider {i + 1}", ADMIN))
            assert "validée" in text, text
            approvals.append(elapsed)
            during += searches
        published = [e.id for e in assistant.knowledge.base.examples if "fonderie" in e.id]
        for example_id in published[:rounds]:
            elapsed, searches, text = await while_searching(
                assistant, assistant.handle(f"!retirer {example_id}", ADMIN))
            assert "retiré" in text, text
            withdrawals.append(elapsed)
            during_withdrawals += searches
        reload_time, searches, _ = await while_searching(
            assistant, assistant.handle("!recharger", ADMIN))
        row.update(approval=max(approvals), approval_median=statistics.median(approvals),
                   withdrawal=max(withdrawals), reload=reload_time,
                   search_during=max(during), search_during_withdrawal=max(during_withdrawals),
                   search_during_reload=max(searches))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description="banc d'essai des validations et des retraits")
    parser.add_argument("--sizes", type=int, nargs="*", default=[2_000, 20_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-approvals-") as tmp:
        for size in args.sizes:
            rows.append(asyncio.run(measure(size, Path(tmp), args.rounds)))
            print(f"… validations sur {size} exemples mesurées", file=sys.stderr)
    print(f"\nValidations, retraits et rechargement ({args.rounds} de chaque, tous les exemples "
          "dans un seul fichier, cible des validations), pendant qu'un membre cherche toutes les "
          "50 ms :\n")
    print("| exemples | fichier | recherche seule | validation (pire) | recherche pendant | "
          "retrait (pire) | recherche pendant | !recharger | recherche pendant |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        alone = r["search_alone"]
        print(f"| {r['size']:,} | {r['file_mb']:.1f} Mo | {alone * 1e3:.1f} ms | "
              f"{r['approval']:.2f} s | {r['search_during'] * 1e3:.0f} ms "
              f"({r['search_during'] / alone:.0f}×) | {r['withdrawal']:.2f} s | "
              f"{r['search_during_withdrawal'] * 1e3:.0f} ms "
              f"({r['search_during_withdrawal'] / alone:.0f}×) | {r['reload']:.2f} s | "
              f"{r['search_during_reload'] * 1e3:.0f} ms "
              f"({r['search_during_reload'] / alone:.0f}×) |".replace(",", " "))
    big = rows[-1]
    checks = (("une recherche pendant une validation répond en 2 s au plus",
               big["search_during"] <= 2),
              ("une recherche pendant un retrait répond en 2 s au plus",
               big["search_during_withdrawal"] <= 2),
              ("la validation est confirmée en 10 s au plus", big["approval"] <= 10),
              ("le retrait est confirmé en 10 s au plus", big["withdrawal"] <= 10))
    print(f"\nÀ {big['size']:,} exemples :".replace(",", " "))
    for name, ok in checks:
        print(f"- {name} : {'atteint' if ok else 'MANQUÉ'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
