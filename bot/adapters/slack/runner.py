"""Slack's part of `python -m bot run`: check the tokens, connect, stop when told to."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass

from bot.config import Config
from bot.core.commands import Assistant

log = logging.getLogger("bot")
APPS_PAGE = "https://api.slack.com/apps"


@dataclass(frozen=True)
class SlackCredentials:
    bot_token: str  # xoxb-…: the bot's Web API token
    app_token: str  # xapp-…: the app-level token that opens the Socket Mode link
    api_url: str = "https://slack.com/api/"

    def problems(self) -> list[str]:
        """What is wrong with the tokens as written, in French, before asking Slack."""
        problems = []
        if self.bot_token.startswith("xapp-") and self.app_token.startswith("xoxb-"):
            return ["SLACK_BOT_TOKEN et SLACK_APP_TOKEN sont inversés : le jeton du bot commence "
                    "par xoxb-, celui de l'application par xapp-. Échangez leurs valeurs."]
        if not self.bot_token:
            problems.append(
                "SLACK_APP_TOKEN est défini mais pas SLACK_BOT_TOKEN. Copiez le « Bot User OAuth "
                f"Token » (xoxb-…) depuis {APPS_PAGE} → votre application → « OAuth & "
                "Permissions », et mettez-le dans SLACK_BOT_TOKEN (environnement ou .env).")
        elif not self.bot_token.startswith("xoxb-"):
            problems.append(
                "SLACK_BOT_TOKEN doit commencer par xoxb- (le « Bot User OAuth Token » de la page "
                "« OAuth & Permissions ») ; un jeton xoxp- est celui d'une personne, pas du bot.")
        if not self.app_token:
            problems.append(
                "SLACK_BOT_TOKEN est défini mais pas SLACK_APP_TOKEN, nécessaire au Socket "
                f"Mode. Créez-le dans {APPS_PAGE} → votre application → « Basic Information » → "
                "« App-Level Tokens » (portée connections:write), puis mettez-le dans "
                "SLACK_APP_TOKEN (environnement ou .env).")
        elif not self.app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN doit commencer par xapp- (un « App-Level Token » "
                            "de la page « Basic Information »).")
        if not self.api_url.startswith(("https://", "http://")):
            problems.append(f"SLACK_API_URL doit être une adresse http(s) ; par défaut : "
                            f"https://slack.com/api/ (reçu : {self.api_url[:100]}).")
        return problems


async def serve(assistant: Assistant, config: Config, credentials: SlackCredentials,
                stopping: asyncio.Event) -> int:
    """Connect to Slack with the given core, run until `stopping` is set; the exit status."""
    from bot.adapters.slack.client import SlackBot, SlackStartError

    bot = SlackBot(assistant, config, credentials.bot_token, credentials.app_token,
                   credentials.api_url)
    try:
        await bot.start()
    except SlackStartError as exc:
        print(exc.message, file=sys.stderr)
        await bot.close()
        return 2
    try:
        await stopping.wait()
    finally:
        await bot.close()
    return 0
