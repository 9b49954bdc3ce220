"""What the core needs from the outside world, as typing Protocols.

The core never imports a storage or platform module: `bot.storage` implements these ports and
the wiring module hands the implementations to the core.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.core.knowledge import Example, KnowledgeBase, Problem


@dataclass(frozen=True)
class Identity:
    """Who someone is, or where something happened, on one platform. The core stores and
    compares it by `key` ("discord:123", "slack:U456"); adapters build and read it here only."""

    platform: str
    id: str
    name: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}" if self.id else self.platform

    @classmethod
    def parse(cls, key: str, name: str = "") -> Identity:
        platform, _, ident = key.partition(":")
        return cls(platform, ident, name)

    def id_on(self, platform: str) -> str | None:
        """The platform's own id if this identity belongs to `platform`, else None."""
        return self.id if self.platform == platform and self.id else None


class StorageError(Exception):
    """The state database could not be read or written; `message` is in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class KnowledgeWriteError(Exception):
    """The knowledge files could not be changed; `problems` says why (FILE:LINE)."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StaleBase(Exception):
    """The file to change is no longer the one the base in service was read from."""


@dataclass
class Submission:
    id: int
    member_id: str
    member_name: str
    status: str
    data: dict
    duplicate_of: str | None
    example_id: str | None
    reason: str | None
    decided_by: str | None
    created_at: str
    decided_at: str | None
    origin: str = ""  # where it was proposed, e.g. "discord:<channel id>", "slack:<channel>"

    @classmethod
    def from_row(cls, row: Any) -> Submission:
        return cls(
            id=row["id"], member_id=row["member_id"], member_name=row["member_name"],
            status=row["status"], data=json.loads(row["data"]), duplicate_of=row["duplicate_of"],
            example_id=row["example_id"], reason=row["reason"], decided_by=row["decided_by"],
            created_at=row["created_at"], decided_at=row["decided_at"],
            origin=row["origin"] or "",
        )


@dataclass
class AuditEntry:
    id: int
    at: str
    actor_name: str
    action: str
    target: str
    before: dict | None
    after: dict | None


@dataclass
class WriteOutcome:
    file: Path
    already_present: bool
    backup: Path | None
    example: Example | None = None  # the example as written (None when already present)
    stale: bool = False  # the file had changed since the base in service was read


class SubmissionStore(Protocol):
    """The bot's own state: submissions, audit log, query log, votes, notifications."""

    async def add_submission(self, member_id: str, member_name: str, data: dict,
                             duplicate_of: str | None, origin: str = "") -> int: ...
    async def submission(self, number: int) -> Submission | None: ...
    async def submissions(self, status: str | None = None, member_id: str | None = None,
                          limit: int = 1000) -> list[Submission]: ...
    async def count_member_submissions(self, member_id: str, since: str) -> tuple[int, int]: ...
    async def update_submission(self, number: int, **fields: Any) -> None: ...
    async def update_if_pending(self, number: int, **fields: Any) -> bool: ...
    async def claim_for_publishing(self, number: int, example_id: str, actor: str) -> bool: ...
    async def status_counts(self) -> dict[str, int]: ...
    async def audit(self, actor_id: str, actor_name: str, action: str, target: str,
                    before: dict | None = None, after: dict | None = None) -> None: ...
    async def history(self, target: str | None = None, limit: int = 10) -> list[AuditEntry]: ...
    async def log_query(self, member_id: str, query: str, normalized: str,
                        results: int) -> None: ...
    async def top_queries(self, empty_only: bool = False, limit: int = 10) -> list[tuple]: ...
    async def vote(self, example_id: str, member_id: str, value: int) -> None: ...
    async def net_votes(self) -> dict[str, int]: ...
    async def disliked(self, limit: int = 5) -> list[tuple[str, int]]: ...
    async def notify(self, member_id: str, submission_id: int | None, text: str) -> int: ...
    async def undelivered(self, member_id: str | None = None) -> list[Any]: ...
    async def mark_delivered(self, notification_id: int) -> None: ...
    async def set_moderation_message(self, submission_id: int, channel_id: str,
                                     message_id: str, platform: str = "discord") -> None: ...
    async def moderation_message(self, submission_id: int,
                                 platform: str = "discord") -> tuple[str, str] | None: ...


class KnowledgeWriter(Protocol):
    """Safe edits of the curators' files. Blocking: the core calls it from a worker thread."""

    target: str

    def add_example(self, example: dict, base: KnowledgeBase,
                    expected: tuple[int, int] | None) -> WriteOutcome: ...
    def remove_example(self, example_id: str, base: KnowledgeBase,
                       expected: Callable[[str], tuple[int, int] | None]) -> tuple[Path, str]: ...
    def cleanup(self) -> None: ...
    def locked(self) -> Any: ...
