"""Replies as Slack Block Kit, within Slack's limits, every user or file text made inert.

Slack parses `<…>` in mrkdwn text as links and mentions (`<!channel>` pings everyone) and has no
allowed-mentions switch: `esc` escapes `& < >` in every piece of text that does not come from
this module. Plain-text fields (headers, buttons, options) are never parsed for mentions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.core.replies import (
    LINK_MAX,
    Action,
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

SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_MAX = 10
HEADER_MAX = 150
BLOCKS_MAX = 50
BUTTON_MAX = 75
OPTION_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
MODAL_TITLE_MAX = 24
CONTEXT_MAX = 10
VALUE_MAX = 2000
TEXT_MAX = 3000  # the notification text that goes with the blocks
MARKS = {"error": "⚠️ ", "warning": "", "success": "✅ ", "info": ""}
# the registry's member commands Slack serves as slash commands (the others are typed in a
# direct message or after a mention: Slack's slash names are shared by the whole workspace)
SLASH_COMMANDS = ("exemple", "question", "fiche", "proposer", "chiffres", "aide")


def esc(text: str) -> str:
    """User or file text, inert in mrkdwn: no link, no mention, no `<!channel>`."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, ending with an ellipsis when shortened."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def flat(text: str, limit: int) -> str:
    """One line within `limit` characters (headers, buttons, options, titles)."""
    return cut(" ".join("".join(c if c.isprintable() else " " for c in str(text)).split()),
               limit)


def domain(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def short_link(url: str) -> str:
    """A figure's source: a link named after its site, or for an address too long to stay
    whole in a section, the address cut, as text."""
    return link(url) if len(url) <= LINK_MAX else esc(cut(url, 300))


def link(url: str, label: str | None = None) -> str:
    """`<url|label>`: the address cannot close the link early, the label is escaped."""
    safe_url = (url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
                .replace("|", "%7C").replace(" ", "%20"))
    return f"<{safe_url}|{esc(label if label is not None else domain(url))}>"


def plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": flat(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_MAX) -> dict:
    return {"type": "mrkdwn", "text": cut(text, limit) or " "}


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text, HEADER_MAX)}


def section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def sections(lines: list[str]) -> list[dict]:
    """Lines as as few sections as possible, each within 3,000 characters."""
    blocks, current = [], ""
    for line in lines:
        line = cut(line, SECTION_MAX)
        if current and len(current) + 1 + len(line) > SECTION_MAX:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def fields(pairs: list[tuple[str, str]]) -> list[dict]:
    """`*label*\\nvalue` fields, ten per section (Slack's maximum)."""
    items = [mrkdwn(f"*{esc(label)}*\n{value}", FIELD_MAX) for label, value in pairs if value]
    return [{"type": "section", "fields": items[i:i + FIELDS_MAX]}
            for i in range(0, len(items), FIELDS_MAX)]


def context(*texts: str) -> dict:
    return {"type": "context",
            "elements": [mrkdwn(t, SECTION_MAX) for t in texts if t][:CONTEXT_MAX]}


