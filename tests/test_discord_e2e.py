"""End to end through discord.py's real HTTP client and gateway, against a fake Discord on
127.0.0.1: identify, a command round trip, resume, a 429, the 4014 message, and the real
`python -m bot run` process stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from bot.adapters.discord.client import create_bot
from bot.adapters.discord.runner import MISSING_INTENT, serve
from bot.config import Config
from bot.wiring import open_core
from tests.conftest import write_base
from tests.fake_discord import MESSAGE_CONTENT, FakeDiscord

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def fake(monkeypatch):
    server = await FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        yarl.URL(server.gateway))
    yield server
    await server.stop()


def config_for(tmp_path: Path) -> Config:
    return Config(knowledge=write_base(tmp_path / "knowledge"),
                  database=tmp_path / "etat.sqlite3")


@pytest.fixture
async def core(tmp_path: Path):
    """The core as the wiring builds it for `python -m bot run`; the bot is handed it."""
    async with open_core(config_for(tmp_path)) as (assistant, _):
        yield assistant


async def started(bot) -> asyncio.Task:
    task = asyncio.create_task(bot.start("jeton-de-test"))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()
    assert ready in done, "the bot never became ready"
    return task


async def test_identify_command_round_trip_resume_and_429(fake, core, tmp_path: Path) -> None:
    bot = create_bot(config_for(tmp_path), core, watch_interval=None, guild_ready_timeout=0.05)
    task = await started(bot)
    try:
        intents = fake.identifies[0]["intents"]
        assert intents == bot.intents.value and intents & MESSAGE_CONTENT
        assert fake.identifies[0]["token"] == "jeton-de-test"

        await fake.member_says("!exemple industrie")
        answer = (await fake.wait_messages(1))[0]
        assert answer["content"].startswith("4 exemples pour « industrie »")
        assert answer["embeds"][0]["title"] == "1. Une fonderie recrute ses mouleurs sur LinkedIn"
        assert answer["allowed_mentions"] == {"parse": []}
        first, menu = answer["components"]  # two rows: pages and Proposer, then the cards
        assert [b["label"] for b in first["components"]] == ["◀ Précédent", "Suivant ▶",
                                                             "Proposer un exemple"]
        assert menu["components"][0]["placeholder"] == "Voir la fiche…"
        assert [o["description"] for o in menu["components"][0]["options"]] == [
            "Métallurgie · Bretagne", "Plasturgie", "Métallurgie"]
        assert "!suite" not in answer["content"]

        # the gateway drops: discord.py resumes the same session, commands keep working
        seq = fake.seq
        await fake.drop_connection()
        await asyncio.wait_for(fake.resumed.wait(), 10)
        assert fake.resumes[0]["session_id"] == fake.session_id
        assert fake.resumes[0]["seq"] == seq and len(fake.identifies) == 1

        # Discord says "too fast": the reply is retried after retry_after, not lost
        fake.rate_limit_next = 1
        await fake.member_says("!fiche usine-yammer")
        answer = (await fake.wait_messages(2))[1]
        assert fake.rate_limited and answer["embeds"][0]["title"] == \
            "Une usine relie ses équipes avec Yammer"
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)


ADMIN = {"attente", "voir", "modifier", "valider", "rejeter", "retirer", "recharger", "stats",
         "lacunes", "historique"}


async def test_synced_commands_hide_admin_ones_and_speak_french(fake, core,
                                                                tmp_path: Path) -> None:
    bot = create_bot(config_for(tmp_path), core, watch_interval=None, guild_ready_timeout=0.05)
    task = await started(bot)
    try:
        synced = {c["name"]: c for c in fake.synced}
        assert ADMIN | {"exemple", "fiche", "proposer", "aide", "secteurs"} <= set(synced)
        manage_guild = discord.Permissions(manage_guild=True).value
        for name, command in synced.items():
            assert command["description"] and "…" not in command["description"], name
            for option in command.get("options", []):
                assert option["description"] not in ("", "…"), (name, option["name"])
            if name in ADMIN:
                assert int(command["default_member_permissions"]) == manage_guild, name
                assert command["contexts"] == [0], name  # servers only, never in DMs
                assert command["description"].startswith("Admin : ")
            else:
                assert command["default_member_permissions"] is None, name
        assert {o["name"]: o["description"] for o in synced["voir"]["options"]} == {
            "numero": "numéro de la proposition (#12 : tapez 12)"}
        assert {o["name"]: o["description"] for o in synced["rejeter"]["options"]}["motif"] == \
            "la raison du refus, transmise au membre"
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)


async def test_missing_privileged_intent_gets_the_portal_instructions(fake, core, tmp_path,
                                                                     capsys):
    fake.approve_message_content = False
    status = await asyncio.wait_for(serve(config_for(tmp_path), "jeton-de-test", assistant=core,
                                          stopping=asyncio.Event(), watch_interval=None), 20)
    assert status == 2
    assert MISSING_INTENT in capsys.readouterr().err
    assert "MESSAGE CONTENT INTENT" in MISSING_INTENT


async def test_rejected_token_gets_a_french_message(fake, core, tmp_path, capsys):
    status = await asyncio.wait_for(serve(config_for(tmp_path), "mauvais-jeton", assistant=core,
                                          stopping=asyncio.Event(), watch_interval=None), 20)
    assert status == 2
    assert "Discord a refusé le jeton" in capsys.readouterr().err


async def test_serve_stops_when_told_and_leaves_the_core_open(fake, core, tmp_path) -> None:
    stopping = asyncio.Event()
    served = asyncio.create_task(serve(config_for(tmp_path), "jeton-de-test", assistant=core,
                                       stopping=stopping, watch_interval=None,
                                       guild_ready_timeout=0.05))

    async def identified() -> None:
        while not fake.identifies or fake.seq < 2:
            await asyncio.sleep(0.02)
    await asyncio.wait_for(identified(), 20)
    assert len(core.workflow.listeners) == 1  # the bot listens to the core it was given
    stopping.set()
    assert await asyncio.wait_for(served, 20) == 0
    assert core.workflow.listeners == []  # a stopped bot is told nothing more
    # the database is the wiring's to close: still open after the bot stopped
    assert await core.workflow.db.status_counts() == {}


async def test_python_m_bot_run_answers_then_stops_on_sigterm(fake, tmp_path: Path) -> None:
    folder = write_base(tmp_path / "knowledge")
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge: {folder}\ndatabase: {tmp_path / 'etat.sqlite3'}\n"
                      "log_level: INFO\n", encoding="utf-8")
    env = {**os.environ, "DISCORD_TOKEN": "jeton-de-test",
           "BOT_TEST_DISCORD_API": fake.api_base, "BOT_TEST_DISCORD_GATEWAY": fake.gateway}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async def identified() -> None:
            while not fake.identifies or fake.seq < 2:
                await asyncio.sleep(0.05)
        await asyncio.wait_for(identified(), 30)
        await asyncio.sleep(2.5)  # GUILD_CREATE, then discord.py's guild_ready_timeout
        await fake.member_says("!exemple industrie")
        answer = (await fake.wait_messages(1, timeout=20))[0]
        assert answer["content"].startswith("4 exemples pour « industrie »")
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
        assert "arrêt demandé : fermeture propre" in stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
