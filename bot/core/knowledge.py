"""Loading and validation of the knowledge base folder (see README, "Format des connaissances").

Each file is checked before parsing (a regular file, at most MAX_FILE_BYTES, UTF-8), then
parsed with libyaml's event parser (the C one when available): the tree is built here with an
explicit stack, at most MAX_DEPTH levels deep, without aliases or tags, so nothing from a file
is ever executed or expanded and no file can crash the process. The tree is converted into
typed objects by hand so that every problem carries its `FILE:LINE`, in French. All problems of
a base are collected in one run; nothing here raises on bad content.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from rapidfuzz import fuzz, process

from bot.core.text import fold

# the C parser is much faster; the pure Python one behaves the same (PyYAML's own idiom:
# CSafeLoader exists only when PyYAML was built with libyaml)
_SafeLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

TAXONOMY_FILE = "taxonomie.yaml"
FIGURES_FILE = "chiffres.yaml"  # reserved: figures, not examples (bot.core.figures)
FACETS = ("secteurs", "outils", "usages")
FACET_NAMES = {"secteurs": "secteur", "outils": "outil", "usages": "usage"}
TERM_KEYS = ("libelle", "synonymes", "parent")
EXAMPLE_KEYS = (
    "id", "titre", "resume", "secteur", "outils", "usages", "entreprise", "resultats",
    "details", "sources", "date", "contributeur", "ajoute_le",
)
REQUIRED_KEYS = ("id", "titre", "resume", "secteur", "outils")
COMPANY_KEYS = ("nom", "taille", "effectif", "region")
SIZES = ("TPE", "PME", "ETI", "GE")
TITLE_MAX = 120
SUMMARY_MAX = 300
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A sentence end followed by another sentence: ". Puis", "! Ensuite".
# (after a lowercase letter, a digit or a closing mark, so "M. Dupont" and "S.A. Michelin" pass)
SECOND_SENTENCE = re.compile(r"(?<=[a-zà-ÿ0-9)»\"'’])[.!?…]\s+[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ]")

# Limits checked on every file before (size, encoding) and while (nesting) it is parsed.
# PyYAML's composer recurses once per nesting level and crashes the whole process (segmentation
# fault) on a file nested some thousands of levels deep; this loader builds the tree itself from
# libyaml's events, with an explicit stack, and refuses a file nested deeper than MAX_DEPTH.
# A knowledge file nests 4 levels (file > exemples > exemple > entreprise), the taxonomy 4.
MAX_DEPTH = 50
MAX_PARENT_DEPTH = 10  # levels of sub-sectors (the bundled taxonomy uses 1)
# 20,000 examples make about 11 MB of YAML (bench/generate.py, ~550 bytes each): 32 MB holds
# them all in one file three times over (or 20,000 examples of 1.6 KB), loads in seconds and
# in a few hundred MB of memory, and refuses a file that would exhaust the machine's memory.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_PROBLEMS_PER_FILE = 1000
SHOWN_MAX = 80  # characters of a curator's value quoted in a message
SUGGEST_MAX = 100  # longer values get no "vouliez-vous dire" (fuzzy matching costs)
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_ALLOWED_TAGS = {
    "scalar": ("tag:yaml.org,2002:str", "!"),
    "mapping": ("tag:yaml.org,2002:map",),
    "sequence": ("tag:yaml.org,2002:seq",),
}
# What YAML forbids in a file (PyYAML's reader: printable characters, tab and line breaks only).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
MEGA = 1024 * 1024

SYNTAX = "erreur de syntaxe YAML : "
_TAB = "tabulation dans l'indentation : indentez avec des espaces seulement"
_COLON_IN_VALUE = ("deux-points « : » inattendu (une valeur qui contient « : » suivi d'une espace "
                   "doit être entre guillemets)")
_DIRECTIVE = "directive YAML (ligne commençant par « % ») non prise en charge : retirez-la"
_TAG = "étiquette YAML (« ! ») invalide : retirez-la"
_ANCHOR = ("nom attendu après « & » ou « * » (une valeur qui commence par « & » ou « * » doit "
           "être entre guillemets)")
# libyaml's scanner and parser problems (and PyYAML's composer ones), in French.
_YAML_PROBLEMS = {
    "found a tab character that violates indentation": _TAB,
    "found a tab character where an indentation space is expected": _TAB,
    "found character '\\t' that cannot start any token": _TAB,
    "mapping values are not allowed in this context": _COLON_IN_VALUE,
    "mapping values are not allowed here": _COLON_IN_VALUE,
    "block sequence entries are not allowed in this context": "tiret « - » inattendu : un "
    "élément de liste commence sa propre ligne, aligné sur les autres éléments",
    "mapping keys are not allowed in this context": "« ? » inattendu (une valeur qui commence "
    "par « ? » doit être entre guillemets)",
    "could not find expected ':'": "deux-points « : » attendu après la clé (ou ligne de "
    "continuation mal indentée)",
    "found unexpected ':'": "deux-points « : » inattendu",
    "found unexpected end of stream": "fin de fichier atteinte avant la fermeture d'un guillemet "
    "ou d'un crochet",
    "found unexpected document indicator": "« --- » ou « ... » en début de ligne dans un texte "
    "entre guillemets : indentez cette ligne",
    "found unknown escape character": "caractère inconnu après « \\ » dans un texte entre "
    "guillemets doubles : écrivez « \\\\ » pour une barre oblique inverse, ou utilisez des "
    "guillemets simples",
    "did not find expected hexdecimal number": "code hexadécimal attendu après « \\x », « \\u » "
    "ou « \\U » dans un texte entre guillemets doubles",
    "found invalid Unicode character escape code": "code de caractère Unicode invalide après "
    "« \\u » ou « \\U »",
    "did not find expected comment or line break": "texte inattendu en fin de ligne (après un "
    "texte entre guillemets ou après « | » ou « > » : rien d'autre qu'un commentaire « # »)",
    "did not find expected whitespace or line break": "espace ou fin de ligne attendue à cet "
    "endroit",
    "did not find expected whitespace": "espace attendue à cet endroit",
    "found an indentation indicator equal to 0": "indicateur d'indentation 0 interdit après "
    "« | » ou « > »",
    "did not find expected alphabetic or numeric character": _ANCHOR,
    "found unexpected non-alphabetical character": _ANCHOR,
    "did not find expected key": "clé attendue (indentation incohérente, ou texte après un "
    "texte entre guillemets ?)",
    "did not find expected '-' indicator": "tiret « - » attendu (indentation de la liste "
    "incohérente ?)",
    "did not find expected node content": "valeur attendue à cet endroit",
    "did not find expected ',' or ']'": "virgule « , » ou crochet fermant « ] » attendu dans la "
    "liste entre crochets (une valeur qui contient « : » ou « , » doit être entre guillemets)",
    "did not find expected ',' or '}'": "virgule « , » ou accolade fermante « } » attendue dans "
    "le dictionnaire entre accolades",
    "did not find expected <document start>": "contenu inattendu après la fin du document "
    "(ligne « ... » plus haut, ou indentation incohérente ?)",
    "found incompatible YAML document": "version de YAML non prise en charge : retirez la ligne "
    "« %YAML »",
    "found duplicate %YAML directive": _DIRECTIVE,
    "found duplicate %TAG directive": _DIRECTIVE,
    "found unknown directive name": _DIRECTIVE,
    "could not find expected directive name": _DIRECTIVE,
    "did not find expected digit or '.' character": _DIRECTIVE,
    "did not find expected version number": _DIRECTIVE,
    "found extremely long version number": _DIRECTIVE,
    "found undefined tag handle": _TAG,
    "did not find expected tag URI": _TAG,
    "did not find expected '!'": _TAG,
    "did not find the expected '>'": _TAG,
    "did not find URI escaped octet": _TAG,
    "found an incorrect leading UTF-8 octet": _TAG,
    "found an incorrect trailing UTF-8 octet": _TAG,
    "found undefined alias": "alias « * » inconnu",
    "found duplicate anchor; first occurrence": "ancre « & » en double",
    "found duplicate anchor": "ancre « & » en double",
    "expected a single document in the stream": "un seul document YAML par fichier",
}
# Where the construct that failed began, when that is on another line.
_YAML_CONTEXTS = {
    "while scanning a quoted scalar": "texte entre guillemets commencé",
    "while parsing a quoted scalar": "texte entre guillemets commencé",
    "while parsing a flow sequence": "liste entre crochets ouverte",
    "while parsing a flow mapping": "dictionnaire entre accolades ouvert",
    "while scanning a simple key": "clé commencée",
    "while scanning a block scalar": "texte « | » ou « > » commencé",
}


@dataclass(frozen=True)
class Problem:
    """One problem of a knowledge base, located in a file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Term:
    """A sector, tool or use of the taxonomy."""

    facet: str  # "secteurs" | "outils" | "usages"
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class Company:
    name: str | None = None
    size: str | None = None
    headcount: int | None = None
    region: str | None = None


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    summary: str
    sector: str
    tools: tuple[str, ...]
    uses: tuple[str, ...] = ()
    company: Company = field(default_factory=Company)
    results: str | None = None
    details: str | None = None
    sources: tuple[str, ...] = ()
    date: str | None = None
    contributor: str | None = None
    added_on: str | None = None
    file: str = ""
    line: int = 0


