"""The Discord bot as members and admins use it, on simcord's in-memory Discord.

discord.py's real parsers, commands, views and interactions run; only the network is simulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import simcord

from bot.adapters.discord.client import create_bot
from bot.config import Config
from bot.wiring import open_core
from tests.conftest import write_base


@dataclass
class World:
    env: simcord.Env
    general: object
    moderation: object
    alice: object
    bob: object
    carol: object  # admin
    config: Config
    guild: object = None
    admin_role: object = None

    @property
    def bot(self):
        return self.env.bot

    def posts(self) -> list[dict]:
        return [r.json for r in self.env.http_requests
                if r.method in ("POST", "PATCH") and r.json is not None]


PROJECT_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"  # read, never written
COMMUNITY = 1_200_000_000_000_000_001  # the community's server: its admins curate


def make_config(tmp_path: Path) -> Config:
    folder = tmp_path / "knowledge"
    if not folder.exists():
        write_base(folder)
    return Config(knowledge=folder, database=tmp_path / "etat.sqlite3", admin_roles=["Admin"],
                  admin_guilds=[COMMUNITY], moderation_channel="moderation", cooldown_rate=5,
                  cooldown_per=30)


@pytest.fixture
async def core(tmp_path: Path):
    """The core, built by the wiring as `python -m bot run` does; the bot is handed it."""
    async with open_core(make_config(tmp_path)) as (assistant, _):
        yield assistant


@pytest.fixture
def simcord_bot(tmp_path: Path, core):
    """The bot simcord's `simcord_env` fixture starts (one per test)."""
    return create_bot(make_config(tmp_path), core, watch_interval=None)


@pytest.fixture
def world(simcord_env, tmp_path: Path) -> World:
    env = simcord_env
    guild = env.create_guild("PME du coin", id=COMMUNITY)
    general = guild.create_text_channel("general")
    moderation = guild.create_text_channel("moderation")
    admin = guild.create_role("Admin")
    return World(env, general, moderation,
                 guild.add_member(env.create_user("alice")),
                 guild.add_member(env.create_user("bob")),
                 guild.add_member(env.create_user("carol"), roles=[admin]),
                 make_config(tmp_path), guild, admin)


async def test_prefix_command_answers_with_embeds_and_buttons(world: World) -> None:
    await world.alice.send(world.general, "!exemple industrie")
    reply = world.general.last_message
    assert reply.author.id == world.bot.user.id
    assert reply.content.startswith("4 exemples pour « industrie » (secteur Industrie) :")
    assert [e.title for e in reply.embeds] == [
        "1. Une fonderie recrute ses mouleurs sur LinkedIn",
        "2. Un plasturgiste trouve des clients grâce à son blog technique",
        "3. Une chaudronnerie prospecte les acheteurs sur Viadeo"]
    first = reply.embeds[0]
    assert first.url == "https://example.org/fonderie"
    fields = {f.name: f.value for f in first.fields}
    assert fields["Secteur"] == "Industrie › Métallurgie"
    assert fields["Taille"] == "PME, 40 salariés" and fields["Région"] == "Bretagne"
    assert fields["Outils"] == "LinkedIn"
    assert fields["Résultats"] == "Trois recrutements en deux mois."
    assert first.footer.text == "id : fonderie-linkedin-recrutement"
    rows = reply.components
    assert len(rows) == 2  # ◀ ▶ Proposer, then « Voir la fiche… »
    assert [c.label for c in rows[0].children] == ["◀ Précédent", "Suivant ▶",
                                                   "Proposer un exemple"]
    menu = rows[1].children[0]
    assert menu.placeholder == "Voir la fiche…"
    assert [(o.label, o.description) for o in menu.options] == [
        ("1. Une fonderie recrute ses mouleurs sur LinkedIn", "Métallurgie · Bretagne"),
        ("2. Un plasturgiste trouve des clients grâce à son blog technique", "Plasturgie"),
        ("3. Une chaudronnerie prospecte les acheteurs sur Viadeo", "Métallurgie")]
    assert "!suite" not in reply.content  # the Suivant button says it


