"""Members propose, admins curate, through the chat commands and a real SQLite file."""

from __future__ import annotations

from bot.core.knowledge import load_knowledge

LINE = ("!proposer industrie | linkedin | Une scierie vosgienne recrute deux affûteurs grâce à "
        "un post LinkedIn. | https://exemple.fr/scierie")


async def test_one_line_proposal_then_approval_publishes_it(curated) -> None:
    text = await curated.send(LINE, user="marie")
    assert text.startswith("✔ Merci ! Votre proposition #1 est enregistrée")
    pending = await curated.send("!attente", user="admin", admin=True)
    assert "#1 · en attente · proposée par marie" in pending
    approved = await curated.send("!valider 1", user="admin", admin=True)
    assert "Proposition #1 validée : publiée dans exemples.yaml sous l'identifiant " \
           "une-scierie-vosgienne-recrute-deux-affuteurs-grace-a-un" in approved
    found = await curated.send("!exemple scierie affûteurs")
    assert "Une scierie vosgienne recrute deux affûteurs" in found
    folder = curated.assistant.knowledge.folder
    text = (folder / "exemples.yaml").read_text()
    assert text.startswith("# Fichier d'exemples de test : ce commentaire doit survivre")
    example = load_knowledge(folder).base.get(
        "une-scierie-vosgienne-recrute-deux-affuteurs-grace-a-un")
    assert example.contributor == "marie" and example.sources == ("https://exemple.fr/scierie",)
    # the member is told on their next message
    notices = await curated.assistant.workflow.db.undelivered("test:marie")
    assert "validée et publiée" in notices[0]["text"]
    mine = await curated.send("!mespropositions", user="marie")
    assert "#1 · validée" in mine and "Publiée sous l'identifiant" in mine


async def test_validation_messages_in_french(curated) -> None:
    bad = await curated.send("!proposer industri | linkdin, blog | Une phrase. Puis une autre. "
                             "| pas-une-url", user="marie")
    assert "Secteur inconnu « industri » (vouliez-vous dire « industrie »" in bad
    assert "Outil inconnu « linkdin » (vouliez-vous dire « linkedin »" in bad
    assert "Le résumé doit tenir en une seule phrase." in bad
    assert "Source « pas-une-url » invalide : l'adresse doit commencer par http" in bad
    empty = await curated.send("!proposer btp | blog |  ", user="marie")
    assert "Le résumé est vide" in empty
    long = await curated.send("!proposer btp | blog | " + "x" * 301, user="marie")
    assert "Le résumé fait 301 caractères : 300 au plus." in long
    assert "Format attendu : !proposer SECTEUR | OUTILS | RÉSUMÉ" in await curated.send(
        "!proposer juste du texte", user="marie")
    assert await curated.assistant.workflow.db.submissions() == []  # nothing half-saved


async def test_guided_dialogue_with_retry_preview_and_confirmation(curated) -> None:
    steps = [
        ("!proposer", "(1/8) Quel est le secteur"),
        ("bâtiment", "(2/8) Quels outils"),
        ("facebok", "Outil inconnu « facebok » (vouliez-vous dire « facebook »"),
        ("facebook, blog", "(3/8) Racontez la réalisation en une seule phrase"),
        ("Un couvreur publie ses chantiers sur Facebook et remplit son carnet de commandes.",
         "(4/8) Un titre court"),
        ("-", "(5/8) Taille de l'entreprise"),
        ("tpe", "(6/8) Région ou ville"),
        ("Normandie", "(7/8) Un résultat mesuré"),
        ("-", "(8/8) Adresse de la source"),
        ("https://exemple.fr/couvreur", "Voici votre proposition :"),
    ]
    for message, expected in steps:
        assert expected in await curated.send(message, user="paul"), message
    preview = await curated.send("peut-être", user="paul")
    assert "Répondez « oui »" in preview
    done = await curated.send("oui", user="paul")
    assert "Votre proposition #1 est enregistrée" in done
    sub = await curated.assistant.workflow.get(1)
    assert sub.data["size"] == "TPE" and sub.data["region"] == "Normandie"
    assert sub.data["tools"] == ["facebook", "blog"] and "title" not in sub.data


