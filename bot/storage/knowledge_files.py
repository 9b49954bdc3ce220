"""Writing the curators' YAML files without ever damaging them.

- Text-level edits only: the new example is appended as a block at the end of the `exemples:`
  list (a withdrawn one is cut out by its lines), so every comment, blank line and formatting
  choice already in the file stays byte for byte.
- Under an exclusive lock (`.verrou` in the folder), the file is re-read just before writing, so
  a hand edit made while the bot runs is never overwritten and simultaneous approvals queue up.
- The new content is checked with the same loader as `check` before it replaces the file; the
  replacement is atomic (temporary file, fsync, rename, fsync of the folder), so a crash leaves
  the old file or the new one, never a mix. The previous version is kept in `.historique/`.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from filelock import FileLock

from bot.core.knowledge import (
    DATE,
    TAXONOMY_FILE,
    Problem,
    display_path,
    load_knowledge,
    read_examples_file,
)

LOCK_NAME = ".verrou"
HISTORY_DIR = ".historique"
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


class KnowledgeWriteError(Exception):
    """The knowledge files could not be changed; `problems` says why (FILE:LINE)."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass
class WriteOutcome:
    file: Path
    already_present: bool
    backup: Path | None


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


def read_exact(path: Path) -> str:
    """The file's text exactly as stored: byte-order mark and CRLF line ends kept."""
    return path.read_bytes().decode("utf-8")


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
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
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class KnowledgeFiles:
    """Safe edits of one knowledge folder."""

    def __init__(self, folder: Path | str, target: str = "exemples.yaml", lock_timeout: float = 30):
        self.folder = Path(folder)
        self.target = target
        self.lock = FileLock(str(self.folder / LOCK_NAME), timeout=lock_timeout)

    @property
    def target_path(self) -> Path:
        return self.folder / self.target

    def _checked_base(self):
        """The base as it is on disk now; refuses to go on if any file is invalid."""
        result = load_knowledge(self.folder)
        if result.problems:
            raise KnowledgeWriteError(
                "la base de connaissances contient des erreurs : corrigez-les d'abord",
                result.problems)
        return result.base

    def cleanup(self) -> None:
        """Remove temporary files a killed process may have left (call under the lock)."""
        for pattern in (".*.tmp", ".*.check"):
            for stale in self.folder.glob(pattern):
                stale.unlink(missing_ok=True)

    def _backup(self, path: Path, text: str) -> Path:
        history = self.folder / HISTORY_DIR
        history.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = history / f"{path.name}.{stamp}.{time.time_ns() % 1_000_000_000:09d}"
        _atomic_write(backup, text)
        return backup

    def _replace_checked(self, path: Path, old: str | None, new: str, taxonomy) -> Path | None:
        """Check `new` with the loader, keep `old` in the history, then swap atomically."""
        probe = path.with_name(f".{path.name}.{os.getpid()}.check")
        try:
            probe.write_text(new, encoding="utf-8")
            problems: list[Problem] = []
            read_examples_file(probe, display_path(self.folder, path.name), taxonomy, problems)
        finally:
            probe.unlink(missing_ok=True)
        if problems:
            raise KnowledgeWriteError("le fichier obtenu serait invalide", problems)
        backup = self._backup(path, old) if old is not None else None
        _atomic_write(path, new)
        return backup

    def add_example(self, example: dict) -> WriteOutcome:
        """Append `example` to the target file, exactly once (idempotent on its id)."""
        if self.target == TAXONOMY_FILE:
            raise KnowledgeWriteError("les exemples ne peuvent pas être écrits dans la taxonomie")
        with self.lock:
            base = self._checked_base()
            present = base.get(example["id"])
            if present is not None:
                return WriteOutcome(Path(present.file), True, None)
            path = self.target_path
            old = read_exact(path) if path.exists() else None
            new = self._appended(old, example)
            backup = self._replace_checked(path, old, new, base.taxonomy)
            return WriteOutcome(path, False, backup)

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

    def remove_example(self, example_id: str) -> tuple[Path, str]:
        """Cut one example out of its file; returns the file and the removed YAML text."""
        with self.lock:
            base = self._checked_base()
            example = base.get(example_id)
            if example is None:
                raise KnowledgeWriteError(f"aucun exemple n'a l'identifiant « {example_id} »")
            path = self.folder / Path(example.file).name
            old = read_exact(path)
            root = yaml.compose(old, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            node = next(n for k, n in root.value if k.value == "exemples")
            item = next(i for i in node.value
                        if any(k.value == "id" and v.value == example_id for k, v in i.value))
            lines = old.splitlines(keepends=True)
            first = item.start_mark.line
            nodes = node.value
            position = nodes.index(item)
            last = (nodes[position + 1].start_mark.line if position + 1 < len(nodes)
                    else item.end_mark.line + (1 if item.end_mark.column else 0))
            # comments and blank lines just above the next item belong to it: keep them
            while last > first + 1 and (not lines[last - 1].strip()
                                        or lines[last - 1].lstrip().startswith("#")):
                last -= 1
            removed = "".join(lines[first:last])
            new = "".join(lines[:first] + lines[last:])  # no item left: "exemples:" is empty
            self._replace_checked(path, old, new, base.taxonomy)
            return path, removed
