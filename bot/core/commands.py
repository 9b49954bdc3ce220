"""Chat commands: text in, `Reply` objects out. Every adapter (console, Discord) calls this.

No adapter-specific code here: a command never prints, never sends, never imports discord.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.core.knowledge import FACET_NAMES, FACETS
from bot.core.replies import Card, Detail, Help, Listing, ListItem, Message, Reply, Results, clip
from bot.core.search import SearchIndex, SearchResult
from bot.core.service import KnowledgeService

PAGE_SIZE = 3
MAX_RESULTS = 60
MAX_QUERY_CHARS = 500
MAX_MESSAGE_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_input(text: str) -> str:
    """Remove control and invisible direction characters; keep newlines, tabs and emoji."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Caller:
    """Who sent a message, as the adapter knows it."""

    id: str
    name: str
    is_admin: bool = False
    origin: str = ""  # where the message came from (e.g. "discord:<channel id>")


@dataclass
class Session:
    """What the bot remembers of one member's conversation (pagination, dialogues)."""

    last_search: SearchResult | None = None
    shown: int = 0
    dialogue: object | None = None


Handler = Callable[["Assistant", Caller, str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    details: str
    handler: Handler
    admin: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class Assistant:
    """The bot's core: routes a chat message to its command and returns the replies."""

    knowledge: KnowledgeService
    prefix: str = "!"
    commands: dict[str, Command] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    workflow: object | None = None  # set by bot.core.curation.install when state is available

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

    def describe_reading(self, result: SearchResult) -> str:
        taxonomy = self.index.base.taxonomy
        parts = []
        for facet in FACETS:
            labels = [taxonomy.label(facet, k) for k in result.reading.facets[facet]]
            if labels:
                name = FACET_NAMES[facet]
                parts.append(f"{name}{'s' if len(labels) > 1 else ''} {' ou '.join(labels)}")
        return " · ".join(parts)

    def page_of(self, result: SearchResult, start: int) -> Results:
        """The page of `result` that begins at rank `start` (0-based)."""
        start = max(0, min(start, max(0, len(result.hits) - 1)))
        cards = [self.card(h.example) for h in result.hits[start:start + PAGE_SIZE]]
        end = start + len(cards)
        shown_max = len(result.hits)
        if end < shown_max:
            left = shown_max - end
            footer = (f"{left} autre{'s' if left > 1 else ''} exemple{'s' if left > 1 else ''} : "
                      f"tapez {self.prefix}suite. Détail d'un exemple : {self.prefix}fiche <id>.")
        else:
            footer = f"Détail d'un exemple : {self.prefix}fiche <id>."
        understood = self.describe_reading(result)
        corrections = ", ".join(f"{a} → {b}" for a, b in result.reading.corrections.items())
        if start == 0:
            count = f"{result.total} exemple{'s' if result.total > 1 else ''}"
            template = f"{count} pour « {{query}} »"
            if understood:
                template += f" ({understood})"
            if corrections:
                template += f" — j'ai corrigé {corrections}"
            template += " :"
        else:
            template = f"Suite des exemples pour « {{query}} » ({start + 1} à {end} " \
                       f"sur {result.total}) :"
        intro = Message(template, {"query": clip(result.query, 80)})
        return Results(intro, cards, start + 1, result.total, footer, result.query, PAGE_SIZE)

    def results_page(self, caller: Caller) -> list[Reply]:
        session = self.session(caller)
        result = session.last_search
        assert result is not None
        page = self.page_of(result, session.shown)
        session.shown = page.start - 1 + len(page.cards)
        return [page]

    def nothing_found(self, result: SearchResult) -> list[Reply]:
        reading = result.reading
        if not reading.has_facets and not reading.free_words:
            return [Message(
                "Je n'ai trouvé aucun mot à chercher dans « {query} ». Donnez un secteur, un outil "
                f"ou un usage, par exemple : {self.prefix}exemple industrie linkedin.",
                {"query": clip(result.query, 80)}, tone="warning",
            )]
        understood = self.describe_reading(result)
        template = "Aucun exemple ne correspond à « {query} »"
        if understood:
            template += f" ({understood})"
        template += "."
        suggestions = self.index.suggest(reading, result.query)
        tips = [
            f"{self.prefix}exemple {key} ({count} exemple"
            f"{'s' if count > 1 else ''})"
            for facet, key, count in suggestions
        ]
        if tips:
            template += " Essayez " + ", ".join(tips) + f", ou {self.prefix}secteurs pour voir " \
                        "tous les secteurs."
        else:
            template += f" Tapez {self.prefix}secteurs pour voir les secteurs couverts."
        return [Message(template, {"query": clip(result.query, 80)}, tone="warning")]

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
        if not result.hits:
            session.last_search, session.shown = None, 0
            await self.on_search(caller, query, 0)
            return self.nothing_found(result)
        session.last_search, session.shown = result, 0
        await self.on_search(caller, query, result.total)
        return self.results_page(caller) + self.search_extras(result)

    async def on_search(self, caller: Caller, query: str, total: int) -> None:
        """Hook for the query log (set up by the state layer)."""

    def search_extras(self, result: SearchResult) -> list[Reply]:
        """Hook: replies appended after a search's results (e.g. a sourced figure)."""
        return []


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
    if session.shown >= len(session.last_search.hits):
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
            cmd_example, aliases=("exemples", "ex")),
    Command("suite", "suite", "les exemples suivants de la dernière recherche",
            "Affiche les trois exemples suivants de votre dernière recherche.", cmd_next),
    Command("question", "question <texte>", "posez votre question en langage courant",
            "Posez votre question comme vous la diriez : le bot y repère le secteur, l'outil et "
            "l'usage. Exemple : {p}question comment recruter avec les réseaux sociaux ?",
            cmd_question),
    Command("fiche", "fiche <id>", "tout le détail d'un exemple",
            "Affiche tous les champs d'un exemple : entreprise, résultats, détails, sources. "
            "L'identifiant figure sous chaque exemple. Exemple : {p}fiche "
            "fonderie-linkedin-recrutement", cmd_card),
    Command("secteurs", "secteurs", "les secteurs couverts, avec leurs sous-secteurs",
            "Liste les secteurs et leurs sous-secteurs avec le nombre d'exemples de chacun.",
            cmd_sectors),
    Command("outils", "outils", "les outils numériques couverts",
            "Liste les outils (réseaux sociaux, blog, intranet…) avec le nombre d'exemples.",
            cmd_tools),
    Command("usages", "usages", "les usages couverts (recrutement, prospection…)",
            "Liste les usages avec le nombre d'exemples de chacun.", cmd_uses),
    Command("aide", "aide [commande]", "cette aide",
            "Liste les commandes, ou détaille celle que vous nommez. Exemple : {p}aide exemple",
            cmd_help, aliases=("help",)),
)
