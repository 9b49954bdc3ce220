"""Replies as Discord messages: embeds within Discord's limits, user text escaped, no pings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import discord

from bot.core.replies import (
    LINK_MAX,
    Card,
    Detail,
    Help,
    Listing,
    Message,
    Reply,
    Report,
    Results,
    SourceLine,
    SubmissionCard,
    Submissions,
)

MESSAGE_MAX = 2000
EMBED_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBEDS_PER_MESSAGE = 10
NO_MENTIONS = discord.AllowedMentions.none()
COLOURS = {"info": 0x2B6CB0, "success": 0x2F855A, "warning": 0xB7791F, "error": 0xC53030}


def safe(text: str) -> str:
    """User text made inert: markdown escaped, mentions broken (and never allowed anyway)."""
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return text.replace("<@", "<\u200b@").replace("<#", "<\u200b#")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plural(count: int, word: str = "exemple") -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


@dataclass
class Surface:
    """Where a reply is shown, so follow-ups read right: typed commands with the configured
    prefix in text, `</exemple:ID>` mentions for slash users, and nothing where buttons do it.

    `names` maps every command name and alias the core knows to the command's name; `ids` the
    slash command ids Discord gave at sync time.
    """

    prefix: str = "!"
    slash: bool = False
    names: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)  # slash name -> "secteur outil…"

    def command(self, name: str, mention: bool = True) -> str:
        name = self.names.get(name, name)
        if not self.slash:
            return f"{self.prefix}{name}"
        command_id = self.ids.get(name)
        return f"</{name}:{command_id}>" if command_id and mention else f"/{name}"

    def rewrite(self, text: str, mention: bool = True) -> str:
        """Core text (never user text) with every `!command` shown for this surface; without
        `mention` for the places Discord shows as plain text (titles, footers)."""
        if not self.names or not text:
            return text
        prefixes = sorted({self.prefix, "!"}, key=len, reverse=True)
        names = sorted(self.names, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w/<])(?:" + "|".join(map(re.escape, prefixes)) + r")("
            + "|".join(map(re.escape, names)) + r")(?![\w-])")
        return pattern.sub(lambda m: self.command(m[1], mention), text)


TEXT = Surface()


def domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or "source"


def masked_link(text: str, url: str) -> str | None:
    """`[text](url)`, or None when `url` is not a web address that can be linked safely."""
    if not re.fullmatch(r"https?://[^\s<>]+", url):
        return None
    url = url.replace("(", "%28").replace(")", "%29")
    return f"[{safe(text)}]({url})"


def sources_text(sources: tuple[str, ...], limit: int = FIELD_VALUE_MAX) -> str:
    """The sources as masked links `[domaine](url)`, no repeats, cut between links."""
    seen: dict[str, int] = {}
    parts: list[str] = []
    unique = list(dict.fromkeys(sources))
    for n, url in enumerate(unique):
        name = domain(url)
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name} ({seen[name]})"
        part = masked_link(label, url) or safe(cut(url, 80))
        if len(" · ".join([*parts, part])) + 30 > limit:  # room left for « et N autres »
            left = len(unique) - n
            parts.append(f"et {left} autre{'s' if left > 1 else ''} source"
                         f"{'s' if left > 1 else ''}")
            break
        parts.append(part)
    return " · ".join(parts)


def relative_time(iso: str) -> str | None:
    """`<t:…:R>`: Discord shows "il y a 3 heures" in each reader's language and time zone."""
    try:
        when = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    return discord.utils.format_dt(when, "R")


@dataclass
class Outgoing:
    """What to send: content and/or embeds, already within limits."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)

    def kwargs(self) -> dict:
        out: dict = {"allowed_mentions": NO_MENTIONS}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        return out


def fit_embeds(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Keep at most 10 embeds and 6,000 characters in one message (dropping the last ones)."""
    kept, total = [], 0
    for embed in embeds[:EMBEDS_PER_MESSAGE]:
        size = len(embed)
        if total + size > EMBED_TOTAL_MAX:
            break
        kept.append(embed)
        total += size
    return kept


def shrink(embed: discord.Embed, budget: int = EMBED_TOTAL_MAX) -> discord.Embed:
    """Drop the last fields, then shorten the description, until the embed fits `budget`."""
    while len(embed) > budget and embed.fields:
        embed.remove_field(-1)
    if len(embed) > budget and embed.description:
        excess = len(embed) - budget
        embed.description = cut(embed.description, max(1, len(embed.description) - excess))
    return embed


def add_field(embed: discord.Embed, name: str, value: str | None, inline: bool = True) -> None:
    if not value or len(embed.fields) >= FIELDS_MAX:
        return
    embed.add_field(name=cut(name, FIELD_NAME_MAX), value=cut(value, FIELD_VALUE_MAX),
                    inline=inline)