async def test_cancel_at_any_step_loses_nothing_else(curated) -> None:
    await curated.send("!proposer", user="paul")
    await curated.send("btp", user="paul")
    assert "C'est annulé" in await curated.send("!annuler", user="paul")
    assert await curated.send("blog", user="paul") == ""  # no dialogue any more
    assert "Rien à annuler." in await curated.send("!annuler", user="paul")
    assert await curated.assistant.workflow.db.submissions() == []


async def test_duplicates_are_flagged_to_member_and_admins(curated) -> None:
    near_existing = ("!proposer metallurgie | linkedin | Une fonderie de 40 salariés publie ses "
                     "offres sur LinkedIn et pourvoit trois postes.")
    text = await curated.send(near_existing, user="a")
    assert "elle ressemble beaucoup à fonderie-linkedin-recrutement" in text
    await curated.send(LINE, user="b")
    again = await curated.send(LINE.replace("deux", "2"), user="c")
    assert "elle ressemble beaucoup à #2" in again
    pending = await curated.send("!attente", user="admin", admin=True)
    assert "⚠ Doublon possible de fonderie-linkedin-recrutement" in pending
    assert "⚠ Doublon possible de #2" in pending


async def test_member_limits(curated) -> None:  # fixture: 3 pending, 4 a day
    for i in range(3):
        assert "enregistrée" in await curated.send(LINE.replace("deux", f"{i + 2}"), user="m")
    full = await curated.send(LINE.replace("deux", "neuf"), user="m")
    assert "Vous avez déjà 3 propositions en attente (3 au plus)" in full
    await curated.send("!rejeter 1 hors sujet", user="admin", admin=True)
    assert "enregistrée" in await curated.send(LINE.replace("deux", "dix"), user="m")
    await curated.send("!rejeter 2 hors sujet", user="admin", admin=True)
    day = await curated.send(LINE.replace("deux", "onze"), user="m")
    assert "Vous avez fait 4 propositions en 24 heures (4 au plus)" in day
    assert "enregistrée" in await curated.send(LINE, user="someone-else")


async def test_rejection_reason_reaches_the_member(curated) -> None:
    await curated.send(LINE, user="marie")
    assert "Indiquez le motif du refus" in await curated.send("!rejeter 1", user="a", admin=True)
    assert "refusée" in await curated.send("!rejeter 1 source introuvable", user="a", admin=True)
    mine = await curated.send("!mespropositions", user="marie")
    assert "#1 · refusée" in mine and "Motif du refus : source introuvable" in mine
    assert "déjà refusée par a" in await curated.send("!valider 1", user="a", admin=True)
    assert "Aucune proposition n'a le numéro #9." in await curated.send(
        "!voir 9", user="a", admin=True)


async def test_admin_commands_are_refused_to_members(curated) -> None:
    await curated.send(LINE, user="marie")
    for command in ("!attente", "!valider 1", "!rejeter 1 non", "!stats", "!retirer x"):
        assert "réservée aux administrateurs" in await curated.send(command, user="marie")
    assert "!valider" not in await curated.send("!aide", user="marie")
    assert "!valider N" in await curated.send("!aide", user="admin", admin=True)


