"""Replies as Discord messages: embeds within Discord's limits, user text escaped, no pings."""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.core.replies import (
    Card,
    Detail,
    Help,
    Listing,
    Message,
    Reply,
    Report,
    Results,
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
    url = card.sources[0] if card.sources else None
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
    sources = "\n".join(f"<{s}>" if len(s) > 200 else s for s in card.sources) \
        if card.sources else "(non sourcé)"
    add_field(embed, "Sources" if len(card.sources) > 1 else "Source", sources, inline=False)
    footer = f"id : {card.id}"
    if full and card.contributor:
        footer += f" · proposé par {card.contributor}"
    if full and card.added_on:
        footer += f" · ajouté le {card.added_on}"
    embed.set_footer(text=cut(footer, FOOTER_MAX))
    return shrink(embed, budget)  # the least useful fields go first


def submission_embed(card: SubmissionCard, full: bool) -> discord.Embed:
    colour = {"en attente": COLOURS["warning"], "validée": COLOURS["success"],
              "refusée": COLOURS["error"]}.get(card.status, COLOURS["info"])
    embed = discord.Embed(
        title=cut(f"Proposition #{card.number} · {card.status}", TITLE_MAX), colour=colour,
        description=cut(f"Proposée par {safe(card.member)}"
                        + (f" le {card.created_at[:10]}" if card.created_at else ""),
                        DESCRIPTION_MAX))
    for label, value in card.fields if full else card.fields[:5]:
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


def render(reply: Reply) -> Outgoing:
    """One reply as one Discord message, within Discord's limits."""
    out = _render(reply)
    out.embeds = fit_embeds([shrink(e) for e in out.embeds])
    return out


def _render(reply: Reply) -> Outgoing:
    if isinstance(reply, Message):
        mark = "⚠ " if reply.tone == "error" else ""
        return Outgoing(content=cut(mark + reply.render(safe), MESSAGE_MAX))
    if isinstance(reply, Results):
        budget = (EMBED_TOTAL_MAX - 200) // max(1, len(reply.cards))
        embeds = [card_embed(c, reply.start + i, budget=budget)
                  for i, c in enumerate(reply.cards)]
        content = reply.intro.render(safe)
        if reply.footer:
            content += "\n" + reply.footer
        return Outgoing(content=cut(content, MESSAGE_MAX), embeds=embeds)
    if isinstance(reply, Detail):
        return Outgoing(embeds=[card_embed(reply.card, full=True)])
    if isinstance(reply, Listing):
        lines = []
        for item in reply.items:
            indent = "\u2003" * item.depth
            lines.append(f"{indent}• **{safe(item.label)}** ({item.count}) `{item.key}`")
        embed = discord.Embed(title=cut(reply.title, TITLE_MAX), colour=COLOURS["info"],
                              description=cut("\n".join(lines), DESCRIPTION_MAX))
        if reply.footer:
            embed.set_footer(text=cut(reply.footer, FOOTER_MAX))
        return Outgoing(embeds=[embed])
    if isinstance(reply, Help):
        embed = discord.Embed(title=cut(reply.title, TITLE_MAX), colour=COLOURS["info"])
        for usage, text in reply.entries:
            add_field(embed, usage, text or "\u200b", inline=False)
        if reply.footer:
            embed.set_footer(text=cut(reply.footer, FOOTER_MAX))
        return Outgoing(embeds=[embed])
    if isinstance(reply, Submissions):
        embeds = [submission_embed(c, reply.full) for c in reply.cards]
        content = reply.intro.render(safe) + (f"\n{reply.footer}" if reply.footer else "")
        return Outgoing(content=cut(content, MESSAGE_MAX), embeds=embeds)
    if isinstance(reply, Report):
        embed = discord.Embed(title=cut(reply.title, TITLE_MAX), colour=COLOURS["info"])
        for heading, items in reply.sections:
            # a section longer than one field continues in the next ones, line by line
            chunks, current = [], ""
            for line in (f"• {cut(safe(i), 300)}" for i in items):
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
            embed.set_footer(text=cut(reply.footer, FOOTER_MAX))
        return Outgoing(embeds=[embed])
    raise TypeError(f"no Discord rendering for {type(reply).__name__}")