async def test_slash_command_and_autocomplete(world: World) -> None:
    result = await world.alice.slash(world.general, "exemple", secteur="industrie",
                                     outil="linkedin")
    assert result.response.content.startswith("1 exemple pour « industrie linkedin »")
    assert result.response.embeds[0].footer.text == "id : fonderie-linkedin-recrutement"
    choices = await world.alice.autocomplete(world.general, "exemple", "secteur", "metal")
    assert choices[0] == {"name": "Métallurgie · 2 exemples", "value": "metallurgie"}
    everything = await world.alice.autocomplete(world.general, "exemple", "outil", "")
    assert 0 < len(everything) <= 25
    assert everything[0]["value"] == "facebook"  # most examples first
    accents = await world.alice.autocomplete(world.general, "exemple", "secteur", "BÂTI")
    assert accents == [{"name": "BTP · 1 exemple", "value": "btp"}]
    # an entry without any example is never offered
    assert await world.alice.autocomplete(world.general, "exemple", "secteur", "santé") == []


async def test_pagination_buttons_answer_only_the_asker(world: World) -> None:
    await world.alice.send(world.general, "!exemple industrie")
    message = world.general.last_message
    refused = await world.bob.click(message, label="Suivant ▶")
    assert refused.ephemeral
    assert "réservés à la personne qui a fait la demande" in refused.response.content
    await world.alice.click(message, label="Suivant ▶")
    edited = next(m for m in world.general.history() if m.id == message.id)
    assert edited.content.startswith("Suite des exemples pour « industrie » (4 à 4 sur 4)")
    assert [e.title for e in edited.embeds] == ["4. Une usine relie ses équipes avec Yammer"]
    assert {f.name: f.value for f in edited.embeds[0].fields}["Source"] == "(non sourcé)"
    await world.alice.click(edited, label="◀ Précédent")
    back = next(m for m in world.general.history() if m.id == message.id)
    assert back.embeds[0].title.startswith("1. Une fonderie")


async def test_card_opens_privately_for_anyone_and_votes_live_on_it(world: World) -> None:
    await world.alice.send(world.general, "!exemple industrie")
    message = world.general.last_message
    card = await world.bob.select(message, ["fonderie-linkedin-recrutement"])  # not the asker
    assert card.ephemeral
    full = {f.name: f.value for f in card.response.embeds[0].fields}
    assert full["Entreprise"] == "Fonderie Durand" and full["Date"] == "2019-03"
    assert [c["label"] for row in card.response.components for c in row["components"]] == [
        "👍 Utile", "👎 Pas utile"]
    shown = await world.alice.select(message, ["chaudronnerie-viadeo"])
    vote = await world.alice.click(shown.response, label="👍 Utile")
    assert vote.ephemeral and vote.response.content.startswith("Merci !")
    assert await world.bot.assistant.workflow.db.net_votes() == {"chaudronnerie-viadeo": 1}
    # the vote now breaks the tie: the chaudronnerie comes first among equals
    await world.alice.send(world.general, "!exemple industrie")
    assert world.general.last_message.embeds[0].title == \
        "1. Une chaudronnerie prospecte les acheteurs sur Viadeo"


async def test_buttons_are_removed_when_they_expire(world: World) -> None:
    await world.alice.send(world.general, "!exemple industrie")
    message = world.general.last_message
    assert message.components
    await world.env.advance_time(601)
    expired = next(m for m in world.general.history() if m.id == message.id)
    assert expired.components == []
    assert expired.embeds[0].title.startswith("1. Une fonderie")  # the answer stays


async def test_proposal_modal_then_moderation_by_admin_only(world: World) -> None:
    shown = await world.alice.slash(world.general, "proposer")
    assert shown.modal["title"] == "Proposer un exemple"
    done = await world.alice.submit_modal(shown, {
        "proposer:secteur": ["btp"], "proposer:outils": ["facebook"],
        "proposer:resume": "Un couvreur montre ses toitures sur Facebook et remplit son carnet.",
        "proposer:source": "https://exemple.fr/couvreur"})
    assert done.ephemeral and "Votre proposition #1 est enregistrée" in done.response.content
    posted = world.moderation.last_message
    assert posted.content.startswith("Nouvelle proposition à examiner")
    assert posted.embeds[0].title == "Proposition #1 · en attente"
    refused = await world.bob.click(posted, custom_id="submission:approve:1")
    assert refused.ephemeral and "Seuls les administrateurs" in refused.response.content
    assert (await world.bot.assistant.workflow.get(1)).status == "pending"
    approved = await world.carol.click(posted, custom_id="submission:approve:1")
    assert approved.ephemeral and "Proposition #1 validée" in approved.response.content
    updated = next(m for m in world.moderation.history() if m.id == posted.id)
    assert updated.content.startswith("Validée par carol.")
    assert updated.embeds[0].title == "Proposition #1 · validée"
    assert not updated.components  # decided: no more buttons
    dm = world.alice.user.dm_channel.last_message
    assert "votre proposition #1 a été validée et publiée" in dm.content
    found = await world.alice.slash(world.general, "exemple", mots="couvreur toitures")
    assert "Un couvreur montre ses toitures" in found.response.embeds[0].description


