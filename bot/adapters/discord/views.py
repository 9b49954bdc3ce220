"""Buttons, select menus and forms: result pages, cards with votes, one-tap follow-ups, the
proposal form, and the persistent moderation buttons."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord.render import (
    NO_MENTIONS,
    TEXT,
    Surface,
    cut,
    plural,
    render,
    safe,
)
from bot.core.commands import PAGE_SIZE, Caller, clean_input
from bot.core.curation import describe, submit
from bot.core.ports import Identity
from bot.core.replies import Action, Detail, Listing, Message, Reply, Results
from bot.core.search import SearchResult
from bot.core.submissions import Draft, WorkflowError

if TYPE_CHECKING:
    from bot.adapters.discord.client import ExamplesBot

log = logging.getLogger(__name__)
RESULTS_TIMEOUT = 600
OPTIONS_MAX = 25  # options in a select menu
BUTTONS_PER_ROW = 5
# commands whose answers are for the asker only (the others answer in the channel)
PRIVATE_COMMANDS = {"aide", "help", "proposer", "annuler", "mespropositions"}


PLATFORM = "discord"  # the core's name for this platform (identities, moderation posts)

async def caller_of(bot: ExamplesBot, user: discord.abc.User,
                    channel_id: int | None = None) -> Caller:
    """Who acts, with their admin right checked now, in the server they act from."""
    origin = Identity(PLATFORM, str(channel_id) if channel_id else "").key
    return Caller(id=member_key(user), name=user.display_name,
                  is_admin=await bot.is_admin(user), origin=origin)


def member_key(user: discord.abc.User) -> str:
    """How the core knows a Discord member ("discord:<id>")."""
    return Identity(PLATFORM, str(user.id), user.display_name).key


async def refuse(interaction: discord.Interaction, text: str, view=None) -> None:
    extra = {"view": view} if view is not None else {}
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS,
                                        **extra)
    else:
        await interaction.response.send_message(text, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS, **extra)


async def admin_only(bot: ExamplesBot, interaction: discord.Interaction, what: str) -> bool:
    """Re-check on the server side, at the moment of acting, that the user curates here."""
    if await bot.is_admin(interaction.user):
        return True
    await refuse(interaction, bot.admin_refusal(what, interaction.user))
    return False


# -- sending replies with the right components ------------------------------------------------


def view_for(bot: ExamplesBot, reply: Reply, user: discord.abc.User,
             surface: Surface) -> discord.ui.View | None:
    """The components that go with a reply: pages and cards for results, a vote on a card,
    one-tap follow-ups for a message, a menu that starts the search for a vocabulary list."""
    if isinstance(reply, Results):
        session = bot.assistant.sessions.get(member_key(user))
        if session is not None and session.last_search is not None and reply.cards:
            return ResultsView(bot, user.id, session.last_search, reply.start - 1, surface,
                               reply.actions)
        return None
    if isinstance(reply, Detail):
        return CardView(bot, reply.card.id)
    if isinstance(reply, Message) and reply.actions:
        return ActionsView(bot, reply.actions, surface)
    if isinstance(reply, Listing) and any(i.count for i in reply.items):
        return ListingView(bot, reply, surface)
    return None


def outgoing(bot: ExamplesBot, replies: list[Reply], user: discord.abc.User, surface: Surface,
             ephemeral: bool = False):
    """Each reply ready to send: (reply, send() keyword arguments, its view or None, private)."""
    for reply in replies or [Message("Rien à afficher.")]:
        view = view_for(bot, reply, user, surface)
        kwargs = render(reply, surface, buttons=view is not None).kwargs()
        if view is not None:
            kwargs["view"] = view
        yield reply, kwargs, view, ephemeral or getattr(reply, "private", False)


async def send_replies(bot: ExamplesBot, interaction: discord.Interaction,
                       replies: list[Reply], surface: Surface, ephemeral: bool = False) -> None:
    """Answer a button or a menu: the first reply as the response, the others as follow-ups."""
    for _, kwargs, view, private in outgoing(bot, replies, interaction.user, surface, ephemeral):
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=private, **kwargs)
            message = await interaction.original_response()
        else:
            message = await interaction.followup.send(ephemeral=private, wait=True, **kwargs)
        if view is not None:
            view.message = message


async def open_form(bot: ExamplesBot, interaction: discord.Interaction,
                    values: dict | None = None) -> None:
    """The proposal form, unless the member's limits are reached."""
    try:
        await bot.assistant.workflow.check_limits(member_key(interaction.user))
    except WorkflowError as exc:
        await refuse(interaction, safe(describe(exc, bot.assistant.prefix)))
        return
    await interaction.response.send_modal(ProposalModal(bot, values))


