"""One harness for every platform, the way errbot's test backend drives a bot: the same typed
messages reach the same core through the console, Discord (simcord) and Slack (the fake Slack
on 127.0.0.1), and come back as `Rendered`, what the member sees there.

    async with open_platform("slack", tmp_path) as platform:
        shown = await platform.send("!exemple industrie", user="alice")
        assert "Une fonderie recrute" in shown.text

`send` waits until the bot has finished answering (no sleeping, no timing). `notices(user)`
gives what the bot sent the member on its own since the last look (a decision on a
submission); `vanishes(shown)` says whether the answer is private or goes away on its own.
"""

from __future__ import annotations

import html
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.text import render as text_render
from bot.config import Config
from bot.core import curation
from bot.core.commands import Caller
from bot.wiring import open_core
from tests.conftest import EXAMPLES, write_base

PLATFORMS = ("console", "discord", "slack")
COMMUNITY = 1_200_000_000_000_000_001  # the Discord server whose admins curate
MODERATION = "CMOD"  # the Slack moderation channel
_MD_LINK = re.compile(r"\[([^\]]+)\]\(<?(https?://[^)>\s]+)>?\)")
_SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_BARE_URL = re.compile(r"https?://[^\s<>)\]|;]+")
_BOLD = re.compile(r"\*([^*\n]+)\*")
_SLACK_PINGS = re.compile(r"<!(channel|here|everyone)[^>]*>|<@[UW][A-Z0-9]+>")
_DISCORD_PINGS = re.compile(r"@(everyone|here)|<@[!&]?\d+>")
FIGURES = """\
chiffres:
  - id: linkedin-pme-2023
    indicateur: PME présentes sur LinkedIn
    valeur: 42 %
    perimetre: France, entreprises de 10 à 249 salariés
    annee: 2023
    source: https://www.insee.fr/fr/statistiques/linkedin-pme
    organisme: Insee
    outils: [linkedin]
"""


@dataclass
class Rendered:
    """What the member would see: the text of every message (links shown by their label),
    the links (target → label), the buttons and menu entries, whether it was private."""

    text: str = ""
    links: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    private: bool = False
    pings: bool = False  # would notify people beyond the asker (@everyone, <!channel>…)
    raw: list = field(default_factory=list)  # the platform's own objects, for diagnostics

    def __bool__(self) -> bool:
        return bool(self.text or self.buttons)

    def __add__(self, other: Rendered) -> Rendered:
        return Rendered("\n\n".join(t for t in (self.text, other.text) if t),
                        {**self.links, **other.links}, self.buttons + other.buttons,
                        self.private and other.private, self.pings or other.pings,
                        self.raw + other.raw)


def make_config(tmp_path: Path, prefix: str = "!") -> Config:
    folder = tmp_path / "knowledge"
    if not folder.exists():
        write_base(folder, exemples=EXAMPLES, chiffres=FIGURES)
    return Config(knowledge=folder, database=tmp_path / "etat.sqlite3", prefix=prefix,
                  admin_roles=["Admin"], admin_guilds=[COMMUNITY],
                  moderation_channel="moderation", cooldown_rate=50, cooldown_per=30,
                  slack_moderation_channel=MODERATION)


def combine(parts: list[Rendered]) -> Rendered:
    out = Rendered(private=bool(parts))
    for part in parts:
        out = out + part
    return out


# -- the console ---------------------------------------------------------------------------

class Console:
    name = "console"

    def __init__(self, assistant, config: Config):
        self.assistant, self.config = assistant, config

    def caller(self, user: str, admin: bool) -> Caller:
        return Caller(f"console:{user}", user, admin)

    @staticmethod
    def rendered(text: str) -> Rendered:
        return Rendered(text, {url: url for url in _BARE_URL.findall(text)}, raw=[text])

    async def send(self, text: str, user: str = "alice", admin: bool = False) -> Rendered:
        replies = await self.assistant.handle(text, self.caller(user, admin))
        return self.rendered("\n\n".join(text_render(r, self.assistant.prefix)
                                         for r in replies))

    async def notices(self, user: str = "alice") -> Rendered:
        """What the console prints before the member's next line (bot.app's before_each)."""
        replies = await curation.deliver_console_notices(self.assistant,
                                                         self.caller(user, False))
        return self.rendered("\n\n".join(text_render(r, self.assistant.prefix)
                                         for r in replies))

    async def vanishes(self, shown: Rendered) -> bool:
        return True  # one person at one terminal: nobody else ever sees it


# -- Discord, on simcord's in-memory Discord ---------------------------------------------------