def button(label: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    item = {"type": "button", "text": plain(label, BUTTON_MAX), "action_id": action_id[:255]}
    if value:
        item["value"] = value[:VALUE_MAX]
    if style:
        item["style"] = style
    return item


def option(label: str, value: str) -> dict:
    return {"text": plain(label, OPTION_MAX), "value": value[:OPTION_VALUE_MAX]}


def modal_title(text: str) -> dict:
    return plain(text, MODAL_TITLE_MAX)


def fit(blocks: list[dict]) -> list[dict]:
    """At most 50 blocks: the last ones give way to a note saying the message is shortened."""
    if len(blocks) <= BLOCKS_MAX:
        return blocks
    return blocks[: BLOCKS_MAX - 1] + [context("… (message raccourci : la suite ne tient pas "
                                               "dans un seul message Slack)")]


@dataclass
class Outgoing:
    """One Slack message: its blocks and the notification text that goes with them."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    private: bool = False

    def kwargs(self) -> dict:
        return {"text": cut(self.text, TEXT_MAX) or " ", "blocks": fit(self.blocks)}


# -- follow-ups -------------------------------------------------------------------------------


def action_buttons(actions: tuple[Action, ...]) -> list[dict]:
    return [button(a.label, f"act:{a.kind}:{i}", a.arg or a.kind,
                   "primary" if a.kind == "propose" else None)
            for i, a in enumerate(actions[:25])]


def page_value(query: str, start: int, owner: str) -> str:
    return json.dumps({"q": query, "s": start, "u": owner}, ensure_ascii=False)


def read_page_value(value: str) -> tuple[str, int, str] | None:
    try:
        data = json.loads(value)
        return str(data["q"]), int(data["s"]), str(data["u"])
    except (ValueError, KeyError, TypeError):
        return None


# -- examples ---------------------------------------------------------------------------------


def card_title(card: Card, rank: int | None = None) -> str:
    title = f"{rank}. " if rank else ""
    if card.sources:
        return title + link(card.sources[0], card.title)
    return title + esc(card.title)


def sources_text(card: Card) -> str:
    if not card.sources:
        return "(non sourcé)"
    return " · ".join(link(s) for s in card.sources)


def example_menu(card: Card, rank: int) -> dict | None:
    values = [f"card:{card.id}", f"vote:{card.id}:1", f"vote:{card.id}:-1"]
    if any(len(v) > OPTION_VALUE_MAX for v in values):
        return None
    return {"type": "overflow", "action_id": f"example:{rank}", "options": [
        option("Fiche complète", values[0]), option("👍 Utile", values[1]),
        option("👎 Pas utile", values[2])]}


def card_blocks(card: Card, rank: int) -> list[dict]:
    facts = [esc(card.sector)]
    if card.size_text:
        facts.append(esc(card.size_text))
    if card.region:
        facts.append(esc(card.region))
    facts.append("outils : " + esc(", ".join(card.tools)))
    text = f"*{card_title(card, rank)}*\n{esc(card.summary)}"
    if card.results:
        text += f"\n_Résultat : {esc(card.results)}_"
    return [section(text, example_menu(card, rank)),
            context(" · ".join(facts), "Source : " + sources_text(card))]


def results_blocks(reply: Results, owner: str) -> list[dict]:
    blocks = [header(reply.intro.render())]
    for i, card in enumerate(reply.cards):
        blocks += card_blocks(card, reply.start + i)
    end = reply.start + len(reply.cards) - 1
    blocks.append(context(f"Exemples {reply.start} à {end} sur {reply.total} · le menu ⋯ de "
                          "chaque exemple ouvre sa fiche complète"))
    nav = []
    first = reply.start - 1
    if first > 0:
        nav.append(button("◀ Précédent", "page:previous",
                          page_value(reply.query, max(0, first - reply.page_size), owner)))
    if end < reply.total:
        nav.append(button("Suivant ▶", "page:next", page_value(reply.query, end, owner)))
    # ◀ ▶ and each example's ⋯ menu already offer the next page and the cards
    nav += action_buttons(tuple(a for a in reply.actions if a.kind not in ("next", "card")))
    if nav:
        blocks.append({"type": "actions", "block_id": "results", "elements": nav[:25]})
    return blocks


def detail_blocks(card: Card) -> list[dict]:
    blocks = [header(card.title), section(card_title(card) + "\n" + esc(card.summary))]
    blocks += fields([
        ("Secteur", esc(card.sector)), ("Outils", esc(", ".join(card.tools))),
        ("Usages", esc(", ".join(card.uses))), ("Entreprise", esc(card.company or "")),
        ("Taille", esc(card.size_text or "")), ("Région", esc(card.region or "")),
        ("Date", esc(card.date or "")),
    ])
    if card.results:
        blocks.append(section(f"*Résultats*\n{esc(card.results)}"))
    if card.details:
        blocks.append(section(f"*Détails*\n{esc(card.details)}"))
    label = "Sources" if len(card.sources) > 1 else "Source"
    blocks.append(section(f"*{label}*\n" + ("\n".join(link(s) for s in card.sources)
                                            if card.sources else "(non sourcé)")))
    facts = [f"id : {esc(card.id)}"]
    if card.contributor:
        facts.append(f"proposé par {esc(card.contributor)}")
    if card.added_on:
        facts.append(f"ajouté le {esc(card.added_on)}")
    blocks.append(context(" · ".join(facts)))
    votes = [f"vote:{card.id}:1", f"vote:{card.id}:-1"]
    if all(len(v) <= VALUE_MAX for v in votes):
        blocks.append({"type": "actions", "block_id": "votes", "elements": [
            button("👍 Utile", "vote:1", votes[0]), button("👎 Pas utile", "vote:-1", votes[1])]})
    return blocks


# -- submissions ------------------------------------------------------------------------------


def submission_blocks(card: SubmissionCard, full: bool) -> list[dict]:
    when = f" le {esc(card.created_at[:10])}" if card.created_at else ""
    blocks = [section(f"*Proposition #{card.number} · {esc(card.status)}*\n"
                      f"Proposée par {esc(card.member)}{when}")]
    shown = card.fields if full else card.fields[:4]
    blocks += fields([(label, esc(value)) for label, value in shown])
    notes = []
    if card.duplicate_of:
        notes.append(f"⚠️ Doublon possible : {esc(card.duplicate_of)}")
    if card.example_id and card.status == "validée":
        notes.append(f"Publiée sous l'identifiant {esc(card.example_id)}")
    if card.reason:
        notes.append(f"Motif du refus : {esc(card.reason)}")
    if card.decided_by and card.status in ("validée", "refusée"):
        notes.append(f"Décision : {esc(card.decided_by)}")
    if notes:
        blocks.append(context(*notes))
    return blocks


def moderation_buttons(number: int) -> dict:
    value = str(number)
    return {"type": "actions", "block_id": f"moderation:{number}", "elements": [
        button("Approuver", "mod:approve", value, "primary"),
        button("Rejeter", "mod:reject", value, "danger"),
        button("Modifier", "mod:edit", value)]}


# -- every reply ------------------------------------------------------------------------------


def help_blocks(reply: Help) -> list[dict]:
    blocks = [header(reply.title)]
    lines = []
    for usage, text in reply.entries:
        if not text:
            lines.append(f"*{esc(usage)}*")
        else:
            lines.append(f"`{esc(usage)}` : {esc(text)}")
    blocks += sections(lines)
    slash = ", ".join(f"/{name}" for name in SLASH_COMMANDS)
    notes = [f"Sur Slack : {slash} ; les autres commandes s'écrivent en message privé au bot, "
             "ou en le mentionnant (@bot secteurs)."]
    if reply.footer:
        notes.insert(0, esc(reply.footer))
    blocks.append(context(*notes))
    return blocks


def render(reply: Reply, owner: str = "") -> Outgoing:
    """One reply as one Slack message. `owner`: the Slack user id page buttons answer to."""
    if isinstance(reply, Message):
        text = MARKS.get(reply.tone, "") + reply.render(esc, short_link)
        blocks = [section(text)]
        if reply.actions:
            blocks.append({"type": "actions", "block_id": "actions",
                           "elements": action_buttons(reply.actions)})
        return Outgoing(text, blocks, private=reply.private or reply.tone == "error")
    if isinstance(reply, Results):
        return Outgoing(reply.intro.render(esc), results_blocks(reply, owner))
    if isinstance(reply, Detail):
        return Outgoing(esc(reply.card.title), detail_blocks(reply.card))
    if isinstance(reply, Listing):
        lines = []
        for item in reply.items:
            indent = "\u2003" * item.depth
            lines.append(f"{indent}• *{esc(item.label)}* ({item.count}) `{esc(item.key)}`")
        blocks = [header(reply.title), *sections(lines)]
        if reply.footer:
            blocks.append(context(esc(reply.footer)))
        return Outgoing(esc(reply.title), blocks)
    if isinstance(reply, Help):
        return Outgoing(esc(reply.title), help_blocks(reply), private=True)
    if isinstance(reply, Submissions):
        blocks = [section(reply.intro.render(esc))]
        for card in reply.cards:
            blocks += submission_blocks(card, reply.full)
        if reply.footer:
            blocks.append(context(esc(reply.footer)))
        return Outgoing(reply.intro.render(esc), blocks, private=True)
    if isinstance(reply, Report):
        blocks = [header(reply.title)]
        for heading, items in reply.sections:
            lines = [f"*{esc(heading)}*"]
            lines += [f"• {esc(item.label)} : {short_link(item.url)}"
                      if isinstance(item, SourceLine)
                      else f"• {esc(item)}" for item in items] or ["(rien pour l'instant)"]
            blocks += sections(lines)
        if reply.footer:
            blocks.append(context(esc(reply.footer)))
        return Outgoing(esc(reply.title), blocks, private=True)
    raise TypeError(f"no Slack rendering for {type(reply).__name__}")


# -- forms ------------------------------------------------------------------------------------


def _input(block_id: str, label: str, element: dict, optional: bool = False,
           hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": plain(label, 2000),
             "element": {**element, "action_id": "value"}, "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(multiline: bool = False, max_length: int | None = None,
               initial: str | None = None, placeholder: str | None = None) -> dict:
    element: dict = {"type": "plain_text_input", "multiline": multiline}
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial[:max_length] if max_length else initial
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def proposal_view(sectors: list[tuple[str, str]], tools: list[tuple[str, str]],
                  metadata: str = "") -> dict:
    """The /proposer form: (key, label) choices for the sector and the tools (100 at most)."""
    return {
        "type": "modal", "callback_id": "proposer", "private_metadata": metadata[:3000],
        "title": modal_title("Proposer un exemple"), "submit": plain("Envoyer", 24),
        "close": plain("Annuler", 24),
        "blocks": [
            _input("secteur", "Secteur de l'entreprise", {
                "type": "static_select", "placeholder": plain("Choisissez un secteur", 150),
                "options": [option(label, key) for key, label in sectors[:OPTIONS_MAX]]}),
            _input("outils", "Outils utilisés", {
                "type": "multi_static_select", "placeholder": plain("Un ou plusieurs", 150),
                "options": [option(label, key) for key, label in tools[:OPTIONS_MAX]]}),
            _input("resume", "La réalisation, en une phrase", text_input(True, 300),
                   hint="Par exemple : une fonderie recrute trois mouleurs grâce à LinkedIn."),
            _input("titre", "Titre court", text_input(max_length=120), optional=True),
            _input("source", "Adresse de la source (article, vidéo…)",
                   {"type": "url_text_input"}, optional=True),
        ],
    }


def reject_view(number: int, metadata: str) -> dict:
    return {
        "type": "modal", "callback_id": "rejeter", "private_metadata": metadata[:3000],
        "title": modal_title(f"Refuser la n°{number}"), "submit": plain("Refuser", 24),
        "close": plain("Annuler", 24),
        "blocks": [_input("motif", "Motif (transmis au membre)", text_input(True, 500))],
    }


EDIT_FIELDS = (("titre", "Titre", 120, False), ("resume", "Résumé (une phrase)", 300, True),
               ("secteur", "Secteur", 100, False), ("outils", "Outils", 200, False),
               ("source", "Source", 500, False))


def edit_view(number: int, values: dict[str, str], metadata: str) -> dict:
    blocks = []
    for name, label, limit, multiline in EDIT_FIELDS:
        blocks.append(_input(name, label, text_input(multiline, limit, values.get(name) or None),
                             optional=name in ("titre", "source")))
    return {
        "type": "modal", "callback_id": "modifier", "private_metadata": metadata[:3000],
        "title": modal_title(f"Modifier la n°{number}"), "submit": plain("Enregistrer", 24),
        "close": plain("Annuler", 24), "blocks": blocks,
    }


def state_values(view: dict) -> dict[str, str | list[str]]:
    """What a submitted form holds: block id → text, or the chosen keys."""
    out: dict[str, str | list[str]] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or next(iter(actions.values()), {})
        if "selected_options" in element:
            out[block_id] = [o["value"] for o in element.get("selected_options") or []]
        elif "selected_option" in element:
            chosen = element.get("selected_option") or {}
            out[block_id] = chosen.get("value", "")
        else:
            out[block_id] = element.get("value") or ""
    return out
