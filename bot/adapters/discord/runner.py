"""Discord's part of `python -m bot run`: connect with the given core, stop when told to,
and explain in French what to fix when Discord refuses the start."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import aiohttp
import discord

from bot.config import Config
from bot.core.commands import Assistant

log = logging.getLogger("bot")

NO_TOKEN = """\
Aucun jeton Discord n'est configuré.
1. Ouvrez https://discord.com/developers/applications et choisissez votre application
   (ou « New Application »).
2. Onglet « Bot » : « Reset Token », copiez le jeton.
3. Mettez-le dans la variable d'environnement DISCORD_TOKEN, ou dans un fichier .env à la racine
   du projet (une ligne DISCORD_TOKEN=votre-jeton ; ce fichier n'est jamais versionné).
Sans jeton, « make run » ouvre la console du bot dans le terminal."""

BAD_TOKEN = """\
Discord a refusé le jeton (401 Unauthorized).
Régénérez-le dans https://discord.com/developers/applications → votre application → « Bot » →
« Reset Token », puis remplacez la valeur de DISCORD_TOKEN (variable d'environnement ou .env)."""

MISSING_INTENT = """\
Discord refuse la connexion (code 4014) : l'intent privilégié « Message Content » n'est pas
activé pour ce bot, alors qu'il en a besoin pour lire « !exemple ».
Activez-le : https://discord.com/developers/applications → votre application → « Bot » →
« Privileged Gateway Intents » → cochez « MESSAGE CONTENT INTENT » → « Save Changes »,
puis relancez « make run »."""

UNREACHABLE = """\
Impossible de joindre Discord ({error}). Vérifiez la connexion Internet de la machine
(et un éventuel proxy), puis relancez."""


def point_at_test_server() -> None:
    """For end-to-end tests only: BOT_TEST_DISCORD_API and BOT_TEST_DISCORD_GATEWAY send
    discord.py to a fake Discord on 127.0.0.1 instead of discord.com."""
    api, gateway = os.environ.get("BOT_TEST_DISCORD_API"), os.environ.get(
        "BOT_TEST_DISCORD_GATEWAY")
    if api and gateway:
        import discord.gateway
        import discord.http
        import yarl

        discord.http.Route.BASE = api
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


async def serve(config: Config, token: str, *, assistant: Assistant,
                stopping: asyncio.Event | None = None, **bot_options) -> int:
    """Run the bot on the given core until `stopping` is set (given by the wiring, which then
    also handles the signals) or, without it, until SIGTERM/SIGINT; or until a fatal error.
    Returns the exit status. The core is neither opened nor closed here."""
    from bot.adapters.discord.client import create_bot

    bot = create_bot(config, assistant, **bot_options)
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    if stopping is None:
        stopping = asyncio.Event()

        def stop() -> None:
            if not stopping.is_set():
                log.info("arrêt demandé : fermeture propre")
                stopping.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stop)
                handled.append(sig)
            except (NotImplementedError, RuntimeError):  # not on the main thread (tests)
                pass

    async def close_when_told() -> None:
        await stopping.wait()
        await bot.close()

    closer = asyncio.create_task(close_when_told(), name="discord-stop")
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(MISSING_INTENT, file=sys.stderr)
        return 2
    except (aiohttp.ClientConnectionError, OSError) as exc:
        print(UNREACHABLE.format(error=exc), file=sys.stderr)
        return 3
    finally:
        closer.cancel()
        if not bot.is_closed():
            await bot.close()
        for sig in handled:
            loop.remove_signal_handler(sig)
    return 0
