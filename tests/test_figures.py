"""Figures (`chiffres.yaml`): checked like the examples, shown by !chiffres, and « Le saviez-vous ? »."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.app import open_core
from bot.config import Config
from bot.core import figures
from bot.core.commands import Assistant
from bot.core.service import KnowledgeService
from tests.conftest import EXAMPLES, Harness, write_base

FIGURES = """\
# Chiffres de test.
chiffres:
  - id: insee-2022-linkedin
    indicateur: Petites entreprises ayant une page LinkedIn
    valeur: 12 %
    perimetre: France, TPE
    annee: 2022
    source: https://example.org/insee-linkedin
    organisme: Insee
    outils: [linkedin]
  - id: eurostat-2023-facebook
    indicateur: Entreprises européennes sur Facebook
    valeur: 60 %
    perimetre: UE, entreprises de 10 salariés ou plus
    annee: 2023
    source: https://example.org/eurostat
    organisme: Eurostat
    outils: [facebook]
  - id: bpi-2018-batiment
    indicateur: Dirigeants du bâtiment actifs sur les réseaux
    valeur: 20 %
    perimetre: France, PME du BTP
    annee: 2018
    source: https://example.org/bpi-btp
    secteurs: [btp]
  - id: insee-2023-recrutement
    indicateur: Sociétés métallurgiques qui recrutent par les réseaux sociaux
    valeur: la moitié
    perimetre: France, sociétés de 10 personnes ou plus
    annee: 2021-2023
    source: https://example.org/insee-recrutement
    secteurs: [metallurgie]
    usages: [recrutement]
