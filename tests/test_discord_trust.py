"""Only the community's admins curate: an "Admin" role in someone else's server gives nothing.

The community's server is `COMMUNITY` (config `admin_guilds`); a stranger invites the bot to a
server of their own, creates a role named "Admin" with every permission, and tries everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord
import pytest

from bot.adapters.discord.views import moderation_view
from tests import test_discord
from tests.test_discord import COMMUNITY, World

core = test_discord.core  # the same core, bot and world as tests/test_discord.py
simcord_bot = test_discord.simcord_bot
world = test_discord.world

PROPOSAL = "!proposer btp | blog | Un maçon tient un blog de chantier et reçoit des devis."


@dataclass
class Stranger:
    guild: object
    general: object
    moderation: object
    mallory: object  # "Admin" role with every permission, in her own server


@pytest.fixture
def stranger(world: World) -> Stranger:
    guild = world.env.create_guild("Le repaire")
    general = guild.create_text_channel("general")
    moderation = guild.create_text_channel("moderation")
    role = guild.create_role("Admin", permissions=discord.Permissions.all())
    mallory = guild.add_member(world.env.create_user("mallory"), roles=[role])
    return Stranger(guild, general, moderation, mallory)


async def status(world: World, number: int = 1) -> str:
    return (await world.bot.assistant.workflow.get(number)).status


async def test_an_admin_role_elsewhere_cannot_touch_the_submissions(world: World,
                                                                     stranger: Stranger) -> None:
    await world.alice.send(world.general, PROPOSAL)
    for attempt in ("!rejeter 1 pirate", "!valider 1", "!attente", "!voir 1", "!historique 1",
                    "!stats", "!lacunes", "!modifier 1 titre=Piraté", "!retirer usine-yammer"):
        await stranger.mallory.send(stranger.general, attempt)
        answer = stranger.general.last_message
        assert answer.author.id == world.bot.user.id
        assert "Seuls les administrateurs de la communauté" in answer.content, attempt
        assert "serveur de la communauté" in answer.content
        assert "maçon" not in answer.content
    assert await status(world) == "pending"
    assert "usine-yammer" in world.bot.assistant.index.base.by_id
    # the moderation post went to the community's channel only, never to the stranger's
    assert world.moderation.last_message.embeds[0].title == "Proposition #1 · en attente"
    assert stranger.moderation.last_message is None
    # the community's admins still curate
    await world.carol.send(world.general, "!rejeter 1 hors sujet")
    assert "Proposition #1 refusée" in world.general.last_message.content
    assert await status(world) == "rejected"


async def test_slash_admin_commands_in_a_stranger_server_are_refused_privately(
        world: World, stranger: Stranger) -> None:
    await world.alice.send(world.general, PROPOSAL)
    result = await stranger.mallory.slash(stranger.general, "voir", numero=1)
    assert result.ephemeral
    assert "Seuls les administrateurs de la communauté peuvent utiliser la commande /voir" in \
        result.response.content
    assert not result.response.embeds
    result = await stranger.mallory.slash(stranger.general, "rejeter", numero=1, motif="pirate")
    assert result.ephemeral and await status(world) == "pending"


async def test_moderation_buttons_and_modal_recheck_at_the_moment_of_acting(
        world: World, stranger: Stranger) -> None:
    await world.alice.send(world.general, PROPOSAL)
    # an old post of the buttons in the stranger's server (or a forged one): pressing does nothing
    planted = await world.bot.get_channel(stranger.moderation.id).send(
        "Proposition #1", view=moderation_view(1))
    for action in ("approve", "reject", "edit"):
        pressed = await stranger.mallory.click(planted, custom_id=f"submission:{action}:1")
        assert pressed.ephemeral and pressed.modal is None
        assert "Seuls les administrateurs de la communauté peuvent utiliser le bouton" in \
            pressed.response.content
    assert await status(world) == "pending"
    # a community admin opens the form, loses the role, then submits: refused
    posted = world.moderation.last_message
    shown = await world.carol.click(posted, custom_id="submission:reject:1")
    assert shown.modal is not None
    world.env.backend.remove_member_role(COMMUNITY, world.carol.id, world.admin_role.id)
    refused = await world.carol.submit_modal(shown, {"rejeter:motif": "trop tard"})
    assert refused.ephemeral and "Seuls les administrateurs" in refused.response.content
    assert await status(world) == "pending"
    # a member of the community presses Approve: refused too
    pressed = await world.bob.click(posted, custom_id="submission:approve:1")
    assert "Seuls les administrateurs" in pressed.response.content
    assert await status(world) == "pending"


async def test_direct_messages_give_no_admin_right_but_the_owner(world: World) -> None:
    await world.alice.send(world.general, PROPOSAL)
    dm = world.carol.user.dm_channel
    await world.carol.user.send_dm("!attente")
    assert "Seuls les administrateurs de la communauté" in dm.last_message.content
    owner = world.env.create_user("proprietaire")
    world.bot.owner_id = owner.id  # what discord.py learns from the application's owner
    await owner.send_dm("!attente")
    assert owner.dm_channel.last_message.embeds[0].title == "Proposition #1 · en attente"


async def test_without_admin_guilds_only_the_owner_and_the_refusal_explains(world: World) -> None:
    world.bot.config.admin_guilds = []
    await world.alice.send(world.general, PROPOSAL)
    assert world.moderation.last_message is None  # no admin server: no moderation post anywhere
    await world.carol.send(world.general, "!attente")
    refusal = world.general.last_message.content
    assert "seul le propriétaire de l'application" in refusal
    assert "Copier l'identifiant du serveur" in refusal and "admin_guilds" in refusal
    world.bot.owner_id = world.carol.id
    await world.carol.send(world.general, "!attente")
    assert world.general.last_message.embeds[0].title == "Proposition #1 · en attente"


async def test_moderation_channel_by_id_is_only_taken_in_admin_guilds(world: World,
                                                                      stranger: Stranger) -> None:
    world.bot.config.moderation_channel = stranger.moderation.id
    await world.alice.send(world.general, PROPOSAL)
    assert stranger.moderation.last_message is None
    world.bot.config.moderation_channel = world.moderation.id
    await world.alice.send(world.general, "!proposer commerce | facebook | Une boutique de vélos "
                                          "publie ses nouveautés sur Facebook chaque semaine.")
    assert world.moderation.last_message.embeds[0].title == "Proposition #2 · en attente"


@pytest.mark.parametrize("invisible", ["\u200b", " \u200b\u2060", "\ufeff \u3164", "\u200d"])
async def test_proposer_followed_by_invisible_characters_opens_the_form(world: World,
                                                                       invisible: str) -> None:
    await world.alice.send(world.general, "!proposer" + invisible)
    message = world.general.last_message
    assert "ouvrez le formulaire" in message.content
    session = world.bot.assistant.sessions.get(f"discord:{world.alice.id}")
    assert session is None or session.dialogue is None  # not the console's guided dialogue
    shown = await world.alice.click(message, label="Ouvrir le formulaire")
    assert shown.modal["title"] == "Proposer un exemple"


async def test_slash_proposer_with_only_invisible_text_opens_the_form(world: World) -> None:
    shown = await world.alice.slash(world.general, "proposer", texte="\u200b\u200b")
    assert shown.modal["title"] == "Proposer un exemple"
