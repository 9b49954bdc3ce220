"""Writing the curators' YAML files without ever damaging them or losing a hand edit.

- Text-level edits only: the new example is appended as a block at the end of the `exemples:`
  list (a withdrawn one is cut out by its lines), so every comment, blank line and formatting
  choice already in the file stays byte for byte.
- Under an exclusive lock (`.verrou` in the folder) that other bot processes wait for, so
  simultaneous approvals queue up. The methods block: callers run them in a worker thread.
- No full re-read of the base: the caller passes the base in service and the size and mtime of
  the target when that base was read. If the file changed since (another process, a hand
  edit), `StaleBase` is raised and the caller reloads first. Only the new entry is checked
  (with the loader's own rules, against the taxonomy, with the end of the list it joins).
- Just before the atomic rename, the target is checked again (size, mtime, content hash): a hand
  edit made meanwhile raises `StaleBase` instead of being overwritten.
- The replacement is atomic (temporary file, fsync, rename, fsync of the folder), so a crash
  leaves the old file or the new one, never a mix; a failed write leaves no temporary file. The
  previous version is kept in `.historique/`, a bounded number of versions per file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from filelock import FileLock, Timeout

from bot.core.knowledge import (
    DATE,
    TAXONOMY_FILE,
    Example,
    KnowledgeBase,
    Problem,
    Taxonomy,
    _ExampleReader,
    _Sequence,
    display_path,
    load_knowledge,
)
from bot.core.ports import KnowledgeWriteError, StaleBase, WriteOutcome

__all__ = ["KnowledgeFiles", "KnowledgeWriteError", "StaleBase", "WriteOutcome", "HEADER"]

LOCK_NAME = ".verrou"
HISTORY_DIR = ".historique"
RESERVED = (TAXONOMY_FILE, "chiffres.yaml")
HEADER = ("# Exemples ajoutés par le bot après validation par un administrateur.\n"
          "# Vous pouvez aussi les modifier à la main : voir le README, format des\n"
          "# connaissances.\n"
          "exemples:\n")
FIELD_ORDER = ("id", "titre", "resume", "secteur", "outils", "usages", "entreprise", "resultats",
               "details", "sources", "date", "contributeur", "ajoute_le")
_EXEMPLES_LINE = re.compile(r"^exemples:[ \t]*(\[\s*\]|~|null)?[ \t]*(#[^\r\n]*)?\r?$",
                            re.MULTILINE)
BOM = "\ufeff"
_ITEM_LINE = re.compile(r"^([ \t]*)- ", re.MULTILINE)
FULL_CHECK_BELOW = 256 * 1024  # smaller files are re-checked whole after an edit: it is cheap
LATE_WRITE_GRACE = 0.05  # seconds given to an editor that opened the file before the rename
WRITE_ATTEMPTS = 50  # a file edited by hand during a write is re-read and the write redone
UNCHECKED = object()  # `expected` value: no staleness check (stand-alone use, tests)


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    digest: str


def file_state(path: Path, data: bytes | None = None) -> FileState | None:
    """Size, mtime and content hash of `path` (None if it does not exist)."""
    try:
        st = path.stat()
        if data is None:
            data = path.read_bytes()
    except FileNotFoundError:
        return None
    return FileState(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())


def _state_of(handle, data: bytes | None) -> FileState | None:
    if handle is None or data is None:
        return None
    st = os.fstat(handle.fileno())
    return FileState(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())


def _late_write(handle, before: bytes | None) -> bytes | None:
    """What was written into the replaced file after it was read (None: nothing).

    An editor may have opened the file before the rename and write just after it: its bytes
    land in the old file, which `handle` still reads."""
    if handle is None:
        return None
    time.sleep(LATE_WRITE_GRACE)
    handle.seek(0)
    after = handle.read()
    return None if after == before else after


def _scalar(value) -> str:
    """One YAML scalar, quoted only when YAML needs it (dates stay as curators write them)."""
    if isinstance(value, int):
        return str(value)
    if DATE.match(str(value)):
        return str(value)
    text = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_style=None)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def render_example(example: dict, indent: str) -> str:
    """YAML block for one example (a `- ` item), in the style of the bundled files."""
    lines = []
    for key in FIELD_ORDER:
        value = example.get(key)
        if value in (None, "", [], {}):
            continue
        prefix = f"{indent}- " if not lines else f"{indent}  "
        if isinstance(value, dict):
            lines.append(f"{prefix}{key}:")
            lines += [f"{indent}    {k}: {_scalar(v)}" for k, v in value.items()
                      if v not in (None, "")]
        elif key == "sources":
            lines.append(f"{prefix}{key}:")
            lines += [f"{indent}    - {_scalar(v)}" for v in value]
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{prefix}{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def decode(path: Path, data: bytes) -> str:
    """The file's text exactly as stored (BOM and CRLF kept); refuses what is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise KnowledgeWriteError(
            "le fichier n'est pas en UTF-8 : enregistrez-le en UTF-8",
            [Problem(str(path), line, "octet invalide en UTF-8 : enregistrez le fichier en "
                                      "UTF-8")]) from exc