"""


def harness_for(folder: Path, prefix: str = "!") -> Harness:
    service = KnowledgeService(folder)
    service.load()
    assistant = Assistant(service, prefix=prefix)
    figures.install(assistant)
    return Harness(assistant)


def figures_base(tmp_path: Path, text: str = FIGURES) -> Path:
    return write_base(tmp_path / "kb", exemples=EXAMPLES, chiffres=text)


def check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "check", "--knowledge", str(folder)],
                          capture_output=True, text=True, timeout=60)


def test_check_counts_valid_figures(tmp_path: Path) -> None:
    done = check(figures_base(tmp_path))
    assert done.returncode == 0, done.stdout
    assert "6 exemples dans 1 fichier(s), 4 chiffres" in done.stdout


def test_check_reports_every_figure_problem_at_its_line(tmp_path: Path) -> None:
    bad = """\
    chiffres:
      - id: Mauvais Id
        indicateur: Part des PME sur LinkedIn
        valeur: 10 %
        perimetre: France
        annee: 22
        source: example.org/page
        outils: [linkdin]
        secteur: [btp]
      - id: sans-source
        indicateur: Part des PME sur Facebook
        valeur: 20 %
        perimetre: France
        annee: 2021
      - id: periode-a-l-envers
        indicateur: Part des PME sur Viadeo
        valeur: 5 %
        perimetre: France
        annee: 2020-2019
        source: [https://example.org/a, https://example.org/b]
      - id: double
        indicateur: Un chiffre
        valeur: 1 %
        perimetre: UE
        annee: 2020
        source: https://example.org/double
      - id: double
        indicateur: Le même identifiant
        valeur: 2 %
        perimetre: UE
        annee: 2021
        source: https://example.org/double-2
    autre: rien
    """
    folder = figures_base(tmp_path, bad)
    done = check(folder)
    f = f"{folder}/chiffres.yaml"
    assert done.returncode == 1
    out = done.stdout
    assert f"{f}:2: identifiant « Mauvais Id » invalide" in out
    assert f"{f}:6: « annee » : une année AAAA ou une période AAAA-AAAA est attendue " \
           "(reçu « 22 »)" in out
    assert f"{f}:7: source « example.org/page » invalide" in out
    assert f"{f}:8: outil inconnu « linkdin » (vouliez-vous dire « linkedin » ?)" in out
    assert f"{f}:9: clé inconnue « secteur » (vouliez-vous dire « secteurs » ?)" in out
    assert f"{f}:10: chiffre « sans-source » : champ obligatoire « source » manquant" in out
    assert f"{f}:19: « annee » : une année AAAA ou une période AAAA-AAAA est attendue " \
           "(reçu « 2020-2019 »)" in out
    assert f"{f}:20: « source » : une seule adresse est attendue" in out
    assert f"{f}:27: identifiant « double » déjà utilisé ({f}:21)" in out
    assert f"{f}:33: clé inconnue « autre »" in out
    assert "Traceback" not in done.stderr


def test_a_bad_figures_file_leaves_the_examples_alone(tmp_path: Path) -> None:
    folder = figures_base(tmp_path, "chiffres:\n  - id: [\n")
    done = check(folder)
    assert done.returncode == 1
    assert done.stdout.startswith(f"{folder}/chiffres.yaml:")
    assert "exemples.yaml" not in done.stdout  # chiffres.yaml is not read as an example file


async def test_chiffres_linkedin_shows_a_sourced_figure(tmp_path: Path) -> None:
    harness = harness_for(figures_base(tmp_path))
    text = await harness.send("!chiffres linkedin")
    assert text.startswith("1 chiffre pour « linkedin » (outil LinkedIn) :")
    assert "Petites entreprises ayant une page LinkedIn : 12 %" in text
    assert "France, TPE, 2022 · Insee" in text
    assert "Source : https://example.org/insee-linkedin" in text
    assert "Eurostat" not in text and "bâtiment" not in text


async def test_chiffres_reads_the_query_like_the_search(tmp_path: Path) -> None:
    harness = harness_for(figures_base(tmp_path))
    typo = await harness.send("!chiffres linkdin")
    assert "j'ai corrigé linkdin → linkedin" in typo
    assert "https://example.org/insee-linkedin" in typo
    building = await harness.send("!chiffres bâtiment")
    assert "Dirigeants du bâtiment actifs sur les réseaux : 20 %" in building
    assert "linkedin" not in building.lower()
    # a sector finds the figures of its sub-sectors
    industry = await harness.send("!chiffres industrie")
    assert "Sociétés métallurgiques qui recrutent par les réseaux sociaux : la moitié" in industry
    assert "France, sociétés de 10 personnes ou plus, 2021-2023" in industry
    hiring = await harness.send("!chiffres recrutement")
    assert "https://example.org/insee-recrutement" in hiring
    assert "https://example.org/bpi-btp" not in hiring


async def test_chiffres_alone_lists_recent_figures_france_first(tmp_path: Path) -> None:
    text = await harness_for(figures_base(tmp_path)).send("!chiffres")
    order = [text.index(url) for url in (
        "https://example.org/insee-recrutement",  # 2023, France
        "https://example.org/eurostat",           # 2023, UE
        "https://example.org/insee-linkedin",     # 2022
        "https://example.org/bpi-btp",            # 2018
    )]
    assert order == sorted(order)
    assert "!chiffres linkedin" in text


async def test_off_topic_request_gets_no_figure_and_a_friendly_reply(tmp_path: Path) -> None:
    text = await harness_for(figures_base(tmp_path)).send("!chiffres tarte tatin")
    assert text.startswith("Je n'ai aucun chiffre pour « tarte tatin ».")
    assert "J'ai 4 chiffres" in text and "LinkedIn" in text and "BTP" in text
    assert "Source :" not in text and "example.org" not in text


async def test_saviez_vous_follows_a_search_at_most_once(tmp_path: Path) -> None:
    harness = harness_for(figures_base(tmp_path))
    text = await harness.send("!exemple linkedin")
    assert text.count("Le saviez-vous ?") == 1
    tail = text[text.index("Le saviez-vous ?"):]
    assert "Petites entreprises ayant une page LinkedIn : 12 %" in tail
    assert "Source : https://example.org/insee-linkedin" in tail
    several = await harness.send("!exemple facebook linkedin bâtiment")
    assert "Une fonderie" not in several  # the search itself is unchanged: BTP only
    assert several.count("Le saviez-vous ?") == 1
    # no figure on plastics, none on a use alone: no line
    assert "Le saviez-vous" not in await harness.send("!exemple plasturgie")
    assert "Le saviez-vous" not in await harness.send("!exemple prospection")


async def test_without_figures_file_nothing_is_made_up(base_dir: Path) -> None:
    harness = harness_for(base_dir)
    assert "aucun chiffre" in await harness.send("!chiffres")
    assert "Le saviez-vous" not in await harness.send("!exemple linkedin")


async def test_file_text_is_shown_as_written(tmp_path: Path) -> None:
    odd = FIGURES.replace("Petites entreprises ayant une page LinkedIn",
                          "Part {des} TPE sur LinkedIn {0}")
    harness = harness_for(figures_base(tmp_path, odd))
    assert "Part {des} TPE sur LinkedIn {0} : 12 %" in await harness.send("!chiffres linkedin")
    assert "Part {des} TPE sur LinkedIn {0} : 12 %" in await harness.send("!exemple linkedin")


async def test_help_and_prefix_follow_the_configuration(tmp_path: Path) -> None:
    folder = figures_base(tmp_path)
    config = Config(knowledge=folder, database=tmp_path / "etat.sqlite3", prefix="?")
    async with open_core(config, folder) as (assistant, _):
        harness = Harness(assistant)
        help_text = await harness.send("?aide chiffres")
        assert help_text.startswith("?chiffres :")
        assert "?chiffres linkedin" in help_text and "!" not in help_text
        assert "?chiffres [mots…]" in await harness.send("?aide")
        text = await harness.send("?chiffres")
        assert "?chiffres linkedin" in text and "!chiffres" not in text
        search = await harness.send("?exemple linkedin")
        assert "d'autres chiffres avec ?chiffres" in search


def test_a_very_long_source_is_shown_cut_not_as_a_broken_link() -> None:
    from bot.adapters.discord.render import render as discord_render
    from bot.adapters.slack.blocks import render as slack_render
    from bot.core.replies import Message, Report, SourceLine

    url = "https://example.org/" + "a" * 1200
    report = Report("Chiffres", [("Chiffre 1 (2023)", ["PME sur LinkedIn : 42 %",
                                                        SourceLine(url)])])
    [embed] = discord_render(report).embeds
    shown = embed.fields[0].value
    assert "Source : https://example.org/aaa" in shown and "](" not in shown
    assert len(shown) <= 1024
    slack = json.dumps(slack_render(report).kwargs()["blocks"], ensure_ascii=False)
    assert "Source : https://example.org/aaa" in slack and "<https://" not in slack
    saviez = Message("Le saviez-vous ? Source : {source}", {"source": url}, links=("source",))
    assert "](" not in discord_render(saviez).content
    short = Message("Source : {source}", {"source": "https://www.insee.fr/x"}, links=("source",))
    assert discord_render(short).content == "Source : [insee.fr](<https://www.insee.fr/x>)"
    assert "<https://www.insee.fr/x|insee.fr>" in slack_render(short).text
