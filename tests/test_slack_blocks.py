"""Block Kit rendering: Slack's limits kept by graceful truncation, user text made inert, and
the shipped manifest in line with what the adapter handles."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.adapters.slack import blocks as bk
from bot.adapters.slack.client import SLASH, from_slack
from bot.core.replies import (
    Card,
    Detail,
    Listing,
    ListItem,
    Message,
    Results,
    SubmissionCard,
    Submissions,
)

PROJECT = Path(__file__).resolve().parent.parent
HOSTILE = "<!channel> <@U123> <https://evil.example|cliquez> & *gras*"


def all_texts(node) -> list[dict]:
    found = []
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
            found.append(node)
        for value in node.values():
            found += all_texts(value)
    elif isinstance(node, list):
        for item in node:
            found += all_texts(item)
    return found


def card(**changes) -> Card:
    values = dict(id="fonderie", title="Une fonderie recrute", summary="Elle recrute.",
                  sector="Industrie", tools=("LinkedIn",), sources=("https://example.org/a",))
    values.update(changes)
    return Card(**values)


def test_hostile_text_from_files_and_members_cannot_ping_or_link() -> None:
    hostile = card(title=HOSTILE, summary=HOSTILE, company=HOSTILE, results=HOSTILE,
                   sources=("https://example.org/a?x=1&y=<2>|z",))
    replies = [Detail(hostile), Results(Message("{q}", {"q": HOSTILE}), [hostile], 1, 1),
               Message("Motif : {r}", {"r": HOSTILE}),
               Submissions(Message("Propositions"), [SubmissionCard(
                   1, "en attente", HOSTILE, "2026-01-01", (("Résumé", HOSTILE),))])]
    for reply in replies:
        out = bk.render(reply, "U1")
        for text in all_texts(out.blocks):
            if text["type"] == "mrkdwn":
                assert "<!" not in text["text"] and "<@" not in text["text"], text
                assert "<https://evil" not in text["text"]
        assert "<!channel>" not in out.text
    detail = bk.render(Detail(hostile)).blocks
    sources = next(b for b in detail if b.get("text", {}).get("text", "").startswith("*Source"))
    assert sources["text"]["text"] == \
        "*Source*\n<https://example.org/a?x=1&amp;y=%3C2%3E%7Cz|example.org>"


def test_slacks_limits_are_kept_by_shortening() -> None:
    long = "mot " * 2000
    out = bk.render(Detail(card(title=long, summary=long, details=long, results=long)))
    assert out.blocks[0]["text"]["text"].endswith("…")
    assert len(out.blocks[0]["text"]["text"]) <= 150
    for block in out.blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    listing = Listing("Secteurs", [ListItem(f"Secteur {i} " + "x" * 200, f"s{i}", i)
                                   for i in range(1000)])
    blocks = bk.render(listing).kwargs()["blocks"]
    assert len(blocks) == 50
    assert blocks[-1]["elements"][0]["text"].startswith("… (message raccourci")
    assert len(bk.button("b" * 100, "x")["text"]["text"]) == 75
    assert bk.reject_view(123456789, "")["title"]["text"] == "Refuser la n°123456789"
    assert len(bk.modal_title("Un titre bien trop long pour Slack")["text"]) == 24


def test_slack_wire_format_comes_back_as_typed() -> None:
    assert from_slack("industrie &lt;b&gt; &amp; <https://a.fr/x|a.fr/x> <@U1|alice> "
                      "<#C1|general> <!here>") == "industrie <b> & https://a.fr/x @alice " \
                                                  "#general @here"


def test_manifest_matches_the_adapter() -> None:
    manifest = yaml.safe_load((PROJECT / "slack-manifest.yaml").read_text(encoding="utf-8"))
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(
        ["commands", "chat:write", "app_mentions:read", "im:history", "im:write", "users:read"])
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert sorted(settings["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(commands) == sorted(SLASH)
    assert all(len(c["description"]) <= 100 for c in manifest["features"]["slash_commands"])