class Discord:
    name = "discord"

    def __init__(self, env, config: Config):
        import discord  # noqa: F401  (simcord needs discord.py loaded)

        self.env, self.config = env, config
        self.guild = env.create_guild("PME du coin", id=COMMUNITY)
        self.general = self.guild.create_text_channel("general")
        self.moderation = self.guild.create_text_channel("moderation")
        self.admin_role = self.guild.create_role("Admin")
        self.members: dict[tuple[str, bool], object] = {}
        self.seen_dms: dict[str, int] = {}

    @property
    def assistant(self):
        return self.env.bot.assistant

    def member(self, user: str, admin: bool):
        key = (user, admin)
        if key not in self.members:
            roles = [self.admin_role] if admin else []
            self.members[key] = self.guild.add_member(self.env.create_user(user), roles=roles)
        return self.members[key]

    def rendered(self, message) -> Rendered:
        parts = [message.content or ""]
        links: dict[str, str] = {}
        for embed in message.embeds:
            if embed.author and embed.author.name:
                parts.append(embed.author.name)
            if embed.title:
                parts.append(embed.title)
                if embed.url:
                    links[embed.url] = embed.title
            parts.append(embed.description or "")
            for f in embed.fields:
                parts.append(f"{f.name} : {f.value}")
            if embed.footer and embed.footer.text:
                parts.append(embed.footer.text)
        buttons = []
        for row in message.components:
            for child in getattr(row, "children", []):
                if getattr(child, "label", None):
                    buttons.append(child.label)
                if getattr(child, "placeholder", None):
                    buttons.append(child.placeholder)
                buttons += [o.label for o in getattr(child, "options", None) or []]
        raw = "\n".join(p for p in parts if p)
        for label, url in _MD_LINK.findall(raw):
            links[url] = label
        for url in _BARE_URL.findall(_MD_LINK.sub("", raw)):
            links.setdefault(url, url)
        text = _MD_LINK.sub(lambda m: m[1], raw).replace("**", "").replace("\u200b", "")
        private = bool(message.flags.ephemeral) or message.guild is None
        return Rendered(text, links, buttons, private, raw=[message])

    def dms(self, user: str) -> list:
        member = next((m for (name, _), m in self.members.items() if name == user), None)
        if member is None or member.user.dm_channel is None:
            return []
        return [m for m in member.user.dm_channel.history()
                if m.author.id == self.env.bot.user.id]

    async def send(self, text: str, user: str = "alice", admin: bool = False) -> Rendered:
        with self.env.time_context():  # simcord's clocks, in the test's own context
            return await self._send(text, user, admin)

    async def _send(self, text: str, user: str, admin: bool) -> Rendered:
        member = self.member(user, admin)
        before = {m.id for m in self.general.history()}
        dms_before = {m.id for m in self.dms(user)}
        requests = len(self.env.http_requests)
        await member.send(self.general, text)
        bot_id = self.env.bot.user.id
        new = [m for m in self.general.history(viewer=member)
               if m.id not in before and m.author.id == bot_id]
        new += [m for m in self.dms(user) if m.id not in dms_before]
        shown = combine([self.rendered(m) for m in new])
        shown.private = bool(new) and all(self.rendered(m).private for m in new)
        shown.pings = self.pinged(self.env.http_requests[requests:])
        return shown

    @staticmethod
    def pinged(requests) -> bool:
        """A message whose text names @everyone, @here or someone, sent with mentions on."""
        for request in requests:
            body = request.json or {}
            if request.method not in ("POST", "PATCH") or not isinstance(body, dict):
                continue
            content = str(body.get("content") or "")
            allowed = body.get("allowed_mentions")
            if _DISCORD_PINGS.search(content) and allowed != {"parse": []}:
                return True
        return False

    async def notices(self, user: str = "alice") -> Rendered:
        messages = self.dms(user)
        fresh = messages[self.seen_dms.get(user, 0):]
        self.seen_dms[user] = len(messages)
        return combine([self.rendered(m) for m in fresh])

    async def vanishes(self, shown: Rendered) -> bool:
        """Private (ephemeral, or a direct message), or deleted after a while (a typed
        command's error, ERROR_LIFETIME)."""
        if shown.private:
            return True
        from bot.adapters.discord.client import ERROR_LIFETIME

        with self.env.time_context():
            await self.env.advance_time(ERROR_LIFETIME + 1)
        left = {m.id for m in self.general.history()}
        return bool(shown.raw) and all(m.id not in left for m in shown.raw)


# -- Slack, through the real slack-bolt against the fake Slack ------------------------------

def _slack_texts(node, out: list[str]) -> list[str]:
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            out.append(node["text"])
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                _slack_texts(value, out)
    elif isinstance(node, list):
        for item in node:
            _slack_texts(item, out)
    return out


def _slack_buttons(node, out: list[str]) -> list[str]:
    if isinstance(node, dict):
        if node.get("type") == "button":
            out.append(node["text"]["text"])
        elif node.get("type") in ("overflow", "static_select"):
            out += [o["text"]["text"] for o in node.get("options", [])]
        else:
            for value in node.values():
                _slack_buttons(value, out)
    elif isinstance(node, list):
        for item in node:
            _slack_buttons(item, out)
    return out


