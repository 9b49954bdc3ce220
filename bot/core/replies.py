"""The data every command returns; each adapter renders it its own way (text, embeds...).

Text that comes from users is never pasted into a template by the core: it travels as a
parameter, so each adapter can escape it for its own medium before formatting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.knowledge import Example, Taxonomy


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Card:
    """An example with every label resolved, ready to display."""

    id: str
    title: str
    summary: str
    sector: str
    tools: tuple[str, ...]
    uses: tuple[str, ...] = ()
    company: str | None = None
    size: str | None = None
    headcount: int | None = None
    region: str | None = None
    results: str | None = None
    details: str | None = None
    sources: tuple[str, ...] = ()
    date: str | None = None
    contributor: str | None = None
    added_on: str | None = None

    @classmethod
    def of(cls, example: Example, taxonomy: Taxonomy) -> Card:
        sector = taxonomy.label("secteurs", example.sector)
        parent = taxonomy.sectors.get(example.sector)
        if parent is not None and parent.parent:
            sector = f"{taxonomy.label('secteurs', parent.parent)} › {sector}"
        return cls(
            id=example.id, title=example.title, summary=example.summary, sector=sector,
            tools=tuple(taxonomy.label("outils", t) for t in example.tools),
            uses=tuple(taxonomy.label("usages", u) for u in example.uses),
            company=example.company.name, size=example.company.size,
            headcount=example.company.headcount, region=example.company.region,
            results=example.results, details=example.details, sources=example.sources,
            date=example.date, contributor=example.contributor, added_on=example.added_on,
        )

    @property
    def size_text(self) -> str | None:
        if self.size and self.headcount is not None:
            return f"{self.size}, {self.headcount} salariés"
        if self.headcount is not None:
            return f"{self.headcount} salariés"
        return self.size


@dataclass(frozen=True)
class Action:
    """A follow-up the member can take; each adapter renders it its own way (a button, a select
    option, or the typed command with the configured prefix).

    kind: "search" (arg: the query), "card" (arg: an example id), "next" (next page),
    "propose" (open the proposal form), "vote" (arg: "<example id>:<1|-1>"),
    "command" (arg: a command line without prefix, e.g. "secteurs").
    """

    kind: str
    label: str
    arg: str = ""


class Reply:
    """Base class of what a command answers."""


@dataclass
class Message(Reply):
    """A message; `{name}` fields of the template are filled with user-provided `params`."""

    template: str
    params: dict[str, str] = field(default_factory=dict)
    tone: str = "info"  # info | success | error | warning
    actions: tuple[Action, ...] = ()
    private: bool = False  # shown to the asker only where the platform allows it
    links: tuple[str, ...] = ()  # params holding a web address: links where platforms have them

    def render(self, escape: Callable[[str], str] = lambda s: s,
               link: Callable[[str], str] | None = None) -> str:
        """The text, params escaped; with `link`, the params named in `links` rendered by it."""
        return self.template.format(**{
            k: link(v) if link is not None and k in self.links else escape(v)
            for k, v in self.params.items()})


@dataclass
class Results(Reply):
    """A page of search results."""

    intro: Message
    cards: list[Card]
    start: int  # 1-based rank of the first card
    total: int
    footer: str | None = None  # e.g. how to get the next page
    query: str = ""
    page_size: int = 3
    actions: tuple[Action, ...] = ()


@dataclass
class Detail(Reply):
    """Every field of one example."""

    card: Card


@dataclass(frozen=True)
class ListItem:
    label: str
    key: str
    count: int
    depth: int = 0
    synonyms: tuple[str, ...] = ()


@dataclass
class Listing(Reply):
    """A list such as the sectors with their counts."""

    title: str
    items: list[ListItem]
    footer: str | None = None


@dataclass
class Help(Reply):
    """The command list, or one command's help."""

    title: str
    entries: list[tuple[str, str]]  # (usage, description)
    footer: str | None = None


@dataclass(frozen=True)
class SubmissionCard:
    """A member's submission as admins and its author see it."""

    number: int
    status: str  # French label
    member: str
    created_at: str
    fields: tuple[tuple[str, str], ...]  # (label, value), user text
    duplicate_of: str | None = None
    reason: str | None = None
    example_id: str | None = None
    decided_by: str | None = None


@dataclass
class Submissions(Reply):
    """One or several submissions, with an introduction and a footer."""

    intro: Message
    cards: list[SubmissionCard]
    footer: str | None = None
    full: bool = False


LINK_MAX = 400  # a longer source address is shown cut, as text: a link cut to fit shows raw


@dataclass(frozen=True)
class SourceLine:
    """« Source : <address> » in a report: a link named after its site on Discord and Slack."""

    url: str
    label: str = "Source"

    def __str__(self) -> str:
        return f"{self.label} : {self.url}"


@dataclass
class Report(Reply):
    """Sections of lines (statistics, history...). Lines are data: adapters escape them; a
    SourceLine is rendered as a link where the platform has them."""

    title: str
    sections: Sequence[tuple[str, Sequence[str | SourceLine]]]
    footer: str | None = None