async def test_edit_then_history_shows_before_and_after(curated) -> None:
    await curated.send(LINE, user="marie")
    edited = await curated.send("!modifier 1 titre=Une scierie recrute sur LinkedIn",
                                user="lea", admin=True)
    assert "Titre : Une scierie recrute sur LinkedIn" in edited
    assert "Secteur inconnu" in await curated.send("!modifier 1 secteur=zzz", user="lea",
                                                   admin=True)
    assert "Champ « couleur » inconnu" in await curated.send("!modifier 1 couleur=bleu",
                                                             user="lea", admin=True)
    await curated.send("!modifier 1 id=scierie-linkedin", user="lea", admin=True)
    await curated.send("!valider 1", user="lea", admin=True)
    history = await curated.send("!historique 1", user="lea", admin=True)
    assert "lea a validé #1" in history
    assert "lea a modifié #1 (avant : titre = (vide) ; après : titre = Une scierie recrute sur " \
           "LinkedIn)" in history
    assert "lea a validé #1 (avant : statut = en attente ; après : statut = validée" in history
    assert "marie a proposé #1" in history
    assert "scierie-linkedin" in await curated.send("!fiche scierie-linkedin")


async def test_withdraw_keeps_history_and_search_forgets(curated) -> None:
    text = await curated.send("!retirer usine-yammer", user="lea", admin=True)
    assert "Exemple « usine-yammer » retiré de exemples.yaml" in text
    assert "Aucun exemple n'a l'identifiant" in await curated.send("!fiche usine-yammer")
    history = await curated.send("!historique usine-yammer", user="lea", admin=True)
    assert "lea a retiré usine-yammer" in history and "yaml = - id: usine-yammer" in history


async def test_invalid_file_on_disk_keeps_submission_pending(curated) -> None:
    await curated.send(LINE, user="marie")
    path = curated.assistant.knowledge.folder / "exemples.yaml"
    path.write_text(path.read_text() + "  - id: moitie\n    titre: [\n")
    refused = await curated.send("!valider 1", user="lea", admin=True)
    assert "Publication impossible : les fichiers de la base ont été modifiés" in refused
    assert f"{path}:" in refused
    assert (await curated.assistant.workflow.get(1)).status == "pending"


async def test_stats_and_gaps_from_the_query_log(curated) -> None:
    for _ in range(3):
        await curated.send("!exemple santé")
    await curated.send("!exemple industrie")
    await curated.send(LINE, user="marie")
    stats = await curated.send("!stats", user="lea", admin=True)
    assert "Industrie : 4" in stats and "en attente : 1" in stats
    assert "santé (3 fois)" in stats
    gaps = await curated.send("!lacunes", user="lea", admin=True)
    assert "santé (3 fois)" in gaps and "industrie" not in gaps


async def test_hand_edit_is_noticed_and_bad_edit_keeps_last_good_base(curated) -> None:
    from bot.app import console_turn_hook
    from bot.core.commands import Caller

    admin = Caller("test:lea", "lea", True)
    folder = curated.assistant.knowledge.folder
    path = folder / "exemples.yaml"
    path.write_text(path.read_text().replace("Une usine relie ses équipes avec Yammer",
                                             "Une usine relie ses ateliers avec Yammer"))
    notes = await console_turn_hook(curated.assistant, admin)
    assert "Base rechargée après modification des fichiers" in notes[0].render()
    assert "ateliers" in await curated.send("!fiche usine-yammer")
    path.write_text(path.read_text() + "  - id: casse\n    secteur: inconnu\n")
    notes = await console_turn_hook(curated.assistant, admin)
    shown = notes[0].render()
    assert "la dernière version valide reste en service" in shown
    assert f"{path}:" in shown and "secteur inconnu « inconnu »" in shown
    assert "4 exemples pour « industrie »" in await curated.send("!exemple industrie")


async def test_reconcile_settles_half_published_submissions(curated) -> None:
    workflow = curated.assistant.workflow
    await curated.send(LINE, user="marie")
    await curated.send(LINE.replace("deux", "trois"), user="paul")
    # #1: died after writing the file; #2: died before writing it
    assert await workflow.db.claim_for_publishing(1, "scierie-publiee", "lea")
    sub = await workflow.get(1)
    workflow.files.add_example(workflow.example_dict(sub, "scierie-publiee"))
    assert await workflow.db.claim_for_publishing(2, "scierie-perdue", "lea")
    settled = await workflow.reconcile()
    assert settled == [(1, "approved"), (2, "pending")]
    assert (await workflow.get(1)).status == "approved"
    assert (await workflow.get(2)).status == "pending"
    assert "scierie-publiee" in await curated.send("!fiche scierie-publiee")