def slack_rendered(payload: dict, private: bool) -> Rendered:
    """A message as Slack shows it: blocks when there are some (the `text` is then only the
    notification's), `<url|label>` shown by its label, entities decoded."""
    blocks = payload.get("blocks") or []
    wire = _slack_texts(blocks, []) if blocks else [payload.get("text") or ""]
    buttons = _slack_buttons(blocks, [])
    raw = "\n".join(wire)
    links = {url: html.unescape(label or url) for url, label in _SLACK_LINK.findall(raw)}
    text = html.unescape(_BOLD.sub(r"\1", _SLACK_LINK.sub(lambda m: m[2] or m[1], raw)))
    whole = raw + "\n" + str(payload.get("text") or "")
    return Rendered(text, links, [html.unescape(b) for b in buttons], private,
                    bool(_SLACK_PINGS.search(whole)), [payload])


class Slack:
    name = "slack"

    def __init__(self, fake, bot, config: Config):
        self.fake, self.bot, self.config = fake, bot, config
        self.events = 0
        self.seen_posts: dict[str, int] = {}

    @property
    def assistant(self):
        return self.bot.assistant

    def user_id(self, user: str, admin: bool) -> str:
        uid = "U" + re.sub(r"[^A-Z0-9]", "", user.upper()) + ("ADM" if admin else "")
        self.fake.names.setdefault(uid, user)
        if admin:
            self.bot.admins.add(uid)
        return uid

    async def send(self, text: str, user: str = "alice", admin: bool = False) -> Rendered:
        fake, uid = self.fake, self.user_id(user, admin)
        prefix = self.assistant.prefix
        command, _, rest = text.removeprefix(prefix).partition(" ")
        calls = len(fake.calls)
        done = self.bot.handled
        if text.startswith(prefix) and f"/{command}" in _slash_commands():
            _, url = await fake.command(f"/{command}", rest, user=uid)
        else:
            url = None
            self.events += 1
            await fake.mention(text, f"Ev{self.events}", user=uid)
        await fake.until(lambda: self.bot.handled > done, what=f"the answer to {text!r}")
        parts = []
        if url is not None:
            path = url.split(fake.base, 1)[1]
            parts += [slack_rendered(r, r.get("response_type") == "ephemeral")
                      for r in fake.responses if r["_url"] == path]
        for method, payload in fake.calls[calls:]:
            if method in ("chat.postMessage", "chat.postEphemeral") and \
                    payload.get("channel") in ("C1", uid):
                if payload.get("channel") == uid:
                    self.seen_posts[uid] = self.seen_posts.get(uid, 0) + 1
                parts.append(slack_rendered(payload, method == "chat.postEphemeral"
                                            or payload.get("channel") == uid))
            elif method == "views.open":  # a form opens: that is the answer
                parts.append(slack_rendered({"blocks": [payload["view"]]}, True))
        return combine(parts)

    def posts_to(self, uid: str) -> list[dict]:
        return [p for p in self.fake.called("chat.postMessage") if p.get("channel") == uid]

    async def notices(self, user: str = "alice") -> Rendered:
        uid = self.user_id(user, False)
        posts = self.posts_to(uid)
        fresh = posts[self.seen_posts.get(uid, 0):]
        self.seen_posts[uid] = len(posts)
        return combine([slack_rendered(p, True) for p in fresh])

    async def vanishes(self, shown: Rendered) -> bool:
        return shown.private


def _slash_commands() -> set[str]:
    from bot.adapters.slack.client import SLASH

    return set(SLASH)


def tracked_slack_bot():
    """SlackBot counting the messages it has finished answering (the harness waits on it)."""
    from bot.adapters.slack.client import SlackBot

    class TrackedSlackBot(SlackBot):
        handled = 0

        async def on_slash(self, ack, body, respond, client) -> None:
            try:
                await super().on_slash(ack, body, respond, client)
            finally:
                self.handled += 1

        async def on_text(self, event, direct) -> None:
            try:
                await super().on_text(event, direct)
            finally:
                self.handled += 1

    return TrackedSlackBot


# -- opening one ---------------------------------------------------------------------------

@asynccontextmanager
async def open_platform(name: str, tmp_path: Path, prefix: str = "!"):
    """The bot on platform `name`, built by the wiring as `python -m bot run` does."""
    config = make_config(tmp_path, prefix)
    async with open_core(config) as (assistant, _):
        if name == "console":
            yield Console(assistant, config)
        elif name == "discord":
            import simcord

            from bot.adapters.discord.client import create_bot

            # as simcord's own pytest fixture does (start and stop may run in different
            # contexts under pytest-asyncio, which `simcord.run` does not allow)
            env = simcord.Env(create_bot(config, assistant, watch_interval=None))
            await env.start()
            try:
                yield Discord(env, config)
            finally:
                await env.shutdown()
                if env.check_errors:
                    env._raise_errors_since(env._errors_acknowledged)
        elif name == "slack":
            from tests import fake_slack
            from tests.fake_slack import FakeSlack

            fake = await FakeSlack().start()
            bot = tracked_slack_bot()(assistant, config, fake_slack.BOT_TOKEN,
                                      fake_slack.APP_TOKEN, fake.api_url)
            try:
                await bot.start()
                yield Slack(fake, bot, config)
            finally:
                await bot.close()
                await fake.stop()
        else:
            raise ValueError(f"unknown platform {name!r}")
