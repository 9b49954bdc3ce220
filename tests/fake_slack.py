"""A fake Slack on 127.0.0.1 for the real slack-bolt and slack_sdk code: the Web API methods the
bot calls, `apps.connections.open` handing out the address of its Socket Mode websocket, the
websocket itself (envelopes out, acknowledgements in) and the `response_url` webhooks."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-jeton-de-test"
APP_TOKEN = "xapp-jeton-de-test"
BOT_USER = "UBOT"


class FakeSlack:
    def __init__(self, names: dict[str, str] | None = None):
        self.names = names or {}
        self.calls: list[tuple[str, dict]] = []  # (method, payload) of every Web API call
        self.responses: list[dict] = []  # what the bot posted to response_url webhooks
        self.acks: dict[str, dict] = {}  # envelope id → the acknowledgement's payload
        self.sockets: list[web.WebSocketResponse] = []
        self.connections_opened = 0
        self.rate_limit: dict[str, int] = {}  # method → number of 429 answers to give first
        self.rate_limited = 0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base = ""

    # -- life cycle -----------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.add_routes([web.post("/api/{method}", self.api), web.get("/api/{method}", self.api),
                        web.get("/link", self.link), web.post("/response/{n}", self.webhook)])
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    # -- the Web API ----------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        payload: dict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                payload.update(await request.json())
            else:
                payload.update(dict(await request.post()))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        payload["_token"] = token
        if self.rate_limit.get(method):
            self.rate_limit[method] -= 1
            self.rate_limited += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "0"})
        self.calls.append((method, payload))
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            self.connections_opened += 1
            return web.json_response({"ok": True, "url": f"ws://{request.host}/link"})
        if token != BOT_TOKEN:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": BOT_USER, "bot_id": "BBOT",
                                      "team_id": "T1", "user": "exemples", "team": "Essai"})
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = str(payload.get("channel", ""))
            if channel.startswith("U"):
                channel = "D" + channel[1:]  # a direct message
            ts = payload.get("ts") or f"{1700000000 + next(self._ids)}.000100"
            return web.json_response({"ok": True, "channel": channel, "ts": ts,
                                      "message_ts": ts})
        if method == "views.open":
            return web.json_response({"ok": True, "view": {"id": f"V{next(self._ids)}"}})
        if method == "users.info":
            user = payload.get("user", "")
            return web.json_response({"ok": True, "user": {
                "id": user, "name": user.lower(),
                "profile": {"display_name": self.names.get(user, ""),
                            "real_name": self.names.get(user, user)}}})
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_url"] = str(request.url.path)
        self.responses.append(body)
        return web.Response(text="ok")

    # -- Socket Mode ----------------------------------------------------------------------

    async def link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A1"}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "envelope_id" in data:
                self.acks[data["envelope_id"]] = data.get("payload") or {}
        return ws

    def socket(self) -> web.WebSocketResponse:
        open_ones = [ws for ws in self.sockets if not ws.closed]
        assert open_ones, "the bot has no Socket Mode connection"
        return open_ones[-1]

    async def send(self, kind: str, payload: dict, retry_attempt: int = 0,
                   envelope_id: str | None = None) -> str:
        envelope_id = envelope_id or f"env-{next(self._ids)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api"}
        if retry_attempt:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout"
        await self.socket().send_str(json.dumps(envelope))
        return envelope_id

    async def disconnect(self) -> None:
        """Slack asks the client to reconnect (as it does every few hours)."""
        await self.socket().send_str(json.dumps({"type": "disconnect",
                                                 "reason": "refresh_requested"}))

    # -- what members do ------------------------------------------------------------------

    def response_url(self) -> str:
        return f"{self.base}/response/{next(self._ids)}"

    async def command(self, command: str, text: str = "", user: str = "U1",
                      channel: str = "C1") -> tuple[str, str]:
        url = self.response_url()
        envelope = await self.send("slash_commands", {
            "token": "x", "team_id": "T1", "channel_id": channel, "user_id": user,
            "user_name": user.lower(), "command": command, "text": text, "api_app_id": "A1",
            "response_url": url, "trigger_id": f"trigger-{next(self._ids)}"})
        return envelope, url

    async def event(self, event: dict, event_id: str, retry_attempt: int = 0) -> str:
        return await self.send("events_api", {
            "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]},
            retry_attempt=retry_attempt)

    async def mention(self, text: str, event_id: str, user: str = "U1",
                      channel: str = "C1", retry_attempt: int = 0) -> str:
        return await self.event({"type": "app_mention", "user": user, "channel": channel,
                                 "text": f"<@{BOT_USER}> {text}", "ts": "1.1",
                                 "event_ts": "1.1"}, event_id, retry_attempt)

    async def direct(self, text: str, event_id: str, user: str = "U1",
                     **extra) -> str:
        return await self.event({"type": "message", "channel_type": "im", "user": user,
                                 "channel": "D" + user[1:], "text": text, "ts": "2.2",
                                 "event_ts": "2.2", **extra}, event_id)

    async def click(self, action: dict, user: str = "U1", channel: str = "C1",
                    message: dict | None = None) -> tuple[str, str]:
        url = self.response_url()
        envelope = await self.send("interactive", {
            "type": "block_actions", "user": {"id": user, "name": user.lower()},
            "team": {"id": "T1"}, "api_app_id": "A1", "trigger_id": f"trigger-{next(self._ids)}",
            "response_url": url, "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "3.3"},
            "message": message or {"ts": "3.3"}, "actions": [action]})
        return envelope, url

    async def submit_view(self, view: dict, values: dict, user: str = "U1") -> str:
        """Submit a form that the bot opened: `values` maps block ids to a text, a chosen key
        (for a select) or a list of keys (for a multi-select)."""
        state: dict = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"])
            if element["type"] == "static_select":
                entry = {"type": "static_select",
                         "selected_option": {"value": value} if value else None}
            elif element["type"] == "multi_static_select":
                entry = {"type": "multi_static_select",
                         "selected_options": [{"value": v} for v in value or []]}
            else:
                entry = {"type": element["type"], "value": value}
            state[block["block_id"]] = {element["action_id"]: entry}
        return await self.send("interactive", {
            "type": "view_submission", "user": {"id": user, "name": user.lower()},
            "team": {"id": "T1"}, "api_app_id": "A1",
            "view": {"id": "V1", "type": "modal", "callback_id": view["callback_id"],
                     "private_metadata": view.get("private_metadata", ""),
                     "state": {"values": state}}})

    # -- waiting for the bot --------------------------------------------------------------

    async def until(self, predicate, timeout: float = 30, what: str = "the bot") -> object:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    async def ack(self, envelope_id: str) -> dict:
        found = await self.until(lambda: envelope_id in self.acks and [self.acks[envelope_id]],
                                 what=f"the acknowledgement of {envelope_id}")
        return found[0]

    async def response(self, url: str, count: int = 1) -> list[dict]:
        path = url.split(self.base, 1)[1]
        return await self.until(lambda: (found := [r for r in self.responses
                                                   if r["_url"] == path])
                                and len(found) >= count and found, what=f"a reply to {path}")

    def called(self, method: str) -> list[dict]:
        return [p for m, p in self.calls if m == method]

    async def call(self, method: str, count: int = 1, where=None) -> list[dict]:
        def found():
            calls = [p for p in self.called(method) if where is None or where(p)]
            return len(calls) >= count and calls
        return await self.until(found, what=f"{count} call(s) to {method}")
