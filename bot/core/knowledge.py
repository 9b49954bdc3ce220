"""Loading and validation of the knowledge base folder (see README, "Format des connaissances").

Files are parsed with PyYAML's safe C composer when available (never executing anything from a
file), and converted into typed objects by hand so that every problem carries its `FILE:LINE`.
All problems of a base are collected in one run; nothing here raises on bad content.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from rapidfuzz import fuzz, process

from bot.core.text import fold

try:  # the C parser is much faster; the pure Python one behaves the same
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader

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

_YAML_MESSAGES = {
    "mapping values are not allowed here": "deux-points inattendu (une valeur contenant « : » "
    "doit être entre guillemets)",
    "could not find expected ':'": "deux-points « : » attendu après la clé",
    "found character '\\t' that cannot start any token": "tabulation interdite : indentez avec "
    "des espaces",
    "found undefined alias": "alias inconnu",
    "did not find expected key": "clé attendue (indentation incohérente ?)",
    "did not find expected '-' indicator": "tiret « - » attendu (indentation de la liste ?)",
    "found unexpected end of stream": "fin de fichier inattendue "
    "(guillemet ou crochet non fermé ?)",
    "found unexpected ':'": "deux-points inattendu",
    "expected <document start>, but found '<block mapping start>'": "indentation incohérente",
    "did not find expected node content": "valeur attendue",
    "while scanning a quoted scalar": "guillemet non fermé",
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
        return sorted(k for k, t in self.facets[facet].items() if t.parent == key)

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
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return "cette date n'existe pas"
    return None


def check_summary(text: str) -> str | None:
    if len(text) > SUMMARY_MAX:
        return f"le résumé fait {len(text)} caractères : {SUMMARY_MAX} au plus"
    if SECOND_SENTENCE.search(text):
        return "le résumé doit tenir en une seule phrase"
    return None


def _yaml_message(error: yaml.YAMLError) -> tuple[int, str]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    french = _YAML_MESSAGES.get(problem) or _YAML_MESSAGES.get(context)
    detail = french or f"{problem}"
    return line, f"erreur de syntaxe YAML : {detail}"


class _FileReader:
    """Turns the composed nodes of one file into plain values, recording problems."""

    def __init__(self, display: str, problems: list[Problem]):
        self.display = display
        self.problems = problems

    def problem(self, node_or_line, message: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        self.problems.append(Problem(self.display, line, message))

    def compose(self, path: Path) -> yaml.Node | None:
        try:
            text = path.read_bytes()
        except OSError as exc:
            self.problem(1, f"fichier illisible ({exc.strerror})")
            return None
        try:
            return yaml.compose(text, Loader=_SafeLoader)
        except yaml.YAMLError as exc:
            line, message = _yaml_message(exc)
            self.problem(line, message)
            return None

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, int]] | None:
        """(key, value node, line) pairs of a mapping node; duplicated keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} doit être un dictionnaire « clé: valeur »")
            return None
        pairs, seen = [], set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(line, f"clé invalide dans {what}")
                continue
            key = key_node.value
            if key in seen:
                self.problem(line, f"clé {quote(key)} en double dans {what}")
                continue
            seen.add(key)
            pairs.append((key, value_node, line))
        return pairs

    @staticmethod
    def is_empty(node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")

    def text(self, node: yaml.Node, name: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{quote(name)} doit être un texte simple")
            return None
        value = " ".join(node.value.split()) if not self.is_empty(node) else ""
        return value

    def text_list(self, node: yaml.Node, name: str) -> list[tuple[str, int]] | None:
        if self.is_empty(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{quote(name)} doit être une liste, par exemple [a, b]")
            return None
        items = []
        for item in node.value:
            value = self.text(item, name)
            if value:
                items.append((value, item.start_mark.line + 1))
            elif value == "":
                self.problem(item, f"élément vide dans {quote(name)}")
        return items


def _load_taxonomy(folder: Path, display: str, problems: list[Problem]) -> Taxonomy:
    facets: dict[str, dict[str, Term]] = {f: {} for f in FACETS}
    reader = _FileReader(display, problems)
    path = folder / TAXONOMY_FILE
    if not path.is_file():
        reader.problem(1, f"fichier {TAXONOMY_FILE} introuvable dans {folder}")
        return Taxonomy(facets)
    root = reader.compose(path)
    if root is None:
        return Taxonomy(facets)
    pairs = reader.mapping(root, "la taxonomie")
    if pairs is None:
        return Taxonomy(facets)
    present = {key for key, _, _ in pairs}
    for key, _, line in pairs:
        if key not in FACETS:
            hint = did_you_mean(nearest_word(key, FACETS))
            reader.problem(line, f"clé inconnue {quote(key)}{hint} : la taxonomie contient "
                           "secteurs, outils et usages")
    for facet in FACETS:
        if facet not in present and facet != "usages":
            reader.problem(1, f"section {quote(facet)} manquante dans la taxonomie")
    parent_lines: dict[tuple[str, str], int] = {}
    for facet, node, _line in pairs:
        if facet not in FACETS or reader.is_empty(node):
            continue
        entries = reader.mapping(node, f"la section {facet}")
        for key, entry, line in entries or []:
            if not SLUG.match(key):
                reader.problem(line, f"clé {quote(key)} invalide : minuscules, chiffres et tirets "
                               "seulement (par exemple « travaux-publics »)")
                continue
            fields = reader.mapping(entry, f"{FACET_NAMES[facet]} {quote(key)}")
            if fields is None:
                continue
            values: dict[str, object] = {}
            for name, value_node, fline in fields:
                if name not in TERM_KEYS:
                    hint = did_you_mean(nearest_word(name, TERM_KEYS))
                    reader.problem(fline, f"clé inconnue {quote(name)}{hint}")
                elif name == "synonymes":
                    items = reader.text_list(value_node, name)
                    values[name] = tuple(v for v, _ in items or [])
                else:
                    values[name] = reader.text(value_node, name)
            if not values.get("libelle"):
                reader.problem(line, f"{FACET_NAMES[facet]} {quote(key)} : "
                               "« libelle » obligatoire et non vide")
            parent = values.get("parent") or None
            if parent:
                parent_lines[(facet, key)] = line
            facets[facet][key] = Term(
                facet=facet, key=key, label=str(values.get("libelle") or key),
                synonyms=values.get("synonymes", ()), parent=parent,
            )
    for (facet, key), line in parent_lines.items():
        parent = facets[facet][key].parent
        if parent not in facets[facet]:
            hint = did_you_mean(nearest_word(parent, facets[facet]))
            reader.problem(line, f"parent {quote(parent)} de {quote(key)} inconnu "
                           f"dans {facet}{hint}")
            continue
        seen, current = [key], parent
        while current is not None and current in facets[facet]:
            if current in seen:
                chain = " → ".join([*seen[seen.index(current):], current])
                reader.problem(line, f"cycle de parents dans {facet} : {chain}")
                break
            seen.append(current)
            current = facets[facet][current].parent
    return Taxonomy(facets)


class _ExampleReader(_FileReader):
    def __init__(self, display: str, problems: list[Problem], taxonomy: Taxonomy):
        super().__init__(display, problems)
        self.taxonomy = taxonomy

    def facet_key(self, facet: str, value: str, line: int) -> str | None:
        if value in self.taxonomy.facets[facet]:
            return value
        name = FACET_NAMES[facet]
        hint = did_you_mean(self.taxonomy.suggest(facet, value))
        self.problem(line, f"{name} inconnu {quote(value)}{hint}")
        return None

    def example(self, node: yaml.Node) -> Example | None:
        fields = self.mapping(node, "un exemple")
        if fields is None:
            return None
        start = node.start_mark.line + 1
        ok = True
        values: dict[str, object] = {}
        lines: dict[str, int] = {}
        for name, value_node, line in fields:
            lines[name] = line
            if name not in EXAMPLE_KEYS:
                hint = did_you_mean(nearest_word(name, EXAMPLE_KEYS))
                self.problem(line, f"clé inconnue {quote(name)}{hint}")
                ok = False
                continue
            value = self.field(name, value_node, line)
            if value is False:
                ok = False
            elif value is not None and value != "" and value != []:
                values[name] = value
        example_id = values.get("id")
        for name in REQUIRED_KEYS:
            if name not in values:
                label = f"exemple {quote(example_id)}" if example_id else "exemple"
                if name in lines:
                    self.problem(lines[name], f"{label} : champ {quote(name)} vide")
                else:
                    self.problem(start, f"{label} : champ obligatoire {quote(name)} manquant")
                ok = False
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

    def field(self, name: str, node: yaml.Node, line: int):
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
                        self.problem(item_line, f"source {quote(url)} invalide : {reason}")
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
            self.problem(line, f"identifiant {quote(value)} invalide : minuscules sans accents, "
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
                self.problem(line, f"{quote(name)} : {reason} (reçu {quote(value)})")
                return False
        return value

    def company(self, node: yaml.Node) -> Company | bool:
        if self.is_empty(node):
            return Company()
        fields = self.mapping(node, "« entreprise »")
        if fields is None:
            return False
        values: dict[str, object] = {}
        ok = True
        for name, value_node, line in fields:
            if name not in COMPANY_KEYS:
                hint = did_you_mean(nearest_word(name, COMPANY_KEYS))
                self.problem(line, f"clé inconnue {quote(name)} dans « entreprise »{hint}")
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
                self.problem(line, f"taille {quote(value)} inconnue : TPE, PME, ETI ou GE{hint}")
                ok = False
                continue
            if name == "effectif":
                if not (value.isascii() and value.isdigit()):
                    self.problem(line, f"effectif {quote(value)} invalide : un nombre entier "
                                 "de salariés est attendu")
                    ok = False
                    continue
                values[name] = int(value)
                continue
            values[name] = value
        if not ok:
            return False
        return Company(values.get("nom"), values.get("taille"), values.get("effectif"),
                       values.get("region"))


def example_files(folder: Path) -> list[Path]:
    """The example files of a base: every `*.yaml` but the taxonomy and the figures, hidden
    files excluded."""
    return sorted(
        p for p in folder.glob("*.yaml")
        if p.name not in (TAXONOMY_FILE, FIGURES_FILE) and not p.name.startswith(".")
        and p.is_file()
    )


def read_examples_file(
    path: Path, display: str, taxonomy: Taxonomy, problems: list[Problem]
) -> list[Example]:
    """Examples of one file; problems are appended to `problems`."""
    reader = _ExampleReader(display, problems, taxonomy)
    root = reader.compose(path)
    if root is None:
        return []
    if reader.is_empty(root):
        return []  # an empty file holds no example yet
    pairs = reader.mapping(root, "le fichier")
    if pairs is None:
        return []
    examples: list[Example] = []
    for key, node, line in pairs:
        if key != "exemples":
            hint = did_you_mean(nearest_word(key, ["exemples"]))
            reader.problem(line, f"clé inconnue {quote(key)}{hint} : un fichier d'exemples "
                           "contient seulement la liste « exemples: »")
            continue
        if reader.is_empty(node):
            continue
        if not isinstance(node, yaml.SequenceNode):
            reader.problem(node, "« exemples » doit être une liste d'exemples (chacun commence "
                           "par « - id: ... »)")
            continue
        for item in node.value:
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
    first_seen: dict[str, Example] = {}
    files = example_files(folder)
    for path in files:
        display = display_path(folder, path.name)
        for example in read_examples_file(path, display, taxonomy, problems):
            previous = first_seen.get(example.id)
            if previous is not None:
                problems.append(Problem(
                    display, example.line,
                    f"identifiant {quote(example.id)} déjà utilisé "
                    f"({previous.file}:{previous.line})",
                ))
                continue
            first_seen[example.id] = example
            examples.append(example)
    figures = []
    if (folder / FIGURES_FILE).is_file():
        from bot.core.figures import read_figures_file  # figures builds on this module

        figures = read_figures_file(folder / FIGURES_FILE, display_path(folder, FIGURES_FILE),
                                    taxonomy, problems)
    base = KnowledgeBase(folder, taxonomy, examples, [p.name for p in files], figures)
    return LoadResult(base, problems)