async def test_moderation_buttons_survive_a_restart_and_reject_modal(world: World, core,
                                                                     tmp_path: Path) -> None:
    await world.alice.send(world.general, "!proposer btp | blog | Un maçon tient un blog de "
                                          "chantier et reçoit des demandes de devis.")
    posted = world.moderation.last_message
    await world.env.restart_bot(create_bot(make_config(tmp_path), core, watch_interval=None))
    # DMs closed: the notice falls back to the channel, without any mention
    world.env.inject_error("POST", f"/channels/{world.alice.user.dm_channel.id}/messages",
                           status=403, code=50007, message="Cannot send messages to this user")
    shown = await world.carol.click(posted, custom_id="submission:reject:1")
    assert shown.modal is not None
    await world.carol.submit_modal(shown, {"rejeter:motif": "source manquante @everyone"})
    assert (await world.env.bot.assistant.workflow.get(1)).status == "rejected"
    fallback = world.general.last_message
    assert fallback.content.startswith("Message pour alice (messages privés fermés)")
    assert "source manquante @\u200beveryone" in fallback.content
    sent = [r for r in world.env.http_requests if r.method == "POST"
            and r.path == f"/channels/{world.general.id}/messages"][-1]
    assert sent.json["allowed_mentions"] == {"parse": []}


async def test_prefix_proposer_alone_offers_the_form(world: World) -> None:
    await world.alice.send(world.general, "!proposer")
    message = world.general.last_message
    assert "ouvrez le formulaire" in message.content
    refused = await world.bob.click(message, label="Ouvrir le formulaire")
    assert refused.ephemeral
    shown = await world.alice.click(message, label="Ouvrir le formulaire")
    assert shown.modal["title"] == "Proposer un exemple"
    bad = await world.alice.submit_modal(shown, {
        "proposer:secteur": ["industrie"], "proposer:outils": ["linkedin"],
        "proposer:resume": "Une usine recrute trois soudeurs grâce à LinkedIn.",
        "proposer:source": "pas une adresse"})
    assert bad.ephemeral and "**Source** : Source « pas une adresse » invalide" in \
        bad.response.content
    assert "Résumé : Une usine recrute trois soudeurs" in bad.response.content  # given back
    again = await world.alice.click(bad.response, label="Corriger le formulaire")
    fields = {c["component"]["custom_id"]: c["component"] for c in again.modal["components"]}
    assert fields["proposer:resume"]["value"] == \
        "Une usine recrute trois soudeurs grâce à LinkedIn."
    assert fields["proposer:source"]["value"] == "pas une adresse"
    assert [o["value"] for o in fields["proposer:secteur"]["options"] if o.get("default")] == [
        "industrie"]
    done = await world.alice.submit_modal(again, {
        "proposer:secteur": ["industrie"], "proposer:outils": ["linkedin"],
        "proposer:resume": "Une usine recrute trois soudeurs grâce à LinkedIn.",
        "proposer:source": "https://exemple.fr/usine"})
    assert "Votre proposition #1 est enregistrée" in done.response.content


async def test_user_text_never_pings_nor_breaks_layout(world: World) -> None:
    await world.alice.send(world.general, "!exemple @everyone **gras** <@&123> `code`")
    reply = world.general.last_message
    assert "@everyone" not in reply.content.replace("@\u200beveryone", "")
    assert "\\*\\*gras\\*\\*" in reply.content
    for request in world.env.http_requests:
        if request.method == "POST" and request.path.endswith("/messages"):
            assert request.json["allowed_mentions"] == {"parse": []}


