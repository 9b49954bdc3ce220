"""The bot's own state in SQLite (aiosqlite): submissions, audit log, query log, votes.

WAL mode, foreign keys on, and a schema versioned with `PRAGMA user_version`: migrations are
applied at start-up, each in its own transaction; a database written by a newer version of the
bot is refused, never altered.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.core.ports import AuditEntry, StorageError, Submission

__all__ = ["AuditEntry", "Database", "DatabaseError", "Submission"]

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id TEXT NOT NULL,
        member_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'publishing', 'approved', 'rejected')),
        data TEXT NOT NULL,
        duplicate_of TEXT,
        example_id TEXT,
        reason TEXT,
        decided_by TEXT,
        created_at TEXT NOT NULL,
        decided_at TEXT,
        origin TEXT
    );
    CREATE INDEX submissions_status ON submissions (status, id);
    CREATE INDEX submissions_member ON submissions (member_id, created_at);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT,
        after TEXT
    );
    CREATE INDEX audit_target ON audit (target);
    CREATE TABLE queries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        member_id TEXT NOT NULL,
        query TEXT NOT NULL,
        normalized TEXT NOT NULL,
        results INTEGER NOT NULL
    );
    CREATE INDEX queries_normalized ON queries (normalized);
    CREATE TABLE votes (
        example_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        value INTEGER NOT NULL CHECK (value IN (-1, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (example_id, member_id)
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id TEXT NOT NULL,
        submission_id INTEGER REFERENCES submissions (id),
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        delivered_at TEXT
    );
    CREATE INDEX notifications_pending ON notifications (member_id, delivered_at);
    CREATE TABLE moderation_messages (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions (id),
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL
    );
    """,
    # 2: moderation posts per platform (Discord and Slack may both post a submission)
    """
    CREATE TABLE moderation_posts (
        submission_id INTEGER NOT NULL REFERENCES submissions (id),
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (submission_id, platform)
    );
    INSERT INTO moderation_posts (submission_id, platform, channel_id, message_id)
        SELECT submission_id, 'discord', channel_id, message_id FROM moderation_messages;
    DROP TABLE moderation_messages
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class DatabaseError(StorageError):
    """A problem with the state database, with a French message for the user."""


def write_failed(path: Path, exc: sqlite3.Error) -> StorageError:
    text = str(exc).lower()
    if "full" in text:
        reason = "le disque ou la base est plein"
    elif "readonly" in text or "read-only" in text or "permission" in text:
        reason = "la base est en lecture seule"
    elif "locked" in text or "busy" in text:
        reason = "la base est verrouillée par un autre processus"
    else:
        reason = str(exc)
    return StorageError(f"La base d'état {path.name} n'a pas pu être modifiée ({reason}).")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """Small async interface over the state database; one instance per open file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.conn: aiosqlite.Connection | None = None

    async def open(self) -> Database:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = await aiosqlite.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise DatabaseError(f"Impossible d'ouvrir la base d'état {self.path} : {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        try:
            await self._prepare()
        except BaseException:
            await self.conn.close()
            self.conn = None
            raise
        return self

    async def _run(self, sql: str, params: tuple = ()) -> int:
        """Execute one statement and close its cursor (an open cursor blocks COMMIT)."""
        async with self.conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _prepare(self) -> None:
        conn = self.conn
        try:
            version = (await self.fetchone("PRAGMA user_version"))[0]
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(
                f"{self.path} n'est pas une base SQLite lisible ({exc}) : indiquez un autre "
                "fichier avec --db, ou restaurez une sauvegarde."
            ) from exc
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"La base d'état {self.path} a été écrite par une version plus récente du bot "
                f"(schéma {version}, cette version connaît le schéma {SCHEMA_VERSION}). "
                "Mettez le bot à jour ; la base n'a pas été modifiée."
            )
        await self.fetchone("PRAGMA busy_timeout = 30000")
        await self.fetchone("PRAGMA journal_mode = WAL")
        await self._run("PRAGMA foreign_keys = ON")
        await self._run("PRAGMA synchronous = FULL")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            await self._run("BEGIN IMMEDIATE")
            try:
                current = (await self.fetchone("PRAGMA user_version"))[0]
                if current < number:  # another process may have migrated meanwhile
                    for statement in MIGRATIONS[number - 1].split(";"):
                        if statement.strip():
                            await self._run(statement)
                    await self._run(f"PRAGMA user_version = {number}")
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # -- low level ------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def execute(self, sql: str, params: tuple = ()) -> int:
        """One write, committed; returns the new row id. Failures raise StorageError."""
        try:
            async with self.conn.execute(sql, params) as cursor:
                lastrowid = cursor.lastrowid
            await self.conn.commit()
        except sqlite3.OperationalError as exc:  # full, read-only, locked: not a bug
            await self._rollback()
            raise write_failed(self.path, exc) from exc
        return lastrowid

    async def _write(self, sql: str, params: tuple = ()) -> int:
        """One write, committed; returns the number of changed rows."""
        try:
            changed = await self._run(sql, params)
            await self.conn.commit()
        except sqlite3.OperationalError as exc:  # full, read-only, locked: not a bug
            await self._rollback()
            raise write_failed(self.path, exc) from exc
        return changed

    async def _rollback(self) -> None:
        try:
            await self.conn.rollback()
        except sqlite3.Error:
            pass

    # -- submissions ----------------------------------------------------------------------

    async def add_submission(
        self, member_id: str, member_name: str, data: dict, duplicate_of: str | None,
        origin: str = "",
    ) -> int:
        return await self.execute(
            "INSERT INTO submissions (member_id, member_name, status, data, duplicate_of, "
            "created_at, origin) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
            (member_id, member_name, json.dumps(data, ensure_ascii=False), duplicate_of, now(),
             origin),
        )

    async def submission(self, number: int) -> Submission | None:
        row = await self.fetchone("SELECT * FROM submissions WHERE id = ?", (number,))
        return Submission.from_row(row) if row else None

    async def submissions(self, status: str | None = None, member_id: str | None = None,
                          limit: int = 1000) -> list[Submission]:
        sql, params = "SELECT * FROM submissions WHERE 1=1", []
        if status:
            sql += " AND status = ?"
            params.append(status)
        if member_id:
            sql += " AND member_id = ?"
            params.append(member_id)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        return [Submission.from_row(r) for r in await self.fetchall(sql, tuple(params))]

    async def count_member_submissions(self, member_id: str, since: str) -> tuple[int, int]:
        """(pending now, created since `since`) for one member."""
        row = await self.fetchone(
            "SELECT SUM(status IN ('pending', 'publishing')), SUM(created_at >= ?) "
            "FROM submissions WHERE member_id = ?", (since, member_id))
        return int(row[0] or 0), int(row[1] or 0)

    async def update_submission(self, number: int, **fields) -> None:
        await self._update(number, False, fields)

    async def update_if_pending(self, number: int, **fields) -> bool:
        """Change a submission only if it is still pending; False if someone decided first."""
        return await self._update(number, True, fields)

    async def _update(self, number: int, only_pending: bool, fields: dict) -> bool:
        if "data" in fields:
            fields["data"] = json.dumps(fields["data"], ensure_ascii=False)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        guard = " AND status = 'pending'" if only_pending else ""
        changed = await self._write(f"UPDATE submissions SET {assignments} WHERE id = ?{guard}",
                                    (*fields.values(), number))
        return changed == 1

    async def claim_for_publishing(self, number: int, example_id: str, actor: str) -> bool:
        """Atomically move a pending submission to 'publishing'; False if it was not pending."""
        changed = await self._write(
            "UPDATE submissions SET status = 'publishing', example_id = ?, decided_by = ? "
            "WHERE id = ? AND status = 'pending'", (example_id, actor, number))
        return changed == 1

    async def status_counts(self) -> dict[str, int]:
        rows = await self.fetchall("SELECT status, COUNT(*) FROM submissions GROUP BY status")
        return {r[0]: r[1] for r in rows}

    # -- audit ----------------------------------------------------------------------------

    async def audit(self, actor_id: str, actor_name: str, action: str, target: str,
                    before: dict | None = None, after: dict | None = None) -> None:
        await self.execute(
            "INSERT INTO audit (at, actor_id, actor_name, action, target, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now(), actor_id, actor_name, action, target,
             json.dumps(before, ensure_ascii=False) if before is not None else None,
             json.dumps(after, ensure_ascii=False) if after is not None else None),
        )

    async def history(self, target: str | None = None, limit: int = 10) -> list[AuditEntry]:
        sql = "SELECT * FROM audit"
        params: tuple = ()
        if target:
            sql += " WHERE target = ?"
            params = (target,)
        rows = await self.fetchall(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AuditEntry(r["id"], r["at"], r["actor_name"], r["action"], r["target"],
                           json.loads(r["before"]) if r["before"] else None,
                           json.loads(r["after"]) if r["after"] else None) for r in rows]

    # -- query log and votes --------------------------------------------------------------

    async def log_query(self, member_id: str, query: str, normalized: str, results: int) -> None:
        await self.execute(
            "INSERT INTO queries (at, member_id, query, normalized, results) "
            "VALUES (?, ?, ?, ?, ?)",
            (now(), member_id, query[:500], normalized[:500], results))

    async def top_queries(self, empty_only: bool = False, limit: int = 10) -> list[tuple]:
        where = "WHERE results = 0" if empty_only else ""
        return [tuple(r) for r in await self.fetchall(
            f"SELECT normalized, COUNT(*) AS n, MAX(query) FROM queries {where} "
            "GROUP BY normalized ORDER BY n DESC, normalized LIMIT ?", (limit,))]

    async def vote(self, example_id: str, member_id: str, value: int) -> None:
        await self.execute(
            "INSERT INTO votes (example_id, member_id, value, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (example_id, member_id) DO UPDATE SET value = excluded.value, "
            "at = excluded.at", (example_id, member_id, value, now()))

    async def net_votes(self) -> dict[str, int]:
        rows = await self.fetchall("SELECT example_id, SUM(value) FROM votes GROUP BY example_id")
        return {r[0]: int(r[1]) for r in rows}

    async def disliked(self, limit: int = 5) -> list[tuple[str, int]]:
        rows = await self.fetchall(
            "SELECT example_id, SUM(value = -1) AS down FROM votes GROUP BY example_id "
            "HAVING down > 0 ORDER BY down DESC, example_id LIMIT ?", (limit,))
        return [(r[0], int(r[1])) for r in rows]

    # -- notifications --------------------------------------------------------------------

    async def notify(self, member_id: str, submission_id: int | None, text: str) -> int:
        return await self.execute(
            "INSERT INTO notifications (member_id, submission_id, text, created_at) "
            "VALUES (?, ?, ?, ?)", (member_id, submission_id, text, now()))

    async def undelivered(self, member_id: str | None = None) -> list[sqlite3.Row]:
        if member_id is None:
            return await self.fetchall(
                "SELECT * FROM notifications WHERE delivered_at IS NULL ORDER BY id")
        return await self.fetchall(
            "SELECT * FROM notifications WHERE delivered_at IS NULL AND member_id = ? "
            "ORDER BY id", (member_id,))

    async def mark_delivered(self, notification_id: int) -> None:
        await self.execute("UPDATE notifications SET delivered_at = ? WHERE id = ?",
                           (now(), notification_id))

    # -- moderation posts (one per submission and platform) --------------------------------

    async def set_moderation_message(self, submission_id: int, channel_id: str,
                                     message_id: str, platform: str = "discord") -> None:
        await self.execute(
            "INSERT OR REPLACE INTO moderation_posts (submission_id, platform, channel_id, "
            "message_id) VALUES (?, ?, ?, ?)", (submission_id, platform, channel_id, message_id))

    async def moderation_message(self, submission_id: int,
                                 platform: str = "discord") -> tuple[str, str] | None:
        row = await self.fetchone(
            "SELECT channel_id, message_id FROM moderation_posts WHERE submission_id = ? "
            "AND platform = ?", (submission_id, platform))
        return (row[0], row[1]) if row else None
