"""The knowledge base in service: loaded once, searched often, reloaded when its files change.

A reload that finds problems keeps the last good base in service; the problems are kept so the
admins can be told exactly what to fix.

The semantic layer (bot.core.semantic) comes in one of three ways, chosen by the caller:
- `load(semantic="now", progress=...)`: load the model and embed what the cache lacks before
  returning (`search` and the console: the whole engine from the first answer);
- `load(semantic="background")`: return at once with the lexical engine; a thread loads the
  model, embeds what is missing (progress through the callback) and brings the layer in when it
  is ready (the chat bot, `run`);
- `load()` / `semantic="off"` (the default): lexical only (tests, `check`).
The environment variable BOT_SEMANTIC=off forces the lexical engine whatever the caller asks.
Vectors are cached under `cache_dir` (default: data/cache/ at the project root, git-ignored).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.knowledge import (
    Example,
    KnowledgeBase,
    LoadResult,
    Problem,
    example_files,
    load_knowledge,
)
from bot.core.search import SearchIndex

if TYPE_CHECKING:  # the semantic layer is imported only when it is asked for (numpy, model)
    from bot.core.semantic import VectorStore

log = logging.getLogger(__name__)

DEFAULT_CACHE = Path(__file__).resolve().parents[2] / "data" / "cache"
MODES = ("off", "now", "background")
Progress = Callable[[int, int], None]


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
    def __init__(self, folder: Path | str, cache_dir: Path | str | None = None):
        self.folder = Path(folder)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
        self.index: SearchIndex | None = None
        self.problems: list[Problem] = []
        self.fingerprint: tuple = ()
        self.semantic_mode = "off"
        self.store: VectorStore | None = None  # once the model is loaded
        self.semantic_failed = False
        self.progress: tuple[int, int] = (0, 0)  # examples embedded / to embed (background)
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None

    @property
    def base(self):
        return self.index.base if self.index else None

    @property
    def semantic_ready(self) -> bool:
        index = self.index
        return index is not None and index.semantic is not None

    def semantic_status(self) -> str:
        """One French line for admins (e.g. !stats)."""
        if self.semantic_mode == "off":
            return "couche sémantique désactivée (recherche lexicale seule)"
        if self.semantic_failed:
            return "modèle sémantique indisponible : recherche lexicale seule"
        if self.semantic_ready:
            return "couche sémantique prête"
        done, todo = self.progress
        return f"couche sémantique en préparation ({done}/{todo} exemples)"

    def load(self, semantic: str | None = None, progress: Progress | None = None) -> LoadResult:
        """(Re)load the folder. The first load always goes into service (its valid parts);
        later ones only when the base is valid, so a bad edit never takes the bot down."""
        if semantic is not None:
            if semantic not in MODES:
                raise ValueError(f"semantic must be one of {MODES}")
            self.semantic_mode = semantic
        if os.environ.get("BOT_SEMANTIC", "").lower() in {"off", "0", "non", "no"}:
            self.semantic_mode = "off"
        fingerprint = folder_fingerprint(self.folder)
        result = load_knowledge(self.folder)
        self.fingerprint = fingerprint
        self.problems = result.problems
        if result.ok or self.index is None:
            self._swap(result.base, touch=False, progress=progress)
        else:
            log.warning("knowledge reload refused: %d problem(s)", len(result.problems))
        return result

    def apply_added(self, examples: list[Example]) -> None:
        """Put just-written examples in service without re-reading the files: only the new
        examples are analysed (and embedded)."""
        assert self.index is not None
        base = self.index.base
        # the fingerprint stays as read: the writer records its own file's new state
        self._swap(replace(base, examples=[*base.examples, *examples]), touch=False)

    def apply_removed(self, example_ids: list[str]) -> None:
        """Take withdrawn examples out of service without re-reading the files."""
        assert self.index is not None
        base = self.index.base
        gone = set(example_ids)
        kept = [e for e in base.examples if e.id not in gone]
        self._swap(replace(base, examples=kept), touch=False)

    def _swap(self, base: KnowledgeBase, touch: bool = True,
              progress: Progress | None = None) -> None:
        with self._lock:
            old = self.index
            votes = old.votes_by_id() if old else {}
            same_taxonomy = old is not None and old.taxonomy == base.taxonomy
            terms = old.terms if old is not None and same_taxonomy else None
            index = SearchIndex(base, terms=terms)
            index.set_votes(votes)
            if self.semantic_mode == "now":
                self._attach_now(index, progress)
            elif self.semantic_mode == "background":
                if self.store is not None:
                    self._attach_now(index, None)  # the model is in: only new examples
                else:
                    self._start_background(progress)
            self.index = index  # one assignment: searches see the old index or the new one
            if touch:
                self.fingerprint = folder_fingerprint(self.folder)

    # -- the semantic layer ---------------------------------------------------------------

    def _ensure_store(self) -> bool:
        if self.store is not None:
            return True
        if self.semantic_failed:
            return False
        from bot.core.semantic import VectorStore, load_encoder

        encoder = load_encoder()
        if encoder is None:
            self.semantic_failed = True
            return False
        self.store = VectorStore(encoder, self.cache_dir)
        return True

    def _attach_now(self, index: SearchIndex, progress: Progress | None) -> None:
        if not self._ensure_store():
            return
        store = self.store
        assert store is not None  # _ensure_store made it
        from bot.core.semantic import attach

        def tell(done: int, todo: int) -> None:
            self.progress = (done, todo)
            if progress is not None:
                progress(done, todo)

        attach(index, store, tell)
        try:
            store.save()
        except OSError as error:  # a read-only folder: vectors are recomputed next time
            log.warning("semantic cache not written: %s", error)

    def _start_background(self, progress: Progress | None) -> None:
        if self._thread is not None and self._thread.is_alive():
            return

        def work() -> None:
            try:
                if not self._ensure_store():
                    return
                while True:
                    with self._lock:
                        target = self.index
                    if target is None:
                        return
                    self._attach_now(target, progress)
                    with self._lock:
                        if self.index is target:
                            return
                        # the base changed meanwhile: attach to the new one (only new vectors)
                        if self.index is not None and self.index.semantic is None:
                            continue
                        return
            except Exception:  # never take the chat bot down: it keeps answering lexically
                log.exception("semantic layer failed to start")
                self.semantic_failed = True

        self._thread = threading.Thread(target=work, name="semantic-warm-up", daemon=True)
        self._thread.start()

    def wait_semantic(self, timeout: float | None = None) -> bool:
        """Block until the background warm-up ends (tests, scripts). True if it is ready."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.semantic_ready

    async def warm_up(self, progress: Progress | None = None) -> bool:
        """Bring the semantic layer in without blocking the event loop; True when ready."""
        if self.semantic_mode == "off":
            self.semantic_mode = "now"
        index = self.index
        if index is None:
            return False
        await asyncio.to_thread(self._attach_now, index, progress)
        return self.semantic_ready

    def changed_on_disk(self) -> bool:
        return folder_fingerprint(self.folder) != self.fingerprint
