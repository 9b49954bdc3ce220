"""A small fake Discord (REST + gateway) on 127.0.0.1, for end-to-end tests through discord.py's
real HTTP client, rate limiter and websocket. Only what our bot uses is implemented."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime
from typing import Any

import discord
from aiohttp import WSMsgType, web

MESSAGE_CONTENT = 1 << 15
_counter = itertools.count(1)


def snowflake() -> str:
    """Current, time-based ids: discord.py dates interactions from them."""
    return str(discord.utils.time_snowflake(discord.utils.utcnow()) + next(_counter))


def now() -> str:
    return datetime.now(UTC).isoformat()


def reply_json(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    # discord.py wants exactly "application/json" (no charset) to parse a body as JSON
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={**(headers or {}), "Content-Type": "application/json"})


def user(uid: str, name: str, bot: bool = False) -> dict:
    return {"id": uid, "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "public_flags": 0, "flags": 0}


def member(u: dict | None, roles: list[str] | None = None) -> dict:
    data = {"roles": roles or [], "joined_at": now(), "deaf": False, "mute": False, "flags": 0,
            "pending": False, "nick": None}
    if u is not None:
        data["user"] = u
    return data


class FakeDiscord:
    def __init__(self, token: str = "jeton-de-test", approve_message_content: bool = True):
        self.token = token
        self.approve_message_content = approve_message_content
        self.app_id = snowflake()
        self.bot_user = user(self.app_id, "BotExemples", bot=True)
        self.guild_id, self.channel_id = snowflake(), snowflake()
        self.moderation_id = snowflake()  # a « moderation » channel, next to « general »
        self.session_id = "session-" + snowflake()
        self.seq = 0
        self.ws: web.WebSocketResponse | None = None
        self.identifies: list[dict] = []
        self.resumes: list[dict] = []
        self.messages: list[dict] = []  # what the bot posted
        self.synced: list[dict] = []  # the "/" commands as the bot registered them
        self.rate_limited: list[str] = []
        self.rate_limit_next = 0
        self.resumed = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def start(self) -> FakeDiscord:
        app = web.Application()
        add = app.router
        add.add_get("/", self.websocket)
        add.add_get("/resume", self.websocket)
        add.add_get("/api/v10/users/@me", self.me)
        add.add_get("/api/v10/oauth2/applications/@me", self.application)
        add.add_get("/api/v10/gateway/bot", self.gateway_bot)
        add.add_post("/api/v10/channels/{channel}/messages", self.post_message)
        add.add_put("/api/v10/applications/{app}/commands", self.put_commands)
        add.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self.put_commands)
        add.add_route("*", "/{tail:.*}", self.unknown)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self.runner is not None:
            await self.runner.cleanup()

    # -- REST ------------------------------------------------------------------------------

    async def unknown(self, request: web.Request) -> web.Response:
        return reply_json({"message": "404: Not Found", "code": 0}, status=404)

    async def me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            return reply_json({"message": "401: Unauthorized", "code": 0}, status=401)
        return reply_json(self.bot_user)

    async def application(self, request: web.Request) -> web.Response:
        return reply_json({"id": self.app_id, "name": "BotExemples", "description": "",
                           "icon": None, "bot_public": True, "bot_require_code_grant": False,
                           "verify_key": "00", "owner": user(snowflake(), "proprio"), "flags": 0,
                           "rpc_origins": []})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return reply_json({"url": self.gateway.rstrip("/"), "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})

    async def put_commands(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.synced = body
        return reply_json([{**c, "id": snowflake(), "application_id": self.app_id,
                            "version": snowflake(), "type": c.get("type", 1)} for c in body])

    async def post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            self.rate_limited.append(request.path)
            return reply_json({"message": "You are being rate limited.", "retry_after": 0.3,
                               "global": False}, status=429,
                              headers={"Via": "1.1 google", "X-RateLimit-Limit": "5",
                                       "X-RateLimit-Remaining": "0",
                                       "X-RateLimit-Reset-After": "0.3",
                                       "X-RateLimit-Bucket": "seau", "X-RateLimit-Scope": "user"})
        message = {"id": snowflake(), "channel_id": request.match_info["channel"],
                   "guild_id": self.guild_id, "author": self.bot_user,
                   "content": body.get("content") or "", "timestamp": now(),
                   "edited_timestamp": None, "tts": False, "mention_everyone": False,
                   "mentions": [], "mention_roles": [], "attachments": [],
                   "embeds": body.get("embeds") or [], "components": body.get("components") or [],
                   "pinned": False, "type": 0, "flags": 0}
        self.messages.append({**message, "allowed_mentions": body.get("allowed_mentions")})
        await self.dispatch("MESSAGE_CREATE", message)
        return reply_json(message)

    # -- gateway ---------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict) -> None:
        if self.ws is None or self.ws.closed:
            return
        self.seq += 1
        await self.ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))

    def guild(self) -> dict:
        everyone = {"id": self.guild_id, "name": "@everyone", "position": 0, "color": 0,
                    "hoist": False, "managed": False, "mentionable": False, "flags": 0,
                    "permissions": str(discord.Permissions.general().value
                                       | discord.Permissions.text().value)}
        channels = [{"id": channel_id, "type": 0, "name": name, "position": position,
                     "guild_id": self.guild_id, "permission_overwrites": [], "nsfw": False,
                     "parent_id": None, "topic": None, "last_message_id": None,
                     "rate_limit_per_user": 0}
                    for position, (channel_id, name) in enumerate(
                        [(self.channel_id, "general"), (self.moderation_id, "moderation")])]
        return {"id": self.guild_id, "name": "PME du coin", "icon": None,
                "owner_id": snowflake(), "unavailable": False, "member_count": 1,
                "large": False, "features": [], "roles": [everyone], "emojis": [],
                "stickers": [], "channels": channels, "threads": [],
                "members": [member(self.bot_user)], "voice_states": [], "presences": [],
                "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
                "joined_at": now(), "verification_level": 0, "default_message_notifications": 0,
                "explicit_content_filter": 0, "mfa_level": 0, "premium_tier": 0,
                "system_channel_flags": 0, "preferred_locale": "fr", "nsfw_level": 0,
                "afk_timeout": 300, "premium_progress_bar_enabled": False}

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif data["op"] == 2:
                self.identifies.append(data["d"])
                if data["d"]["intents"] & MESSAGE_CONTENT and not self.approve_message_content:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                self.seq = 0
                await self.dispatch("READY", {
                    "v": 10, "user": self.bot_user, "session_id": self.session_id,
                    "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume",
                    "guilds": [{"id": self.guild_id, "unavailable": True}],
                    "application": {"id": self.app_id, "flags": 0}})
                await self.dispatch("GUILD_CREATE", self.guild())
            elif data["op"] == 6:
                self.resumes.append(data["d"])
                await self.dispatch("RESUMED", {})
                self.resumed.set()
        return ws

    async def drop_connection(self) -> None:
        """The gateway goes away with a resumable close code."""
        await self.ws.close(code=4000, message=b"au revoir")

    async def member_says(self, content: str, name: str = "alice") -> None:
        author = user(snowflake(), name)
        await self.dispatch("MESSAGE_CREATE", {
            "id": snowflake(), "channel_id": self.channel_id, "guild_id": self.guild_id,
            "author": author, "member": member(None), "content": content, "timestamp": now(),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0,
            "flags": 0})

    async def wait_messages(self, count: int, timeout: float = 10.0,
                            channel_id: str | None = None) -> list[dict]:
        """The bot's messages once there are `count` of them (in `channel_id`, if given)."""
        def found() -> list[dict]:
            return [m for m in self.messages
                    if channel_id is None or m["channel_id"] == channel_id]

        async def poll() -> None:
            while len(found()) < count:
                await asyncio.sleep(0.02)
        await asyncio.wait_for(poll(), timeout)
        return found()
