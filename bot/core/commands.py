"""Chat commands: text in, `Reply` objects out. Every adapter (console, Discord) calls this.

No adapter-specific code here: a command never prints, never sends, never imports discord.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from rapidfuzz import fuzz, process

from bot.core.knowledge import FACET_NAMES, FACETS
from bot.core.replies import (
    Action,
    Card,
    Detail,
    Help,
    Listing,
    ListItem,
    Message,
    Reply,
    Results,
    clip,
)
from bot.core.search import QueryReading, SearchIndex, SearchResult
from bot.core.service import KnowledgeService
from bot.core.text import fold

if TYPE_CHECKING:
    from bot.core.submissions import Workflow

PAGE_SIZE = 3
MAX_RESULTS = 60
MAX_QUERY_CHARS = 500
MAX_MESSAGE_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # a terminal escape sequence, pasted along


def clean_input(text: str) -> str:
    """Remove control and invisible direction characters; keep newlines, tabs and emoji."""
    return _CONTROL.sub("", _ANSI.sub("", text))


@dataclass(frozen=True)
class Caller:
    """Who sent a message, as the adapter knows it."""

    id: str
    name: str
    is_admin: bool = False
    origin: str = ""  # where the message came from (e.g. "discord:<channel id>")


async def _nothing() -> None:
    return None


class Dialogue(Protocol):
    """A conversation in several messages (the guided proposal): answers the next one."""

    async def answer(self, assistant: Assistant, caller: Caller, text: str) -> list[Reply]: ...


@dataclass
class Session:
    """What the bot remembers of one member's conversation (pagination, dialogues)."""

    last_search: SearchResult | None = None
    shown: int = 0
    dialogue: Dialogue | None = None


Handler = Callable[["Assistant", Caller, str], Awaitable[list[Reply]]]


ParamKind = Literal["text", "rest", "number", "facet:secteurs", "facet:outils",
                   "facet:usages", "example_id"]


@dataclass(frozen=True)
class Param:
    """One parameter of a command, as the "/" menus show it. `rest` takes the rest of the
    line; `facet:…` and `example_id` get suggestions as the member types."""

    name: str
    description: str  # French, shown under the parameter
    kind: ParamKind = "text"
    required: bool = False


@dataclass(frozen=True)
class Command:
    """A command, declared once: the console's help, Discord's "/" commands and Slack's
    slash commands are built from it."""

    name: str
    usage: str
    summary: str
    details: str
    handler: Handler
    admin: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""  # French, for the "/" menus (100 characters at most)
    params: tuple[Param, ...] = ()
    private: bool = False  # answered to the member alone where the platform can

    @property
    def menu_description(self) -> str:
        """What a "/" menu shows: the description, marked for admin commands."""
        text = self.description or self.summary[:1].upper() + self.summary[1:]
        return f"Admin : {text[:1].lower()}{text[1:]}" if self.admin else text