@dataclass
class Taxonomy:
    facets: dict[str, dict[str, Term]]
    _children: dict[str, dict[str, list[str]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @property
    def sectors(self) -> dict[str, Term]:
        return self.facets["secteurs"]

    @property
    def tools(self) -> dict[str, Term]:
        return self.facets["outils"]

    @property
    def uses(self) -> dict[str, Term]:
        return self.facets["usages"]

    def children(self, facet: str, key: str) -> list[str]:
        if self._children is None:  # built once: a large taxonomy stays linear to walk
            children: dict[str, dict[str, list[str]]] = {f: {} for f in self.facets}
            for name, terms in self.facets.items():
                for k in sorted(terms):
                    parent = terms[k].parent
                    if parent is not None:
                        children[name].setdefault(parent, []).append(k)
            self._children = children
        return list(self._children.get(facet, {}).get(key, ()))

    def descendants(self, facet: str, key: str) -> set[str]:
        """`key` and every entry below it (the sub-sectors of a sector, recursively)."""
        found = {key}
        todo = [key]
        while todo:
            current = todo.pop()
            for child in self.children(facet, current):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def label(self, facet: str, key: str) -> str:
        term = self.facets[facet].get(key)
        return term.label if term else key

    def resolve(self, facet: str, text: str) -> str | None:
        """The key whose key, label or synonym equals `text` (accent- and case-insensitive)."""
        wanted = fold(text)
        for term in self.facets[facet].values():
            if wanted in {fold(term.key), fold(term.label), *map(fold, term.synonyms)}:
                return term.key
        return None

    def suggest(self, facet: str, text: str, limit: int = 3) -> list[str]:
        """Keys of the entries nearest to `text`, for a "vouliez-vous dire" hint."""
        if len(text) > SUGGEST_MAX:
            return []
        names: dict[str, str] = {}
        for term in self.facets[facet].values():
            for name in (term.key, term.label, *term.synonyms):
                names.setdefault(fold(name), term.key)
        keys: list[str] = []
        for scorer, cutoff in ((fuzz.ratio, 75), (fuzz.partial_ratio, 90)):
            for name, _, _ in process.extract(fold(text), list(names), scorer=scorer,
                                              limit=limit * 4, score_cutoff=cutoff):
                if names[name] not in keys and len(name) >= 3:
                    keys.append(names[name])
        return keys[:limit]


@dataclass
class KnowledgeBase:
    folder: Path
    taxonomy: Taxonomy
    examples: list[Example]
    files: list[str]
    figures: list = field(default_factory=list)  # bot.core.figures.Figure, from chiffres.yaml

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.examples}

    def get(self, example_id: str) -> Example | None:
        return self.by_id.get(example_id.strip().lower())

    def summary_line(self) -> str:
        t = self.taxonomy
        return (
            f"{len(self.examples)} exemples dans {len(self.files)} fichier(s), "
            f"{len(self.figures)} chiffre{'s' if len(self.figures) > 1 else ''}, "
            f"{len(t.sectors)} secteurs, {len(t.tools)} outils, {len(t.uses)} usages"
        )


@dataclass
class LoadResult:
    base: KnowledgeBase
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def quote(text: str) -> str:
    return f"« {text} »"


def did_you_mean(candidates: Iterable[str]) -> str:
    names = [quote(c) for c in candidates]
    if not names:
        return ""
    if len(names) == 1:
        return f" (vouliez-vous dire {names[0]} ?)"
    return f" (vouliez-vous dire {', '.join(names[:-1])} ou {names[-1]} ?)"


def nearest_word(word: str, choices: Iterable[str]) -> list[str]:
    if len(word) > SUGGEST_MAX:
        return []
    best = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return [best[0]] if best else []


def check_url(url: str) -> str | None:
    """None if `url` is a valid http(s) address, else the French reason."""
    if any(c.isspace() for c in url):
        return "une adresse ne doit pas contenir d'espace"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "adresse illisible"
    if parts.scheme not in ("http", "https"):
        return "l'adresse doit commencer par http:// ou https://"
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "numéro de port invalide dans l'adresse"
    if not host or ("." not in host and host != "localhost"):
        return "nom de site manquant ou incomplet après http(s)://"
    return None


def check_date(text: str) -> str | None:
    """None if `text` is YYYY, YYYY-MM or YYYY-MM-DD and a real date, else the French reason."""
    match = DATE.match(text)
    if not match:
        return "date attendue sous la forme AAAA, AAAA-MM ou AAAA-MM-JJ"
    month, day = (int(g) if g else None for g in match.groups()[1:])
    try:
        dt.date(int(match.group(1)), month or 1, day or 1)
    except ValueError:
        return "cette date n'existe pas"
    return None


def check_summary(text: str) -> str | None:
    if len(text) > SUMMARY_MAX:
        return f"le résumé fait {len(text)} caractères : {SUMMARY_MAX} au plus"
    if SECOND_SENTENCE.search(text):
        return "le résumé doit tenir en une seule phrase"
    return None


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 1] + "…"