def read_exact(path: Path) -> str:
    return decode(path, path.read_bytes())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, text: str,
                  before_replace: Callable[[], None] | None = None) -> None:
    """Write `text` to `path` atomically; the temporary file never outlives a failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:  # keep the curators' permissions and owner
            st = path.stat()
            os.chmod(tmp, st.st_mode & 0o7777)
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass  # new file, or not allowed to give it away: the defaults stay
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _write_error(exc: OSError, path: Path) -> KnowledgeWriteError:
    if exc.errno == errno.ENOSPC:
        reason = "le disque est plein"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "le bot n'a pas le droit d'écrire dans ce dossier"
    else:
        reason = exc.strerror or "erreur d'écriture"
    return KnowledgeWriteError(f"{path.name} n'a pas pu être écrit ({reason}) ; il n'a pas été "
                               "modifié")


def parse_examples(text: str, display: str, taxonomy: Taxonomy,
                   line_offset: int = 0) -> tuple[list[Example], list[Problem]]:
    """Examples of a YAML text holding an `exemples:` list, checked like the loader does
    (with the loader's own parser: no recursion, nesting and aliases refused)."""
    problems: list[Problem] = []
    reader = _ExampleReader(display, problems, taxonomy, {})
    root = reader.compose_text(text.encode("utf-8"), text)
    examples: list[Example] = []
    if root is not None:
        for key, node, _line in reader.mapping(root, "le fichier") or []:
            if key == "exemples" and isinstance(node, _Sequence):
                for item in node.items:
                    example = reader.example(item)
                    if example is not None:
                        examples.append(example)
    if line_offset:
        examples = [_shift(e, line_offset) for e in examples]
        problems = [Problem(p.file, p.line + line_offset, p.message) for p in problems]
    return examples, problems


def _shift(example: Example, offset: int) -> Example:
    from dataclasses import replace

    return replace(example, line=example.line + offset)


def _id_line(example_id: str) -> re.Pattern:
    return re.compile(r"^([ \t]*)(-[ \t]+)?id:[ \t]*([\"']?)" + re.escape(example_id)
                      + r"\3[ \t]*(#[^\r\n]*)?\r?$", re.MULTILINE)


class KnowledgeFiles:
    """Safe edits of one knowledge folder."""

    def __init__(self, folder: Path | str, target: str = "exemples.yaml",
                 lock_timeout: float = 300, history_versions: int = 20):
        self.folder = Path(folder)
        self.target = target
        self.lock_timeout = lock_timeout
        self.history_versions = history_versions
        self.lock = FileLock(str(self.folder / LOCK_NAME), timeout=lock_timeout)

    @property
    def target_path(self) -> Path:
        return self.folder / self.target

    @contextmanager
    def locked(self):
        """The folder's lock; another process holding it is waited for (in this thread)."""
        try:
            self.lock.acquire()
        except Timeout as exc:
            raise KnowledgeWriteError(
                f"les fichiers de la base sont verrouillés par un autre processus depuis plus de "
                f"{self.lock_timeout:.0f} secondes (fichier {LOCK_NAME} du dossier) ; réessayez "
                "dans un moment") from exc
        except OSError as exc:
            raise _write_error(exc, self.folder / LOCK_NAME) from exc
        try:
            yield
        finally:
            self.lock.release()

    def cleanup(self) -> None:
        """Remove temporary files a killed process may have left (call under the lock)."""
        for folder in (self.folder, self.folder / HISTORY_DIR):
            for pattern in (".*.tmp", ".*.check"):
                for stale in folder.glob(pattern):
                    stale.unlink(missing_ok=True)

    # -- history --------------------------------------------------------------------------

    def _backup(self, path: Path, data: bytes) -> Path:
        history = self.folder / HISTORY_DIR
        history.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = history / f"{path.name}.{stamp}.{time.time_ns() % 1_000_000_000:09d}"
        tmp = backup.with_name(f".{backup.name}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, backup)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._prune(history, path.name)
        return backup

    def _prune(self, history: Path, name: str) -> None:
        versions = sorted(p for p in history.glob(f"{glob_escape(name)}.*")
                          if not p.name.startswith("."))
        for old in versions[:-self.history_versions]:
            old.unlink(missing_ok=True)

    # -- checks ---------------------------------------------------------------------------

    def _base_on_disk(self) -> KnowledgeBase:
        result = load_knowledge(self.folder)
        if result.problems:
            raise KnowledgeWriteError(
                "la base de connaissances contient des erreurs : corrigez-les d'abord",
                result.problems)
        return result.base

    @staticmethod
    def _check_fresh(path: Path, state: FileState | None, expected) -> None:
        if expected is UNCHECKED:
            return
        now = (state.mtime_ns, state.size) if state else None
        if now != expected:
            raise StaleBase(path.name)

    def _replace(self, path: Path, old: bytes | None, state: FileState | None,
                 new: str) -> Path | None:
        """Keep `old` in the history, then swap in `new`, unless the file changed meanwhile."""

        def unchanged() -> None:
            if file_state(path) != state:
                raise StaleBase(path.name)

        try:
            backup = self._backup(path, old) if old is not None else None
            _atomic_write(path, new, before_replace=unchanged)
        except OSError as exc:
            raise _write_error(exc, path) from exc
        return backup

    def _check_new(self, path: Path, old: str | None, new: str, taxonomy: Taxonomy,
                   example_id: str) -> Example:
        """The new entry, checked with the end of the list it joins (or the whole file)."""
        display = display_path(self.folder, path.name)
        body = new.removeprefix(BOM)
        if old is None or len(old) < FULL_CHECK_BELOW:
            found, problems = parse_examples(body, display, taxonomy)
        else:
            old_body = old.removeprefix(BOM)
            head = _last_item(old_body)
            if head is None:
                found, problems = parse_examples(body, display, taxonomy)
            else:
                offset = old_body.count("\n", 0, head) - 1
                found, problems = parse_examples("exemples:\n" + body[head:], display, taxonomy,
                                                 line_offset=offset)
        if problems:
            raise KnowledgeWriteError("le fichier obtenu serait invalide", problems)
        mine = [e for e in found if e.id == example_id]
        if len(mine) != 1 or found[-1].id != example_id:
            raise KnowledgeWriteError(f"le nouvel exemple ne se lit pas correctement à la fin de "
                                      f"{path.name}")
        return mine[0]

    # -- edits ----------------------------------------------------------------------------

    def add_example(self, example: dict, base: KnowledgeBase | None = None,
                    expected=UNCHECKED) -> WriteOutcome:
        """Append `example` to the target file, exactly once (idempotent on its id).

        `base` is the base in service and `expected` the target's (mtime_ns, size) when it was
        read (None: it did not exist); without them the base is read from disk. A target edited
        since (by hand, by another process) is worked on as it is now: `outcome.stale` tells
        the caller to re-read it later. A hand edit made while this runs starts it over."""
        if self.target in RESERVED:
            raise KnowledgeWriteError(f"les exemples ne peuvent pas être écrits dans "
                                      f"{self.target}")
        with self.locked():
            if base is None:
                base = self._base_on_disk()
            present = base.get(example["id"])
            if present is not None:
                return WriteOutcome(Path(present.file), True, None)
            path = self.target_path
            source: bytes | None = None  # content to build on, when not the file at `path`
            for _ in range(WRITE_ATTEMPTS):
                try:
                    handle = open(path, "rb") if path.exists() else None  # noqa: SIM115
                except OSError as exc:
                    raise KnowledgeWriteError(f"{path.name} est illisible ({exc.strerror})") \
                        from exc
                try:
                    current = handle.read() if handle else None
                    state = _state_of(handle, current)
                    data = current if source is None else source
                    stale = source is not None or (expected is not UNCHECKED and expected != (
                        (state.mtime_ns, state.size) if state else None))
                    old = decode(path, data) if data is not None else None
                    if old is not None and _id_line(example["id"]).search(old):
                        return WriteOutcome(path, True, None, stale=True)
                    new = self._appended(old, example)
                    written = self._check_new(path, old, new, base.taxonomy, example["id"])
                    try:
                        backup = self._replace(path, current, state, new)
                    except StaleBase:
                        source = None
                        continue  # edited meanwhile: start over on the new content
                    late = _late_write(handle, current)
                finally:
                    if handle:
                        handle.close()
                if late is None:
                    return WriteOutcome(path, False, backup, written, stale=stale)
                # an editor that opened the file before our rename wrote into the old file:
                # build again on what it wrote, so that nothing it wrote is lost
                source = late
        raise KnowledgeWriteError(f"{path.name} est modifié sans arrêt (modification à la main "
                                  "en cours ?) ; réessayez dans un moment")

    @staticmethod
    def _appended(old: str | None, example: dict) -> str:
        old = old or ""
        bom = BOM if old.startswith(BOM) else ""
        text = old[len(bom):]
        nl = "\r\n" if "\r\n" in text else "\n"  # the curator's line ends

        def block(indent: str) -> str:
            return render_example(example, indent).replace("\n", nl)

        if not text.strip():
            return bom + text + HEADER.replace("\n", nl) + block("  ")
        if not text.endswith("\n"):
            text += nl
        match = _EXEMPLES_LINE.search(text)
        if match is None:
            if all(not line.strip() or line.lstrip().startswith("#")
                   for line in text.splitlines()):  # only comments so far
                return bom + text + "exemples:" + nl + block("  ")
            raise KnowledgeWriteError("le fichier ne contient pas de ligne « exemples: »")
        if match.group(1):  # "exemples: []" becomes a block list; the comment stays
            colon = match.start() + len("exemples:")
            text = text[:colon] + text[match.end(1):]
        items = _ITEM_LINE.search(text, match.start())
        indent = items.group(1) if items else "  "
        return bom + text + block(indent)

    def remove_example(self, example_id: str, base: KnowledgeBase | None = None,
                       expected: Callable[[str], object] | None = None) -> tuple[Path, str]:
        """Cut one example out of its file; returns the file and the removed YAML text.

        `expected(name)` gives the (mtime_ns, size) of a file when the base was read."""
        with self.locked():
            if base is None:
                base = self._base_on_disk()
            example = base.get(example_id)
            if example is None:
                raise KnowledgeWriteError(f"aucun exemple n'a l'identifiant « {example_id} »")
            path = self.folder / Path(example.file).name
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise KnowledgeWriteError(f"{path.name} est illisible ({exc.strerror})") from exc
            state = file_state(path, data)
            self._check_fresh(path, state, expected(path.name) if expected else UNCHECKED)
            old = decode(path, data)
            lines = old.splitlines(keepends=True)
            first, last = self._locate(lines, example_id, path, base.taxonomy)
            removed = "".join(lines[first:last])
            new = "".join(lines[:first] + lines[last:])  # no item left: "exemples:" is empty
            self._replace(path, data, state, new)
            return path, removed

    def _locate(self, lines: list[str], example_id: str, path: Path,
                taxonomy: Taxonomy) -> tuple[int, int]:
        """First and past-the-end line of the list item holding `example_id`."""
        pattern = _id_line(example_id)
        found = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
        if found is None:
            raise KnowledgeWriteError(f"l'exemple « {example_id} » est introuvable dans "
                                      f"{path.name}")
        first = found
        while first >= 0 and not re.match(r"^[ \t]*- ", lines[first]):
            first -= 1
        if first < 0:
            raise KnowledgeWriteError(f"début de l'exemple « {example_id} » introuvable")
        indent = len(lines[first]) - len(lines[first].lstrip(" \t"))
        last = first + 1
        while last < len(lines):
            line = lines[last]
            stripped = line.lstrip(" \t")
            depth = len(line) - len(stripped)
            if stripped.strip() and not stripped.startswith("#") and (
                    depth < indent or (depth == indent and stripped.startswith("- "))
                    or (depth == indent and indent == 0 and not stripped.startswith("-"))):
                break
            last += 1
        # comments and blank lines just above the next item belong to it: keep them
        while last > first + 1 and (not lines[last - 1].strip()
                                    or lines[last - 1].lstrip().startswith("#")):
            last -= 1
        chunk = "".join(lines[first:last])
        found_examples, problems = parse_examples("exemples:\n" + chunk,
                                                  display_path(self.folder, path.name), taxonomy)
        if problems or [e.id for e in found_examples] != [example_id]:
            raise KnowledgeWriteError(f"l'exemple « {example_id} » n'a pas pu être isolé dans "
                                      f"{path.name} : retirez-le à la main")
        return first, last


def _last_item(text: str) -> int | None:
    """Offset of the last item of the `exemples:` list (at the list's own indentation)."""
    match = _EXEMPLES_LINE.search(text)
    if match is None:
        return None
    first = _ITEM_LINE.search(text, match.end())
    if first is None:
        return None
    items = list(re.finditer(r"^" + re.escape(first.group(1)) + r"- ", text, re.MULTILINE))
    return items[-1].start() if items else None


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
