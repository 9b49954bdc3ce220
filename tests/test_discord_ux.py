"""Discord as members expect it: follow-ups for the surface, one-tap actions, clear errors that
go away, vocabulary menus, a moderation card that mentions without pinging."""

from __future__ import annotations

import re

from discord.ext import commands

from bot.core.replies import Action, Message
from tests import test_discord
from tests.test_discord import COMMUNITY, World

core = test_discord.core  # the same core, bot and world as tests/test_discord.py
simcord_bot = test_discord.simcord_bot
world = test_discord.world


def rows_of(components) -> list[list[str]]:
    """Labels (buttons) or placeholders (menus), row by row, for messages and responses."""
    out = []
    for row in components:
        children = row["components"] if isinstance(row, dict) else row.children
        out.append([(c.get("label") or c.get("placeholder")) if isinstance(c, dict)
                    else (getattr(c, "label", None) or c.placeholder) for c in children])
    return out


async def test_sources_are_masked_links_and_the_title_links_to_the_first(world: World) -> None:
    result = await world.alice.slash(world.general, "fiche", id="fonderie-linkedin-recrutement")
    embed = result.response.embeds[0]
    assert embed.url == "https://example.org/fonderie"
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Source"] == "[example.org](https://example.org/fonderie)"


async def test_slash_users_get_command_mentions_and_typed_users_the_prefix(world: World) -> None:
    result = await world.alice.slash(world.general, "fiche", id="usine-yamer")
    fiche_id = world.bot.command_id("fiche", None)
    assert fiche_id and f"</fiche:{fiche_id}> usine-yammer" in result.response.content
    await world.alice.send(world.general, "!fiche usine-yamer")
    assert "Vouliez-vous dire !fiche usine-yammer ?" in world.general.last_message.content
    # a configured prefix replaces the core's « ! » everywhere in what members read
    world.bot.config.prefix = "?"
    world.bot.command_prefix = "?"
    await world.bob.send(world.general, "?mespropositions")
    assert world.general.last_message.content == \
        "Vous n'avez encore rien proposé. Partagez un exemple avec ?proposer."


async def test_slash_help_presents_the_slash_commands(world: World) -> None:
    result = await world.alice.slash(world.general, "aide")
    assert result.ephemeral
    text = result.response.embeds[0].description
    exemple_id = world.bot.command_id("exemple", None)
    assert f"</exemple:{exemple_id}> *secteur outil usage mots* — les meilleurs exemples" in text
    assert "!exemple" not in text and "</attente:" not in text  # members: no admin commands
    detail = await world.alice.slash(world.general, "aide", commande="fiche")
    assert detail.response.embeds[0].fields[0].name == "/fiche id"


async def test_a_typed_error_names_the_parameter_shows_help_and_goes_away(world: World) -> None:
    await world.carol.send(world.general, "!voir abc")
    error = world.general.last_message
    assert error.content.startswith("⚠ « abc » ne convient pas pour le paramètre « numero » de "
                                    "!voir : il faut un nombre entier")
    assert error.embeds[0].title == "!voir"
    assert "Affiche tous les champs de la proposition #N" in error.embeds[0].fields[0].value
    await world.carol.send(world.general, "!rejeter")
    assert "Il manque le paramètre « numero » de !rejeter" in world.general.last_message.content
    await world.env.advance_time(121)
    remaining = [m.content for m in world.general.history() if m.author.id == world.bot.user.id]
    assert remaining == []  # both errors are gone, the channel stays readable
    assert {type(e) for e in world.env.errors} == {commands.BadArgument,
                                                   commands.MissingRequiredArgument}


async def test_refusal_to_a_member_goes_away_when_typed(world: World) -> None:
    await world.bob.send(world.general, "!valider 1")
    assert "Seuls les administrateurs" in world.general.last_message.content
    await world.env.advance_time(121)
    assert world.general.last_message.author.id == world.bob.id


async def test_nothing_found_offers_one_tap_buttons(world: World, monkeypatch) -> None:
    assistant = world.bot.assistant

    def nothing_found(result):  # what the core answers once it fills the actions
        return [Message("Aucun exemple ne correspond à « {query} ».", {"query": result.query},
                        tone="warning", actions=(
                            Action("search", "Métallurgie · 2", "metallurgie"),
                            Action("search", "Facebook · 2", "facebook"),
                            Action("propose", "Proposer un exemple")))]
    monkeypatch.setattr(assistant, "nothing_found", nothing_found)
    await world.alice.send(world.general, "!exemple soudure laser")
    message = world.general.last_message
    assert rows_of(message.components) == [["Métallurgie · 2", "Facebook · 2",
                                            "Proposer un exemple"]]
    await world.bob.click(message, label="Métallurgie · 2")  # anyone may tap
    answer = world.general.last_message
    assert answer.content.startswith("2 exemples pour « metallurgie »")
    assert rows_of(answer.components)[0][:2] == ["◀ Précédent", "Suivant ▶"]
    form = await world.alice.click(message, label="Proposer un exemple")
    assert form.modal["title"] == "Proposer un exemple"


async def test_vocabulary_lists_hide_empty_entries_and_offer_a_search_menu(world: World) -> None:
    await world.alice.send(world.general, "!secteurs")
    listing = world.general.last_message
    text = listing.embeds[0].description
    assert "• **Industrie** · 4 exemples" in text
    assert "\u2003• **Métallurgie** · 2 exemples" in text
    assert "**BTP** · 1 exemple" in text
    assert "Santé" not in text  # no example yet: not listed
    assert "(" not in text and "`" not in text  # no raw keys, no « (0) »
    menu = listing.components[0].children[0]
    assert [(o.label, o.description) for o in menu.options][:3] == [
        ("BTP", "1 exemple"), ("Commerce", "1 exemple"), ("Industrie", "4 exemples")]
    await world.bob.select(listing, ["plasturgie"])
    answer = world.general.last_message
    assert answer.content.startswith("1 exemple pour « plasturgie »")
    assert answer.embeds[0].title == \
        "1. Un plasturgiste trouve des clients grâce à son blog technique"


async def test_moderation_card_mentions_the_submitter_without_pinging(world: World) -> None:
    await world.alice.send(world.general, "!proposer btp | blog | Un maçon tient un blog de "
                                          "chantier et reçoit des demandes de devis.")
    posted = world.moderation.last_message
    description = posted.embeds[0].description
    assert re.fullmatch(rf"Proposée par <@{world.alice.id}> \(alice\), <t:\d+:R>", description)
    sent = [r for r in world.env.http_requests if r.method == "POST"
            and r.path == f"/channels/{world.moderation.id}/messages"][-1]
    assert sent.json["allowed_mentions"] == {"parse": []}
    assert posted.guild.id == COMMUNITY


async def test_every_slash_option_is_described_in_french(world: World) -> None:
    for command in world.bot.tree.get_commands():
        assert command.description and "…" not in command.description, command.name
        for param in command.parameters:
            assert param.description and param.description != "…", (command.name, param.name)


async def test_page_buttons_answer_the_asker_only_and_say_it_privately(world: World) -> None:
    result = await world.alice.slash(world.general, "exemple", secteur="industrie")
    assert rows_of(result.response.components) == [
        ["◀ Précédent", "Suivant ▶", "Proposer un exemple"], ["Voir la fiche…"]]
    assert "suite" not in result.response.content
    await world.alice.send(world.general, "!exemple industrie")
    message = world.general.last_message
    refused = await world.bob.click(message, label="Suivant ▶")
    assert refused.ephemeral and "réservés à la personne qui a fait la demande" in \
        refused.response.content
    assert "!exemple" in refused.response.content


async def test_form_menus_fit_a_large_taxonomy(tmp_path, simcord_env) -> None:
    """The bundled base has 38 sectors and 32 tools: each menu keeps 25 entries, every
    top-level sector among them, so any example has a place."""
    import shutil

    from bot.adapters.discord.views import facet_options

    bot = simcord_env.bot
    shutil.copytree(test_discord.PROJECT_KNOWLEDGE, tmp_path / "grande")
    bot.assistant.knowledge.folder = tmp_path / "grande"
    bot.assistant.knowledge.load()
    taxonomy = bot.assistant.index.base.taxonomy
    assert len(taxonomy.facets["secteurs"]) > 25
    options = facet_options(bot, "secteurs", set())
    assert len(options) == 25
    roots = {k for k, t in taxonomy.facets["secteurs"].items() if not t.parent}
    assert roots <= {o.value for o in options}
    assert all(len(o.label) <= 100 and o.description for o in options)
    chosen = sorted(set(taxonomy.facets["outils"]))[-1]
    tools = facet_options(bot, "outils", {chosen})
    assert len(tools) == 25 and [o.value for o in tools if o.default] == [chosen]
