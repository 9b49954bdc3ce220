"""The knowledge base in service: loaded once, searched often, reloaded when its files change.

A reload that finds problems keeps the last good base in service; the problems are kept so the
admins can be told exactly what to fix.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from bot.core.knowledge import (
    Example,
    KnowledgeBase,
    LoadResult,
    Problem,
    example_files,
    load_knowledge,
)
from bot.core.search import SearchIndex

log = logging.getLogger(__name__)


def folder_fingerprint(folder: Path) -> tuple:
    """What changes when a curator edits, adds or removes a YAML file of the folder."""
    entries = []
    for path in sorted([folder / "taxonomie.yaml", folder / "chiffres.yaml",
                        *example_files(folder)]):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((path.name, st.st_mtime_ns, st.st_size))
    return tuple(entries)


class KnowledgeService:
    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.index: SearchIndex | None = None
        self.problems: list[Problem] = []
        self.fingerprint: tuple = ()

    @property
    def base(self):
        return self.index.base if self.index else None

    def load(self) -> LoadResult:
        """(Re)load the folder. The first load always goes into service (its valid parts);
        later ones only when the base is valid, so a bad edit never takes the bot down."""
        fingerprint = folder_fingerprint(self.folder)
        result = load_knowledge(self.folder)
        self.fingerprint = fingerprint
        self.problems = result.problems
        if result.ok or self.index is None:
            votes = self.index.votes_by_id() if self.index else {}
            self.index = SearchIndex(result.base)
            self.index.set_votes(votes)
        else:
            log.warning("knowledge reload refused: %d problem(s)", len(result.problems))
        return result

    def apply_added(self, examples: list[Example]) -> None:
        """Put just-written examples in service without re-reading the files."""
        assert self.index is not None
        base = self.index.base
        self._swap(replace(base, examples=[*base.examples, *examples]))

    def apply_removed(self, example_ids: list[str]) -> None:
        """Take withdrawn examples out of service without re-reading the files."""
        assert self.index is not None
        base = self.index.base
        gone = set(example_ids)
        kept = [e for e in base.examples if e.id not in gone]
        self._swap(replace(base, examples=kept))

    def _swap(self, base: KnowledgeBase) -> None:
        votes = self.index.votes_by_id() if self.index else {}
        index = SearchIndex(base)
        index.set_votes(votes)
        self.index = index  # one assignment: searches see the old index or the new one
        # the fingerprint is left as read: the writer records its own file's new state

    def changed_on_disk(self) -> bool:
        return folder_fingerprint(self.folder) != self.fingerprint
