"""Plain-text rendering of replies, for the terminal console (and tests that read text)."""

from __future__ import annotations

from bot.core.replies import Card, Detail, Help, Listing, Message, Reply, Results

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


def render(reply: Reply) -> str:
    if isinstance(reply, Message):
        return MARKS.get(reply.tone, "") + reply.render()
    if isinstance(reply, Results):
        parts = [reply.intro.render()]
        parts += [render_card_short(c, reply.start + i) for i, c in enumerate(reply.cards)]
        if reply.footer:
            parts.append(reply.footer)
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
    raise TypeError(f"no text rendering for {type(reply).__name__}")