async def test_admin_commands_are_hidden_from_members_and_private(world: World) -> None:
    await world.alice.send(world.general, "!proposer btp | blog | Un maçon tient un blog.")
    hidden = {"attente", "voir", "modifier", "valider", "rejeter", "retirer", "recharger",
              "stats", "lacunes", "historique"}
    assert not hidden & set(world.bob.available_commands(world.general))
    assert {"exemple", "fiche", "proposer", "aide"} <= set(world.bob.available_commands(
        world.general))
    # the Admin role lacks Manage Server: the server owner opens the commands to it
    # (Server Settings → Integrations), as the README explains
    assert "attente" not in world.carol.available_commands(world.general)
    for name in hidden:
        world.guild.set_command_permissions(world.bot.command_id(name, COMMUNITY),
                                            {world.admin_role: True})
    assert hidden <= set(world.carol.available_commands(world.general))
    admin = await world.carol.slash(world.general, "attente")
    assert admin.ephemeral and admin.response.embeds[0].title == "Proposition #1 · en attente"
    # typed by a member: refused, and the refusal goes away after a while
    await world.bob.send(world.general, "!attente")
    refusal = world.general.last_message
    assert "Seuls les administrateurs de la communauté" in refusal.content


async def test_cooldown_and_unknown_command(world: World) -> None:
    for _ in range(5):
        await world.alice.send(world.general, "!exemple btp")
    await world.alice.send(world.general, "!exemple btp")
    assert world.general.last_message.content.startswith("Doucement !")
    assert any(isinstance(e, discord.ext.commands.CommandOnCooldown) for e in world.env.errors)
    await world.bob.send(world.general, "!exmple btp")
    assert world.general.last_message.content == (
        "⚠ Je ne connais pas la commande « !exmple ». Vouliez-vous dire !exemple ? Tapez "
        "!aide pour la liste des commandes.")


async def test_bad_hand_edit_is_reported_to_admins(world: World) -> None:
    path = world.config.knowledge / "exemples.yaml"
    path.write_text(path.read_text() + "  - id: casse\n    secteur: inconnu\n")
    await world.bot.check_knowledge()
    alert = world.moderation.last_message
    assert "la dernière version valide reste en service" in alert.content
    assert "exemples.yaml:" in alert.content
    await world.alice.send(world.general, "!exemple industrie")
    assert world.general.last_message.content.startswith("4 exemples")


async def test_bot_without_message_content_intent_still_has_slash(tmp_path: Path,
                                                                  core) -> None:
    intents = discord.Intents.default()  # message_content off
    bot = create_bot(make_config(tmp_path), core, intents=intents, watch_interval=None)
    async with simcord.run(bot) as env:
        guild = env.create_guild("Sans intent")
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        await alice.send(channel, "!exemple industrie")
        assert channel.last_message.author.id == alice.user.id  # no answer: content hidden
        result = await alice.slash(channel, "exemple", secteur="industrie")
        assert result.response.content.startswith("4 exemples")


async def test_missing_privileged_intent_is_refused_at_connection(tmp_path: Path,
                                                                   core) -> None:
    bot = create_bot(make_config(tmp_path), core, watch_interval=None)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with simcord.run(bot, approved_intents=discord.Intents.default()):
            pass


async def test_form_accepts_pipes_and_admin_names_with_braces(world: World) -> None:
    shown = await world.alice.slash(world.general, "proposer")
    done = await world.alice.submit_modal(shown, {
        "proposer:secteur": ["industrie"], "proposer:outils": ["linkedin"],
        "proposer:resume": "Une PME recrute 3 soudeurs | 2 tourneurs grâce à LinkedIn."})
    assert "Votre proposition #1 est enregistrée" in done.response.content
    sub = await world.bot.assistant.workflow.get(1)
    assert sub.data["summary"] == "Une PME recrute 3 soudeurs | 2 tourneurs grâce à LinkedIn."
    chef = world.guild.add_member(world.env.create_user("{Chef}"), roles=[world.admin_role])
    posted = world.moderation.last_message
    approved = await chef.click(posted, custom_id="submission:approve:1")
    assert "Proposition #1 validée" in approved.response.content
    updated = next(m for m in world.moderation.history() if m.id == posted.id)
    assert updated.content == "Validée par {Chef}."
