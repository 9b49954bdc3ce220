"""Sourced adoption figures (`chiffres.yaml`) and the `!chiffres` command.

A figure is a statistic on how small firms adopt digital tools (Insee, Eurostat, France Num...),
with its scope, year and source. `read_figures_file` checks the file like the examples
(`FILE:LINE` French messages); `install(assistant)` registers `!chiffres` and the
« Le saviez-vous ? » line added after a search that names a tool or a sector having a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.commands import Assistant, Caller, Command, Param
from bot.core.knowledge import (
    FACET_NAMES,
    FACETS,
    SLUG,
    Problem,
    Taxonomy,
    _FileReader,
    _Node,
    _Sequence,
    check_url,
    did_you_mean,
    nearest_word,
    quote,
)
from bot.core.replies import Message, Reply, Report, SourceLine, clip
from bot.core.search import QueryReading
from bot.core.text import STOP_WORDS, stem, words

FIGURES_FILE = "chiffres.yaml"
FIGURE_KEYS = (
    "id", "indicateur", "valeur", "perimetre", "annee", "source", "organisme",
    "outils", "secteurs", "usages", "complements",
)
FIGURE_REQUIRED = ("id", "indicateur", "valeur", "perimetre", "annee", "source")
TEXT_MAX = {"indicateur": 200, "valeur": 200, "perimetre": 200, "organisme": 200,
            "complements": 600}
YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
SHOWN = 5  # figures per answer
MAX_QUERY_CHARS = 500

# points of a figure for one asked facet key: the figure names it (or one of its sub-entries),
# or only a broader entry (a figure on "Industrie" for a question on "Métallurgie")
EXACT, BROADER = 10, 4


@dataclass(frozen=True)
class Figure:
    id: str
    indicator: str
    value: str
    scope: str
    year: str  # "2022" or "2020-2021"
    source: str
    organisation: str | None = None
    tools: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    notes: str | None = None
    file: str = ""
    line: int = 0

    @property
    def last_year(self) -> int:
        return int(self.year[-4:])

    @property
    def area(self) -> int:
        """0 for France, 1 for the European Union, 2 elsewhere (the order figures are shown)."""
        scope = self.scope.casefold()
        if scope.startswith("france"):
            return 0
        if scope.startswith(("ue", "union européenne", "europe")):
            return 1
        return 2

    def facet(self, facet: str) -> tuple[str, ...]:
        return {"outils": self.tools, "secteurs": self.sectors, "usages": self.uses}[facet]


# -- reading chiffres.yaml -----------------------------------------------------------------


class _FigureReader(_FileReader):
    def __init__(self, display: str, problems: list[Problem], taxonomy: Taxonomy):
        super().__init__(display, problems)
        self.taxonomy = taxonomy

    def facet_keys(self, facet: str, node: _Node) -> tuple[str, ...] | None:
        items = self.text_list(node, facet)
        if items is None:
            return None
        keys, ok = [], True
        for value, line in items:
            if value in self.taxonomy.facets[facet]:
                keys.append(value)
                continue
            hint = did_you_mean(self.taxonomy.suggest(facet, value))
            self.problem(line, f"{FACET_NAMES[facet]} inconnu {quote(value)}{hint}")
            ok = False
        return tuple(dict.fromkeys(keys)) if ok else None

    def figure(self, node: _Node) -> Figure | None:
        fields = self.mapping(node, "un chiffre")
        if fields is None:
            return None
        start = node.line
        values: dict[str, Any] = {}  # what `field` returns: text, or a tuple of facet keys
        lines: dict[str, int] = {}
        invalid: set[str] = set()
        for name, value_node, line in fields:
            lines[name] = line
            if name not in FIGURE_KEYS:
                hint = did_you_mean(nearest_word(name, FIGURE_KEYS))
                self.problem(line, f"clé inconnue {quote(name)}{hint}")
                invalid.add(name)
                continue
            value = self.field(name, value_node, line)
            if value is None:
                invalid.add(name)
            elif value not in ("", ()):
                values[name] = value
        label = f"chiffre {quote(values['id'])}" if "id" in values else "chiffre"
        for name in FIGURE_REQUIRED:
            if name in values or name in invalid:
                continue
            if name in lines:
                self.problem(lines[name], f"{label} : champ {quote(name)} vide")
            else:
                self.problem(start, f"{label} : champ obligatoire {quote(name)} manquant")
            invalid.add(name)
        if invalid:
            return None
        return Figure(
            id=values["id"], indicator=values["indicateur"], value=values["valeur"],
            scope=values["perimetre"], year=values["annee"], source=values["source"],
            organisation=values.get("organisme"), tools=values.get("outils", ()),
            sectors=values.get("secteurs", ()), uses=values.get("usages", ()),
            notes=values.get("complements"), file=self.display, line=start,
        )

    def field(self, name: str, node: _Node, line: int) -> str | tuple[str, ...] | None:
        """The checked value of one field, "" when empty, None when invalid (reported)."""
        if name in FACETS:
            return self.facet_keys(name, node)
        if name == "source" and isinstance(node, _Sequence):
            self.problem(line, "« source » : une seule adresse est attendue, sans crochets ni "
                         "tirets")
            return None
        value = self.text(node, name)
        if value is None or value == "":
            return value
        if name == "id" and not SLUG.match(value):
            self.problem(line, f"identifiant {quote(value)} invalide : minuscules sans accents, "
                         "chiffres et tirets seulement")
            return None
        if name in TEXT_MAX and len(value) > TEXT_MAX[name]:
            self.problem(line, f"{quote(name)} fait {len(value)} caractères : "
                         f"{TEXT_MAX[name]} au plus")
            return None
        if name == "annee":
            match = YEAR.match(value)
            if not match or (match.group(2) and match.group(2) < match.group(1)):
                self.problem(line, f"« annee » : une année AAAA ou une période AAAA-AAAA est "
                             f"attendue (reçu {quote(value)})")
                return None
        if name == "source":
            reason = check_url(value)
            if reason:
                self.problem(line, f"source {quote(value)} invalide : {reason}")
                return None
        return value


def read_figures_file(
    path: Path, display: str, taxonomy: Taxonomy, problems: list[Problem]
) -> list[Figure]:
    """The figures of `chiffres.yaml`; problems (duplicates included) go to `problems`."""
    reader = _FigureReader(display, problems, taxonomy)
    root = reader.compose(path)
    if root is None or reader.is_empty(root):
        return []
    figures: list[Figure] = []
    seen: dict[str, Figure] = {}
    for item in reader.top_list(root, "chiffres", FIGURES_FILE, "de chiffres"):
        figure = reader.figure(item)
        if figure is None:
            continue
        if figure.id in seen:
            first = seen[figure.id]
            reader.problem(figure.line, f"identifiant {quote(figure.id)} déjà utilisé "
                           f"({first.file}:{first.line})")
            continue
        seen[figure.id] = figure
        figures.append(figure)
    return figures


# -- ranking --------------------------------------------------------------------------------


def default_order(figures: list[Figure]) -> list[Figure]:
    """The most recent first; for the same year, France before the European Union."""
    return sorted(figures, key=lambda f: (-f.last_year, f.area, f.id))


def _figure_stems(figure: Figure) -> set[str]:
    text = " ".join(x for x in (figure.indicator, figure.scope, figure.organisation or "",
                                figure.notes or "") if x)
    return {stem(w) for w in words(text) if w not in STOP_WORDS and len(w) > 1}


def facet_points(figure: Figure, taxonomy: Taxonomy, facet: str, key: str) -> int:
    own = set(figure.facet(facet))
    if own & taxonomy.descendants(facet, key):
        return EXACT
    if any(key in taxonomy.descendants(facet, k) for k in own):
        return BROADER
    return 0


def rank(figures: list[Figure], taxonomy: Taxonomy, reading: QueryReading) -> list[Figure]:
    """Figures matching a query's reading, best first.

    Each asked sector, tool or use scores EXACT when the figure names it (or one of its
    sub-entries); figures that only name a broader entry (a figure on "Réseaux sociaux" for a
    question on LinkedIn) score BROADER and are kept only when no figure matches exactly. Each
    free word found in the figure's text adds one point. With facets asked, a figure must match
    one of them; without, it must contain at least half of the free words. Ties: France, then
    the European Union, then elsewhere; the most recent first.
    """
    free = list(dict.fromkeys(stem(w) for w in reading.free_words))
    scored: list[tuple[int, int, Figure]] = []
    for figure in figures:
        points = [facet_points(figure, taxonomy, facet, key)
                  for facet in FACETS for key in reading.facets[facet]]
        exact = sum(p for p in points if p == EXACT)
        broader = sum(p for p in points if p == BROADER)
        found = len(set(free) & _figure_stems(figure))
        if reading.has_facets and not (exact or broader):
            continue
        if not reading.has_facets and (not found or found * 2 < len(free)):
            continue
        scored.append((exact, exact + broader + found, figure))
    if any(exact for exact, _, _ in scored):
        scored = [s for s in scored if s[0]]
    scored.sort(key=lambda s: (-s[1], s[2].area, -s[2].last_year, s[2].id))
    return [f for _, _, f in scored]


# -- replies --------------------------------------------------------------------------------


def figure_lines(figure: Figure) -> list[str | SourceLine]:
    where = f"{figure.scope}, {figure.year}"
    if figure.organisation:
        where += f" · {figure.organisation}"
    lines: list[str | SourceLine] = [f"{figure.indicator} : {figure.value}", where]
    if figure.notes:
        lines.append(clip(figure.notes, 280))
    lines.append(SourceLine(figure.source))
    return lines


def figures_report(figures: list[Figure], footer: str) -> Report:
    sections = [(f"Chiffre {n} ({f.year})", figure_lines(f))
                for n, f in enumerate(figures, start=1)]
    return Report("Chiffres", sections, footer)


def coverage(assistant: Assistant, figures: list[Figure]) -> tuple[list[str], list[str]]:
    """Labels of the tools and of the sectors that have at least one figure."""
    taxonomy = assistant.index.base.taxonomy
    tools = sorted({taxonomy.label("outils", k) for f in figures for k in f.tools}, key=str.lower)
    sectors = sorted({taxonomy.label("secteurs", k) for f in figures for k in f.sectors},
                     key=str.lower)
    return tools, sectors


def what_exists(assistant: Assistant, figures: list[Figure]) -> str:
    tools, sectors = coverage(assistant, figures)
    text = (f"J'ai {len(figures)} chiffre{'s' if len(figures) > 1 else ''} sur l'adoption du "
            "numérique par les petites entreprises")
    if tools:
        text += f" ; ils portent sur ces outils : {', '.join(tools)}"
        if sectors:
            text += f", et sur ces secteurs : {', '.join(sectors)}"
    elif sectors:
        text += f" ; ils portent sur ces secteurs : {', '.join(sectors)}"
    return text + "."


def understood(assistant: Assistant, reading: QueryReading) -> str:
    taxonomy = assistant.index.base.taxonomy
    parts = []
    for facet in FACETS:
        labels = [taxonomy.label(facet, k) for k in reading.facets[facet]]
        if labels:
            name = FACET_NAMES[facet]
            parts.append(f"{name}{'s' if len(labels) > 1 else ''} {' ou '.join(labels)}")
    return " · ".join(parts)


async def cmd_figures(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    p = bot.prefix
    figures = list(getattr(bot.index.base, "figures", []) or [])
    examples = f"{p}chiffres linkedin, {p}chiffres btp ou {p}chiffres recrutement"
    if not figures:
        return [Message("La base ne contient encore aucun chiffre : les administrateurs peuvent "
                        f"en ajouter dans {FIGURES_FILE}.", tone="warning")]
    query = args.strip()
    if len(query) > MAX_QUERY_CHARS:
        return [Message(f"Votre demande est trop longue ({len(query)} caractères) : "
                        f"{MAX_QUERY_CHARS} au plus. Donnez un outil, un secteur ou un usage.",
                        tone="error")]
    if not query:
        shown = default_order(figures)[:SHOWN]
        intro = Message(f"Les {len(shown)} chiffres les plus récents sur les petites entreprises "
                        "et le numérique (à année égale, la France avant l'Europe) :")
        footer = f"Chiffres sur un sujet : {examples}."
        return [intro, figures_report(shown, footer)]
    reading = bot.index.read(query)
    found = rank(figures, bot.index.base.taxonomy, reading)
    corrections = ", ".join(f"{a} → {b}" for a, b in reading.corrections.items())
    params = {"query": clip(query, 80), "understood": understood(bot, reading),
              "corrections": corrections}
    if not found:
        template = "Je n'ai aucun chiffre pour « {query} »"
        template += " ({understood})." if params["understood"] else "."
        params["exists"] = what_exists(bot, figures)
        template += " {exists} Essayez par exemple " + examples + f", ou {p}chiffres seul."
        return [Message(template, params, tone="warning")]
    shown = found[:SHOWN]
    count = f"{len(found)} chiffre{'s' if len(found) > 1 else ''}"
    template = count + " pour « {query} »"
    if params["understood"]:
        template += " ({understood})"
    if corrections:
        template += " — j'ai corrigé {corrections}"
    template += " :"
    footer = f"Exemples d'entreprises sur ce sujet : {p}exemple suivi des mêmes mots."
    if len(found) > len(shown):
        left = len(found) - len(shown)
        footer = (f"{left} autre{'s' if left > 1 else ''} chiffre{'s' if left > 1 else ''} : "
                  "précisez votre demande. " + footer)
    return [Message(template, params), figures_report(shown, footer)]


def did_you_know(assistant: Assistant, reading: QueryReading) -> list[Reply]:
    """At most one sourced figure on a tool or a sector the search named; [] otherwise."""
    figures = list(getattr(assistant.index.base, "figures", []) or [])
    asked = QueryReading(facets={f: (list(reading.facets[f]) if f != "usages" else [])
                                 for f in FACETS})
    if not figures or not asked.has_facets:
        return []
    taxonomy = assistant.index.base.taxonomy
    best = [f for f in rank(figures, taxonomy, asked) if f.source
            and any(facet_points(f, taxonomy, facet, key) == EXACT
                    for facet in ("outils", "secteurs") for key in asked.facets[facet])]
    if not best:
        return []
    figure = best[0]
    where = f"{figure.scope}, {figure.year}"
    if figure.organisation:
        where += f" · {figure.organisation}"
    return [Message(
        "Le saviez-vous ? {indicator} : {value} — {where}. Source : {source} (d'autres chiffres "
        f"avec {assistant.prefix}chiffres).",
        {"indicator": figure.indicator, "value": figure.value, "where": where,
         "source": figure.source}, links=("source",),
    )]


FIGURES_COMMAND = Command(
    "chiffres", "chiffres [mots…]", "des chiffres sourcés sur les PME et le numérique",
    "Donne des chiffres publics (Insee, Eurostat, baromètre France Num, Bpifrance…) sur "
    "l'usage du numérique par les petites entreprises, avec leur périmètre, leur année et leur "
    "source. Seul, {p}chiffres montre les plus récents ; suivi d'un outil, d'un secteur ou d'un "
    "usage, il montre ceux qui en parlent. Exemples : {p}chiffres linkedin, {p}chiffres btp, "
    "{p}chiffres recrutement.",
    cmd_figures, aliases=("chiffre", "statistiques"),
    description="Des chiffres sourcés sur les PME et le numérique",
    params=(Param("mots", "un outil, un secteur ou un usage (facultatif)", "rest"),),
)


def install(assistant: Assistant) -> None:
    """Register `!chiffres` and the « Le saviez-vous ? » line after search results."""
    assistant.register(FIGURES_COMMAND)

    def extras(result) -> list[Reply]:
        return did_you_know(assistant, result.reading)

    # a hook Assistant lets a module replace (a method there, hence the ignore)
    assistant.search_extras = extras