async def perform(bot: ExamplesBot, interaction: discord.Interaction, action: Action,
                  surface: Surface) -> None:
    """What a one-tap follow-up does, for whoever taps it."""
    if action.kind == "propose":
        await open_form(bot, interaction)
        return
    if action.kind == "vote":
        example_id, _, value = action.arg.rpartition(":")
        await vote(bot, interaction, example_id, 1 if value.strip() == "1" else -1)
        return
    caller = await caller_of(bot, interaction.user, interaction.channel_id)
    if action.kind == "card":
        name, args, private = "fiche", action.arg, True
    elif action.kind == "next":
        name, args, private = "suite", "", False
    elif action.kind == "search":
        name, args, private = "exemple", action.arg, False
    else:  # "command": a command line without prefix
        name, _, args = action.arg.strip().partition(" ")
        command = bot.assistant.commands.get(name.lower())
        private = name.lower() in PRIVATE_COMMANDS or bool(command and command.admin)
    replies = await bot.assistant.dispatch(name.lower(), args.strip(), caller)
    await send_replies(bot, interaction, replies, surface, ephemeral=private)


async def vote(bot: ExamplesBot, interaction: discord.Interaction, example_id: str,
               value: int) -> None:
    try:
        await bot.assistant.workflow.vote(member_key(interaction.user), example_id, value)
    except WorkflowError as exc:
        await refuse(interaction, safe(describe(exc, bot.assistant.prefix)))
        return
    text = ("Merci ! Votre avis aide à mieux classer les exemples." if value > 0 else
            "Merci pour votre avis : les administrateurs verront quels exemples améliorer.")
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


# -- views --------------------------------------------------------------------------------------


class RemovingView(discord.ui.View):
    """A view that takes itself off its message when it expires, rather than staying grey."""

    def __init__(self, timeout: float | None = RESULTS_TIMEOUT):
        super().__init__(timeout=timeout)
        self.message: discord.Message | None = None

    async def on_timeout(self) -> None:
        if self.message is not None:
            # a deleted or no longer editable message has nothing left to remove
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=None)


class OwnedView(RemovingView):
    """A view only the member who asked may use."""

    def __init__(self, owner_id: int, timeout: float | None = RESULTS_TIMEOUT):
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await refuse(interaction, "Ce bouton est réservé à la personne qui a fait la "
                                      "demande.")
            return False
        return True


def action_button(bot: ExamplesBot, action: Action, surface: Surface,
                  row: int | None = None) -> discord.ui.Button:
    style = (discord.ButtonStyle.success if action.kind == "propose"
             else discord.ButtonStyle.primary if action.kind in ("search", "next")
             else discord.ButtonStyle.secondary)
    button = discord.ui.Button(label=cut(action.label, 80), style=style, row=row)

    async def pressed(interaction: discord.Interaction) -> None:
        await perform(bot, interaction, action, surface)
    button.callback = pressed
    return button


