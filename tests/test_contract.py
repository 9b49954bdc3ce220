"""One command suite, run on every platform's rendering (tests/platforms.py): the console, Discord
(simcord) and Slack (the fake Slack). Each scenario asserts what a member notices there; the few
per-platform expectations are where the rendering differs by design (a button rather than a
typed command, a link labelled by its domain rather than a bare address)."""

from __future__ import annotations

import re

import pytest

from tests.platforms import PLATFORMS, Rendered, open_platform

FONDERIE = "https://example.org/fonderie"
PROPOSAL = ("btp | facebook | Un couvreur montre ses toitures sur Facebook et remplit son "
            "carnet. | https://exemple.fr/couvreur")
PUBLISHED = "un-couvreur-montre-ses-toitures-sur-facebook-et-remplit-son"


@pytest.fixture(params=PLATFORMS)
async def platform(request, tmp_path):
    async with open_platform(request.param, tmp_path) as opened:
        yield opened


def shows_source(platform, shown: Rendered, url: str) -> None:
    """A source is a link labelled by its domain; the console prints the address itself."""
    label = url if platform.name == "console" else url.split("/")[2]
    assert shown.links.get(url) == label, shown.links
    assert label in shown.text


def offers(platform, shown: Rendered, label: str, command: str) -> None:
    """A follow-up: a button on chat platforms, the command to type on the console."""
    if platform.name == "console":
        assert f"{label} : {command}" in shown.text
    else:
        assert label in shown.buttons, shown.buttons


async def propose(platform) -> Rendered:
    shown = await platform.send(f"!proposer {PROPOSAL}", user="alice")
    assert "Votre proposition #1 est enregistrée" in shown.text
    return shown


# -- members ---------------------------------------------------------------------------------

async def test_examples_for_a_sector_with_their_sources(platform) -> None:
    shown = await platform.send("!exemple industrie")
    assert "4 exemples pour « industrie » (secteur Industrie)" in shown.text
    titles = ["Une fonderie recrute ses mouleurs sur LinkedIn",
              "Un plasturgiste trouve des clients grâce à son blog technique",
              "Une chaudronnerie prospecte les acheteurs sur Viadeo"]
    assert [t for t in titles if t in shown.text] == titles
    assert shown.text.index(titles[0]) < shown.text.index(titles[1]) < shown.text.index(
        titles[2])
    assert "Une usine relie ses équipes avec Yammer" not in shown.text  # on the next page
    shows_source(platform, shown, FONDERIE)
    assert not shown.private and not shown.pings


async def test_next_page_and_a_question_in_plain_words(platform) -> None:
    await platform.send("!exemple industrie")
    following = await platform.send("!suite")
    assert "Une usine relie ses équipes avec Yammer" in following.text
    assert "(non sourcé)" in following.text  # said, never hidden
    answer = await platform.send("!question comment recruter sur facebook ?", user="bob")
    assert "Une boutique de vélos embauche via Facebook" in answer.text
    shows_source(platform, answer, "https://example.org/velo")


async def test_a_typo_is_corrected_and_the_correction_said(platform) -> None:
    shown = await platform.send("!exemple indstrie")
    assert "j'ai corrigé indstrie → industrie" in shown.text
    assert "Une fonderie recrute ses mouleurs sur LinkedIn" in shown.text


async def test_off_topic_gets_the_friendly_nothing_with_follow_ups(platform) -> None:
    shown = await platform.send("!exemple comment cuisiner des crêpes au sarrasin")
    assert "Je n'ai pas d'exemple pour « comment cuisiner des crêpes au sarrasin »" in shown.text
    assert "Industrie, BTP, Commerce" in shown.text  # what the bot does know
    offers(platform, shown, "Voir les secteurs", "!secteurs")
    offers(platform, shown, "Proposer un exemple", "!proposer")
    assert "⚠" not in shown.text  # not an error: a friendly answer


async def test_card_shows_every_field_and_its_source(platform) -> None:
    shown = await platform.send("!fiche fonderie-linkedin-recrutement")
    for fact in ("Une fonderie recrute ses mouleurs sur LinkedIn", "Fonderie Durand",
                 "Bretagne", "2019-03", "Recrutement", "Trois recrutements en deux mois."):
        assert fact in shown.text
    shows_source(platform, shown, FONDERIE)
    if platform.name != "console":  # votes need a button
        assert {"👍 Utile", "👎 Pas utile"} <= set(shown.buttons)


async def test_unknown_card_says_so(platform) -> None:
    shown = await platform.send("!fiche fonderie-inconnue")
    assert "fonderie-inconnue" in shown.text and "⚠" in shown.text
    assert "Traceback" not in shown.text


async def test_sectors_with_their_counts(platform) -> None:
    shown = await platform.send("!secteurs")
    assert re.search(r"Industrie\W+4", shown.text), shown.text
    assert re.search(r"Métallurgie\W+2", shown.text)
    assert shown.text.index("Industrie") < shown.text.index("Métallurgie")


async def test_help_lists_the_member_commands_not_the_admin_ones(platform) -> None:
    shown = await platform.send("!aide")
    for command in ("!exemple", "!fiche <id>", "!proposer", "!chiffres", "!secteurs"):
        assert command in shown.text
    assert "!valider" not in shown.text and "!attente" not in shown.text


