"""`python -m bot run` with Slack tokens, as a real process, against the fake Slack."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests import fake_slack
from tests.conftest import write_base
from tests.fake_slack import FakeSlack

PROJECT = Path(__file__).resolve().parent.parent


async def test_python_m_bot_run_answers_on_slack_then_stops_on_sigterm(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    folder = write_base(tmp_path / "knowledge")
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge: {folder}\ndatabase: {tmp_path / 'etat.sqlite3'}\n",
                      encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env.update(SLACK_BOT_TOKEN=fake_slack.BOT_TOKEN, SLACK_APP_TOKEN=fake_slack.APP_TOKEN,
               SLACK_API_URL=fake.api_url, DISCORD_TOKEN="")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.until(lambda: any(not ws.closed for ws in fake.sockets), timeout=60,
                         what="the bot's Socket Mode connection")
        assert fake.called("auth.test")[0]["_token"] == fake_slack.BOT_TOKEN
        envelope, url = await fake.command("/exemple", "industrie")
        assert await fake.ack(envelope) == {}
        answer = (await fake.response(url, 1))[0]
        blocks = answer["blocks"]
        assert blocks[0]["text"]["text"].startswith("4 exemples pour « industrie »")
        assert [b["type"] for b in blocks[1:3]] == ["section", "context"]
        assert blocks[1]["accessory"]["type"] == "overflow"
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
        assert "arrêt demandé : fermeture propre" in stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()


async def test_one_process_serves_discord_and_slack_on_one_core(tmp_path: Path) -> None:
    from tests.fake_discord import FakeDiscord

    slack, discord = await FakeSlack().start(), await FakeDiscord().start()
    folder = write_base(tmp_path / "knowledge")
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge: {folder}\ndatabase: {tmp_path / 'etat.sqlite3'}\n"
                      f"admin_guilds: [{discord.guild_id}]\nmoderation_channel: moderation\n"
                      "slack:\n  admins: [UADMIN]\n  moderation_channel: CMOD\n",
                      encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env.update(SLACK_BOT_TOKEN=fake_slack.BOT_TOKEN, SLACK_APP_TOKEN=fake_slack.APP_TOKEN,
               SLACK_API_URL=slack.api_url, DISCORD_TOKEN="jeton-de-test",
               BOT_TEST_DISCORD_API=discord.api_base, BOT_TEST_DISCORD_GATEWAY=discord.gateway)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await slack.until(lambda: any(not ws.closed for ws in slack.sockets), timeout=60,
                          what="the bot's Socket Mode connection")
        await slack.until(lambda: discord.identifies and discord.seq >= 2, timeout=60,
                          what="the bot's Discord gateway session")
        await asyncio.sleep(2.5)  # GUILD_CREATE, then discord.py's guild_ready_timeout
        _, url = await slack.command("/exemple", "industrie")
        assert (await slack.response(url))[0]["blocks"][0]["text"]["text"].startswith(
            "4 exemples pour « industrie »")
        await discord.member_says("!exemple industrie")
        answer = (await discord.wait_messages(1, timeout=20))[0]
        assert answer["content"].startswith("4 exemples pour « industrie »")

        # one core: a proposal sent on Slack is posted in Slack's and in Discord's moderation
        _, url = await slack.command("/proposer", "industrie | linkedin | Une usine forme ses "
                                     "apprentis avec des vidéos LinkedIn. | https://exemple.fr/u")
        assert "Votre proposition #1 est enregistrée" in (await slack.response(url))[0]["text"]
        await slack.call("chat.postMessage", where=lambda p: p["channel"] == "CMOD")
        posted = (await discord.wait_messages(1, timeout=20,
                                              channel_id=discord.moderation_id))[0]
        assert posted["content"] == "Nouvelle proposition à examiner :"
        assert posted["embeds"][0]["title"] == "Proposition #1 · en attente"
        assert "Une usine forme ses apprentis" in str(posted["embeds"])
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await slack.stop()
        await discord.stop()
