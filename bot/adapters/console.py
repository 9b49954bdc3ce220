"""The terminal console: each input line is one chat message, replies are printed as text."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.adapters.text import render
from bot.core.commands import Assistant, Caller

BANNER = """\
Bienvenue ! Ceci est la console du bot d'exemples numériques pour TPE/PME.
Tapez par exemple « !exemple industrie » ou « !aide » ; Ctrl-D pour quitter.
Pour le brancher sur Discord ou Slack : mettez ses jetons dans l'environnement ou dans un
fichier .env (DISCORD_TOKEN ; SLACK_BOT_TOKEN et SLACK_APP_TOKEN), puis relancez « make run »
(détails dans le README)."""


async def run_console(
    assistant: Assistant,
    caller: Caller,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    banner: str | None = None,
    before_each: callable | None = None,
) -> None:
    interactive = stdin.isatty()
    if interactive and banner:
        print(banner, file=stdout)
        print(file=stdout)
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            print(f"{caller.name}> ", end="", file=stdout, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if before_each is not None:
            for reply in await before_each(caller):
                print(render(reply, assistant.prefix), file=stdout)
                print(file=stdout)
        replies = await assistant.handle(line, caller)
        if not replies:
            print(f"(Les commandes commencent par « {assistant.prefix} » : "
                  f"tapez {assistant.prefix}aide.)", file=stdout)
        for reply in replies:
            print(render(reply, assistant.prefix), file=stdout)
            print(file=stdout, flush=True)
    if interactive:
        print("À bientôt !", file=stdout)