@dataclass
class Assistant:
    """The bot's core: routes a chat message to its command and returns the replies."""

    knowledge: KnowledgeService
    prefix: str = "!"
    commands: dict[str, Command] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    workflow: Workflow | None = None  # set by bot.core.curation.install when state is available
    # hooks: the query log (set up by the state layer), and replies appended after a search's
    # results (a sourced figure, set up by bot.core.figures)
    on_search: Callable[[Caller, str, int], Awaitable[None]] = field(
        default=lambda caller, query, total: _nothing(), repr=False)
    search_extras: Callable[[SearchResult], list[Reply]] = field(
        default=lambda result: [], repr=False)

    def __post_init__(self) -> None:
        for command in SEARCH_COMMANDS:
            self.register(command)

    def register(self, command: Command) -> None:
        self.commands[command.name] = command
        for alias in command.aliases:
            self.commands[alias] = command

    @property
    def index(self) -> SearchIndex:
        assert self.knowledge.index is not None, "knowledge not loaded"
        return self.knowledge.index

    def session(self, caller: Caller) -> Session:
        return self.sessions.setdefault(caller.id, Session())

    def visible_commands(self, caller: Caller) -> list[Command]:
        unique = {c.name: c for c in self.commands.values()}
        return [c for c in unique.values() if caller.is_admin or not c.admin]

    async def handle(self, text: str, caller: Caller) -> list[Reply]:
        """Answer one chat message. Returns [] for a message that is not for the bot."""
        text = clean_input(text).strip()
        if not text.startswith(self.prefix):
            session = self.sessions.get(caller.id)
            if session is not None and session.dialogue is not None and text:
                if len(text) > MAX_MESSAGE_CHARS:
                    return [Message(f"Réponse trop longue : {MAX_MESSAGE_CHARS} caractères au "
                                    "plus.", tone="error")]
                return await session.dialogue.answer(self, caller, text)
            return []
        body = text[len(self.prefix):].strip()
        if not body:
            return [Message(f"Tapez {self.prefix}aide pour la liste des commandes.")]
        name, _, rest = body.partition(" ")
        if "\n" in name:
            name, _, more = name.partition("\n")
            rest = f"{more} {rest}".strip()
        return await self.dispatch(name.lower(), rest.strip(), caller)

    async def dispatch(self, name: str, args: str, caller: Caller) -> list[Reply]:
        args = clean_input(args)  # Discord's slash commands and forms come straight here
        command = self.commands.get(name)
        if command is None or (command.admin and not caller.is_admin):
            if command is not None:
                return [Message(f"La commande {self.prefix}{name} est réservée aux "
                                "administrateurs.", tone="error")]
            return [self.unknown_command(name, caller)]
        if len(args) > MAX_MESSAGE_CHARS:
            return [Message(
                f"Votre message est trop long ({len(args):,} caractères) : "
                f"{MAX_MESSAGE_CHARS:,} au plus. Raccourcissez-le et réessayez.".replace(",", " "),
                tone="error",
            )]
        return await command.handler(self, caller, args)

    def unknown_command(self, name: str, caller: Caller) -> Message:
        names = sorted({c for c, cmd in self.commands.items() if caller.is_admin or not cmd.admin})
        best = process.extractOne(name, names, scorer=fuzz.ratio, score_cutoff=50)
        hint = f" Vouliez-vous dire {self.prefix}{best[0]} ?" if best else ""
        return Message(
            "Je ne connais pas la commande « {name} »." + hint
            + f" Tapez {self.prefix}aide pour la liste des commandes.",
            {"name": self.prefix + clip(name, 40)}, tone="error",
        )

    # -- helpers used by the search commands ----------------------------------------------

    def card(self, example) -> Card:
        return Card.of(example, self.index.base.taxonomy)

    def describe_reading(self, result: SearchResult,
                         params: dict[str, str] | None = None) -> str:
        """What was understood, as a template; labels travel in `params` (a label may hold
        braces), under names `f0`, `f1`… added to `params` when given."""
        params = {} if params is None else params
        taxonomy = self.index.base.taxonomy
        parts = []
        for facet in FACETS:
            labels = [taxonomy.label(facet, k) for k in result.reading.facets[facet]]
            if labels:
                name = FACET_NAMES[facet]
                slot = f"f{len(params)}"
                params[slot] = " ou ".join(labels)
                parts.append(f"{name}{'s' if len(labels) > 1 else ''} {{{slot}}}")
        return " · ".join(parts)

    def _names(self, facet: str, keys, typed: QueryReading | None = None) -> str:
        taxonomy = self.index.base.taxonomy
        names = typed.typed(facet) if typed is not None and facet != "outils" else []
        # a typed word that is a label without its accents is said with them ("sante" -> "santé")
        accented = {fold(taxonomy.label(facet, k)): taxonomy.label(facet, k).lower()
                    for k in keys}
        names = [accented.get(fold(n), n) for n in names]
        return " ou ".join(names or [taxonomy.label(facet, k) for k in keys])

    def _slot(self, params: dict[str, str], value: str) -> str:
        slot = f"p{len(params)}"
        params[slot] = value
        return f"{{{slot}}}"

    def _asked_text(self, reading: QueryReading, params: dict[str, str]) -> str:
        """« de fonderie sur Facebook pour recrutement »: the member's words or the labels as
        params (a label may hold braces), the grammar in the template."""
        pieces = []
        for facet, lead in (("secteurs", "de "), ("outils", "sur "), ("usages", "pour ")):
            keys = reading.facets.get(facet) or ()
            if keys:
                value = self._names(facet, keys, reading)
                if lead == "de " and fold(value)[:1] in tuple("aeiouyh"):
                    lead = "d'"
                pieces.append(lead + self._slot(params, value))
        return " ".join(pieces).replace("d' ", "d'")

    def _kept_text(self, kept: dict, params: dict[str, str]) -> str:
        """« Facebook dans le secteur Industrie »."""
        pieces = []
        if kept.get("outils"):
            pieces.append(self._slot(params, self._names("outils", kept["outils"])))
        if kept.get("usages"):
            pieces.append("pour " + self._slot(params, self._names("usages", kept["usages"])))
        if kept.get("secteurs"):
            pieces.append("dans le secteur " + self._slot(
                params, self._names("secteurs", kept["secteurs"])))
        else:
            pieces.append("dans tous les secteurs")
        return " ".join(pieces)

    def _relaxation_text(self, result: SearchResult, params: dict[str, str]) -> str:
        relax = result.relaxation
        assert relax is not None
        asked = self._asked_text(result.reading, params)
        if relax.exact:
            head = f"Seulement {relax.exact} exemple{'s' if relax.exact > 1 else ''} {asked}"
        else:
            head = f"Pas encore d'exemple {asked}"
        if not relax.kept:
            return f"{head} ; voici les plus proches par le sens :"
        tail = ", puis d'autres proches par le sens" if relax.by_meaning else ""
        return f"{head} ; voici les plus proches, {self._kept_text(relax.kept, params)}{tail} :"

    def _alternative_actions(self, reading: QueryReading) -> tuple[Action, ...]:
        taxonomy = self.index.base.taxonomy
        actions = []
        for facets, count in self.index.alternatives(reading):
            labels = [taxonomy.label(f, k) for f in FACETS for k in facets.get(f, ())]
            query = " ".join(k for f in FACETS for k in facets.get(f, ()))
            actions.append(Action("search", f"{' · '.join(labels)} · {count}", query))
        return tuple(actions)

    def page_of(self, result: SearchResult, start: int) -> Results:
        """The page of `result` that begins at rank `start` (0-based)."""
        hits = result.hits or result.nearest
        start = max(0, min(start, max(0, len(hits) - 1)))
        page = hits[start:start + PAGE_SIZE]
        cards = [self.card(h.example) for h in page]
        end = start + len(cards)
        shown_max = len(hits)
        p = self.prefix
        actions = [Action("card", c.title, c.id) for c in cards]
        if end < shown_max:
            left = shown_max - end
            footer = (f"{left} autre{'s' if left > 1 else ''} exemple{'s' if left > 1 else ''} : "
                      f"tapez {p}suite. Détail d'un exemple : {p}fiche <id>.")
            actions.append(Action("next", "Exemples suivants"))
        else:
            footer = f"Détail d'un exemple : {p}fiche <id>."
        params = {"query": clip(result.query, 80)}
        total = result.total if result.hits else len(hits)
        if start == 0:
            if result.relaxation is not None:
                template = self._relaxation_text(result, params)
            elif not result.hits:
                template = (f"Pas encore d'exemple {self._asked_text(result.reading, params)}"
                            " ; voici les plus proches par le sens :")
            else:
                understood = self.describe_reading(result, params)
                count = f"{total} exemple{'s' if total > 1 else ''}"
                template = f"{count} pour « {{query}} »"
                if understood:
                    template += f" ({understood})"
                template += " :"
            corrections = result.reading.corrections
            if corrections:
                slot = f"c{len(params)}"
                params[slot] = ", ".join(f"{a} → {b}" for a, b in corrections.items())
                template = template[:-2] + f" — j'ai corrigé {{{slot}}} :"
        else:
            template = f"Suite des exemples pour « {{query}} » ({start + 1} à {end} " \
                       f"sur {total}) :"
        intro = Message(template, params)
        return Results(intro, cards, start + 1, total, footer, result.query, PAGE_SIZE,
                       tuple(actions))

    def results_page(self, caller: Caller) -> list[Reply]:
        session = self.session(caller)
        result = session.last_search
        assert result is not None
        page = self.page_of(result, session.shown)
        session.shown = page.start - 1 + len(page.cards)
        return [page]

    def nothing_found(self, result: SearchResult) -> list[Reply]:
        reading = result.reading
        p = self.prefix
        params = {"query": clip(result.query, 80)}
        sectors = Action("command", "Voir les secteurs", "secteurs")
        propose = Action("propose", "Proposer un exemple")
        if not reading.has_facets and not reading.free_words:
            return [Message(
                "Je n'ai trouvé aucun mot à chercher dans « {query} ». Donnez un secteur, un outil "
                f"ou un usage, par exemple : {p}exemple industrie linkedin.",
                params, tone="warning", actions=(sectors,),
            )]
        if result.vetoed or (not reading.has_facets and not result.nearest):
            return [self.off_topic(result)]
        understood = self.describe_reading(result, params)
        template = "Aucun exemple ne correspond à « {query} »"
        if understood:
            template += f" ({understood})"
        template += "."
        actions = self._alternative_actions(reading)
        if not actions:
            actions = tuple(
                Action("search", f"{self.index.base.taxonomy.label(facet, key)} · {count}", key)
                for facet, key, count in self.index.suggest(reading, result.query))
        tips = []
        for i, action in enumerate(actions):
            params[f"t{i}"] = action.arg
            label, _, count = action.label.rpartition(" · ")
            tips.append(f"{p}exemple {{t{i}}} ({count} exemple{'s' if count != '1' else ''})")
        if tips:
            template += " Essayez " + ", ".join(tips) + f", ou {p}secteurs pour voir " \
                        "tous les secteurs."
        else:
            template += f" Tapez {p}secteurs pour voir les secteurs couverts."
        template += f" Vous connaissez un cas ? {p}proposer"
        return [Message(template, params, tone="warning",
                        actions=(*actions, sectors, propose))]

    def off_topic(self, result: SearchResult) -> Message:
        """Nothing fits: say what the bot knows about, with a way to look."""
        p = self.prefix
        sectors = [self.index.base.taxonomy.label("secteurs", k)
                   for _, k, _ in self.index.suggest(QueryReading(), "")]
        params = {"query": clip(result.query, 80), "s": ", ".join(sectors)}
        return Message(
            "Je n'ai pas d'exemple pour « {query} » : je connais des usages du numérique "
            "(réseaux sociaux, site web, vente en ligne, outils internes…) dans des TPE et PME, "
            "surtout dans ces secteurs : {s}. Essayez par exemple "
            f"{p}question comment recruter avec les réseaux sociaux ?, ou {p}secteurs.",
            params, tone="warning",
            actions=(Action("command", "Voir les secteurs", "secteurs"),
                     Action("command", "Voir les outils", "outils"),
                     Action("propose", "Proposer un exemple")),
        )

    async def run_search(self, caller: Caller, query: str, usage: str) -> list[Reply]:
        if not query.strip():
            return [Message(f"Que cherchez-vous ? Par exemple : {usage}", tone="warning")]
        if len(query) > MAX_QUERY_CHARS:
            return [Message(
                f"Votre recherche est trop longue ({len(query)} caractères) : "
                f"{MAX_QUERY_CHARS} au plus. Gardez les mots importants : secteur, outil, usage.",
                tone="error",
            )]
        result = self.index.search(query, limit=MAX_RESULTS)
        session = self.session(caller)
        if result.nearest:
            session.last_search, session.shown = result, 0
            await self.on_search(caller, query, 0)
            return self.results_page(caller) + self.search_extras(result)
        if not result.hits:
            session.last_search, session.shown = None, 0
            await self.on_search(caller, query, 0)
            return self.nothing_found(result)
        session.last_search, session.shown = result, 0
        await self.on_search(caller, query, result.total)
        return self.results_page(caller) + self.search_extras(result)