def shown(text: str) -> str:
    """A curator's value quoted in a message, cut if it is very long."""
    return quote(_cut(text))


def _line_text(text: str, line: int) -> str:
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _unexpected_character(text: str, line: int, column: int) -> str:
    row = _line_text(text, line).lstrip("\ufeff") if line == 1 else _line_text(text, line)
    char = row[column] if 0 <= column < len(row) else ""
    if char == "\t":
        return _TAB
    if char in "@`%":
        return (f"caractère « {char} » interdit en début de valeur : mettez la valeur entre "
                "guillemets")
    return "caractère inattendu à cet endroit : mettez la valeur entre guillemets"


def _yaml_message(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line and French message of a YAML syntax error (never PyYAML's English)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(error, "problem", None) or ""
    context = getattr(error, "context", None) or ""
    french: str | None
    if problem == "found character that cannot start any token" and mark is not None:
        french = _unexpected_character(text, line, mark.column)
    else:
        french = _YAML_PROBLEMS.get(problem) or _YAML_PROBLEMS.get(problem.split(",")[0])
    if french is None:
        french = "structure du fichier invalide à cet endroit (indentation, guillemets ?)"
    context_mark = getattr(error, "context_mark", None)
    where = _YAML_CONTEXTS.get(context)
    if where and context_mark is not None and context_mark.line + 1 != line:
        started = context_mark.line + 1
        if problem == "found unexpected end of stream":
            # the fix is where the quote or bracket was opened
            return started, f"{SYNTAX}{french} ({where} ici, jamais fermé)"
        if problem == "could not find expected ':'":
            return started, f"{SYNTAX}{french}"  # the key without its colon is here
        french += f" ({where} ligne {started})"
    return line, SYNTAX + french


def _line_of_byte(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _os_error_message(exc: OSError) -> str:
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return ("lecture refusée par les droits du fichier : donnez au bot le droit de lire ce "
                "fichier")
    if code == errno.ELOOP:
        return "boucle de liens symboliques : ce lien ne mène à aucun fichier"
    if code == errno.ENOENT:
        return "fichier introuvable (lien symbolique cassé, ou fichier supprimé pendant la lecture)"
    if code == errno.EISDIR:
        return "c'est un dossier, pas un fichier : renommez-le ou déplacez-le"
    if code == errno.EIO:
        return "erreur de lecture du disque"
    name = errno.errorcode.get(code, str(code)) if code is not None else "inconnue"
    return f"fichier illisible (erreur système {name})"


class _Node:
    __slots__ = ("line",)
    line: int


class _Scalar(_Node):
    __slots__ = ("value", "null")

    def __init__(self, line: int, value: str, null: bool):
        self.line = line
        self.value = value
        self.null = null


class _Collection(_Node):
    __slots__ = ("items",)

    def __init__(self, line: int):
        self.line = line
        self.items: list[_Node] = []


class _Sequence(_Collection):
    __slots__ = ()


class _Mapping(_Collection):
    """`items` holds keys and values alternately."""

    __slots__ = ()


_EMPTY = _Scalar(1, "", True)  # what an empty file (or one holding only comments) holds


class _FileReader:
    """Turns one file into a tree of plain nodes, recording problems with their lines."""

    def __init__(self, display: str, problems: list[Problem]):
        self.display = display
        self.problems = problems
        self.count = 0

    def problem(self, node_or_line, message: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.line
        self.count += 1
        if self.count <= MAX_PROBLEMS_PER_FILE:
            self.problems.append(Problem(self.display, line, message))
        elif self.count == MAX_PROBLEMS_PER_FILE + 1:
            self.problems.append(Problem(self.display, line, (
                f"plus de {MAX_PROBLEMS_PER_FILE} problèmes dans ce fichier : les suivants ne "
                "sont pas affichés")))

    def read(self, path: Path) -> bytes | None:
        """The file's bytes, or None (reported) if it is not a readable regular file."""
        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                self.problem(1, f"{quote(path.name)} est un dossier, pas un fichier : "
                             "renommez-le ou déplacez-le hors du dossier de connaissances")
                return None
            if not stat.S_ISREG(info.st_mode):
                self.problem(1, f"{quote(path.name)} n'est pas un fichier ordinaire (tube, "
                             "périphérique…) : retirez-le du dossier de connaissances")
                return None
            # O_NONBLOCK: a file swapped for a named pipe meanwhile cannot block the read
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            with open(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    self.problem(1, f"{quote(path.name)} n'est pas un fichier ordinaire")
                    return None
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            self.problem(1, _os_error_message(exc))
            return None
        if len(data) > MAX_FILE_BYTES:
            self.problem(_line_of_byte(data, MAX_FILE_BYTES), (
                f"fichier trop volumineux : il dépasse {MAX_FILE_BYTES // MEGA} Mo à cette "
                "ligne ; répartissez les exemples dans plusieurs fichiers"))
            return None
        return data

    def decode(self, data: bytes) -> str | None:
        """The file's text if it is UTF-8 (with or without BOM), else None (reported)."""
        save = "enregistrez-le en UTF-8 (dans votre éditeur : « Enregistrer sous », encodage UTF-8)"
        if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            self.problem(1, f"fichier encodé en UTF-32, pas en UTF-8 : {save}")
            return None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.problem(1, f"fichier encodé en UTF-16, pas en UTF-8 : {save}")
            return None
        nul = data.find(b"\x00")
        if nul >= 0:
            self.problem(_line_of_byte(data, nul), "caractère nul (octet 0) : ce fichier n'est "
                         f"pas du texte UTF-8 (UTF-16 ?) ; {save}")
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = _line_of_byte(data, exc.start)
            line_start = data.rfind(b"\n", 0, exc.start) + 1
            column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
            self.problem(line, f"octet 0x{data[exc.start]:02X} (colonne {column}) invalide en "
                         f"UTF-8 : le fichier est sans doute en Latin-1 ou Windows-1252 ; {save}")
            return None

    def compose(self, path: Path) -> _Node | None:
        """The file's tree (`_EMPTY` for an empty file), or None if it cannot be read."""
        data = self.read(path)
        if data is None:
            return None
        text = self.decode(data)
        if text is None:
            return None
        return self.compose_text(data, text)

    def compose_text(self, data: bytes, text: str) -> _Node | None:
        """Build the tree from libyaml's events, with an explicit stack (no recursion)."""
        loader = None
        root: _Node | None = None
        stack: list[_Collection] = []
        refused = False
        aliases: set[str] = set()
        documents = 0
        try:
            loader = _SafeLoader(data)  # the pure Python one checks characters here
            get_event = loader.get_event
            while True:
                # dispatched on its exact class below (faster than isinstance on every event)
                event: Any = get_event()
                kind = event.__class__
                if kind is yaml.ScalarEvent:
                    tag = event.tag
                    if tag is not None and tag not in _ALLOWED_TAGS["scalar"]:
                        refused = self.refuse_tag(event, tag)
                    node: _Node = _Scalar(event.start_mark.line + 1, event.value,
                                          not event.style and tag is None
                                          and event.value in _NULLS)
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    line = event.start_mark.line + 1
                    if len(stack) >= MAX_DEPTH:
                        self.problem(line, (
                            f"imbrication trop profonde : plus de {MAX_DEPTH} niveaux de listes "
                            "ou de dictionnaires les uns dans les autres à cette ligne (un "
                            "fichier de connaissances en compte 4) ; fichier refusé"))
                        return None
                    mapping = kind is yaml.MappingStartEvent
                    tag = event.tag
                    if tag is not None and tag not in _ALLOWED_TAGS[
                            "mapping" if mapping else "sequence"]:
                        refused = self.refuse_tag(event, tag)
                    node = _Mapping(line) if mapping else _Sequence(line)
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    stack.pop()
                    continue
                elif kind is yaml.AliasEvent:
                    if event.anchor not in aliases:  # once per name: not 9**11 times a bomb
                        aliases.add(event.anchor)
                        self.problem(event.start_mark.line + 1, (
                            f"alias YAML « *{_cut(event.anchor)} » non accepté : écrivez la "
                            "valeur en entier (les ancres « & » et alias « * » ne sont pas pris "
                            "en charge)"))
                    refused = True
                    node = _EMPTY
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self.problem(event.start_mark.line + 1, (
                            "second document YAML dans le même fichier : un fichier ne contient "
                            "qu'un document ; retirez cette ligne « --- » (ou « ... » plus haut)"))
                        return None
                    continue
                elif kind is yaml.StreamEndEvent:
                    break
                else:
                    continue
                if stack:
                    stack[-1].items.append(node)
                else:
                    root = node
                if isinstance(node, _Collection):  # a mapping or a sequence starts here
                    stack.append(node)
        except yaml.reader.ReaderError as exc:
            self.reader_problem(exc, data, text)
            return None
        except yaml.YAMLError as exc:
            line, message = _yaml_message(exc, text)
            self.problem(line, message)
            return None
        finally:
            if loader is not None:
                loader.dispose()
        if refused:
            return None
        return _EMPTY if root is None else root

    def refuse_tag(self, event, tag: str) -> bool:
        name = tag.replace("tag:yaml.org,2002:", "!!", 1)
        self.problem(event.start_mark.line + 1, (
            f"étiquette YAML {shown(name)} non acceptée : retirez-la (les étiquettes « ! » ne sont "
            "pas prises en charge)"))
        return True

    def reader_problem(self, error: yaml.reader.ReaderError, data: bytes, text: str) -> None:
        """A character YAML forbids (the file is valid UTF-8: `decode` checked it)."""
        found = _NON_PRINTABLE.search(text, 1 if text.startswith("\ufeff") else 0)
        if found is not None:
            line = text.count("\n", 0, found.start()) + 1
            code = ord(found.group())
        else:  # libyaml's own verdict: where it stopped, in bytes
            position = getattr(error, "position", 0) or 0
            line = _line_of_byte(data, min(max(position, 0), len(data)))
            code = error.character if isinstance(error.character, int) else 0
        self.problem(line, f"caractère invisible U+{code:04X} interdit dans un fichier YAML : "
                     "supprimez-le (il vient souvent d'un copier-coller)")

    def mapping(self, node: _Node, what: str) -> list[tuple[str, _Node, int]] | None:
        """(key, value node, line) pairs of a mapping node; duplicated keys are reported."""
        if not isinstance(node, _Mapping):
            self.problem(node, f"{what} doit être un dictionnaire « clé: valeur »")
            return None
        pairs, seen = [], set()
        items = node.items
        for i in range(0, len(items), 2):
            key_node, value_node = items[i], items[i + 1]
            line = key_node.line
            if not isinstance(key_node, _Scalar):
                self.problem(line, f"clé invalide dans {what} : une clé est un simple mot, pas "
                             "une liste ou un dictionnaire")
                continue
            key = key_node.value
            if key in seen:
                self.problem(line, f"clé {shown(key)} en double dans {what}")
                continue
            seen.add(key)
            pairs.append((key, value_node, line))
        return pairs

    def top_list(self, root: _Node, key: str, holder: str, of: str) -> list[_Node]:
        """The items of a file made of one top-level list `key:`; other keys are reported
        (`holder` names the file for the message, `of` what its list holds)."""
        items: list[_Node] = []
        for name, node, line in self.mapping(root, "le fichier") or []:
            if name != key:
                hint = did_you_mean(nearest_word(name, [key]))
                self.problem(line, f"clé inconnue {shown(name)}{hint} : {holder} contient "
                             f"seulement la liste « {key}: »")
                continue
            if self.is_empty(node):
                continue
            if not isinstance(node, _Sequence):
                self.problem(node, f"« {key} » doit être une liste {of} (chacun commence par "
                             "« - id: ... »)")
                continue
            items.extend(node.items)
        return items

    @staticmethod
    def is_empty(node: _Node) -> bool:
        return node.__class__ is _Scalar and node.null

    def text(self, node: _Node, name: str) -> str | None:
        if not isinstance(node, _Scalar):
            self.problem(node, f"{quote(name)} doit être un texte simple")
            return None
        return "" if node.null else " ".join(node.value.split())

    def text_list(self, node: _Node, name: str) -> list[tuple[str, int]] | None:
        if self.is_empty(node):
            return []
        if not isinstance(node, _Sequence):
            self.problem(node, f"{quote(name)} doit être une liste, par exemple [a, b]")
            return None
        items = []
        for item in node.items:
            value = self.text(item, name)
            if value:
                items.append((value, item.line))
            elif value == "":
                self.problem(item, f"élément vide dans {quote(name)}")
        return items


def _load_taxonomy(folder: Path, display: str, problems: list[Problem]) -> Taxonomy:
    facets: dict[str, dict[str, Term]] = {f: {} for f in FACETS}
    reader = _FileReader(display, problems)
    path = folder / TAXONOMY_FILE
    if not os.path.lexists(path):
        reader.problem(1, f"fichier {TAXONOMY_FILE} introuvable dans {folder}")
        return Taxonomy(facets)
    root = reader.compose(path)
    if root is None:
        return Taxonomy(facets)
    if reader.is_empty(root):
        reader.problem(1, "taxonomie vide : elle doit contenir au moins les sections "
                       "« secteurs » et « outils »")
        return Taxonomy(facets)
    pairs = reader.mapping(root, "la taxonomie")
    if pairs is None:
        return Taxonomy(facets)
    present = {key for key, _, _ in pairs}
    for key, _, line in pairs:
        if key not in FACETS:
            hint = did_you_mean(nearest_word(key, FACETS))
            reader.problem(line, f"clé inconnue {shown(key)}{hint} : la taxonomie contient "
                           "secteurs, outils et usages")
    for facet in FACETS:
        if facet not in present and facet != "usages":
            reader.problem(1, f"section {quote(facet)} manquante dans la taxonomie")
    entry_lines: dict[tuple[str, str], int] = {}
    for facet, node, facet_line in pairs:
        if facet not in FACETS:
            continue
        entries = [] if reader.is_empty(node) else reader.mapping(node, f"la section {facet}")
        if entries == [] and facet != "usages":
            reader.problem(facet_line, f"la section {quote(facet)} est vide : la taxonomie doit "
                           f"compter au moins un {FACET_NAMES[facet]}")
        for key, entry, line in entries or []:
            if not SLUG.match(key):
                reader.problem(line, f"clé {shown(key)} invalide : minuscules, chiffres et "
                               "tirets seulement (par exemple « travaux-publics »)")
                continue
            fields = reader.mapping(entry, f"{FACET_NAMES[facet]} {quote(key)}")
            if fields is None:
                continue
            values: dict[str, str | None] = {}
            synonyms: tuple[str, ...] = ()
            invalid = set()
            for name, value_node, fline in fields:
                if name not in TERM_KEYS:
                    hint = did_you_mean(nearest_word(name, TERM_KEYS))
                    reader.problem(fline, f"clé inconnue {shown(name)}{hint}")
                    continue
                if name == "synonymes":
                    found = reader.text_list(value_node, name)
                    synonyms = tuple(v for v, _ in found or [])
                    valid = found is not None
                else:
                    values[name] = reader.text(value_node, name)
                    valid = values[name] is not None
                if not valid:
                    invalid.add(name)
            if not values.get("libelle") and "libelle" not in invalid:
                reader.problem(line, f"{FACET_NAMES[facet]} {quote(key)} : "
                               "« libelle » obligatoire et non vide")
            entry_lines[(facet, key)] = line
            facets[facet][key] = Term(
                facet=facet, key=key, label=str(values.get("libelle") or key),
                synonyms=synonyms, parent=values.get("parent") or None,
            )
    for facet in FACETS:
        _check_parents(facet, facets[facet], entry_lines, reader)
    return Taxonomy(facets)


def _check_parents(facet: str, terms: dict[str, Term], lines: dict[tuple[str, str], int],
                   reader: _FileReader) -> None:
    """Unknown parents, each cycle once, and chains too long (in time linear in the taxonomy).

    A term more than MAX_PARENT_DEPTH levels below its root loses its parent in the loaded
    taxonomy, so that searching and listing sectors stay fast even on a hostile file.
    """
    depth: dict[str, int] = {}  # levels above each term, for terms out of any cycle
    done: set[str] = set()
    too_deep: list[str] = []
    for key, term in terms.items():
        parent = term.parent
        if parent is not None and parent not in terms:
            hint = did_you_mean(nearest_word(parent, terms))
            reader.problem(lines[(facet, key)], f"parent {shown(parent)} de {quote(key)} "
                           f"inconnu dans {facet}{hint}")
        if key in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = key
        in_cycle = False
        while current is not None and current in terms and current not in done:
            if current in on_path:
                cycle = path[path.index(current):]
                first = min(cycle, key=lambda k: lines[(facet, k)])
                i = cycle.index(first)
                chain = " → ".join([*cycle[i:], *cycle[:i], first])
                reader.problem(lines[(facet, first)], f"cycle de parents dans {facet} : {chain}")
                in_cycle = True
                break
            path.append(current)
            on_path.add(current)
            current = terms[current].parent
        done.update(path)
        if in_cycle or (current in done and current not in depth):
            continue  # in a cycle or below one: no depth
        above = depth.get(current, -1)  # type: ignore[arg-type]  # -1: above the root
        for k in reversed(path):
            above += 1
            depth[k] = above
            if above > MAX_PARENT_DEPTH:
                too_deep.append(k)
    if too_deep:
        first = min(too_deep, key=lambda k: lines[(facet, k)])
        reader.problem(lines[(facet, first)], (
            f"hiérarchie trop profonde dans {facet} : {quote(first)} est à plus de "
            f"{MAX_PARENT_DEPTH} niveaux de parents de sa racine ({len(too_deep)} entrée(s) dans "
            "ce cas)"))
        for k in too_deep:
            terms[k] = replace(terms[k], parent=None)


class _ExampleReader(_FileReader):
    def __init__(self, display: str, problems: list[Problem], taxonomy: Taxonomy,
                 ids: dict[str, tuple[str, int]]):
        super().__init__(display, problems)
        self.taxonomy = taxonomy
        self.ids = ids
        self.hints: dict[tuple[str, str], str] = {}

    def facet_key(self, facet: str, value: str, line: int) -> str | None:
        if value in self.taxonomy.facets[facet]:
            return value
        name = FACET_NAMES[facet]
        hint = self.hints.get((facet, value))
        if hint is None:  # fuzzy matching is the costly part: once per value, not past the cap
            quiet = self.count >= MAX_PROBLEMS_PER_FILE
            hint = "" if quiet else did_you_mean(self.taxonomy.suggest(facet, value))
            self.hints[(facet, value)] = hint
        self.problem(line, f"{name} inconnu {shown(value)}{hint}")
        return None

    def example(self, node: _Node) -> Example | None:
        fields = self.mapping(node, "un exemple")
        if fields is None:
            return None
        start = node.line
        ok = True
        values: dict[str, Any] = {}  # what `field` returns for each name: str, list or Company
        lines: dict[str, int] = {}
        settled: set[str] = set()
        for name, value_node, line in fields:
            lines[name] = line
            if name not in EXAMPLE_KEYS:
                hint = did_you_mean(nearest_word(name, EXAMPLE_KEYS))
                self.problem(line, f"clé inconnue {shown(name)}{hint}")
                ok = False
                continue
            value = self.field(name, value_node, line)
            if value is False:
                ok = False
            elif value is not None and value != "" and value != []:
                values[name] = value
            else:
                continue
            settled.add(name)  # filled, or already reported: no "champ vide" on top
        example_id = values.get("id")
        for name in REQUIRED_KEYS:
            if name not in settled:
                label = f"exemple {quote(example_id)}" if example_id else "exemple"
                if name in lines:
                    self.problem(lines[name], f"{label} : champ {quote(name)} vide")
                else:
                    self.problem(start, f"{label} : champ obligatoire {quote(name)} manquant")
                ok = False
        if example_id is not None:
            first = self.ids.get(example_id)
            if first is not None:
                self.problem(start, f"identifiant {quote(example_id)} déjà utilisé "
                             f"({first[0]}:{first[1]})")
                return None
            self.ids[example_id] = (self.display, start)
        if not ok:
            return None
        return Example(
            id=values["id"], title=values["titre"], summary=values["resume"],
            sector=values["secteur"], tools=tuple(values["outils"]),
            uses=tuple(values.get("usages", ())), company=values.get("entreprise", Company()),
            results=values.get("resultats"), details=values.get("details"),
            sources=tuple(values.get("sources", ())), date=values.get("date"),
            contributor=values.get("contributeur"), added_on=values.get("ajoute_le"),
            file=self.display, line=start,
        )

    def field(self, name: str, node: _Node, line: int):
        """The checked value of one field; False when it is invalid (already reported)."""
        if name in ("outils", "usages", "sources"):
            items = self.text_list(node, name)
            if items is None:
                return False
            if name == "sources":
                bad = False
                for url, item_line in items:
                    reason = check_url(url)
                    if reason:
                        self.problem(item_line, f"source {shown(url)} invalide : {reason}")
                        bad = True
                return False if bad else [u for u, _ in items]
            facet = name
            keys = [self.facet_key(facet, v, item_line) for v, item_line in items]
            if None in keys:
                return False
            if name == "outils" and not keys:
                self.problem(line, "« outils » doit contenir au moins un outil")
                return False
            return list(dict.fromkeys(keys))
        if name == "entreprise":
            return self.company(node)
        value = self.text(node, name)
        if value is None:
            return False
        if not value:
            return ""
        if name == "id" and not SLUG.match(value):
            self.problem(line, f"identifiant {shown(value)} invalide : minuscules sans accents, "
                         "chiffres et tirets seulement")
            return False
        if name == "titre" and len(value) > TITLE_MAX:
            self.problem(line, f"le titre fait {len(value)} caractères : {TITLE_MAX} au plus")
            return False
        if name == "resume":
            reason = check_summary(value)
            if reason:
                self.problem(line, reason)
                return False
        if name == "secteur":
            return self.facet_key("secteurs", value, line) or False
        if name in ("date", "ajoute_le"):
            reason = check_date(value)
            if reason:
                self.problem(line, f"{quote(name)} : {reason} (reçu {shown(value)})")
                return False
        return value

    def company(self, node: _Node) -> Company | bool:
        if self.is_empty(node):
            return Company()
        fields = self.mapping(node, "« entreprise »")
        if fields is None:
            return False
        values: dict[str, str] = {}
        staff: int | None = None
        ok = True
        for name, value_node, line in fields:
            if name not in COMPANY_KEYS:
                hint = did_you_mean(nearest_word(name, COMPANY_KEYS))
                self.problem(line, f"clé inconnue {shown(name)} dans « entreprise »{hint}")
                ok = False
                continue
            value = self.text(value_node, name)
            if value is None:
                ok = False
                continue
            if not value:
                continue
            if name == "taille" and value not in SIZES:
                upper = value.upper()
                hint = f" (vouliez-vous dire {quote(upper)} ?)" if upper in SIZES else ""
                self.problem(line, f"taille {shown(value)} inconnue : TPE, PME, ETI ou GE{hint}")
                ok = False
                continue
            if name == "effectif":
                if not (value.isascii() and value.isdigit()):
                    self.problem(line, f"effectif {shown(value)} invalide : un nombre entier "
                                 "de salariés est attendu")
                    ok = False
                    continue
                staff = int(value)
                continue
            values[name] = value
        if not ok:
            return False
        return Company(values.get("nom"), values.get("taille"), staff, values.get("region"))


def example_files(folder: Path) -> list[Path]:
    """The example files of a base: every `*.yaml` but the reserved ones, hidden files excluded.

    Entries that are not regular files (a folder named `x.yaml`, a broken link) are listed too,
    so that loading reports them instead of skipping them silently.
    """
    return sorted(
        p for p in folder.glob("*.yaml")
        if p.name not in (TAXONOMY_FILE, FIGURES_FILE) and not p.name.startswith(".")
    )


def read_examples_file(
    path: Path, display: str, taxonomy: Taxonomy, problems: list[Problem],
    ids: dict[str, tuple[str, int]] | None = None,
) -> list[Example]:
    """Examples of one file; problems are appended to `problems`.

    `ids` maps each identifier already met (in other files) to its `(file, line)`; it is
    updated with this file's identifiers, those of invalid examples included, so that a
    duplicate is reported whatever else is wrong with either copy.
    """
    reader = _ExampleReader(display, problems, taxonomy, {} if ids is None else ids)
    root = reader.compose(path)
    if root is None:
        return []
    if reader.is_empty(root):
        return []  # an empty file holds no example yet
    examples: list[Example] = []
    for item in reader.top_list(root, "exemples", "un fichier d'exemples", "d'exemples"):
        example = reader.example(item)
        if example is not None:
            examples.append(example)
    return examples


def display_path(folder: Path, name: str) -> str:
    return str(folder / name)


def load_knowledge(folder: Path | str) -> LoadResult:
    """Load and check a knowledge folder; always returns a base made of the valid parts."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(str(folder), 0, "dossier de connaissances introuvable"))
        empty = Taxonomy({f: {} for f in FACETS})
        return LoadResult(KnowledgeBase(folder, empty, [], []), problems)
    taxonomy = _load_taxonomy(folder, display_path(folder, TAXONOMY_FILE), problems)
    examples: list[Example] = []
    ids: dict[str, tuple[str, int]] = {}
    files = example_files(folder)
    for path in files:
        display = display_path(folder, path.name)
        examples += read_examples_file(path, display, taxonomy, problems, ids)
    figures = []
    if (folder / FIGURES_FILE).is_file():
        from bot.core.figures import read_figures_file  # figures builds on this module

        figures = read_figures_file(folder / FIGURES_FILE, display_path(folder, FIGURES_FILE),
                                    taxonomy, problems)
    base = KnowledgeBase(folder, taxonomy, examples, [p.name for p in files], figures)
    return LoadResult(base, problems)
