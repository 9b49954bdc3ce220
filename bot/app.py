"""Wiring of the command line: the console, and `run`, which starts every chat platform whose
credentials are set, in one process, on one core and one state database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from bot.adapters.console import BANNER, run_console
from bot.config import Config, ConfigError, load_config, read_token
from bot.core import curation
from bot.core.commands import Assistant, Caller
from bot.core.replies import Message, Reply
from bot.storage.database import DatabaseError
from bot.wiring import open_core, read_secret

__all__ = ["open_core", "run_chat", "run_console_app", "token_configured"]

log = logging.getLogger("bot")
STOPPING = "arrêt demandé : fermeture propre"
DEFAULT_SLACK_API = "https://slack.com/api/"

NO_SLACK = """\
Aucun jeton Slack n'est configuré non plus. Pour Slack : créez l'application depuis
slack-manifest.yaml, puis mettez le jeton du bot (xoxb-…) dans SLACK_BOT_TOKEN et celui de
l'application (xapp-…) dans SLACK_APP_TOKEN, de la même façon (environnement ou .env) ; le
README détaille chaque étape."""


def no_platform_message() -> str:
    from bot.adapters.discord.runner import NO_TOKEN

    return f"{NO_TOKEN}\n\n{NO_SLACK}"


def slack_credentials():
    """The Slack tokens when at least one is set (the adapter checks they go together)."""
    from bot.adapters.slack.runner import SlackCredentials

    bot_token, app_token = read_secret("SLACK_BOT_TOKEN"), read_secret("SLACK_APP_TOKEN")
    if bot_token is None and app_token is None:
        return None
    api_url = read_secret("SLACK_API_URL") or DEFAULT_SLACK_API
    return SlackCredentials(bot_token or "", app_token or "", api_url)


def token_configured() -> bool:
    """Whether `python -m bot` with no subcommand should start the chat bot (else the console)."""
    return read_token() is not None or read_secret("SLACK_BOT_TOKEN") is not None \
        or read_secret("SLACK_APP_TOKEN") is not None


def terminal_progress(label: str = "Préparation de la recherche par le sens"):
    """A progress display on stderr: a bar on a terminal, a line every 10 % otherwise."""
    tty = sys.stderr.isatty()
    shown = {"tenth": -1}

    def show(done: int, todo: int) -> None:
        if todo <= 0:
            return
        if tty:
            filled = 20 * done // todo
            end = "\n" if done >= todo else ""
            print(f"\r{label} [{'█' * filled}{'·' * (20 - filled)}] {done}/{todo} exemples",
                  end=end, file=sys.stderr, flush=True)
            return
        tenth = 10 * done // todo
        if tenth != shown["tenth"]:
            shown["tenth"] = tenth
            print(f"{label} : {done}/{todo} exemples", file=sys.stderr, flush=True)

    return show


# -- the console ------------------------------------------------------------------------------


async def console_turn_hook(assistant: Assistant, caller: Caller) -> list[Reply]:
    """Before each console message: reload hand edits, deliver the member's notifications."""
    replies: list[Reply] = []
    knowledge = assistant.knowledge
    if await asyncio.to_thread(knowledge.changed_on_disk):
        result = await assistant.workflow.reload()
        if result.problems and caller.is_admin:
            replies += curation.problems_reply(curation.WorkflowError(
                "Les fichiers de la base ont changé mais contiennent des erreurs : la dernière "
                "version valide reste en service.", result.problems))
        elif not result.problems and caller.is_admin:
            replies.append(Message(f"Base rechargée après modification des fichiers : "
                                   f"{result.base.summary_line()}."))
    replies += await curation.deliver_console_notices(assistant, caller)
    return replies


def _config_or_none(path) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        print("La configuration est refusée :", file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem}", file=sys.stderr)
        return None


async def run_console_app(args: argparse.Namespace) -> int:
    config = _config_or_none(args.config)
    if config is None:
        return 2
    try:
        async with open_core(config, args.knowledge, args.db, semantic="now",
                             progress=terminal_progress()) as (assistant, result):
            for problem in result.problems:
                print(f"Attention : {problem}", file=sys.stderr)
            user = args.user or os.environ.get("USER") or "vous"
            caller = Caller(id=f"console:{user}", name=user, is_admin=args.admin)
            banner = BANNER if getattr(args, "banner", False) else None

            async def before_each(c: Caller) -> list[Reply]:
                return await console_turn_hook(assistant, c)

            await run_console(assistant, caller, banner=banner, before_each=before_each)
    except DatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


# -- the chat platforms -------------------------------------------------------------------------


def run_chat(args: argparse.Namespace) -> int:
    """`python -m bot run`: Discord and/or Slack, whichever have credentials."""
    config = _config_or_none(args.config)
    if config is None:
        return 2
    discord_token = read_token()
    slack = slack_credentials()
    if slack is not None and slack.problems():
        print("\n".join(slack.problems()), file=sys.stderr)
        return 2
    if discord_token is None and slack is None:
        print(no_platform_message(), file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(serve_platforms(config, discord_token, slack))


async def _serve_discord(config: Config, token: str, assistant: Assistant,
                         stopping: asyncio.Event) -> int:
    from bot.adapters.discord import runner

    runner.point_at_test_server()
    return await runner.serve(config, token, assistant=assistant, stopping=stopping)


async def serve_platforms(config: Config, discord_token: str | None, slack) -> int:
    """Run every configured platform until SIGTERM/SIGINT or until one of them stops."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def stop() -> None:
        if not stopping.is_set():
            log.info(STOPPING)
            stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop)
        except (NotImplementedError, RuntimeError):  # not on the main thread (tests)
            pass
    try:
        async with open_core(config, semantic="background",
                             progress=terminal_progress()) as (assistant, result):
            for problem in result.problems:
                log.warning("base de connaissances : %s", problem)
            tasks: list[asyncio.Task] = []
            if slack is not None:
                from bot.adapters.slack.runner import serve as serve_slack

                tasks.append(asyncio.create_task(
                    serve_slack(assistant, config, slack, stopping), name="slack"))
            if discord_token is not None:
                tasks.append(asyncio.create_task(
                    _serve_discord(config, discord_token, assistant, stopping), name="discord"))
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            stopping.set()  # one platform stopped (signal or fatal error): stop the others
            statuses = await asyncio.gather(*tasks, return_exceptions=True)
            first = statuses[tasks.index(next(iter(done)))]
        # leaving `open_core`: an approval under way finishes, then the database closes
    except DatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    codes = []
    for status in [first, *statuses]:
        if isinstance(status, asyncio.CancelledError):
            codes.append(0)
        elif isinstance(status, BaseException):
            raise status
        else:
            codes.append(status)
    return codes[0] or max(codes)