def test_console_flow_member_then_admin_on_the_same_db(tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import write_base

    folder = write_base(tmp_path / "knowledge")
    db = tmp_path / "etat.sqlite3"

    def console(lines: str, *extra: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "bot", "console", "--knowledge", str(folder), "--db", str(db),
             *extra], input=lines, capture_output=True, text=True, check=True, timeout=60,
        ).stdout

    out = console(LINE + "\n", "--user", "marie")
    assert "Votre proposition #1 est enregistrée" in out
    out = console("!attente\n!valider 1\n", "--user", "lea", "--admin")
    assert "#1 · en attente · proposée par marie" in out and "Proposition #1 validée" in out
    out = console("!exemple scierie affûteurs\n", "--user", "marie")
    assert "votre proposition #1 a été validée et publiée" in out
    assert "Une scierie vosgienne recrute deux affûteurs" in out
    text = (folder / "exemples.yaml").read_text()
    assert text.startswith("# Fichier d'exemples de test : ce commentaire doit survivre")
    assert "contributeur: marie" in text
    assert "réservée aux administrateurs" in console("!valider 1\n", "--user", "marie")


async def test_odd_values_get_french_messages_not_crashes(curated) -> None:
    assert "Le résumé ne contient aucun mot" in await curated.send(
        "!proposer btp | blog | ...", user="m")
    await curated.send("!proposer btp | blog | Grâce à M. Dupont, une PME de S.A. vend plus.",
                       user="m")
    assert (await curated.assistant.workflow.get(1)).status == "pending"  # abbreviations pass
    assert "L'effectif doit être un nombre entier" in await curated.send(
        "!modifier 1 effectif=²", user="lea", admin=True)
    assert "Indiquez le numéro de la proposition" in await curated.send(
        "!voir ²", user="lea", admin=True)
    assert "Adresse trop longue" in await curated.send(
        "!modifier 1 source=https://exemple.fr/" + "a" * 600, user="lea", admin=True)
    assert "numéro de port invalide" in await curated.send(
        "!modifier 1 source=http://exemple.fr:abc/x", user="lea", admin=True)
    assert "réservée aux administrateurs" in await curated.send("!aide valider", user="m")


async def test_full_disk_leaves_the_submission_pending_and_no_temp_file(curated) -> None:
    import os

    await curated.send(LINE, user="marie")
    folder = curated.assistant.knowledge.folder
    path = folder / "exemples.yaml"
    before = path.read_bytes()
    # the writer's temporary file lands on /dev/full: every write fails with ENOSPC
    tmp = folder / f".exemples.yaml.{os.getpid()}.tmp"
    tmp.symlink_to("/dev/full")
    text = await curated.send("!valider 1", user="lea", admin=True)
    assert "Publication impossible : exemples.yaml n'a pas pu être écrit (le disque est plein)" \
        in text and "reste en attente" in text
    assert (await curated.assistant.workflow.get(1)).status == "pending"
    assert path.read_bytes() == before
    assert not list(folder.glob(".*.tmp")), "a temporary file was left behind"
    assert "validée" in await curated.send("!valider 1", user="lea", admin=True)


async def test_decision_cannot_overwrite_another(curated) -> None:
    workflow = curated.assistant.workflow
    await curated.send(LINE, user="marie")
    await curated.send("!valider 1", user="lea", admin=True)
    # a second process that still believed #1 pending
    assert not await workflow.db.update_if_pending(1, status="rejected", reason="x")
    assert (await workflow.get(1)).status == "approved"
