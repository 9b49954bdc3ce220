"""Buttons and forms: result pages with votes, the proposal modal, persistent moderation buttons."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord.render import NO_MENTIONS, render, safe
from bot.core.commands import PAGE_SIZE, Caller, clean_input
from bot.core.curation import submit
from bot.core.search import SearchResult
from bot.core.submissions import Draft, WorkflowError

if TYPE_CHECKING:
    from bot.adapters.discord.client import ExamplesBot

log = logging.getLogger(__name__)
RESULTS_TIMEOUT = 600


async def caller_of(bot: ExamplesBot, user: discord.abc.User,
                    channel_id: int | None = None) -> Caller:
    """Who acts, with their admin right checked now, in the server they act from."""
    origin = f"discord:{channel_id}" if channel_id else "discord"
    return Caller(id=f"discord:{user.id}", name=user.display_name,
                  is_admin=await bot.is_admin(user), origin=origin)


async def admin_only(bot: ExamplesBot, interaction: discord.Interaction, what: str) -> bool:
    """Re-check on the server side, at the moment of acting, that the user curates here."""
    if await bot.is_admin(interaction.user):
        return True
    await refuse(interaction, bot.admin_refusal(what, interaction.user))
    return False


async def refuse(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


class OwnedView(discord.ui.View):
    """A view only the member who asked may use; it disables itself when it expires."""

    def __init__(self, owner_id: int, timeout: float | None = RESULTS_TIMEOUT):
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await refuse(interaction, "Ces boutons sont réservés à la personne qui a fait la "
                                      "demande : lancez votre propre recherche avec /exemple.")
            return False
        return True

    async def on_timeout(self) -> None:
        for item in self.children:
            item.disabled = True
        if self.message is not None:
            # a deleted or no longer editable message has nothing left to disable
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)


class ResultsView(OwnedView):
    """◀ Précédent / Suivant ▶, and for each example: Fiche complète, 👍 Utile, 👎 Pas utile."""

    def __init__(self, bot: ExamplesBot, owner_id: int, result: SearchResult, start: int = 0):
        super().__init__(owner_id)
        self.bot = bot
        self.result = result
        self.start = start
        self.rebuild()

    @property
    def page_ids(self) -> list[str]:
        return [h.example.id for h in self.result.hits[self.start:self.start + PAGE_SIZE]]

    def rebuild(self) -> None:
        self.clear_items()
        previous = discord.ui.Button(label="◀ Précédent", style=discord.ButtonStyle.secondary,
                                     disabled=self.start == 0, row=0)
        following = discord.ui.Button(label="Suivant ▶", style=discord.ButtonStyle.secondary,
                                      disabled=self.start + PAGE_SIZE >= len(self.result.hits),
                                      row=0)
        previous.callback = self.make_turn(-PAGE_SIZE)
        following.callback = self.make_turn(PAGE_SIZE)
        self.add_item(previous)
        self.add_item(following)
        for i, example_id in enumerate(self.page_ids):
            rank, row = self.start + i + 1, i + 1
            card = discord.ui.Button(label=f"Fiche complète n°{rank}", row=row,
                                     style=discord.ButtonStyle.primary)
            card.callback = self.make_card(example_id)
            useful = discord.ui.Button(label=f"👍 Utile n°{rank}", row=row,
                                       style=discord.ButtonStyle.success)
            useful.callback = self.make_vote(example_id, 1)
            useless = discord.ui.Button(label=f"👎 Pas utile n°{rank}", row=row,
                                        style=discord.ButtonStyle.danger)
            useless.callback = self.make_vote(example_id, -1)
            for button in (card, useful, useless):
                self.add_item(button)

    def make_turn(self, delta: int):
        async def turn(interaction: discord.Interaction) -> None:
            self.start = max(0, self.start + delta)
            self.rebuild()
            page = self.bot.assistant.page_of(self.result, self.start)
            await interaction.response.edit_message(view=self, **render(page).kwargs())
        return turn

    def make_card(self, example_id: str):
        async def show(interaction: discord.Interaction) -> None:
            replies = await self.bot.assistant.dispatch(
                "fiche", example_id, await caller_of(self.bot, interaction.user))
            await interaction.response.send_message(ephemeral=True, **render(replies[0]).kwargs())
        return show

    def make_vote(self, example_id: str, value: int):
        async def vote(interaction: discord.Interaction) -> None:
            try:
                await self.bot.assistant.workflow.vote(f"discord:{interaction.user.id}",
                                                       example_id, value)
            except WorkflowError as exc:
                await refuse(interaction, exc.message)
                return
            text = ("Merci ! Votre avis aide à mieux classer les exemples." if value > 0 else
                    "Merci pour votre avis : les administrateurs verront quels exemples "
                    "améliorer.")
            await interaction.response.send_message(text, ephemeral=True)
        return vote


class ProposalModal(discord.ui.Modal, title="Proposer un exemple"):
    """The /proposer form (five fields: Discord's maximum per form)."""

    secteur = discord.ui.TextInput(label="Secteur (ex. industrie, btp, commerce)",
                                   max_length=100, custom_id="proposer:secteur")
    outils = discord.ui.TextInput(label="Outils, séparés par des virgules",
                                  placeholder="linkedin, facebook", max_length=200,
                                  custom_id="proposer:outils")
    resume = discord.ui.TextInput(label="La réalisation, en une phrase",
                                  style=discord.TextStyle.paragraph, max_length=300,
                                  custom_id="proposer:resume")
    titre = discord.ui.TextInput(label="Titre court (facultatif)", required=False,
                                 max_length=120, custom_id="proposer:titre")
    source = discord.ui.TextInput(label="Adresse de la source (facultatif)", required=False,
                                  placeholder="https://…", max_length=500,
                                  custom_id="proposer:source")

    def __init__(self, bot: ExamplesBot):
        super().__init__()
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        caller = await caller_of(self.bot, interaction.user, interaction.channel_id)
        validator = self.bot.assistant.workflow.validator
        draft = Draft(sector="", tools=[], summary="")
        errors = []
        for name, item in (("secteur", self.secteur), ("outils", self.outils),
                           ("resume", self.resume), ("titre", self.titre),
                           ("source", self.source)):
            try:
                validator.set_field(draft, name, clean_input(item.value))
            except WorkflowError as exc:
                errors.append(exc.message)
        if errors:
            exc = WorkflowError(" ".join(errors))
            # nothing is lost: the member's text comes back so they can fix and resend it
            recap = "\n".join(f"{name} : {safe(value)}" for name, value in (
                ("Secteur", self.secteur.value), ("Outils", self.outils.value),
                ("Résumé", self.resume.value), ("Titre", self.titre.value),
                ("Source", self.source.value)) if value)
            await refuse(interaction, f"{safe(exc.message)}\n\nVotre saisie, à corriger puis "
                                      f"renvoyer avec /proposer :\n{recap}"[:2000])
            return
        replies = await submit(self.bot.assistant, caller, draft, caller.origin)
        await interaction.response.send_message(ephemeral=True, **render(replies[0]).kwargs())


class OpenFormView(OwnedView):
    """`!proposer` alone: a button that opens the form (modals need an interaction)."""

    def __init__(self, bot: ExamplesBot, owner_id: int):
        super().__init__(owner_id, timeout=300)
        self.bot = bot

    @discord.ui.button(label="Ouvrir le formulaire", style=discord.ButtonStyle.primary)
    async def open_form(self, interaction: discord.Interaction, button: discord.ui.Button):
        await interaction.response.send_modal(ProposalModal(self.bot))


# -- moderation: persistent buttons, one set per submission, working after restarts ---------


class RejectModal(discord.ui.Modal, title="Refuser la proposition"):
    motif = discord.ui.TextInput(label="Motif (transmis au membre)",
                                 style=discord.TextStyle.paragraph, max_length=500,
                                 custom_id="rejeter:motif")

    def __init__(self, bot: ExamplesBot, number: int):
        super().__init__(title=f"Refuser la proposition #{number}")
        self.bot = bot
        self.number = number

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not await admin_only(self.bot, interaction, "ce formulaire"):
            return
        caller = await caller_of(self.bot, interaction.user)
        replies = await self.bot.assistant.dispatch("rejeter", f"{self.number} {self.motif.value}",
                                                    caller)
        await interaction.response.send_message(ephemeral=True, **render(replies[0]).kwargs())


class EditModal(discord.ui.Modal):
    def __init__(self, bot: ExamplesBot, number: int, draft: Draft):
        super().__init__(title=f"Modifier la proposition #{number}")
        self.bot = bot
        self.number = number
        self.inputs = {
            "titre": discord.ui.TextInput(label="Titre", default=draft.effective_title()[:120],
                                          max_length=120),
            "resume": discord.ui.TextInput(label="Résumé (une phrase)", default=draft.summary,
                                           style=discord.TextStyle.paragraph, max_length=300),
            "secteur": discord.ui.TextInput(label="Secteur", default=draft.sector,
                                            max_length=100),
            "outils": discord.ui.TextInput(label="Outils",
                                           default=", ".join(draft.tools)[:200], max_length=200),
            "source": discord.ui.TextInput(label="Source", default=(draft.source or "")[:500],
                                           required=False, max_length=500),
        }
        self.original = {name: item.default for name, item in self.inputs.items()}
        for item in self.inputs.values():
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not await admin_only(self.bot, interaction, "ce formulaire"):
            return
        caller = await caller_of(self.bot, interaction.user)
        messages = []
        for name, item in self.inputs.items():
            if item.value != self.original[name]:
                value = item.value if item.value.strip() else "-"
                replies = await self.bot.assistant.dispatch(
                    "modifier", f"{self.number} {name}={value}", caller)
                messages.append(render(replies[0]))
        if not messages:
            await interaction.response.send_message("Rien n'a changé.", ephemeral=True)
            return
        errors = [m.content for m in messages if m.content and m.content.startswith("⚠")]
        text = "\n".join(errors) if errors else f"Proposition #{self.number} modifiée."
        await interaction.response.send_message(text[:2000], ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


class ModerationButton(discord.ui.DynamicItem[discord.ui.Button],
                       template=r"submission:(?P<action>approve|reject|edit):(?P<number>\d+)"):
    """Approuver / Rejeter / Modifier on a submission posted in the moderation channel."""

    LABELS = {"approve": ("Approuver", discord.ButtonStyle.success),
              "reject": ("Rejeter", discord.ButtonStyle.danger),
              "edit": ("Modifier", discord.ButtonStyle.secondary)}

    def __init__(self, action: str, number: int):
        label, style = self.LABELS[action]
        super().__init__(discord.ui.Button(label=label, style=style,
                                           custom_id=f"submission:{action}:{number}"))
        self.action = action
        self.number = number

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> ModerationButton:
        return cls(match["action"], int(match["number"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        bot: ExamplesBot = interaction.client
        label = self.LABELS[self.action][0]
        return await admin_only(bot, interaction, f"le bouton « {label} »")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: ExamplesBot = interaction.client
        caller = await caller_of(bot, interaction.user)
        if self.action == "reject":
            await interaction.response.send_modal(RejectModal(bot, self.number))
            return
        if self.action == "edit":
            try:
                sub = await bot.assistant.workflow.get_pending(self.number)
            except WorkflowError as exc:
                await refuse(interaction, exc.message)
                return
            await interaction.response.send_modal(EditModal(bot, self.number,
                                                             Draft.from_data(sub.data)))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        replies = await bot.assistant.dispatch("valider", str(self.number), caller)
        await interaction.followup.send(ephemeral=True, **render(replies[0]).kwargs())


def moderation_view(number: int, decided: bool = False) -> discord.ui.View | None:
    if decided:
        return None
    view = discord.ui.View(timeout=None)
    for action in ("approve", "reject", "edit"):
        view.add_item(ModerationButton(action, number))
    return view
