"""Chat commands as a member sees them, through the same core every adapter uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.core.replies import Results


async def test_example_shows_three_then_suite_the_rest(harness) -> None:
    first = await harness.replies("!exemple industrie")
    assert isinstance(first[0], Results)
    assert [c.id for c in first[0].cards] == [
        "fonderie-linkedin-recrutement", "plasturgiste-blog-prospection", "chaudronnerie-viadeo"]
    text = await harness.send("!exemple industrie")
    assert text.startswith("4 exemples pour « industrie » (secteur Industrie) :")
    assert "1 autre exemple : tapez !suite" in text
    assert "Industrie › Métallurgie · PME, 40 salariés · Bretagne · outils : LinkedIn" in text
    assert "Source : https://example.org/fonderie" in text
    assert "id : fonderie-linkedin-recrutement" in text
    more = await harness.send("!suite")
    assert "Suite des exemples pour « industrie » (4 à 4 sur 4)" in more
    assert "4. Une usine relie ses équipes avec Yammer" in more
    assert "(non sourcé)" in more
    assert "pas d'autre exemple" in await harness.send("!suite")


async def test_pagination_is_per_member(harness) -> None:
    await harness.send("!exemple industrie", user="alice")
    await harness.send("!exemple btp", user="bob")
    assert "4. Une usine" in await harness.send("!suite", user="alice")
    assert "pas d'autre exemple" in await harness.send("!suite", user="bob")


async def test_corrections_and_reading_are_told(harness) -> None:
    text = await harness.send("!exemple indutrie linkdin")
    assert text.startswith("1 exemple pour « indutrie linkdin » (secteur Industrie · outil "
                           "LinkedIn) — j'ai corrigé indutrie → industrie, linkdin → linkedin :")


async def test_empty_combination_shows_the_nearest_and_says_so(harness) -> None:
    text = await harness.send("!exemple btp linkedin")
    assert text.startswith("Pas encore d'exemple de btp sur LinkedIn ; voici les plus proches, "
                           "LinkedIn dans tous les secteurs :")
    assert "1. Une fonderie recrute ses mouleurs sur LinkedIn" in text
    text = await harness.send("!question recette de la tarte aux pommes ?")
    assert text.startswith("Je n'ai pas d'exemple pour « recette de la tarte aux pommes ? »")
    assert "!secteurs" in text


async def test_nothing_found_offers_structured_follow_ups(harness) -> None:
    [reply] = await harness.replies("!exemple santé")
    assert reply.render().startswith("Aucun exemple ne correspond à « santé » (secteur Santé).")
    kinds = [a.kind for a in reply.actions]
    assert "command" in kinds and "propose" in kinds
    assert any(a.kind == "search" and a.label.endswith(" · 4") and a.arg == "industrie"
               for a in reply.actions), reply.actions


async def test_results_carry_card_and_next_actions(harness) -> None:
    [page] = await harness.replies("!exemple industrie")
    assert [a.arg for a in page.actions if a.kind == "card"] == [c.id for c in page.cards]
    assert [a.kind for a in page.actions].count("next") == 1
    [last] = await harness.replies("!suite")
    assert "next" not in [a.kind for a in last.actions]


async def test_replies_use_the_configured_prefix(base_dir) -> None:
    from bot.core.commands import Assistant
    from bot.core.service import KnowledgeService
    from tests.conftest import Harness

    service = KnowledgeService(base_dir)
    service.load()
    harness = Harness(Assistant(service, prefix="?"))
    for line in ("?exemple industrie", "?exemple santé", "?question tarte aux pommes", "?suite",
                 "?exemple btp linkedin", "?fiche", "?aide exemple"):
        text = await harness.send(line)
        assert "!" not in text.replace("!?", ""), (line, text)
        assert "?" in text


async def test_labels_with_braces_are_never_format_fields(tmp_path) -> None:
    from bot.core.commands import Assistant
    from bot.core.service import KnowledgeService
    from tests.conftest import EXAMPLES, TAXONOMY, Harness, write_base

    folder = write_base(tmp_path / "k", TAXONOMY.replace("libelle: Métallurgie",
                                                         "libelle: Métallurgie {lourde}"),
                        exemples=EXAMPLES)
    service = KnowledgeService(folder)
    service.load()
    harness = Harness(Assistant(service))
    text = await harness.send("!exemple métallurgie")
    assert "2 exemples pour « métallurgie » (secteur Métallurgie {lourde}) :" in text
    text = await harness.send("!exemple métallurgie facebook")
    assert "Métallurgie {lourde}" in text or "Facebook" in text
    text = await harness.send("!question une fonderie sur facebook ?")
    assert text.startswith("Pas encore d'exemple de fonderie sur Facebook ; voici les plus "
                           "proches, Facebook dans tous les secteurs :")
    text = await harness.send("!exemple métallurgie santé")
    assert "(secteurs Métallurgie {lourde} ou Santé)" in text


async def test_the_reply_says_the_members_word_as_written(harness) -> None:
    # « tôlerie » is a synonym of Métallurgie: the reply keeps its accent, whatever the case
    text = await harness.send("!question une TÔLERIE sur facebook ?")
    assert text.startswith("Pas encore d'exemple de tôlerie sur Facebook"), text


async def test_question_finds_natural_language(harness) -> None:
    text = await harness.send("!question Comment recruter avec les réseaux sociaux ?")
    assert "(usage Recrutement)" in text
    assert "Une fonderie recrute" in text and "Une boutique de vélos" in text


async def test_fiche_shows_every_field(harness) -> None:
    text = await harness.send("!fiche fonderie-linkedin-recrutement")
    for expected in ("Une fonderie recrute ses mouleurs sur LinkedIn", "Entreprise : Fonderie Durand",
                     "Résultats : Trois recrutements en deux mois.", "Date : 2019-03",
                     "Usages : Recrutement", "Région : Bretagne",
                     "Sources : https://example.org/fonderie"):
        assert expected in text
    wrong = await harness.send("!fiche fonderie-linkedin")
    assert "Aucun exemple n'a l'identifiant « fonderie-linkedin »" in wrong
    assert "Vouliez-vous dire !fiche fonderie-linkedin-recrutement ?" in wrong
    assert "Indiquez l'identifiant" in await harness.send("!fiche")


async def test_listings_show_counts_and_hierarchy(harness) -> None:
    text = await harness.send("!secteurs")
    lines = text.splitlines()
    assert "  - Industrie (4) [industrie]" in lines
    assert "    - Métallurgie (2) [metallurgie]" in lines
    assert lines.index("    - Métallurgie (2) [metallurgie]") > lines.index(
        "  - Industrie (4) [industrie]")
    assert "  - Santé (0) [sante]" in lines
    assert "  - Facebook (2) [facebook]" in (await harness.send("!outils")).splitlines()
    assert "  - Recrutement (2) [recrutement]" in (await harness.send("!usages")).splitlines()


async def test_help_and_unknown_commands(harness) -> None:
    text = await harness.send("!aide")
    for name in ("!exemple", "!question", "!fiche", "!secteurs", "!outils", "!usages", "!aide"):
        assert name in text
    assert "!exemple btp linkedin" in await harness.send("!aide exemple")
    assert await harness.send("!exmple industrie") == (
        "⚠ Je ne connais pas la commande « !exmple ». Vouliez-vous dire !exemple ? "
        "Tapez !aide pour la liste des commandes.")
    assert "Je ne connais pas la commande « !zzzzzz »." in await harness.send("!zzzzzz")
    assert await harness.send("bonjour tout le monde") == ""  # not for the bot


async def test_odd_input_gets_clear_answers(harness) -> None:
    long = await harness.send("!exemple " + "industrie " * 300)
    assert "Votre recherche est trop longue (2999 caractères) : 500 au plus" in long
    huge = await harness.send("!exemple " + "x" * 10_000)
    assert "Votre message est trop long (10 000 caractères) : 4 000 au plus" in huge
    ctrl = await harness.send("!exemple indus\x00trie\x1b[31m")
    assert "\x1b" not in ctrl and "\x00" not in ctrl  # control characters never echoed
    assert ctrl.startswith("4 exemples pour « industrie »"), ctrl  # the escape sequence is gone
    emoji = await harness.send("!exemple 🏭🏭 industrie 🎉")
    assert "4 exemples" in emoji
    punct = await harness.send("!exemple ?!?...")
    assert "Je n'ai trouvé aucun mot à chercher dans « ?!?... »" in punct
    empty = await harness.send("!exemple")
    assert "Que cherchez-vous ? Par exemple : !exemple industrie linkedin" in empty
    assert "Tapez !aide" in await harness.send("!")


async def test_user_text_echo_stays_on_one_line(harness) -> None:
    replies = await harness.replies("!exemple zzz\nzzz @everyone")
    rendered = replies[0].render()
    assert "\n" not in rendered


def test_console_pipes_three_sourced_industrial_examples(base_dir: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--knowledge", str(base_dir),
         "--db", str(tmp_path / "state.sqlite3")],
        input="!exemple industrie\n", capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert out.count("Source : https://") >= 3
    assert "> " not in out.splitlines()[0]  # no prompt noise when stdin is not a terminal


def test_bundled_base_answers_industrie_in_console(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "state.sqlite3")],
        input="!exemple industrie\n",
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert out.count("Source : http") >= 3, out
    assert "Industrie" in out


def test_check_command_exit_status(base_dir: Path, tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "bot", "check", "--knowledge", str(base_dir)],
                        capture_output=True, text=True)
    assert ok.returncode == 0
    assert ok.stdout.startswith("Base valide : 6 exemples dans 1 fichier(s)")
    (base_dir / "exemples.yaml").write_text("exemples:\n  - id: [\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "bot", "check", "--knowledge", str(base_dir)],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"{base_dir}/exemples.yaml:")
    assert "erreur de syntaxe YAML" in bad.stdout