async def test_figures_are_sourced(platform) -> None:
    shown = await platform.send("!chiffres linkedin")
    assert "PME présentes sur LinkedIn" in shown.text and "42 %" in shown.text
    assert "2023" in shown.text
    assert "insee.fr" in shown.text
    # the source is a link named after its site where the platform has links
    url = "https://www.insee.fr/fr/statistiques/linkedin-pme"
    assert shown.links.get(url) == (url if platform.name == "console" else "insee.fr")
    # and so it is in the « Le saviez-vous ? » line after a search that names LinkedIn
    searched = await platform.send("!exemple linkedin")
    assert "Le saviez-vous ? PME présentes sur LinkedIn : 42 %" in searched.text
    assert searched.links.get(url) == (url if platform.name == "console" else "insee.fr")


async def test_unknown_command_suggests_the_right_one(platform) -> None:
    shown = await platform.send("!exmple btp")
    assert "Vouliez-vous dire !exemple ?" in shown.text


async def test_proposal_in_one_line_is_confirmed_with_its_number(platform) -> None:
    shown = await propose(platform)
    assert "!mespropositions" in shown.text
    mine = await platform.send("!mespropositions", user="alice")
    assert "#1" in mine.text and "en attente" in mine.text


# -- admins ----------------------------------------------------------------------------------

async def test_admin_sees_the_pending_submission(platform) -> None:
    await propose(platform)
    shown = await platform.send("!attente", user="carol", admin=True)
    assert "1 proposition en attente" in shown.text
    assert "#1" in shown.text and "en attente" in shown.text
    assert "Un couvreur montre ses toitures sur Facebook" in shown.text
    assert "alice" in shown.text


async def test_member_cannot_approve_and_is_told_privately(platform) -> None:
    await propose(platform)
    refused = await platform.send("!valider 1", user="bob")
    assert "administrateurs" in refused.text
    assert await platform.vanishes(refused)
    assert (await platform.assistant.workflow.get(1)).status == "pending"
    still = await platform.send("!attente", user="carol", admin=True)
    assert "1 proposition en attente" in still.text


async def test_admin_approves_and_the_member_is_told(platform) -> None:
    await propose(platform)
    done = await platform.send("!valider 1", user="carol", admin=True)
    assert "Proposition #1 validée" in done.text and PUBLISHED in done.text
    told = await platform.notices("alice")
    assert "votre proposition #1 a été validée et publiée" in told.text
    assert await platform.vanishes(told)  # to the member alone
    card = await platform.send(f"!fiche {PUBLISHED}", user="bob")
    assert "Un couvreur montre ses toitures sur Facebook et remplit son carnet." in card.text
    shows_source(platform, card, "https://exemple.fr/couvreur")
    assert "1 proposition en attente" not in (
        await platform.send("!attente", user="carol", admin=True)).text


async def test_huge_submission_number_is_simply_absent(platform) -> None:
    shown = await platform.send("!voir 99999999999999999999", user="carol", admin=True)
    assert "Aucune proposition" in shown.text and "#99999999999999999999" in shown.text
    assert "Oups" not in shown.text


# -- safety ----------------------------------------------------------------------------------

async def test_member_text_is_echoed_without_pinging_anyone(platform) -> None:
    shown = await platform.send("!exemple <!channel> @everyone")
    assert "everyone" in shown.text  # shown back as typed, harmless
    assert not shown.pings
    await platform.send("!proposer btp | facebook | Un maçon @everyone <!here> montre ses "
                        "chantiers sur Facebook.")
    queue = await platform.send("!attente", user="carol", admin=True)
    assert "everyone" in queue.text and not queue.pings


@pytest.mark.parametrize("name", PLATFORMS)
async def test_a_configured_prefix_is_the_only_one_shown(name, tmp_path) -> None:
    commands = ("exemple", "suite", "fiche", "aide", "proposer", "secteurs", "outils",
                "mespropositions", "voir", "valider", "rejeter", "annuler", "question",
                "chiffres", "attente")
    bang = re.compile(r"!(" + "|".join(commands) + r")\b")
    async with open_platform(name, tmp_path, prefix="?") as platform:
        script = [("?aide", False), ("?exemple industrie", False), ("?exemple zzzz qwxv", False),
                  ("?exmple btp", False), ("?fiche inconnue", False),
                  (f"?proposer {PROPOSAL}", False), ("?proposer", False), ("?annuler", False),
                  ("?mespropositions", False), ("?attente", True), ("?valider 1", False),
                  ("?valider 1", True), ("?chiffres linkedin", False), ("?aide proposer", False)]
        seen = []
        for text, admin in script:
            shown = await platform.send(text, user="carol" if admin else "alice", admin=admin)
            assert shown, f"no answer to {text!r}"
            assert not bang.search(shown.text), (text, shown.text)
            seen.append(shown.text)
        told = await platform.notices("alice")
        assert "votre proposition #1 a été validée" in told.text
        assert not bang.search(told.text)
        everything = "\n".join(seen)
        assert "?exemple" in everything and "?fiche" in everything
