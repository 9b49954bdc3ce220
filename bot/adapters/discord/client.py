"""The Discord adapter: hybrid commands (`!exemple` and `/exemple`) that only translate.

Every command hands its text to the core (`Assistant.dispatch`) and renders the replies; no
search or workflow logic lives here.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import keyword
import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.render import (
    NO_MENTIONS,
    Outgoing,
    Surface,
    cut,
    plural,
    render,
    safe,
    submission_embed,
)
from bot.adapters.discord.views import (
    PLATFORM,
    ModerationButton,
    OpenFormView,
    ProposalModal,
    caller_of,
    member_key,
    moderation_view,
    outgoing,
)
from bot.config import Config
from bot.core.commands import Assistant, Command, clean_input, registry
from bot.core.curation import describe, notice_reply, submission_card
from bot.core.ports import Identity
from bot.core.replies import Message, Reply
from bot.core.submissions import ModerationListener, WorkflowError
from bot.core.text import fold

log = logging.getLogger(__name__)
WATCH_INTERVAL = 3.0
CHOICES_MAX = 25
SEARCH_COMMANDS = {"exemple", "question"}
ERROR_LIFETIME = 120  # seconds before a typed command's error message goes away
ADMIN_GUILDS_HELP = (
    " Aucun serveur d'administration n'est configuré : pour l'instant, seul le propriétaire de "
    "l'application peut s'en servir. Pour confier la curation aux administrateurs d'un serveur : "
    "dans Discord, Paramètres utilisateur → Avancés → activez le « Mode développeur » ; puis "
    "clic droit (ou appui long) sur l'icône du serveur → « Copier l'identifiant du serveur ». "
    "Ajoutez-le dans config.yaml, par exemple « admin_guilds: [123456789012345678] », puis "
    "relancez le bot.")


INVISIBLE = re.compile("[\u00ad\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e"
                       "\u2060-\u206f\u2800\u3164\ufeff\uffa0]")


def visible(text: str) -> str:
    """`text` without the characters nobody sees (zero-width spaces, fillers...), stripped."""
    return INVISIBLE.sub("", clean_input(text)).strip()


def build_intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True  # privileged: "!exemple" needs to read messages
    return intents


class ExamplesBotMixin(ModerationListener):
    """The Discord side of the core it is given (built once by the wiring, possibly shared
    with other platforms): it never opens nor closes the core itself."""

    def __init__(self, config: Config, assistant: Assistant,
                 intents: discord.Intents | None = None,
                 watch_interval: float | None = WATCH_INTERVAL, **options):
        super().__init__(command_prefix=commands.when_mentioned_or(config.prefix),
                         intents=intents or build_intents(), allowed_mentions=NO_MENTIONS,
                         help_command=None, case_insensitive=True, **options)
        self.config = config
        self.assistant = assistant
        self._watcher: asyncio.Task | None = None
        self._reported_fingerprint: tuple = ()
        self.command_ids: dict[int | None, dict[str, int]] = {}  # per synced server (None: all)
        self.watch_interval = watch_interval  # None: no automatic reload (tests call it)

    # -- life cycle -----------------------------------------------------------------------

    async def setup_hook(self) -> None:
        workflow = self.assistant.workflow
        if workflow is not None and self not in workflow.listeners:
            workflow.listeners.append(self)
        await self.add_cog(ExamplesCog(self))
        self.add_dynamic_items(ModerationButton)
        await self.sync_commands()
        if self.watch_interval:
            self._watcher = asyncio.create_task(self.watch_knowledge(), name="knowledge-watcher")

    async def sync_commands(self) -> None:
        """Register the "/" commands and remember their ids (for </exemple:ID> mentions)."""
        if self.config.guilds:
            for guild_id in self.config.guilds:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                self.command_ids[guild_id] = {c.name: c.id for c in synced}
        else:
            synced = await self.tree.sync()
            self.command_ids[None] = {c.name: c.id for c in synced}

    def command_id(self, name: str, guild_id: int | None) -> int | None:
        ids = self.command_ids.get(guild_id) or self.command_ids.get(None) or {}
        return ids.get(name)

    async def close(self) -> None:
        """Disconnect from Discord; the core stays open (the wiring closes it, after any
        approval in progress)."""
        if self._watcher is not None:
            self._watcher.cancel()
        workflow = self.assistant.workflow
        if workflow is not None and self in workflow.listeners:
            workflow.listeners.remove(self)
        await super().close()

    async def get_context(self, origin, /, *, cls=commands.Context):
        """Commands read without invisible characters: « !proposer\u200b » is « !proposer »."""
        if isinstance(origin, discord.Message) and INVISIBLE.search(origin.content or ""):
            origin = copy.copy(origin)
            origin.content = INVISIBLE.sub("", origin.content)
        return await super().get_context(origin, cls=cls)

    # -- members and roles ----------------------------------------------------------------

    async def is_application_owner(self, user: discord.abc.User) -> bool:
        """The application's owner, or a member of the team that owns it (discord.py asks
        Discord once, then remembers)."""
        try:
            return await self.is_owner(user)
        except discord.HTTPException:
            log.warning("could not read the application's owner from Discord")
            return False

    async def is_admin(self, user: discord.abc.User) -> bool:
        """Curators: the application's owner or team anywhere; otherwise only members of an
        `admin_guilds` server, by `admin_roles` (or, with none named, the Administrator or
        Manage Server permission) in that very server. Checked at each action."""
        if await self.is_application_owner(user):
            return True
        guild = getattr(user, "guild", None)  # a Member carries the server it belongs to
        if guild is None or guild.id not in self.config.admin_guilds:
            return False
        roles = getattr(user, "roles", None) or []
        wanted = {str(r).casefold() for r in self.config.admin_roles}
        if wanted:
            return any(str(role.id) in wanted or role.name.casefold() in wanted for role in roles)
        permissions = getattr(user, "guild_permissions", None)
        return bool(permissions and (permissions.administrator or permissions.manage_guild))

    def admin_refusal(self, thing: str, user: discord.abc.User) -> str:
        """Why `thing` ("la commande !attente", "le bouton « Approuver »") is refused, and how
        to fix the setup when the setup is the cause."""
        text = f"Seuls les administrateurs de la communauté peuvent utiliser {thing}."
        guild = getattr(user, "guild", None)
        if not self.config.admin_guilds:
            text += ADMIN_GUILDS_HELP
        elif guild is None or guild.id not in self.config.admin_guilds:
            text += " Cela ne fonctionne que dans le serveur de la communauté."
        return text

    # -- talking ------------------------------------------------------------------------------

    def surface(self, slash: bool, guild_id: int | None = None) -> Surface:
        """How follow-ups read where the member is: typed commands, or "/" mentions."""
        names = {alias: command.name for alias, command in self.assistant.commands.items()}
        options = {c.name: " ".join(p.name for p in c.parameters)
                   for c in self.tree.get_commands() if isinstance(c, app_commands.Command)}
        ids = self.command_ids.get(guild_id) or self.command_ids.get(None) or {}
        return Surface(self.config.prefix, slash, names, ids, options)

    def context_surface(self, ctx: commands.Context) -> Surface:
        return self.surface(ctx.interaction is not None, ctx.guild.id if ctx.guild else None)

    async def answer(self, ctx: commands.Context, replies: list[Reply],
                     ephemeral: bool = False) -> None:
        """Send the replies with their components; a typed command's errors go away after a
        while (a slash command's are private)."""
        surface = self.context_surface(ctx)
        for reply, kwargs, view, private in outgoing(self, replies, ctx.author, surface,
                                                     ephemeral):
            if ctx.interaction is None and getattr(reply, "tone", "") == "error":
                kwargs["delete_after"] = ERROR_LIFETIME
            message = await ctx.send(ephemeral=private, **kwargs)
            if view is not None:
                view.message = message

    async def say_error(self, ctx: commands.Context, text: str, help_for: str | None = None
                        ) -> None:
        """An error: private on slash, gone after a while when typed; with `help_for`, that
        command's help below it."""
        kwargs: dict = {"allowed_mentions": NO_MENTIONS, "ephemeral": True}
        if ctx.interaction is None:
            kwargs["delete_after"] = ERROR_LIFETIME
        if help_for:
            caller = await caller_of(self, ctx.author)
            helps = await self.assistant.dispatch("aide", help_for, caller)
            kwargs["embeds"] = render(helps[0], self.context_surface(ctx)).embeds
        await ctx.send(cut(text, 2000), **kwargs)

    # -- workflow listener: moderation channel and submitters -----------------------------

    def moderation_channel(self) -> discord.abc.Messageable | None:
        """The moderation channel, by id or name, looked for in the admin servers only."""
        wanted = self.config.moderation_channel
        if wanted is None:
            return None
        by_id = isinstance(wanted, int) or str(wanted).isdigit()
        name = str(wanted).lstrip("#")
        for guild_id in self.config.admin_guilds:
            guild = self.get_guild(guild_id)
            if guild is None:
                continue
            if by_id:
                channel = guild.get_channel(int(wanted))
                if channel is not None:
                    return channel
                continue
            for channel in guild.text_channels:
                if channel.name == name:
                    return channel
        return None

    def moderation_message(self, intro: Message, sub) -> dict:
        """A submission as the moderators see it: relative time, and the submitter mentioned
        (never pinged: allowed mentions stay off)."""
        card = submission_card(self.assistant, sub)
        kind, _, raw_id = sub.member_id.partition(":")
        member_id = int(raw_id) if kind == "discord" and raw_id.isdigit() else None
        surface = self.surface(False)
        return {"content": cut(intro.render(safe), 2000), "allowed_mentions": NO_MENTIONS,
                "embeds": [submission_embed(card, True, member_id, surface)]}

    async def submitted(self, number: int) -> None:
        channel = self.moderation_channel()
        if channel is None:
            return
        sub = await self.assistant.workflow.get(number)
        try:
            message = await channel.send(
                view=moderation_view(number),
                **self.moderation_message(Message("Nouvelle proposition à examiner :"), sub))
        except discord.HTTPException:
            log.exception("could not post submission #%s in the moderation channel", number)
            return
        await self.assistant.workflow.db.set_moderation_message(
            number, str(message.channel.id), str(message.id), platform=PLATFORM)

    async def refresh_moderation_message(self, number: int) -> None:
        where = await self.assistant.workflow.db.moderation_message(number, platform=PLATFORM)
        if where is None:
            return
        sub = await self.assistant.workflow.get(number)
        template = {"approved": "Validée par {who}.", "rejected": "Refusée par {who}."}.get(
            sub.status, "Proposition à examiner :")
        intro = Message(template, {"who": sub.decided_by or "?"})
        try:
            channel = self.get_channel(int(where[0])) or await self.fetch_channel(int(where[0]))
            message = channel.get_partial_message(int(where[1]))
            await message.edit(view=moderation_view(number, sub.status != "pending"),
                               **self.moderation_message(intro, sub))
        except discord.HTTPException:
            log.warning("could not update the moderation message of #%s", number)

    async def deliver_notices(self, member_id: str) -> None:
        """DM the member each undelivered notice; if DMs are closed, say it in the channel
        where they submitted, without mentioning them."""
        discord_id = Identity.parse(member_id).id_on(PLATFORM)
        if discord_id is None or not discord_id.isdigit():
            return
        db = self.assistant.workflow.db
        user_id = int(discord_id)
        for row in await db.undelivered(member_id):
            text = notice_reply(row["text"]).render(safe)
            try:
                user = self.get_user(user_id) or await self.fetch_user(user_id)
                await user.send(text, allowed_mentions=NO_MENTIONS)
            except discord.Forbidden:
                channel = await self._origin_channel(row["submission_id"])
                if channel is None:
                    continue  # kept undelivered: shown next time
                name = user.display_name if user else "un membre"
                try:
                    await channel.send(f"Message pour {safe(name)} (messages privés fermés) : "
                                       f"{text}"[:2000], allowed_mentions=NO_MENTIONS)
                except discord.HTTPException:
                    continue
            except discord.HTTPException:
                log.warning("could not notify %s", member_id)
                continue
            await db.mark_delivered(row["id"])

    async def _origin_channel(self, submission_id: int | None):
        if submission_id is None:
            return None
        sub = await self.assistant.workflow.db.submission(submission_id)
        origin = sub.origin if sub else ""
        channel_id = Identity.parse(origin).id_on(PLATFORM)
        if channel_id is None or not channel_id.isdigit():
            return None
        return self.get_channel(int(channel_id))

    # -- hand edits of the knowledge folder -----------------------------------------------

    async def watch_knowledge(self) -> None:
        while True:
            await asyncio.sleep(self.watch_interval)
            try:
                await self.check_knowledge()
            except Exception:  # keep watching whatever happens
                log.exception("knowledge watcher")

    async def check_knowledge(self) -> None:
        knowledge = self.assistant.knowledge
        if not await asyncio.to_thread(knowledge.changed_on_disk):
            return
        workflow = self.assistant.workflow
        # in a worker thread: the old index keeps answering while the new one is built
        result = await (workflow.reload() if workflow is not None
                        else asyncio.to_thread(knowledge.load))
        if not result.problems:
            log.info("knowledge reloaded: %s", result.base.summary_line())
            return
        if knowledge.fingerprint == self._reported_fingerprint:
            return
        self._reported_fingerprint = knowledge.fingerprint
        channel = self.moderation_channel()
        lines = "\n".join(f"- {safe(str(p))}" for p in result.problems[:15])
        text = ("Les fichiers de la base ont changé mais contiennent des erreurs ; la dernière "
                f"version valide reste en service :\n{lines}")
        log.warning("knowledge reload refused: %d problem(s)", len(result.problems))
        if channel is not None:
            with contextlib.suppress(discord.HTTPException):
                await channel.send(text[:2000], allowed_mentions=NO_MENTIONS)


# -- autocomplete ---------------------------------------------------------------------------


def facet_choices(bot: ExamplesBot, facet: str, current: str) -> list[app_commands.Choice[str]]:
    """Accent-insensitive, best matches first: prefix of a name, then containing it."""
    index = bot.assistant.index
    wanted = fold(current)
    scored = []
    for key, term in index.taxonomy.facets[facet].items():
        names = [fold(n) for n in (term.label, key, *term.synonyms)]
        if not wanted:
            rank = 2
        elif any(n.startswith(wanted) for n in names):
            rank = 0
        elif any(wanted in n for n in names):
            rank = 1
        else:
            continue
        count = index.count(facet, key)
        if count:  # an entry without examples would only lead to « aucun exemple »
            scored.append((rank, -count, term.label.lower(), key, term.label))
    scored.sort()
    return [app_commands.Choice(name=cut(f"{label} · {plural(-neg)}", 100), value=key)
            for _, neg, _, key, label in scored[:CHOICES_MAX]]


def id_choices(bot: ExamplesBot, current: str) -> list[app_commands.Choice[str]]:
    wanted = fold(current)
    found = []
    for example in bot.assistant.index.examples:
        if not wanted or wanted in example.id or wanted in fold(example.title):
            found.append(app_commands.Choice(name=example.title[:100], value=example.id[:100]))
            if len(found) == CHOICES_MAX:
                break
    return found


# -- the commands ---------------------------------------------------------------------------

async def suggest_sectors(interaction: discord.Interaction, current: str):
    return facet_choices(interaction.client, "secteurs", current)


async def suggest_tools(interaction: discord.Interaction, current: str):
    return facet_choices(interaction.client, "outils", current)


async def suggest_uses(interaction: discord.Interaction, current: str):
    return facet_choices(interaction.client, "usages", current)


async def suggest_ids(interaction: discord.Interaction, current: str):
    return id_choices(interaction.client, current)


SUGGESTIONS = {"facet:secteurs": suggest_sectors, "facet:outils": suggest_tools,
               "facet:usages": suggest_uses, "example_id": suggest_ids}
REGISTRY = {command.name: command for command in registry()}


def registered(name: str):
    """The hybrid command `name` as the core's registry declares it: its aliases, its "/"
    menu description, its parameters' descriptions and suggestions. Admin commands are, in
    the "/" menu, only for Manage Server by default and only in servers; `is_admin` still
    decides at each use. The method's signature gives the parameters' types (tested against
    the registry)."""
    command = REGISTRY[name]

    def decorate(func):
        described = {param.name: param.description for param in command.params}
        if described:
            func = app_commands.describe(**described)(func)
        if command.admin:
            func = app_commands.default_permissions(manage_guild=True)(func)
            func = app_commands.guild_only()(func)
        hybrid = commands.hybrid_command(name=command.name, aliases=list(command.aliases),
                                         description=command.menu_description)(func)
        for param in command.params:
            if param.kind in SUGGESTIONS:
                hybrid.autocomplete(param.name)(SUGGESTIONS[param.kind])
        return hybrid
    return decorate


def callback_source(command: Command) -> str:
    """The method discord.py reads a command's parameters from (it inspects the real
    signature, so it is written out): `number` as int, `rest` keyword-only (the rest of a
    typed line), optional parameters defaulting to ""; the values, joined, go to the core."""
    names = [command.name, *(param.name for param in command.params)]
    if not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        raise ValueError(f"command {command.name!r}: names must be Python identifiers")
    params = []
    for param in command.params:
        if param.kind == "rest" and "*" not in params:
            params.append("*")
        kind = "int" if param.kind == "number" else "str"
        params.append(f"{param.name}: {kind}" + ("" if param.required else ' = ""'))
    values = "".join(f"{param.name}, " for param in command.params)
    return (f"async def {command.name}(self, ctx: commands.Context, {', '.join(params)}):\n"
            f"    await self.run(ctx, {command.name!r}, joined(({values})))\n")


def joined(values: tuple) -> str:
    return " ".join(str(value) for value in values if value != "")


def generated_commands(exclude: set[str]) -> dict:
    """A hybrid command per registry command (but `exclude`), as a method of ExamplesCog."""
    made = {}
    for command in registry():
        if command.name in exclude or not command.name.isidentifier():
            continue
        namespace: dict = {"commands": commands, "joined": joined}
        exec(callback_source(command), namespace)  # noqa: S102 - our own registry's names
        callback = namespace[command.name]
        callback.__qualname__ = f"ExamplesCog.{command.name}"  # a method: self, then ctx
        made[command.name] = registered(command.name)(callback)
    return made


class ExamplesCog(commands.Cog, name="Exemples"):
    def __init__(self, bot: ExamplesBotMixin):
        self.bot = bot
        # per member, per bot: search commands cost a little, so members get a fair share
        self.cooldown = commands.CooldownMapping.from_cooldown(
            bot.config.cooldown_rate, bot.config.cooldown_per, commands.BucketType.user)

    async def cog_check(self, ctx: commands.Context) -> bool:
        if ctx.command is not None and ctx.command.name in SEARCH_COMMANDS:
            bucket = self.cooldown.get_bucket(ctx.message)
            retry_after = bucket.update_rate_limit() if bucket else None
            if retry_after:
                raise commands.CommandOnCooldown(bucket, retry_after, commands.BucketType.user)
        return True

    async def run(self, ctx: commands.Context, name: str, args: str) -> None:
        command = self.bot.assistant.commands.get(name)
        ephemeral = command is not None and command.private
        if name in ("valider", "retirer", "recharger") and ctx.interaction is not None:
            await ctx.defer(ephemeral=ephemeral)  # file work may take longer than 3 s
        caller = await caller_of(self.bot, ctx.author, ctx.channel.id if ctx.channel else None)
        if command is not None and command.admin and not caller.is_admin:
            shown = (f"/{name}" if ctx.interaction is not None
                     else f"{self.bot.config.prefix}{name}")
            await self.bot.say_error(ctx, self.bot.admin_refusal(f"la commande {shown}",
                                                                 ctx.author))
            return
        replies = await self.bot.assistant.dispatch(name, args.strip(), caller)
        await self.bot.answer(ctx, replies, ephemeral=ephemeral)

    # every registry command but /proposer, generated: its text goes to the core. Admin
    # commands are hidden from members in the "/" menu (Manage Server by default; a server
    # owner can open them to a role under Server Settings → Integrations), usable in servers
    # only. The real check is on our side, at each use: `is_admin`, then the core again.
    locals().update(generated_commands(exclude={"proposer"}))

    @registered("proposer")
    async def proposer(self, ctx: commands.Context, *, texte: str = "") -> None:
        if not visible(texte):
            workflow = self.bot.assistant.workflow
            try:
                await workflow.check_limits(member_key(ctx.author))
            except WorkflowError as exc:  # limits reached
                await ctx.send(safe(describe(exc, self.bot.assistant.prefix)), ephemeral=True,
                               allowed_mentions=NO_MENTIONS)
                return
            if ctx.interaction is not None:
                await ctx.interaction.response.send_modal(ProposalModal(self.bot))
                return
            view = OpenFormView(self.bot, ctx.author.id)
            view.message = await ctx.send(
                "Pour proposer un exemple, ouvrez le formulaire (ou écrivez tout sur une ligne : "
                f"{self.bot.config.prefix}proposer SECTEUR | OUTILS | RÉSUMÉ | SOURCE).",
                view=view, allowed_mentions=NO_MENTIONS)
            return
        await self.run(ctx, "proposer", texte)

    # messages that are not commands: dialogue answers, unknown commands -----------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        prefix = self.bot.config.prefix
        if message.content.startswith(prefix):
            return  # commands are handled by discord.py (unknown ones in on_command_error)
        caller = await caller_of(self.bot, message.author, message.channel.id)
        session = self.bot.assistant.sessions.get(caller.id)
        if session is None or session.dialogue is None:
            return
        replies = await self.bot.assistant.handle(message.content, caller)
        surface = self.bot.surface(False)
        for reply in replies:
            await message.channel.send(**render(reply, surface).kwargs())

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: Exception) -> None:
        bot = self.bot
        if isinstance(error, commands.CommandNotFound):
            name = ctx.invoked_with or ""
            reply = bot.assistant.unknown_command(name, await caller_of(bot, ctx.author))
            await bot.answer(ctx, [reply])
            return
        if isinstance(error, commands.CommandOnCooldown):
            await bot.say_error(ctx, f"Doucement ! Vous pourrez relancer une recherche dans "
                                     f"{max(1, round(error.retry_after))} s.")
            return
        command = ctx.command.name if ctx.command else None
        if isinstance(error, (commands.MissingRequiredArgument, commands.BadArgument)):
            await bot.say_error(ctx, argument_error(ctx, error), help_for=command)
            return
        if isinstance(error, commands.ArgumentParsingError):
            await bot.say_error(ctx, "Guillemet non fermé ou mal placé : retirez-le ou "
                                     "fermez-le, puis réessayez.", help_for=command)
            return
        original = getattr(error, "original", error)
        log.error("command %r by %s in %s failed", ctx.message.content if ctx.message
                  else ctx.command, ctx.author, ctx.channel, exc_info=original)
        await bot.say_error(ctx, "Oups, quelque chose s'est mal passé de mon côté. Réessayez "
                                 "dans un instant.")


