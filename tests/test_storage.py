"""The state database: migrations, WAL, foreign keys, refusal of a newer schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import SCHEMA_VERSION, Database, DatabaseError


async def test_fresh_database_is_migrated_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "sous" / "dossier" / "etat.sqlite3"
    async with Database(path) as db:
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA user_version"))[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("INSERT INTO notifications (member_id, submission_id, text, "
                             "created_at) VALUES ('a', 999, 't', 'now')")
    async with Database(path) as db:  # reopening applies nothing twice
        number = await db.add_submission("m1", "Marie", {"summary": "x"}, None)
        assert (await db.submission(number)).member_name == "Marie"


async def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "futur.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="version plus récente du bot"):
        await Database(path).open()
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


async def test_garbage_file_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "pas-une-base.sqlite3"
    path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    with pytest.raises(DatabaseError, match="n'est pas une base SQLite lisible"):
        await Database(path).open()


async def test_votes_query_log_and_claim(tmp_path: Path) -> None:
    async with Database(tmp_path / "e.sqlite3") as db:
        await db.vote("ex-1", "a", 1)
        await db.vote("ex-1", "b", 1)
        await db.vote("ex-1", "a", -1)  # a member changes their mind: one vote each
        assert await db.net_votes() == {"ex-1": 0}
        await db.log_query("a", "Santé", "sante", 0)
        await db.log_query("b", "santé !", "sante", 0)
        await db.log_query("b", "btp", "btp", 3)
        assert (await db.top_queries(empty_only=True))[0][:2] == ("sante", 2)
        n = await db.add_submission("a", "A", {}, None)
        assert await db.claim_for_publishing(n, "x", "admin")
        assert not await db.claim_for_publishing(n, "x", "admin")
