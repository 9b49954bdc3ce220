"""The Slack adapter: slack-bolt's AsyncApp over Socket Mode, translating to and from the core.

Slash commands, `@bot …` mentions and direct messages go to `Assistant.dispatch`/`handle`; the
replies come back as Block Kit (`blocks.py`). Every interaction is acknowledged first (Slack
wants it within 3 s) and the slow work (search, file writes, posting) happens after.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections import OrderedDict

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks as bk
from bot.config import Config
from bot.core.commands import MAX_RESULTS, Assistant, Caller, clean_input, registry
from bot.core.curation import describe, notice_reply, submission_card, submit
from bot.core.ports import Identity
from bot.core.replies import Message, Reply, Results
from bot.core.submissions import Draft, ModerationListener, WorkflowError

log = logging.getLogger(__name__)
PLATFORM = "slack"  # the state database's name for this platform (moderation posts)
SEEN_EVENTS = 2000
REGISTRY = {command.name: command for command in registry()}
# answered to the member alone: the registry's private commands, under any of their names
PRIVATE_COMMANDS = {name for command in REGISTRY.values() if command.private
                    for name in (command.name, *command.aliases)}
SLASH = {f"/{name}": name for name in bk.SLASH_COMMANDS}
NOT_YOURS = ("Ces boutons sont réservés à la personne qui a fait la recherche : lancez la vôtre "
             "avec /exemple.")
ADMINS_ONLY = "Seuls les administrateurs du bot peuvent décider des propositions."
OOPS = "Oups, quelque chose s'est mal passé de mon côté. Réessayez dans un instant."
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\|[^>]*)?>")
DECISIONS = {"approved": "✅ Validée par {who}.", "rejected": "❌ Refusée par {who}."}


def manifest_slash_commands() -> list[dict]:
    """The `slash_commands` of slack-manifest.yaml, from the registry: each served command
    with its "/" menu description and its usage (`python -m bot.adapters.slack.client` prints
    them)."""
    entries = []
    for name in bk.SLASH_COMMANDS:
        command = REGISTRY[name]
        entry: dict = {"command": f"/{name}", "description": command.menu_description}
        hint = command.usage.partition(" ")[2]
        if hint:
            entry["usage_hint"] = hint
        entry["should_escape"] = False
        entries.append(entry)
    return entries


def from_slack(text: str) -> str:
    """Slack's wire format back to what the member typed: links, mentions, `&lt;`…"""
    text = _LINK.sub(lambda m: m[1], text)
    text = _USER.sub(lambda m: "@" + (m[2] or m[1]), text)
    text = _CHANNEL.sub(lambda m: "#" + (m[2] or m[1]), text)
    text = _SPECIAL.sub(lambda m: "@" + m[1], text)
    return clean_input(html.unescape(text))


