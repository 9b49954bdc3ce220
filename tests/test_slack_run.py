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
