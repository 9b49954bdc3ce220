"""The Slack adapter through the real slack-bolt and slack_sdk, against a fake Slack on
127.0.0.1 (tests/fake_slack.py): slash commands, mentions, direct messages, buttons, forms,
moderation, retries, reconnection and refused tokens."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.adapters.slack.client import SlackBot, SlackStartError
from bot.adapters.slack.runner import SlackCredentials, serve
from bot.config import Config
from bot.wiring import open_core
from tests import fake_slack
from tests.conftest import write_base
from tests.fake_slack import FakeSlack

ADMIN = "UADMIN"


def config_for(tmp_path: Path) -> Config:
    return Config(knowledge=write_base(tmp_path / "knowledge"),
                  database=tmp_path / "etat.sqlite3", slack_admins=[ADMIN],
                  slack_moderation_channel="CMOD")


@pytest.fixture
async def fake():
    server = await FakeSlack(names={"U1": "Alice", ADMIN: "Bruno"}).start()
    yield server
    await server.stop()


@pytest.fixture
async def slack(fake, tmp_path):
    config = config_for(tmp_path)
    async with open_core(config) as (assistant, _):
        bot = SlackBot(assistant, config, fake_slack.BOT_TOKEN, fake_slack.APP_TOKEN,
                       fake.api_url)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.close()


def texts(blocks: list[dict]) -> list[str]:
    """Every mrkdwn or plain text of the blocks, in order."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(blocks)
    return out