class SlackStartError(Exception):
    """Slack refused the start (token, network): `message` says what to fix, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


BAD_BOT_TOKEN = """\
Slack a refusé le jeton du bot (auth.test : {error}).
Copiez le « Bot User OAuth Token » (il commence par xoxb-) depuis https://api.slack.com/apps →
votre application → « OAuth & Permissions » (réinstallez l'application dans l'espace de travail
s'il n'y en a pas), puis remplacez la valeur de SLACK_BOT_TOKEN (variable d'environnement ou
.env)."""

BAD_APP_TOKEN = """\
Slack a refusé le jeton de l'application (apps.connections.open : {error}).
Créez-en un dans https://api.slack.com/apps → votre application → « Basic Information » →
« App-Level Tokens » → « Generate Token and Scopes », avec la portée connections:write ; il
commence par xapp-. Vérifiez aussi que « Socket Mode » est activé, puis remplacez la valeur de
SLACK_APP_TOKEN (variable d'environnement ou .env)."""

UNREACHABLE = """\
Impossible de joindre Slack ({error}). Vérifiez la connexion Internet de la machine (et un
éventuel proxy), ainsi que SLACK_API_URL si vous l'avez changée, puis relancez."""


class SlackBot(ModerationListener):
    """One workspace, one bot token; the core is given, never opened here."""

    def __init__(self, assistant: Assistant, config: Config, bot_token: str, app_token: str,
                 api_url: str = "https://slack.com/api/"):
        self.assistant = assistant
        self.config = config
        self.admins = set(config.slack_admins)
        self.client = AsyncWebClient(
            token=bot_token, base_url=api_url if api_url.endswith("/") else api_url + "/",
            retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=2),
                            AsyncRateLimitErrorRetryHandler(max_retry_count=5)])
        self.app_token = app_token
        self.app = AsyncApp(client=self.client, request_verification_enabled=False,
                            logger=logging.getLogger("slack_bolt"))
        self.handler: AsyncSocketModeHandler | None = None
        self.bot_user_id = ""
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._names: dict[str, str] = {}
        self._tasks: set[asyncio.Task] = set()
        self._register()

    # -- life cycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Check both tokens (French message on refusal), then open the Socket Mode link."""
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            raise SlackStartError(BAD_BOT_TOKEN.format(error=exc.response.get("error"))) from exc
        except (TimeoutError, OSError) as exc:
            raise SlackStartError(UNREACHABLE.format(error=exc)) from exc
        self.bot_user_id = auth.get("user_id") or ""
        try:
            opened = await self.client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as exc:
            raise SlackStartError(BAD_APP_TOKEN.format(error=exc.response.get("error"))) from exc
        except (TimeoutError, OSError) as exc:
            raise SlackStartError(UNREACHABLE.format(error=exc)) from exc
        self.handler = AsyncSocketModeHandler(self.app, self.app_token, web_client=self.client)
        self.handler.client.wss_uri = opened["url"]
        await self.handler.connect_async()
        if self.assistant.workflow is not None:
            self.assistant.workflow.listeners.append(self)
        log.info("connecté à Slack (%s, espace %s)", auth.get("user"), auth.get("team"))

    async def close(self) -> None:
        workflow = self.assistant.workflow
        if workflow is not None and self in workflow.listeners:
            workflow.listeners.remove(self)
        if self.handler is not None:
            await self.handler.close_async()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def later(self, coro) -> None:
        """Slow work after the acknowledgement, kept until done (and awaited on close)."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- who is talking -------------------------------------------------------------------

    async def name_of(self, user_id: str, hint: str | None = None) -> str:
        if user_id in self._names:
            return self._names[user_id]
        name = hint or user_id
        try:
            info = await self.client.users_info(user=user_id)
            profile = info["user"].get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or \
                info["user"].get("real_name") or info["user"].get("name") or name
        except (SlackApiError, KeyError, TypeError, OSError):
            log.debug("users.info failed for %s", user_id)
        self._names[user_id] = name
        return name

    async def caller(self, user_id: str, channel: str | None = None,
                     hint: str | None = None) -> Caller:
        return Caller(id=Identity(PLATFORM, user_id).key, name=await self.name_of(user_id, hint),
                      is_admin=user_id in self.admins, origin=Identity(PLATFORM, channel or "").key)

    def first_time(self, event_id: str | None) -> bool:
        """False for an event Slack sends again (a retry) after we already handled it."""
        if not event_id:
            return True
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > SEEN_EVENTS:
            self._seen.popitem(last=False)
        return True

    async def refresh_knowledge(self) -> None:
        """Hand edits of the knowledge folder, re-read before answering (with approvals
        serialised by the workflow; the file check never blocks the event loop)."""
        knowledge = self.assistant.knowledge
        if await asyncio.to_thread(knowledge.changed_on_disk):
            workflow = self.assistant.workflow
            result = await (workflow.reload() if workflow is not None
                            else asyncio.to_thread(knowledge.load))
            for problem in result.problems[:15]:
                log.warning("base de connaissances : %s", problem)

    # -- registering the listeners --------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        for command in SLASH:
            app.command(command)(self.on_slash)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.action(re.compile(r"^page:"))(self.on_page)
        app.action(re.compile(r"^example:"))(self.on_example_menu)
        app.action(re.compile(r"^vote:"))(self.on_vote_button)
        app.action(re.compile(r"^act:"))(self.on_follow_up)
        app.action(re.compile(r"^mod:"))(self.on_moderation)
        app.view("proposer")(self.on_proposal_form)
        app.view("rejeter")(self.on_reject_form)
        app.view("modifier")(self.on_edit_form)
        app.error(self.on_error)

    async def on_error(self, error: Exception, body: dict) -> None:
        log.error("Slack request failed: %s", body.get("type"), exc_info=error)

    # -- sending --------------------------------------------------------------------------

    async def reply_via(self, respond, replies: list[Reply], owner: str, private: bool) -> None:
        """Answer a slash command or a button through its response_url."""
        for reply in replies or [Message("Rien à afficher.")]:
            out = bk.render(reply, owner)
            kind = "ephemeral" if private or out.private else "in_channel"
            await respond(response_type=kind, replace_original=False, **out.kwargs())

    async def post(self, channel: str, user: str, replies: list[Reply], thread_ts: str | None,
                   direct: bool) -> None:
        """Answer a mention or a direct message in its channel (private ones only to `user`)."""
        for reply in replies:
            out = bk.render(reply, user)
            try:
                if out.private and not direct:
                    await self.client.chat_postEphemeral(channel=channel, user=user,
                                                         thread_ts=thread_ts, **out.kwargs())
                else:
                    await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                                       **out.kwargs())
            except SlackApiError as exc:
                log.warning("could not answer in %s: %s", channel, exc.response.get("error"))

    async def tell(self, user: str, replies: list[Reply]) -> None:
        """A direct message to `user` (the form's results, notices)."""
        for reply in replies:
            out = bk.render(reply, user)
            try:
                await self.client.chat_postMessage(channel=user, **out.kwargs())
            except SlackApiError as exc:
                log.warning("could not message %s: %s", user, exc.response.get("error"))

    async def ephemeral(self, respond, text: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, text=bk.esc(text))

    # -- slash commands -------------------------------------------------------------------

    async def on_slash(self, ack, body: dict, respond, client) -> None:
        await ack()
        name = SLASH.get(body.get("command", ""), "aide")
        text = from_slack(body.get("text") or "").strip()
        user, channel = body.get("user_id", ""), body.get("channel_id")
        caller = await self.caller(user, channel, body.get("user_name"))
        if name == "proposer" and not text:
            await self.open_proposal_form(body.get("trigger_id"), caller, respond, channel)
            return
        await self.refresh_knowledge()
        try:
            replies = await self.assistant.dispatch(name, text, caller)
        except Exception:
            log.exception("/%s %r failed", name, text)
            replies = [Message(OOPS, tone="error")]
        await self.reply_via(respond, replies, user, private=name in PRIVATE_COMMANDS)

    async def open_proposal_form(self, trigger_id: str | None, caller: Caller, respond,
                                 channel: str | None) -> None:
        workflow = self.assistant.workflow
        try:
            await workflow.check_limits(caller.id)
        except WorkflowError as exc:
            await self.ephemeral(respond, describe(exc, self.assistant.prefix))
            return
        taxonomy = self.assistant.index.base.taxonomy
        index = self.assistant.index

        def choices(facet: str) -> list[tuple[str, str]]:
            terms = taxonomy.facets[facet]
            ranked = sorted(terms, key=lambda k: (-index.count(facet, k), terms[k].label.lower()))
            kept = ranked[:bk.OPTIONS_MAX]
            return sorted(((k, terms[k].label) for k in kept), key=lambda kv: kv[1].lower())

        view = bk.proposal_view(choices("secteurs"), choices("outils"),
                                json.dumps({"channel": channel or ""}))
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))
            p = self.assistant.prefix
            await self.ephemeral(respond, "Le formulaire n'a pas pu s'ouvrir. Écrivez tout sur "
                                 f"une ligne : /proposer SECTEUR | OUTILS | RÉSUMÉ | SOURCE, ou "
                                 f"envoyez-moi « {p}proposer » en message privé pour être guidé.")

    # -- mentions and direct messages -----------------------------------------------------

    async def on_mention(self, body: dict, event: dict) -> None:
        if not self.first_time(body.get("event_id")) or event.get("bot_id"):
            return
        await self.on_text(event, direct=False)

    async def on_message(self, body: dict, event: dict) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # edits, joins, other bots and ourselves; channels come as mentions
        if event.get("user") == self.bot_user_id or not self.first_time(body.get("event_id")):
            return
        await self.on_text(event, direct=True)

    async def on_text(self, event: dict, direct: bool) -> None:
        user, channel = event.get("user", ""), event.get("channel", "")
        raw = event.get("text") or ""
        if self.bot_user_id:
            raw = raw.replace(f"<@{self.bot_user_id}>", " ")
        text = from_slack(raw).strip()
        caller = await self.caller(user, channel)
        await self.refresh_knowledge()
        try:
            replies = await self.text_replies(text, caller)
        except Exception:
            log.exception("message %r failed", text)
            replies = [Message(OOPS, tone="error")]
        thread = event.get("thread_ts") if not direct else None
        await self.post(channel, user, replies, thread, direct)

    async def text_replies(self, text: str, caller: Caller) -> list[Reply]:
        """Typed text: a command with or without the prefix, a dialogue answer, or a question."""
        assistant, prefix = self.assistant, self.assistant.prefix
        if not text:
            return [Message(f"Bonjour ! Demandez-moi par exemple « {prefix}exemple industrie », "
                            f"ou tapez {prefix}aide.")]
        session = assistant.sessions.get(caller.id)
        in_dialogue = session is not None and session.dialogue is not None
        if text.startswith(prefix) or in_dialogue:
            return await assistant.handle(text, caller)
        first = text.split(None, 1)[0].lower()
        if first in assistant.commands:
            return await assistant.handle(prefix + text, caller)
        return await assistant.dispatch("question", text, caller)

    # -- buttons and menus ----------------------------------------------------------------

    async def on_page(self, ack, body: dict, action: dict, respond) -> None:
        await ack()
        decoded = bk.read_page_value(action.get("value", ""))
        user = body.get("user", {}).get("id", "")
        if decoded is None:
            return
        query, start, owner = decoded
        if owner and user != owner:
            await self.ephemeral(respond, NOT_YOURS)
            return
        assistant = self.assistant
        result = assistant.index.search(query, limit=MAX_RESULTS)
        if not result.hits:
            await self.ephemeral(respond, "Cette recherche ne donne plus rien : la base a changé. "
                                          "Relancez-la avec /exemple.")
            return
        page: Results = assistant.page_of(result, start)
        session = assistant.session(await self.caller(user))
        session.last_search, session.shown = result, page.start - 1 + len(page.cards)
        await respond(replace_original=True, **bk.render(page, owner).kwargs())

    async def show_card(self, respond, user: str, example_id: str) -> None:
        replies = await self.assistant.dispatch("fiche", example_id, await self.caller(user))
        await self.reply_via(respond, replies, user, private=True)

    async def vote(self, respond, user: str, example_id: str, value: int) -> None:
        try:
            await self.assistant.workflow.vote(Identity(PLATFORM, user).key, example_id, value)
        except WorkflowError as exc:
            await self.ephemeral(respond, describe(exc, self.assistant.prefix))
            return
        await self.ephemeral(respond, "Merci ! Votre avis aide à mieux classer les exemples."
                             if value > 0 else "Merci pour votre avis : les administrateurs "
                             "verront quels exemples améliorer.")

    async def on_example_menu(self, ack, body: dict, action: dict, respond) -> None:
        await ack()
        value = (action.get("selected_option") or {}).get("value", "")
        await self.example_choice(respond, body.get("user", {}).get("id", ""), value)

    async def on_vote_button(self, ack, body: dict, action: dict, respond) -> None:
        await ack()
        await self.example_choice(respond, body.get("user", {}).get("id", ""),
                                  action.get("value", ""))

    async def example_choice(self, respond, user: str, value: str) -> None:
        kind, _, rest = value.partition(":")
        if kind == "card" and rest:
            await self.show_card(respond, user, rest)
        elif kind == "vote":
            example_id, _, number = rest.rpartition(":")
            if example_id and number in ("1", "-1"):
                await self.vote(respond, user, example_id, int(number))

    async def on_follow_up(self, ack, body: dict, action: dict, respond) -> None:
        """A structured follow-up of the core (`Action`): search, card, next, propose…"""
        await ack()
        kind = action.get("action_id", "").split(":")[1] if ":" in action.get(
            "action_id", "") else ""
        arg = action.get("value", "")
        user = body.get("user", {}).get("id", "")
        channel = (body.get("channel") or {}).get("id")
        caller = await self.caller(user, channel)
        if kind == "propose":
            await self.open_proposal_form(body.get("trigger_id"), caller, respond, channel)
            return
        if kind == "vote":
            example_id, _, number = arg.rpartition(":")
            if number in ("1", "-1"):
                await self.vote(respond, user, example_id, int(number))
            return
        commands = {"search": ("exemple", arg), "card": ("fiche", arg), "next": ("suite", "")}
        if kind in commands:
            name, args = commands[kind]
            replies = await self.assistant.dispatch(name, args, caller)
        else:
            replies = await self.text_replies(arg, caller)
        await self.reply_via(respond, replies, user, private=kind == "card")

    # -- the proposal form ----------------------------------------------------------------

    def check_form(self, values: dict, draft: Draft, names: dict[str, str]) -> dict[str, str]:
        """Each field through the core's validator; errors by block, for Slack to show inline."""
        validator = self.assistant.workflow.validator
        errors = {}
        for block_id, name in names.items():
            value = values.get(block_id, "")
            if isinstance(value, list):
                value = ", ".join(value)
            value = clean_input(value)
            if not value.strip() and name in ("titre", "source"):
                continue
            try:
                validator.set_field(draft, name, value)
            except WorkflowError as exc:
                errors[block_id] = bk.cut(describe(exc, self.assistant.prefix), 300)
        return errors

    async def on_proposal_form(self, ack, body: dict, view: dict) -> None:
        values = bk.state_values(view)
        draft = Draft(sector="", tools=[], summary="")
        errors = self.check_form(values, draft, {"secteur": "secteur", "outils": "outils",
                                                 "resume": "resume", "titre": "titre",
                                                 "source": "source"})
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user = body.get("user", {})
        try:
            channel = json.loads(view.get("private_metadata") or "{}").get("channel")
        except ValueError:
            channel = None
        caller = await self.caller(user.get("id", ""), channel, user.get("name"))
        replies = await submit(self.assistant, caller, draft, caller.origin)
        await self.tell(user.get("id", ""), replies)

    # -- moderation -----------------------------------------------------------------------

    async def on_moderation(self, ack, body: dict, action: dict, respond) -> None:
        await ack()
        user = body.get("user", {})
        if user.get("id") not in self.admins:
            await self.ephemeral(respond, ADMINS_ONLY)
            return
        kind = action.get("action_id", "").partition(":")[2]
        value = action.get("value", "")
        if not value.isdigit():
            return
        number = int(value)
        caller = await self.caller(user["id"], hint=user.get("name"))
        metadata = json.dumps({"number": number})
        if kind == "reject":
            await self.client.views_open(trigger_id=body.get("trigger_id"),
                                         view=bk.reject_view(number, metadata))
            return
        if kind == "edit":
            try:
                sub = await self.assistant.workflow.get_pending(number)
            except WorkflowError as exc:
                await self.ephemeral(respond, describe(exc, self.assistant.prefix))
                return
            draft = Draft.from_data(sub.data)
            values = {"titre": draft.effective_title()[:120], "resume": draft.summary,
                      "secteur": draft.sector, "outils": ", ".join(draft.tools),
                      "source": draft.source or ""}
            await self.client.views_open(trigger_id=body.get("trigger_id"),
                                         view=bk.edit_view(number, values, json.dumps(
                                             {"number": number, "values": values})))
            return
        if kind == "approve":
            replies = await self.assistant.dispatch("valider", str(number), caller)
            await self.reply_via(respond, replies, user["id"], private=True)

    async def on_reject_form(self, ack, body: dict, view: dict) -> None:
        reason = " ".join(str(bk.state_values(view).get("motif", "")).split())
        if not reason:
            await ack(response_action="errors",
                      errors={"motif": "Indiquez le motif : il sera transmis au membre."})
            return
        await ack()
        number = json.loads(view.get("private_metadata") or "{}").get("number")
        user = body.get("user", {})
        if user.get("id") not in self.admins or not isinstance(number, int):
            return
        caller = await self.caller(user["id"], hint=user.get("name"))
        replies = await self.assistant.dispatch("rejeter", f"{number} {clean_input(reason)}",
                                                caller)
        await self.tell(user["id"], replies)

    async def on_edit_form(self, ack, body: dict, view: dict) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        number, before = metadata.get("number"), metadata.get("values") or {}
        values = bk.state_values(view)
        changed = {k: str(v) for k, v in values.items() if str(v) != before.get(k, "")}
        trial = Draft(sector="", tools=[], summary="")
        errors = self.check_form({k: v for k, v in changed.items() if v.strip()}, trial,
                                 {k: k for k in changed if changed[k].strip()})
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user = body.get("user", {})
        if user.get("id") not in self.admins or not isinstance(number, int):
            return
        if not changed:
            await self.tell(user["id"], [Message("Rien n'a changé.")])
            return
        caller = await self.caller(user["id"], hint=user.get("name"))
        problems = []
        for name, value in changed.items():
            replies = await self.assistant.dispatch(
                "modifier", f"{number} {name}={clean_input(value) or '-'}", caller)
            problems += [r for r in replies if isinstance(r, Message) and r.tone == "error"]
        await self.tell(user["id"], problems or [Message(f"Proposition #{number} modifiée.",
                                                         tone="success")])

    # -- workflow listener: the moderation channel and the members --------------------------

    def moderation_blocks(self, number: int, sub) -> tuple[str, list[dict]]:
        card = submission_card(self.assistant, sub)
        intro = DECISIONS.get(sub.status)
        text = (intro.format(who=bk.esc(sub.decided_by or "?")) if intro
                else "Nouvelle proposition à examiner :")
        blocks = [bk.section(f"*{text}*" if not intro else text),
                  *bk.submission_blocks(card, full=True)]
        if sub.status == "pending":
            blocks.append(bk.moderation_buttons(number))
        return f"Proposition #{number} : {text}", blocks

    async def submitted(self, number: int) -> None:
        channel = self.config.slack_moderation_channel
        if not channel:
            return
        sub = await self.assistant.workflow.get(number)
        text, blocks = self.moderation_blocks(number, sub)
        try:
            posted = await self.client.chat_postMessage(channel=channel, text=text,
                                                        blocks=bk.fit(blocks))
        except SlackApiError as exc:
            log.warning("could not post submission #%s in %s: %s", number, channel,
                        exc.response.get("error"))
            return
        await self.assistant.workflow.db.set_moderation_message(
            number, posted.get("channel") or channel, posted["ts"], platform=PLATFORM)

    async def refresh_moderation_message(self, number: int) -> None:
        where = await self.assistant.workflow.db.moderation_message(number, platform=PLATFORM)
        if where is None:
            return
        channel, ts = where
        sub = await self.assistant.workflow.get(number)
        text, blocks = self.moderation_blocks(number, sub)
        try:
            await self.client.chat_update(channel=channel, ts=ts, text=text,
                                          blocks=bk.fit(blocks))
        except SlackApiError as exc:
            log.warning("could not update the moderation message of #%s: %s", number,
                        exc.response.get("error"))

    async def deliver_notices(self, member_id: str) -> None:
        """The member's undelivered notices, by direct message (kept if Slack refuses)."""
        user = Identity.parse(member_id).id_on(PLATFORM)
        if user is None:
            return
        db = self.assistant.workflow.db
        for row in await db.undelivered(member_id):
            text = notice_reply(row["text"]).render(bk.esc)
            try:
                await self.client.chat_postMessage(channel=user, text=bk.cut(text, bk.TEXT_MAX),
                                                   blocks=[bk.section(text)])
            except SlackApiError as exc:
                log.warning("could not notify %s: %s", member_id, exc.response.get("error"))
                continue
            await db.mark_delivered(row["id"])


if __name__ == "__main__":  # the manifest's slash commands, to paste into slack-manifest.yaml
    import yaml

    print(yaml.safe_dump({"slash_commands": manifest_slash_commands()}, allow_unicode=True,
                         sort_keys=False), end="")