KINDS = {int: "un nombre entier, par exemple 12", str: "un texte"}


def argument_error(ctx: commands.Context, error: Exception) -> str:
    """« Il manque le paramètre « numero » » / « « abc » ne convient pas pour « numero » »."""
    param = getattr(error, "param", None) or ctx.current_parameter
    name = param.name if param is not None else "?"
    where = f" de {ctx.clean_prefix}{ctx.command.name}" if ctx.command else ""
    if isinstance(error, commands.MissingRequiredArgument):
        return f"⚠ Il manque le paramètre « {name} »{where}. Voici comment l'écrire :"
    given = safe(cut(ctx.current_argument or "", 40))
    expected = KINDS.get(getattr(param, "annotation", None), "autre chose")
    return (f"⚠ « {given} » ne convient pas pour le paramètre « {name} »{where} : il faut "
            f"{expected}. Voici comment l'écrire :")


class ExamplesBot(ExamplesBotMixin, commands.Bot):
    """One gateway connection: the default."""


class ShardedExamplesBot(ExamplesBotMixin, commands.AutoShardedBot):
    """discord.py's AutoShardedBot: `shards: auto` (Discord's advice) or `shards: N`."""


def create_bot(config: Config, assistant: Assistant, intents: discord.Intents | None = None,
               **options) -> ExamplesBotMixin:
    """The bot for `config`, on the given core (`assistant.workflow` is the shared
    `Workflow`); a large deployment only changes `shards` in the config."""
    if config.shards is None:
        return ExamplesBot(config, assistant, intents=intents, **options)
    if config.shards != "auto":
        options.setdefault("shard_count", int(config.shards))
    return ShardedExamplesBot(config, assistant, intents=intents, **options)


__all__ = ["ExamplesBot", "Outgoing", "ShardedExamplesBot", "create_bot"]