def card_embed(card: Card, rank: int | None = None, full: bool = False,
               budget: int = EMBED_TOTAL_MAX) -> discord.Embed:
    title = f"{rank}. {card.title}" if rank else card.title
    url = card.sources[0] if card.sources and masked_link("x", card.sources[0]) else None
    embed = discord.Embed(title=cut(safe(title), TITLE_MAX), url=url,
                          description=cut(safe(card.summary), DESCRIPTION_MAX),
                          colour=COLOURS["info"])
    add_field(embed, "Secteur", safe(card.sector))
    add_field(embed, "Taille", card.size_text and safe(card.size_text))
    add_field(embed, "Région", card.region and safe(card.region))
    add_field(embed, "Outils", safe(", ".join(card.tools)))
    if full:
        add_field(embed, "Usages", safe(", ".join(card.uses)))
        add_field(embed, "Entreprise", card.company and safe(card.company))
        add_field(embed, "Date", card.date)
    add_field(embed, "Résultats", card.results and safe(card.results), inline=False)
    if full:
        add_field(embed, "Détails", card.details and safe(card.details), inline=False)
    sources = sources_text(card.sources) if card.sources else "(non sourcé)"
    add_field(embed, "Sources" if len(set(card.sources)) > 1 else "Source", sources,
              inline=False)
    footer = f"id : {card.id}"
    if full and card.contributor:
        footer += f" · proposé par {card.contributor}"
    if full and card.added_on:
        footer += f" · ajouté le {card.added_on}"
    embed.set_footer(text=cut(footer, FOOTER_MAX))
    return shrink(embed, budget)  # the least useful fields go first


def submission_embed(card: SubmissionCard, full: bool, member_id: int | None = None,
                     surface: Surface = TEXT) -> discord.Embed:
    """A submission; with `member_id`, the submitter is mentioned (never pinged: every message
    goes with allowed mentions off)."""
    colour = {"en attente": COLOURS["warning"], "validée": COLOURS["success"],
              "refusée": COLOURS["error"]}.get(card.status, COLOURS["info"])
    who = safe(card.member)
    if member_id is not None:
        who = f"<@{member_id}> ({who})"
    when = relative_time(card.created_at) if card.created_at else None
    embed = discord.Embed(
        title=cut(f"Proposition #{card.number} · {card.status}", TITLE_MAX), colour=colour,
        description=cut(f"Proposée par {who}" + (f", {when}" if when else ""),
                        DESCRIPTION_MAX))
    for label, value in card.fields if full else card.fields[:5]:
        if label == "Source" and masked_link("x", value):
            add_field(embed, label, sources_text((value,)), inline=False)
            continue
        add_field(embed, label, safe(value), inline=label not in ("Résumé", "Titre", "Détails"))
    if card.duplicate_of:
        add_field(embed, "⚠ Doublon possible", safe(card.duplicate_of), inline=False)
    if card.example_id and card.status == "validée":
        add_field(embed, "Publiée sous l'identifiant", card.example_id, inline=False)
    if card.reason:
        add_field(embed, "Motif du refus", safe(card.reason), inline=False)
    if card.decided_by and card.status in ("validée", "refusée"):
        embed.set_footer(text=cut(f"Décision : {card.decided_by}", FOOTER_MAX))
    return embed


def render(reply: Reply, surface: Surface = TEXT, buttons: bool = False) -> Outgoing:
    """One reply as one Discord message, within Discord's limits. With `buttons`, the text
    follow-ups that the message's buttons replace are left out."""
    out = _render(reply, surface, buttons)
    out.embeds = fit_embeds([shrink(e) for e in out.embeds])
    return out


def message_text(message: Message, surface: Surface) -> str:
    """A core message with its commands shown for the surface; user params escaped, web
    addresses as links named after their site."""
    return Message(surface.rewrite(message.template), message.params,
                   links=message.links).render(safe, content_link)


def content_link(url: str) -> str:
    """`[site](<url>)` for a message's text: the brackets keep Discord from adding a preview."""
    linked = masked_link(domain(url), url) if len(url) <= LINK_MAX else None
    return linked.replace("](", "](<", 1)[:-1] + ">)" if linked else cut(safe(url), 300)


def listing_lines(reply: Listing) -> list[str]:
    """Non-empty entries only, counts as « · 21 exemples »."""
    return [f"{chr(0x2003) * item.depth}• **{safe(item.label)}** · {plural(item.count)}"
            for item in reply.items if item.count > 0]