class ActionsView(RemovingView):
    """A message's follow-ups as one-tap buttons ("Métallurgie · 3", "Proposer un exemple")."""

    def __init__(self, bot: ExamplesBot, actions: tuple[Action, ...], surface: Surface):
        super().__init__()
        if bot.assistant.workflow is None:
            actions = tuple(a for a in actions if a.kind not in ("propose", "vote"))
        for n, action in enumerate(actions[:BUTTONS_PER_ROW * 5]):
            self.add_item(action_button(bot, action, surface, row=n // BUTTONS_PER_ROW))


class ResultsView(RemovingView):
    """Two rows: ◀ Précédent · Suivant ▶ (for the asker) · Proposer un exemple, then the menu
    « Voir la fiche… » of the page's examples, whose card opens privately for whoever picks."""

    def __init__(self, bot: ExamplesBot, owner_id: int, result: SearchResult, start: int = 0,
                 surface: Surface = TEXT, actions: tuple[Action, ...] = ()):
        super().__init__()
        self.bot = bot
        self.owner_id = owner_id
        self.result = result
        self.start = start
        self.surface = surface
        self.extra = [a for a in actions if a.kind in ("search", "command")]
        self.rebuild()

    @property
    def page(self) -> list:
        return self.result.hits[self.start:self.start + PAGE_SIZE]

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
        room = BUTTONS_PER_ROW - 2
        if self.bot.assistant.workflow is not None:
            self.add_item(action_button(self.bot, Action("propose", "Proposer un exemple"),
                                        self.surface, row=0))
            room -= 1
        for action in self.extra[:room]:
            self.add_item(action_button(self.bot, action, self.surface, row=0))
        taxonomy = self.bot.assistant.index.base.taxonomy
        options = []
        for i, hit in enumerate(self.page):
            example = hit.example
            where = " · ".join(x for x in (taxonomy.label("secteurs", example.sector),
                                            example.company.region) if x)
            options.append(discord.SelectOption(
                label=cut(f"{self.start + i + 1}. {example.title}", 100),
                value=example.id[:100], description=cut(where, 100) or None))
        if options:
            menu = discord.ui.Select(placeholder="Voir la fiche…", options=options, row=1)
            menu.callback = self.make_card(menu)
            self.add_item(menu)

    def make_turn(self, delta: int):
        async def turn(interaction: discord.Interaction) -> None:
            if interaction.user.id != self.owner_id:
                await refuse(interaction, "Ces boutons sont réservés à la personne qui a fait la "
                             "demande : lancez votre propre recherche avec "
                             f"{self.surface.command('exemple')}.")
                return
            self.start = max(0, self.start + delta)
            self.rebuild()
            page = self.bot.assistant.page_of(self.result, self.start)
            await interaction.response.edit_message(
                view=self, **render(page, self.surface, buttons=True).kwargs())
        return turn

    def make_card(self, menu: discord.ui.Select):
        async def show(interaction: discord.Interaction) -> None:
            await perform(self.bot, interaction, Action("card", "", menu.values[0]),
                          self.surface)
        return show


class CardView(RemovingView):
    """Under a full card: 👍 Utile / 👎 Pas utile."""

    def __init__(self, bot: ExamplesBot, example_id: str):
        super().__init__()
        self.bot = bot
        self.example_id = example_id
        if bot.assistant.workflow is None:
            return
        for label, style, value in (("👍 Utile", discord.ButtonStyle.success, 1),
                                    ("👎 Pas utile", discord.ButtonStyle.danger, -1)):
            button = discord.ui.Button(label=label, style=style)
            button.callback = self.make_vote(value)
            self.add_item(button)

    def make_vote(self, value: int):
        async def pressed(interaction: discord.Interaction) -> None:
            await vote(self.bot, interaction, self.example_id, value)
        return pressed


class ListingView(RemovingView):
    """`!secteurs`, `!outils`, `!usages`: a menu of the entries that have examples; picking
    one starts the search, for whoever picks."""

    def __init__(self, bot: ExamplesBot, listing: Listing, surface: Surface):
        super().__init__()
        self.bot = bot
        self.surface = surface
        items = [i for i in listing.items if i.count > 0]
        if len(items) > OPTIONS_MAX:  # the most useful ones, still in the list's order
            kept = set(sorted(items, key=lambda i: -i.count)[:OPTIONS_MAX])
            items = [i for i in items if i in kept]
        options = [discord.SelectOption(label=cut(("↳ " if i.depth else "") + i.label, 100),
                                        value=i.key[:100], description=plural(i.count))
                   for i in items]
        menu = discord.ui.Select(placeholder=f"Voir les exemples : {listing.title.lower()}…"[:150],
                                 options=options)
        menu.callback = self.make_search(menu)
        self.add_item(menu)

    def make_search(self, menu: discord.ui.Select):
        async def search(interaction: discord.Interaction) -> None:
            await perform(self.bot, interaction, Action("search", "", menu.values[0]),
                          self.surface)
        return search


# -- the proposal form ------------------------------------------------------------------------


def facet_options(bot: ExamplesBot, facet: str, chosen: set[str]) -> list[discord.SelectOption]:
    """At most 25 entries: every top-level entry, then the most used others, so any example
    has a place (an admin can refine it before approval)."""
    index = bot.assistant.index
    terms = index.base.taxonomy.facets[facet]
    keys = list(terms)
    if len(keys) > OPTIONS_MAX:
        roots = [k for k in keys if not terms[k].parent or terms[k].parent not in terms]
        roots.sort(key=lambda k: -index.count(facet, k))
        others = sorted((k for k in keys if k not in roots), key=lambda k: -index.count(facet, k))
        picked = [k for k in sorted(chosen) if k in terms]  # what was typed stays offered
        keys = list(dict.fromkeys(picked + roots + others))[:OPTIONS_MAX]

    def shown(key: str) -> str:
        parent = terms[key].parent
        if parent and parent in terms:
            return f"{terms[parent].label} › {terms[key].label}"
        return terms[key].label

    keys.sort(key=lambda k: shown(k).lower())
    return [discord.SelectOption(label=cut(shown(k), 100), value=k[:100],
                                 description=plural(index.count(facet, k)) if index.count(
                                     facet, k) else "aucun exemple encore : le premier ?",
                                 default=k in chosen) for k in keys]


FIELD_NAMES = {"secteur": "Secteur", "outils": "Outils", "resume": "Résumé", "titre": "Titre",
               "source": "Source"}


class ProposalModal(discord.ui.Modal):
    """The proposal form: the sector and the tools picked from menus, the summary, a title and
    the source's address typed. `values` fills it again after an error."""

    def __init__(self, bot: ExamplesBot, values: dict | None = None):
        super().__init__(title="Proposer un exemple", timeout=900)
        self.bot = bot
        values = values or {}
        tools = {t.strip() for t in values.get("outils", "").split(",") if t.strip()}
        self.secteur = discord.ui.Select(
            custom_id="proposer:secteur", placeholder="Choisissez le secteur",
            options=facet_options(bot, "secteurs", {values.get("secteur", "")}),
            min_values=1, max_values=1, required=True)
        tool_options = facet_options(bot, "outils", tools)
        self.outils = discord.ui.Select(
            custom_id="proposer:outils", placeholder="Choisissez un ou plusieurs outils",
            options=tool_options, min_values=1, max_values=min(5, len(tool_options)),
            required=True)
        self.resume = discord.ui.TextInput(
            custom_id="proposer:resume", style=discord.TextStyle.paragraph, max_length=300,
            placeholder="Une fonderie recrute trois mouleurs grâce à LinkedIn.",
            default=values.get("resume") or None)
        self.titre = discord.ui.TextInput(
            custom_id="proposer:titre", required=False, max_length=120,
            placeholder="tiré du résumé si vous le laissez vide",
            default=values.get("titre") or None)
        self.source = discord.ui.TextInput(
            custom_id="proposer:source", required=False, max_length=500,
            placeholder="https://…", default=values.get("source") or None)
        for text, description, component in (
                ("Secteur", "le secteur de l'entreprise", self.secteur),
                ("Outils", "les outils numériques utilisés (5 au plus)", self.outils),
                ("La réalisation, en une phrase", "ce que l'entreprise a fait, et le résultat",
                 self.resume),
                ("Titre court (facultatif)", None, self.titre),
                ("Adresse de la source (URL, facultatif)",
                 "un article, une vidéo… commençant par https://", self.source)):
            self.add_item(discord.ui.Label(text=text, description=description,
                                           component=component))

    def typed(self) -> dict[str, str]:
        return {"secteur": (self.secteur.values or [""])[0], "outils": ", ".join(
            self.outils.values), "resume": self.resume.value or "",
            "titre": self.titre.value or "", "source": self.source.value or ""}

    async def on_submit(self, interaction: discord.Interaction) -> None:
        caller = await caller_of(self.bot, interaction.user, interaction.channel_id)
        validator = self.bot.assistant.workflow.validator
        draft = Draft(sector="", tools=[], summary="")
        typed = self.typed()
        errors = []
        for name, value in typed.items():
            try:
                validator.set_field(draft, name, clean_input(value))
            except WorkflowError as exc:
                reason = describe(exc, self.bot.assistant.prefix)
                errors.append(f"**{FIELD_NAMES[name]}** : {safe(reason)}")
        if errors:
            # nothing is lost: « Corriger » opens the form again, filled with what was typed
            recap = "\n".join(f"{FIELD_NAMES[name]} : {safe(value)}"
                              for name, value in typed.items() if value)
            text = ("Le formulaire n'est pas encore envoyé :\n" + "\n".join(errors)
                    + f"\n\nVotre saisie (rien n'est perdu) :\n{recap}")
            await refuse(interaction, cut(text, 2000),
                         view=FormRetryView(self.bot, interaction.user.id, typed))
            return
        replies = await submit(self.bot.assistant, caller, draft, caller.origin)
        await interaction.response.send_message(ephemeral=True, **render(replies[0]).kwargs())


class FormRetryView(OwnedView):
    """After a refused form: « Corriger le formulaire » opens it again, filled in."""

    def __init__(self, bot: ExamplesBot, owner_id: int, values: dict):
        super().__init__(owner_id, timeout=900)
        self.bot = bot
        self.values = values

    @discord.ui.button(label="Corriger le formulaire", style=discord.ButtonStyle.primary)
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button):
        await open_form(self.bot, interaction, self.values)


class OpenFormView(OwnedView):
    """`!proposer` alone: a button that opens the form (modals need an interaction)."""

    def __init__(self, bot: ExamplesBot, owner_id: int):
        super().__init__(owner_id, timeout=300)
        self.bot = bot

    @discord.ui.button(label="Ouvrir le formulaire", style=discord.ButtonStyle.primary)
    async def open_form(self, interaction: discord.Interaction, button: discord.ui.Button):
        await open_form(self.bot, interaction)


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
                await refuse(interaction, safe(describe(exc, bot.assistant.prefix)))
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