# -- command handlers ----------------------------------------------------------------------


async def cmd_example(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    return await bot.run_search(caller, args, f"{bot.prefix}exemple industrie linkedin")


async def cmd_question(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    return await bot.run_search(
        caller, args, f"{bot.prefix}question comment recruter avec les réseaux sociaux ?"
    )


async def cmd_next(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    session = bot.session(caller)
    if session.last_search is None:
        return [Message(f"Aucune recherche en cours : commencez par {bot.prefix}exemple "
                        "suivi d'un secteur ou d'un outil.", tone="warning")]
    last = session.last_search
    if session.shown >= len(last.hits or last.nearest):
        return [Message("C'est tout pour cette recherche : il n'y a pas d'autre exemple.")]
    return bot.results_page(caller)


async def cmd_card(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    wanted = args.strip().split()[0] if args.strip() else ""
    if not wanted:
        return [Message(f"Indiquez l'identifiant d'un exemple, par exemple : {bot.prefix}fiche "
                        f"{bot.index.examples[0].id if bot.index.examples else 'mon-exemple'}",
                        tone="warning")]
    example = bot.index.base.get(wanted)
    if example is None:
        ids = list(bot.index.base.by_id)
        best = process.extractOne(wanted.lower(), ids, scorer=fuzz.ratio, score_cutoff=60)
        hint = f" Vouliez-vous dire {bot.prefix}fiche {best[0]} ?" if best else ""
        return [Message("Aucun exemple n'a l'identifiant « {id} »." + hint,
                        {"id": clip(wanted, 80)}, tone="error")]
    return [Detail(bot.card(example))]


def facet_listing(bot: Assistant, facet: str, title: str) -> list[Reply]:
    index = bot.index
    taxonomy = index.base.taxonomy
    terms = taxonomy.facets[facet]
    items: list[ListItem] = []

    def walk(key: str, depth: int) -> None:
        term = terms[key]
        items.append(ListItem(term.label, key, index.count(facet, key), depth, term.synonyms))
        for child in sorted(taxonomy.children(facet, key), key=lambda k: terms[k].label.lower()):
            walk(child, depth + 1)

    roots = [k for k, t in terms.items() if not t.parent or t.parent not in terms]
    for key in sorted(roots, key=lambda k: terms[k].label.lower()):
        walk(key, 0)
    below = {"secteurs": " (sous-secteurs compris)", "outils": " (outils rattachés compris)"}
    footer = (f"Le nombre entre parenthèses compte les exemples{below.get(facet, '')}. "
              f"Cherchez avec {bot.prefix}exemple <mot>.")
    return [Listing(title, items, footer)]


async def cmd_sectors(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    return facet_listing(bot, "secteurs", "Secteurs")


async def cmd_tools(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    return facet_listing(bot, "outils", "Outils")


async def cmd_uses(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    return facet_listing(bot, "usages", "Usages")


async def cmd_help(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    p = bot.prefix
    wanted = args.strip().lstrip(p).lower()
    if wanted:
        command = bot.commands.get(wanted)
        if command is not None and command.admin and not caller.is_admin:
            return [Message(f"La commande {p}{wanted} est réservée aux administrateurs.",
                            tone="error")]
        if command is None:
            return [bot.unknown_command(wanted, caller)]
        aliases = ", ".join(p + a for a in command.aliases)
        footer = f"Autres noms : {aliases}." if aliases else None
        details = command.details.replace("{p}", p)
        return [Help(f"{p}{command.name}", [(p + command.usage, details)], footer)]
    visible = bot.visible_commands(caller)
    members = [(p + c.usage, c.summary) for c in visible if not c.admin]
    entries = members
    admins = [(p + c.usage, c.summary) for c in visible if c.admin]
    if admins:
        entries = members + [("— Administration —", "")] + admins
    return [Help("Commandes", entries, f"Détail d'une commande : {p}aide <commande>.")]


SEARCH_COMMANDS = (
    Command("exemple", "exemple [mots…]",
            "les meilleurs exemples pour un secteur, un outil, un usage ou des mots libres",
            "Donne les trois exemples les plus pertinents pour vos mots : secteur (industrie, "
            "btp…), outil (linkedin, facebook…), usage (recrutement, prospection…) ou mots "
            "libres. Fautes de frappe et accents sont tolérés. Exemple : {p}exemple btp linkedin. "
            "Tapez ensuite {p}suite pour les suivants.",
            cmd_example, aliases=("exemples", "ex"),
            description="Des exemples concrets pour un secteur, un outil, un usage",
            params=(Param("secteur", "secteur d'activité", "facet:secteurs"),
                    Param("outil", "outil numérique", "facet:outils"),
                    Param("usage", "à quoi il sert", "facet:usages"),
                    Param("mots", "autres mots (facultatif)", "rest"))),
    Command("suite", "suite", "les exemples suivants de la dernière recherche",
            "Affiche les trois exemples suivants de votre dernière recherche.", cmd_next,
            description="Les exemples suivants de la dernière recherche"),
    Command("question", "question <texte>", "posez votre question en langage courant",
            "Posez votre question comme vous la diriez : le bot y repère le secteur, l'outil et "
            "l'usage. Exemple : {p}question comment recruter avec les réseaux sociaux ?",
            cmd_question, description="Posez votre question en langage courant",
            params=(Param("texte", "par exemple : comment recruter avec les réseaux sociaux ?",
                          "rest"),)),
    Command("fiche", "fiche <id>", "tout le détail d'un exemple",
            "Affiche tous les champs d'un exemple : entreprise, résultats, détails, sources. "
            "L'identifiant figure sous chaque exemple. Exemple : {p}fiche "
            "fonderie-linkedin-recrutement", cmd_card,
            description="Tout le détail d'un exemple",
            params=(Param("id", "identifiant de l'exemple (affiché sous chaque exemple)",
                          "example_id"),)),
    Command("secteurs", "secteurs", "les secteurs couverts, avec leurs sous-secteurs",
            "Liste les secteurs et leurs sous-secteurs avec le nombre d'exemples de chacun.",
            cmd_sectors, description="Les secteurs couverts"),
    Command("outils", "outils", "les outils numériques couverts",
            "Liste les outils (réseaux sociaux, blog, intranet…) avec le nombre d'exemples.",
            cmd_tools, description="Les outils couverts"),
    Command("usages", "usages", "les usages couverts (recrutement, prospection…)",
            "Liste les usages avec le nombre d'exemples de chacun.", cmd_uses,
            description="Les usages couverts"),
    Command("aide", "aide [commande]", "cette aide",
            "Liste les commandes, ou détaille celle que vous nommez. Exemple : {p}aide exemple",
            cmd_help, aliases=("help",), description="Les commandes du bot",
            params=(Param("commande", "une commande à détailler (facultatif)"),), private=True),
)


def registry() -> tuple[Command, ...]:
    """Every command the bot has, each declared once (search, curation, figures), in the
    order the help lists them."""
    from bot.core.curation import CURATION_COMMANDS
    from bot.core.figures import FIGURES_COMMAND

    return (*SEARCH_COMMANDS, FIGURES_COMMAND, *CURATION_COMMANDS)