def _render(reply: Reply, surface: Surface, buttons: bool) -> Outgoing:
    if isinstance(reply, Message):
        mark = "⚠ " if reply.tone == "error" else ""
        return Outgoing(content=cut(mark + message_text(reply, surface), MESSAGE_MAX))
    if isinstance(reply, Results):
        budget = (EMBED_TOTAL_MAX - 200) // max(1, len(reply.cards))
        embeds = [card_embed(c, reply.start + i, budget=budget)
                  for i, c in enumerate(reply.cards)]
        content = message_text(reply.intro, surface)
        if reply.footer and not buttons:
            content += "\n" + surface.rewrite(reply.footer)
        return Outgoing(content=cut(content, MESSAGE_MAX), embeds=embeds)
    if isinstance(reply, Detail):
        return Outgoing(embeds=[card_embed(reply.card, full=True)])
    if isinstance(reply, Listing):
        lines = listing_lines(reply) or ["(aucun exemple pour l'instant)"]
        embed = discord.Embed(title=cut(reply.title, TITLE_MAX), colour=COLOURS["info"],
                              description=cut("\n".join(lines), DESCRIPTION_MAX))
        footer = reply.footer.replace("Le nombre entre parenthèses compte", "Chaque nombre "
                                      "compte") if reply.footer else None
        if footer and buttons:
            footer = footer.split(". ")[0].rstrip(".") + ". Choisissez dans le menu pour voir " \
                     "les exemples."
        if footer:
            embed.set_footer(text=cut(surface.rewrite(footer, mention=False), FOOTER_MAX))
        return Outgoing(embeds=[embed])
    if isinstance(reply, Help):
        return Outgoing(embeds=[help_embed(reply, surface)])
    if isinstance(reply, Submissions):
        embeds = [submission_embed(c, reply.full, surface=surface) for c in reply.cards]
        content = message_text(reply.intro, surface) + (
            f"\n{surface.rewrite(reply.footer)}" if reply.footer else "")
        return Outgoing(content=cut(content, MESSAGE_MAX), embeds=embeds)
    if isinstance(reply, Report):
        embed = discord.Embed(title=cut(reply.title, TITLE_MAX), colour=COLOURS["info"])
        for heading, items in reply.sections:
            # a section longer than one field continues in the next ones, line by line
            chunks, current = [], ""
            for line in (f"• {report_line(i)}" for i in items):
                if current and len(current) + 1 + len(line) > FIELD_VALUE_MAX:
                    chunks.append(current)
                    current = line
                else:
                    current = f"{current}\n{line}" if current else line
            chunks.append(current or "(rien pour l'instant)")
            for n, chunk in enumerate(chunks):
                add_field(embed, heading if n == 0 else f"{heading} (suite)", chunk,
                          inline=False)
        if reply.footer:
            embed.set_footer(text=cut(surface.rewrite(reply.footer, mention=False), FOOTER_MAX))
        return Outgoing(embeds=[embed])
    raise TypeError(f"no Discord rendering for {type(reply).__name__}")


def report_line(item: str | SourceLine) -> str:
    """A report line, escaped; a source becomes a link named after its site."""
    if isinstance(item, SourceLine):
        linked = masked_link(domain(item.url), item.url) if len(item.url) <= LINK_MAX else None
        return f"{safe(item.label)} : {linked or cut(safe(item.url), 300)}"
    return cut(safe(item), 300)


def help_embed(reply: Help, surface: Surface) -> discord.Embed:
    """The command list. For slash users, `</commande:ID>` mentions (one tap fills the command
    in), which Discord shows in the description and in field values, not in field names."""
    title = surface.rewrite(reply.title, mention=False)
    embed = discord.Embed(title=cut(title, TITLE_MAX), colour=COLOURS["info"])
    if surface.slash and len(reply.entries) > 1:
        lines = []
        for usage, text in reply.entries:
            if not text:
                lines.append(f"\n**{usage.strip('— ')}**")
                continue
            name = usage.partition(" ")[0]
            options = surface.options.get(surface.names.get(name.lstrip(surface.prefix).lstrip(
                "!"), ""), "")
            options = f" *{options}*" if options else ""
            lines.append(f"{surface.rewrite(name)}{options} — {cut(text, 200)}")
        embed.description = cut("\n".join(lines), DESCRIPTION_MAX)
    else:
        for usage, text in reply.entries:
            if surface.slash:
                name = surface.names.get(usage.lstrip(surface.prefix).lstrip("!").partition(
                    " ")[0], "")
                usage = f"/{name} {surface.options.get(name, '')}".strip() if name else usage
            add_field(embed, usage, surface.rewrite(text) or "\u200b", inline=False)
    if reply.footer:
        embed.set_footer(text=cut(surface.rewrite(reply.footer, mention=False), FOOTER_MAX))
    return embed
