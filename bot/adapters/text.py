"""Plain-text rendering of replies, for the terminal console (and tests that read text)."""

from __future__ import annotations

from bot.core.replies import (
    Action,
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

MARKS = {"error": "⚠ ", "warning": "", "success": "✔ ", "info": ""}


def render_card_short(card: Card, rank: int) -> str:
    facts = [card.sector]
    if card.size_text:
        facts.append(card.size_text)
    if card.region:
        facts.append(card.region)
    lines = [
        f"{rank}. {card.title}",
        f"   {card.summary}",
        f"   {' · '.join(facts)} · outils : {', '.join(card.tools)}",
    ]
    if card.sources:
        lines.append("   Source : " + " ; ".join(card.sources))
    else:
        lines.append("   (non sourcé)")
    lines.append(f"   id : {card.id}")
    return "\n".join(lines)


def render_card_full(card: Card) -> str:
    rows = [
        ("Résumé", card.summary),
        ("Secteur", card.sector),
        ("Outils", ", ".join(card.tools)),
        ("Usages", ", ".join(card.uses) if card.uses else None),
        ("Entreprise", card.company),
        ("Taille", card.size_text),
        ("Région", card.region),
        ("Date", card.date),
        ("Résultats", card.results),
        ("Détails", card.details),
        ("Sources", "\n  ".join(card.sources) if card.sources else "(non sourcé)"),
        ("Proposé par", card.contributor),
        ("Ajouté le", card.added_on),
        ("Identifiant", card.id),
    ]
    lines = [card.title, "=" * min(len(card.title), 72)]
    lines += [f"{name} : {value}" for name, value in rows if value]
    return "\n".join(lines)


def render_submission(card: SubmissionCard, full: bool) -> str:
    head = f"#{card.number} · {card.status} · proposée par {card.member} le {card.created_at[:10]}"
    lines = [head]
    shown = card.fields if full else card.fields[:4]
    lines += [f"   {label} : {value}" for label, value in shown]
    if card.duplicate_of:
        lines.append(f"   ⚠ Doublon possible de {card.duplicate_of}")
    if card.example_id and card.status == "validée":
        lines.append(f"   Publiée sous l'identifiant {card.example_id}")
    if card.reason:
        lines.append(f"   Motif du refus : {card.reason}")
    if card.decided_by and full:
        lines.append(f"   Décision : {card.decided_by}")
    return "\n".join(lines)


def typed(action: Action, prefix: str) -> str | None:
    """A follow-up as the command to type; None for one that needs a button (a vote)."""
    commands = {"search": f"exemple {action.arg}", "card": f"fiche {action.arg}",
                "next": "suite", "propose": "proposer", "command": action.arg}
    command = commands.get(action.kind)
    return f"{prefix}{command.strip()}" if command else None


def follow_ups(actions: tuple[Action, ...], prefix: str) -> str | None:
    shown = [f"{a.label} : {cmd}" for a in actions if (cmd := typed(a, prefix))]
    return ("Pour continuer : " + " · ".join(shown) + ".") if shown else None


def render(reply: Reply, prefix: str = "!") -> str:
    """`reply` as terminal text; follow-ups become the commands to type with `prefix`."""
    if isinstance(reply, Message):
        text = MARKS.get(reply.tone, "") + reply.render()
        more = follow_ups(reply.actions, prefix)
        return f"{text}\n{more}" if more else text
    if isinstance(reply, Results):
        parts = [reply.intro.render()]
        parts += [render_card_short(c, reply.start + i) for i, c in enumerate(reply.cards)]
        if reply.footer:
            parts.append(reply.footer)
        # the footer already says how to open a card and get the next page
        more = follow_ups(tuple(a for a in reply.actions if a.kind not in ("card", "next")),
                          prefix)
        if more:
            parts.append(more)
        return "\n\n".join(parts)
    if isinstance(reply, Detail):
        return render_card_full(reply.card)
    if isinstance(reply, Listing):
        lines = [f"{reply.title} :"]
        for item in reply.items:
            indent = "  " * (item.depth + 1)
            lines.append(f"{indent}- {item.label} ({item.count}) [{item.key}]")
        if reply.footer:
            lines.append(reply.footer)
        return "\n".join(lines)
    if isinstance(reply, Help):
        lines = [f"{reply.title} :"]
        for usage, text in reply.entries:
            lines.append(f"  {usage}" + (f" : {text}" if text else ""))
        if reply.footer:
            lines.append(reply.footer)
        return "\n".join(lines)
    if isinstance(reply, Submissions):
        parts = [reply.intro.render()]
        parts += [render_submission(c, reply.full) for c in reply.cards]
        if reply.footer:
            parts.append(reply.footer)
        return "\n\n".join(parts)
    if isinstance(reply, Report):
        lines = [f"{reply.title} :"]
        for heading, items in reply.sections:
            lines.append(f"{heading} :")
            lines += [f"  - {item}" for item in items] or ["  (rien pour l'instant)"]
        if reply.footer:
            lines.append(reply.footer)
        return "\n".join(lines)
    raise TypeError(f"no text rendering for {type(reply).__name__}")
