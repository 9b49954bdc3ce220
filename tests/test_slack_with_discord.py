"""Discord and Slack at once, on ONE core built by the wiring (as `python -m bot run` does):
Discord on simcord's in-memory Discord, Slack through the real slack-bolt against the fake Slack.
A proposal made on one platform reaches both moderation channels, and a decision taken on one
platform shows on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.discord.client import create_bot
from bot.adapters.slack.client import SlackBot
from bot.config import Config
from bot.wiring import open_core
from tests import fake_slack
from tests.conftest import write_base
from tests.fake_slack import FakeSlack

COMMUNITY = 1_200_000_000_000_000_001
SLACK_ADMIN = "UADMIN"
PROPOSAL = ("industrie | linkedin | Une usine forme ses apprentis avec des vidéos LinkedIn. | "
            "https://exemple.fr/apprentis")


def config_for(tmp_path: Path) -> Config:
    return Config(knowledge=write_base(tmp_path / "knowledge"),
                  database=tmp_path / "etat.sqlite3",
                  admin_roles=["Admin"], admin_guilds=[COMMUNITY], moderation_channel="moderation",
                  slack_admins=[SLACK_ADMIN], slack_moderation_channel="CMOD")


@pytest.fixture
async def core(tmp_path: Path):
    """The one core of the process, as the wiring builds it; both adapters are handed it."""
    async with open_core(config_for(tmp_path)) as (assistant, _):
        yield assistant


@pytest.fixture
def simcord_bot(tmp_path: Path, core):
    """The Discord bot simcord's `simcord_env` fixture starts, on the shared core."""
    return create_bot(config_for(tmp_path), core, watch_interval=None)


@pytest.fixture
async def platforms(tmp_path: Path, core, simcord_env):
    """The core, the fake Slack with the Slack adapter connected, and the Discord server."""
    fake = await FakeSlack(names={"U1": "Alice", SLACK_ADMIN: "Bruno"}).start()
    slack = SlackBot(core, config_for(tmp_path), fake_slack.BOT_TOKEN, fake_slack.APP_TOKEN,
                     fake.api_url)
    await slack.start()
    env = simcord_env
    guild = env.create_guild("PME du coin", id=COMMUNITY)
    admin = guild.create_role("Admin")
    try:
        yield {"assistant": core, "slack": fake, "env": env,
               "general": guild.create_text_channel("general"),
               "moderation": guild.create_text_channel("moderation"),
               "carol": guild.add_member(env.create_user("carol"), roles=[admin]),
               "alice": guild.add_member(env.create_user("alice"))}
    finally:
        await slack.close()
        await fake.stop()


async def until_posted(fake: FakeSlack, channel, count: int = 1):
    """Wait (on the event loop, the way fake Slack waits) for the Discord channel's messages."""
    return await fake.until(lambda: len(channel.history()) >= count and channel.history(),
                            what=f"{count} message(s) in Discord's #{channel.name}")


async def test_slack_proposal_approved_on_discord_shows_on_both(platforms) -> None:
    fake, moderation = platforms["slack"], platforms["moderation"]
    # both adapters listen to the same workflow: the core is shared, not opened twice
    assert len(platforms["assistant"].workflow.listeners) == 2

    _, url = await fake.command("/proposer", PROPOSAL, user="U1")
    assert "Votre proposition #1 est enregistrée" in (await fake.response(url))[0]["text"]
    on_slack = (await fake.call("chat.postMessage", where=lambda p: p["channel"] == "CMOD"))[0]
    assert [b["text"]["text"] for b in on_slack["blocks"][-1]["elements"]] == \
        ["Approuver", "Rejeter", "Modifier"]
    posted = (await until_posted(fake, moderation))[-1]
    assert posted.content.startswith("Nouvelle proposition à examiner")
    assert posted.embeds[0].title == "Proposition #1 · en attente"
    assert "Une usine forme ses apprentis" in str(posted.embeds[0].to_dict())

    approved = await platforms["carol"].click(posted, custom_id="submission:approve:1")
    assert "Proposition #1 validée" in approved.response.content
    updated = next(m for m in moderation.history() if m.id == posted.id)
    assert updated.content.startswith("Validée par carol.")
    assert not updated.components  # decided: no more buttons on Discord
    update = (await fake.call("chat.update"))[0]
    assert update["channel"] == "CMOD" and update["ts"]
    assert update["blocks"][0]["text"]["text"] == "✅ Validée par carol."
    assert all(b["type"] != "actions" for b in update["blocks"])  # no more buttons on Slack

    # the member proposed on Slack: told once, on Slack, by direct message
    notices = await fake.call("chat.postMessage", where=lambda p: p["channel"] == "U1")
    assert len(notices) == 1
    assert notices[0]["text"].startswith("Bonne nouvelle : votre proposition #1 a été validée")
    assert not await platforms["assistant"].workflow.db.undelivered()


async def test_discord_proposal_reaches_slack_moderators(platforms) -> None:
    fake, moderation = platforms["slack"], platforms["moderation"]
    await platforms["alice"].send(platforms["general"], f"!proposer {PROPOSAL}")
    posted = (await until_posted(fake, moderation))[-1]
    assert posted.embeds[0].title == "Proposition #1 · en attente"
    on_slack = (await fake.call("chat.postMessage", where=lambda p: p["channel"] == "CMOD"))[0]
    assert "Une usine forme ses apprentis" in str(on_slack["blocks"])

    reject = on_slack["blocks"][-1]["elements"][1]
    await fake.click(reject, user=SLACK_ADMIN, channel="CMOD")
    view = (await fake.call("views.open"))[0]["view"]
    await fake.submit_view(view, {"motif": "Source introuvable"}, user=SLACK_ADMIN)
    update = (await fake.call("chat.update"))[0]
    assert update["blocks"][0]["text"]["text"] == "❌ Refusée par Bruno."
    await fake.until(lambda: next(m for m in moderation.history()
                                  if m.id == posted.id).content.startswith("Refusée par Bruno."),
                     what="the Discord moderation post to show the decision")
    dm = await fake.until(lambda: platforms["alice"].user.dm_channel is not None
                          and platforms["alice"].user.dm_channel.history(),
                          what="alice's direct message on Discord")
    assert len(dm) == 1 and "n'a pas été retenue" in dm[0].content
    # on Slack: the moderation post, then the moderator's own confirmation; nothing else (the
    # confirmation is sent after the decision, so it may come after alice's message: wait for it)
    await fake.call("chat.postMessage", where=lambda p: p["channel"] == SLACK_ADMIN)
    assert [p["channel"] for p in fake.called("chat.postMessage")] == ["CMOD", SLACK_ADMIN]
