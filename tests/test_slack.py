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