async def test_slash_exemple_answers_in_block_kit(fake, slack) -> None:
    envelope, url = await fake.command("/exemple", "industrie")
    assert await fake.ack(envelope) == {}  # acknowledged at once, the answer comes after
    answer = (await fake.response(url))[0]
    assert answer["response_type"] == "in_channel"
    blocks = answer["blocks"]
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"].startswith("4 exemples pour « industrie »")
    first = blocks[1]
    assert first["text"]["text"].startswith(
        "*1. <https://example.org/fonderie|Une fonderie recrute ses mouleurs sur LinkedIn>*")
    assert [o["text"]["text"] for o in first["accessory"]["options"]] == \
        ["Fiche complète", "👍 Utile", "👎 Pas utile"]
    assert "Source : <https://example.org/fonderie|example.org>" in blocks[2]["elements"][1][
        "text"]
    buttons = blocks[-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Suivant ▶"]


async def test_page_buttons_replace_the_message_for_the_asker_only(fake, slack) -> None:
    _, url = await fake.command("/exemple", "industrie")
    following = (await fake.response(url))[0]["blocks"][-1]["elements"][0]
    _, other_url = await fake.click(following, user="U2")
    refusal = (await fake.response(other_url))[0]
    assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
    assert "réservés à la personne qui a fait la recherche" in refusal["text"]

    _, click_url = await fake.click(following, user="U1")
    page = (await fake.response(click_url))[0]
    assert page["replace_original"] is True
    assert page["blocks"][0]["text"]["text"].startswith("Suite des exemples pour « industrie »")
    assert page["blocks"][1]["text"]["text"].startswith("*4. ")
    assert [b["text"]["text"] for b in page["blocks"][-1]["elements"]] == ["◀ Précédent"]


async def test_example_menu_opens_the_card_and_takes_votes(fake, slack) -> None:
    _, url = await fake.command("/exemple", "industrie")
    menu = (await fake.response(url))[0]["blocks"][1]["accessory"]
    _, card_url = await fake.click({**menu, "selected_option": menu["options"][0]}, user="U2")
    card = (await fake.response(card_url))[0]
    assert card["response_type"] == "ephemeral"
    assert card["blocks"][0]["text"]["text"] == "Une fonderie recrute ses mouleurs sur LinkedIn"
    assert "Fonderie Durand" in " ".join(texts(card["blocks"]))

    _, vote_url = await fake.click({**menu, "selected_option": menu["options"][1]}, user="U2")
    thanks = (await fake.response(vote_url))[0]
    assert thanks["text"].startswith("Merci ! Votre avis")
    votes = await slack.assistant.workflow.db.net_votes()
    assert votes == {"fonderie-linkedin-recrutement": 1}


async def test_mentions_and_direct_messages_answer_once(fake, slack) -> None:
    await fake.mention("exemple btp", "Ev1")
    posted = (await fake.call("chat.postMessage"))[0]
    assert posted["channel"] == "C1"
    assert posted["blocks"][1]["text"]["text"].startswith("*1. <https://example.org/macon|")
    await fake.mention("exemple btp", "Ev1", retry_attempt=1)  # Slack retries: ignored

    await fake.direct("comment recruter sur facebook", "Ev2")  # a question, no command
    answers = await fake.call("chat.postMessage", 2)
    assert answers[1]["channel"] == "D1"
    assert "Une boutique de vélos embauche via Facebook" in " ".join(texts(answers[1]["blocks"]))
    await fake.direct("exemple btp", "Ev3", bot_id="BBOT")  # our own message, or another bot's
    await fake.direct("aide", "Ev4")
    help_answer = (await fake.call("chat.postMessage", 3))[2]
    assert help_answer["blocks"][0]["text"]["text"] == "Commandes"
    assert len(fake.called("chat.postMessage")) == 3


async def test_a_member_text_never_pings_the_channel(fake, slack) -> None:
    _, url = await fake.command("/exemple", "&lt;!channel&gt; &amp; <!here> zzzz")
    answer = (await fake.response(url))[0]
    shown = " ".join(texts(answer["blocks"])) + answer["text"]
    assert "<!channel>" not in shown and "<!here>" not in shown
    assert "&lt;!channel&gt; &amp;amp; @here zzzz" not in shown  # not escaped twice
    assert "&lt;!channel&gt; &amp; @here zzzz" in shown


async def test_rate_limited_answer_is_retried(fake, slack) -> None:
    fake.rate_limit["chat.postMessage"] = 1
    await fake.mention("fiche usine-yammer", "Ev9")
    posted = (await fake.call("chat.postMessage"))[0]
    assert fake.rate_limited == 1
    assert posted["blocks"][0]["text"]["text"] == "Une usine relie ses équipes avec Yammer"


async def test_reconnects_when_slack_asks(fake, slack) -> None:
    assert fake.connections_opened == 1
    await fake.disconnect()
    await fake.until(lambda: fake.connections_opened == 2 and len(
        [ws for ws in fake.sockets if not ws.closed]) == 1, what="a new connection")
    envelope, url = await fake.command("/fiche", "usine-yammer")
    await fake.ack(envelope)
    assert (await fake.response(url))[0]["blocks"][0]["text"]["text"] == \
        "Une usine relie ses équipes avec Yammer"


async def test_proposal_form_shows_errors_inline_then_reaches_the_moderators(
        fake, slack, tmp_path) -> None:
    envelope, _ = await fake.command("/proposer", "")
    await fake.ack(envelope)
    view = (await fake.call("views.open"))[0]["view"]
    kinds = [b["element"]["type"] for b in view["blocks"]]
    assert kinds == ["static_select", "multi_static_select", "plain_text_input",
                     "plain_text_input", "url_text_input"]
    sectors = [o["text"]["text"] for o in view["blocks"][0]["element"]["options"]]
    assert "Métallurgie" in sectors and "Industrie" in sectors

    bad = await fake.submit_view(view, {"secteur": "metallurgie", "outils": ["linkedin"],
                                        "resume": "!!!", "source": "ftp://exemple.fr"})
    ack = await fake.ack(bad)
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {"resume", "source"}
    assert not fake.called("chat.postMessage")

    good = await fake.submit_view(view, {
        "secteur": "metallurgie", "outils": ["linkedin", "blog"],
        "resume": "Une tôlerie publie ses chantiers sur LinkedIn et gagne deux clients.",
        "source": "https://exemple.fr/tolerie"})
    assert await fake.ack(good) == {}
    posts = await fake.call("chat.postMessage", 2)
    by_channel = {p["channel"]: p for p in posts}
    assert by_channel["U1"]["text"].startswith("✅ Merci ! Votre proposition #1 est enregistrée")
    moderation = by_channel["CMOD"]
    assert [b["text"]["text"] for b in moderation["blocks"][-1]["elements"]] == \
        ["Approuver", "Rejeter", "Modifier"]
    assert "Proposée par Alice" in " ".join(texts(moderation["blocks"]))


async def propose_one(fake) -> dict:
    _, url = await fake.command("/proposer", "industrie | linkedin | Une usine forme ses "
                                "apprentis avec des vidéos LinkedIn. | https://exemple.fr/u")
    reply = (await fake.response(url))[0]
    assert reply["response_type"] == "ephemeral"
    assert "Votre proposition #1 est enregistrée" in reply["text"]
    return (await fake.call("chat.postMessage", where=lambda p: p["channel"] == "CMOD"))[0]


async def test_only_admins_approve_and_everyone_is_told(fake, slack, tmp_path) -> None:
    moderation = await propose_one(fake)
    approve = moderation["blocks"][-1]["elements"][0]
    _, url = await fake.click(approve, user="U2", channel="CMOD")
    refusal = (await fake.response(url))[0]
    assert refusal["response_type"] == "ephemeral"
    assert refusal["text"] == "Seuls les administrateurs du bot peuvent décider des propositions."

    _, url = await fake.click(approve, user=ADMIN, channel="CMOD")
    done = (await fake.response(url))[0]
    assert done["text"].startswith("✅ Proposition #1 validée")
    update = (await fake.call("chat.update"))[0]
    assert update["channel"] == "CMOD" and update["blocks"][0]["text"]["text"] == \
        "✅ Validée par Bruno."
    assert all(b["type"] != "actions" for b in update["blocks"])
    notice = (await fake.call("chat.postMessage", where=lambda p: p["channel"] == "U1"))[0]
    assert notice["text"].startswith("Bonne nouvelle : votre proposition #1 a été validée")
    written = (tmp_path / "knowledge" / "exemples.yaml").read_text(encoding="utf-8")
    assert "Une usine forme ses apprentis avec des vidéos LinkedIn." in written


async def test_reject_asks_the_reason_in_a_form(fake, slack) -> None:
    moderation = await propose_one(fake)
    reject = moderation["blocks"][-1]["elements"][1]
    await fake.click(reject, user=ADMIN, channel="CMOD")
    view = (await fake.call("views.open"))[0]["view"]
    assert view["callback_id"] == "rejeter" and len(view["title"]["text"]) <= 24
    empty = await fake.submit_view(view, {"motif": "  "}, user=ADMIN)
    assert (await fake.ack(empty))["errors"] == {
        "motif": "Indiquez le motif : il sera transmis au membre."}
    await fake.submit_view(view, {"motif": "Source <!channel> introuvable"}, user=ADMIN)
    update = (await fake.call("chat.update"))[0]
    assert update["blocks"][0]["text"]["text"] == "❌ Refusée par Bruno."
    notice = (await fake.call("chat.postMessage", where=lambda p: p["channel"] == "U1"))[0]
    assert notice["text"] == ("Votre proposition #1 n'a pas été retenue. Motif : Source "
                              "&lt;!channel&gt; introuvable")


async def test_edit_form_changes_the_submission(fake, slack) -> None:
    moderation = await propose_one(fake)
    await fake.click(moderation["blocks"][-1]["elements"][2], user=ADMIN, channel="CMOD")
    view = (await fake.call("views.open"))[0]["view"]
    assert view["callback_id"] == "modifier"
    values = {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"]}
    wrong = await fake.submit_view(view, {**values, "secteur": "zzzz"}, user=ADMIN)
    assert "Secteur inconnu" in (await fake.ack(wrong))["errors"]["secteur"]
    await fake.submit_view(view, {**values, "titre": "Des apprentis formés en vidéo"},
                           user=ADMIN)
    await fake.call("chat.update")
    sub = await slack.assistant.workflow.get(1)
    assert sub.data["title"] == "Des apprentis formés en vidéo"


async def test_refused_tokens_get_french_instructions(fake, tmp_path, capsys) -> None:
    config = config_for(tmp_path)
    async with open_core(config) as (assistant, _):
        bad_bot = SlackBot(assistant, config, "xoxb-faux", fake_slack.APP_TOKEN, fake.api_url)
        with pytest.raises(SlackStartError) as refused:
            await bad_bot.start()
        assert refused.value.message.startswith(
            "Slack a refusé le jeton du bot (auth.test : invalid_auth).")
        status = await asyncio.wait_for(serve(assistant, config, SlackCredentials(
            fake_slack.BOT_TOKEN, "xapp-faux", fake.api_url), asyncio.Event()), 20)
        assert status == 2
        err = capsys.readouterr().err
        assert "Slack a refusé le jeton de l'application" in err and "connections:write" in err


def test_token_mix_ups_are_explained_before_connecting() -> None:
    swapped = SlackCredentials("xapp-1", "xoxb-2").problems()
    assert swapped and "inversés" in swapped[0]
    missing = SlackCredentials("xoxb-1", "").problems()
    assert missing and "pas SLACK_APP_TOKEN" in missing[0]
    assert SlackCredentials("xoxp-1", "xapp-2").problems()[0].startswith(
        "SLACK_BOT_TOKEN doit commencer par xoxb-")
    assert SlackCredentials("xoxb-1", "xapp-2").problems() == []


def test_decoded_page_value_survives_unusual_queries() -> None:
    from bot.adapters.slack.blocks import page_value, read_page_value

    value = page_value('industrie "<!channel>" é', 3, "U1")
    assert read_page_value(value) == ('industrie "<!channel>" é', 3, "U1")
    assert read_page_value("pas du json") is None
    assert json.loads(value)["u"] == "U1"


async def test_follow_ups_of_the_core_become_buttons_that_work(fake, slack) -> None:
    from bot.adapters.slack.blocks import render
    from bot.core.replies import Action, Message

    out = render(Message("Aucun exemple.", actions=(
        Action("search", "Métallurgie · 3", "metallurgie"), Action("propose", "Proposer"))))
    buttons = out.blocks[-1]["elements"]
    assert [(b["text"]["text"], b.get("style")) for b in buttons] == [
        ("Métallurgie · 3", None), ("Proposer", "primary")]
    _, url = await fake.click(buttons[0], user="U1")
    answer = (await fake.response(url))[0]
    assert answer["blocks"][0]["text"]["text"].startswith("2 exemples pour « metallurgie »")
    await fake.click(buttons[1], user="U1")
    assert (await fake.call("views.open"))[0]["view"]["callback_id"] == "proposer"
