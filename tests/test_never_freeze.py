"""Approvals never freeze the bot, never lose a hand edit, and failures answer in French.

Issue 7: file work off the event loop, concurrent approvals from several processes, hand edits
made at random instants of approvals, a read-only or full state database, huge numbers.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from filelock import FileLock

from bot.app import open_core
from bot.config import Config, ConfigError, load_config
from bot.core.knowledge import load_knowledge
from bot.storage.knowledge_files import LOCK_NAME
from tests.conftest import EXAMPLES, Harness, write_base

LINE = ("!proposer industrie | linkedin | Une scierie vosgienne numéro {i} recrute deux affûteurs "
        "grâce à LinkedIn. | https://exemple.fr/scierie-{i}")


def big_examples(count: int) -> str:
    """An examples file large enough for the writer's tail check (well over 256 KB)."""
    items = [EXAMPLES.rstrip("\n")]
    for i in range(count):
        items.append(textwrap.indent(textwrap.dedent(f"""\
            - id: atelier-genere-{i}
              titre: Un atelier numéro {i} montre ses machines sur Facebook
              resume: Un atelier publie chaque semaine une vidéo de ses machines et reçoit des demandes de devis.
              secteur: industrie
              outils: [facebook]
              details: >-
                Texte plus long pour grossir le fichier, avec quelques mots de plus sur
                l'atelier numéro {i}, ses clients et ses salariés.
              sources: [https://example.org/atelier-{i}]"""), "  "))
    return "\n".join(items) + "\n"


async def _curated(tmp_path: Path, **config) -> tuple:
    folder = config.pop("folder", None) or write_base(tmp_path / "knowledge")
    cfg = Config(knowledge=folder, database=tmp_path / "etat.sqlite3", max_pending=1000,
                 max_per_day=1000, **config)
    return cfg, open_core(cfg, folder)


async def test_search_answers_while_an_approval_waits_for_another_process(tmp_path) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        await h.send(LINE.format(i=1), user="marie")
        other = FileLock(str(cfg.knowledge / LOCK_NAME))
        other.acquire()  # another bot process is writing the files
        try:
            approval = asyncio.create_task(h.send("!valider 1", user="lea", admin=True))
            await asyncio.sleep(0.3)
            assert not approval.done()  # the approval queues behind the other process...
            found = await h.send("!exemple industrie")  # ...while members get answers
            assert "exemples pour « industrie »" in found
            assert not approval.done()
        finally:
            other.release()
        assert "Proposition #1 validée" in await approval


def _approve_from_another_process(folder: Path, db: Path, number: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--knowledge", str(folder), "--db", str(db),
         "--user", f"admin{number}", "--admin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_three_approvals_at_once_from_three_processes_all_land(tmp_path) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        for i in range(1, 4):
            await h.send(LINE.format(i=i), user="marie")
    procs = [_approve_from_another_process(cfg.knowledge, cfg.database, n) for n in (1, 2, 3)]
    outs = [p.communicate(f"!valider {n}\n", timeout=120) for p, n in zip(procs, (1, 2, 3),
                                                                          strict=True)]
    for (out, err), p in zip(outs, procs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err and "validée" in out, (out, err)
    result = load_knowledge(cfg.knowledge)
    assert result.ok, result.problems
    titles = [e.title for e in result.base.examples if "scierie" in e.id]
    assert len(titles) == 3


async def test_hand_edits_at_random_instants_of_approvals_are_all_kept(tmp_path) -> None:
    folder = write_base(tmp_path / "knowledge", exemples=big_examples(1500))
    target = folder / "exemples.yaml"
    assert target.stat().st_size > 300_000
    cfg, core = await _curated(tmp_path, folder=folder)
    # the curator is another process, as an editor would be: it appends an example by hand at
    # random instants until told to stop, and prints the identifier of each one it wrote
    curator_code = textwrap.dedent(f"""
        import random, sys, time
        rng, n = random.Random(7), 0
        while True:
            time.sleep(rng.uniform(0.0, 0.15))
            n += 1
            with open({str(target)!r}, "a", encoding="utf-8") as f:
                f.write(f"  - id: ajout-a-la-main-{{n}}\\n    titre: Ajout à la main {{n}}\\n"
                        "    resume: Une PME ajoutée à la main pendant une validation.\\n"
                        "    secteur: btp\\n    outils: [blog]\\n")
            print(f"ajout-a-la-main-{{n}}", flush=True)
            if __import__("os").path.exists({str(tmp_path / "stop")!r}):
                break
    """)
    async with core as (assistant, _):
        h = Harness(assistant)
        for i in range(1, 9):
            await h.send(LINE.format(i=i), user="marie")
        curator = subprocess.Popen([sys.executable, "-c", curator_code], stdout=subprocess.PIPE,
                                   text=True)
        try:
            answers = [await h.send(f"!valider {i}", user="lea", admin=True) for i in range(1, 9)]
        finally:
            (tmp_path / "stop").touch()
            out, _ = curator.communicate(timeout=30)
        edits = out.split()
        assert all("validée" in a for a in answers), answers
        # the running bot sees every hand edit too, once it rereads the changed files
        await assistant.workflow.reload()
        in_service = set(assistant.knowledge.base.by_id)
    assert len(edits) >= 3, "the curator thread did not get a chance to edit"
    result = load_knowledge(folder)
    assert result.ok, result.problems[:3]
    on_disk = set(result.base.by_id)
    assert set(edits) <= on_disk, f"lost hand edits: {set(edits) - on_disk}"
    approved = {e for e in on_disk if "scierie" in e}
    assert len(approved) == 8
    assert set(edits) | approved <= in_service


async def test_approval_updates_the_index_without_reading_the_files_again(tmp_path,
                                                                          monkeypatch) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        await h.send(LINE.format(i=1), user="marie")
        from bot.core import service

        def no_full_load(*args, **kwargs):
            raise AssertionError("the whole base was read again")

        monkeypatch.setattr(service, "load_knowledge", no_full_load)
        assert "validée" in await h.send("!valider 1", user="lea", admin=True)
        assert "scierie vosgienne numéro 1" in await h.send("!exemple scierie affûteurs")
        example_id = next(e.id for e in assistant.knowledge.base.examples if "scierie" in e.id)
        assert "retiré" in await h.send(f"!retirer {example_id}", user="lea", admin=True)
        gone = await h.send("!exemple scierie affûteurs")
        assert "Je n'ai pas d'exemple pour « scierie affûteurs »" in gone
        assert not assistant.knowledge.changed_on_disk()  # our own writes are not hand edits


async def test_withdrawals_after_approvals_in_the_same_file(tmp_path) -> None:
    folder = write_base(tmp_path / "knowledge", exemples=big_examples(1200))
    cfg, core = await _curated(tmp_path, folder=folder)
    async with core as (assistant, _):
        h = Harness(assistant)
        for i in (1, 2, 3):
            await h.send(LINE.format(i=i), user="marie")
            assert "validée" in await h.send(f"!valider {i}", user="lea", admin=True)
        ids = [e.id for e in assistant.knowledge.base.examples if "scierie" in e.id]
        for example_id in [ids[1], "atelier-genere-5", ids[0], ids[2], "usine-yammer"]:
            text = await h.send(f"!retirer {example_id}", user="lea", admin=True)
            assert "retiré de exemples.yaml" in text, text
    result = load_knowledge(folder)
    assert result.ok, result.problems[:3]
    assert not {"atelier-genere-5", "usine-yammer", *ids} & set(result.base.by_id)
    assert len(result.base.examples) == 6 - 1 + 1200 - 1


async def test_history_keeps_a_bounded_number_of_versions(tmp_path) -> None:
    cfg, core = await _curated(tmp_path, history_versions=3)
    async with core as (assistant, _):
        h = Harness(assistant)
        for i in range(1, 6):
            await h.send(LINE.format(i=i), user="marie")
            assert "validée" in await h.send(f"!valider {i}", user="lea", admin=True)
    versions = sorted((cfg.knowledge / ".historique").iterdir())
    assert len(versions) == 3
    # the newest version kept is the file just before the last approval
    assert "numéro 4" in versions[-1].read_text() and "numéro 5" not in versions[-1].read_text()


@pytest.mark.parametrize("command", ["!voir", "!valider", "!rejeter", "!modifier", "!historique"])
async def test_huge_numbers_get_a_plain_answer(tmp_path, command) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        for number in ("99999999999999999999", "9223372036854775808", "0", "#٣"):
            extra = " motif" if command == "!rejeter" else " titre=x" if command == "!modifier" \
                else ""
            text = await h.send(f"{command} {number}{extra}", user="lea", admin=True)
            assert "Traceback" not in text
            if command == "!historique":
                assert text.startswith("Historique de")
            elif number.isascii():
                assert f"Aucune proposition n'a le numéro #{number.lstrip('#')}" in text, text
            else:
                assert "un nombre entier" in text, text


async def test_read_only_state_database_still_answers_searches(tmp_path) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        await h.send(LINE.format(i=1), user="marie")
        await assistant.workflow.db.fetchone("PRAGMA query_only = ON")  # writes now fail
        found = await h.send("!exemple industrie")
        assert "exemples pour « industrie »" in found
        again = await h.send("!exemple btp")
        assert "BTP" in again
        refused = await h.send(LINE.format(i=2), user="marie")
        assert "n'a pas pu être modifiée (la base est en lecture seule)" in refused
        approval = await h.send("!valider 1", user="lea", admin=True)
        assert "Attention : La base d'état etat.sqlite3 n'a pas pu être modifiée" in approval
        assert "Publication impossible" in approval and "reste en attente" in approval
        assert (await assistant.workflow.get(1)).status == "pending"
        assert "scierie" not in (cfg.knowledge / "exemples.yaml").read_text()


async def test_full_state_database_still_answers_searches(tmp_path) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        db = assistant.workflow.db
        pages = (await db.fetchone("PRAGMA page_count"))[0]
        await db.fetchone(f"PRAGMA max_page_count = {pages}")
        for _ in range(40):  # fill the query log until the database is full
            found = await h.send("!exemple industrie " + "x" * 400)
        assert "pour « industrie" in found
        assert assistant.workflow.storage_problem is not None
        assert "plein" in assistant.workflow.storage_problem
        stats = await h.send("!attente", user="lea", admin=True)
        assert stats.startswith("⚠ Attention : La base d'état") or "Attention" in stats


def test_prefix_and_examples_file_are_checked(tmp_path) -> None:
    for text, message in [
        ('prefix: "{"\n', "« prefix » ne peut contenir ni accolades"),
        ('prefix: "@"\n', "« prefix » ne peut contenir ni accolades"),
        ("examples_file: chiffres.yaml\n", "autre que taxonomie.yaml et chiffres.yaml"),
        ("examples_file: .cache.yaml\n", "« examples_file » doit être un nom de fichier .yaml "
                                         "visible"),
        ("examples_file: notes.txt\n", "« examples_file » doit être un nom de fichier .yaml"),
        ("admin_guilds: [abc]\n", "« admin_guilds » : identifiants numériques"),
        ("history_versions: 0\n", "« history_versions » doit être un entier positif"),
    ]:
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            load_config(path)
        assert message in "\n".join(info.value.problems), text


async def test_prefix_question_mark_everywhere_in_curation(tmp_path) -> None:
    cfg, core = await _curated(tmp_path, prefix="?")
    async with core as (assistant, _):
        h = Harness(assistant)
        texts = [await h.send("?proposer", user="marie"),
                 await h.send("industri", user="marie"),
                 await h.send("?annuler", user="marie"),
                 await h.send("?proposer x | y", user="marie"),
                 await h.send(LINE.replace("!", "?").format(i=1), user="marie"),
                 await h.send("?mespropositions", user="marie"),
                 await h.send("?attente", user="lea", admin=True),
                 await h.send("?voir 1", user="lea", admin=True),
                 await h.send("?voir x", user="lea", admin=True),
                 await h.send("?rejeter 1", user="lea", admin=True),
                 await h.send("?valider 1", user="lea", admin=True),
                 await h.send("?retirer", user="lea", admin=True)]
        notices = await assistant.workflow.db.undelivered("test:marie")
    joined = "\n".join(texts + [n["text"] for n in notices])
    assert not re.search(r"(?<![\w«(])!\w", joined), joined
    assert "?annuler" in joined and "?fiche" in joined and "?valider 1" in joined


async def test_utf16_target_is_refused_in_french_and_submission_kept(tmp_path) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        h = Harness(assistant)
        await h.send(LINE.format(i=1), user="marie")
        target = cfg.knowledge / "exemples.yaml"
        target.write_bytes(target.read_text(encoding="utf-8").encode("utf-16"))
        text = await h.send("!valider 1", user="lea", admin=True)
        assert "UTF-8" in text and "Traceback" not in text, text
        assert (await assistant.workflow.get(1)).status == "pending"


async def test_refusals_are_typed_and_said_in_french(tmp_path) -> None:
    from bot.core import submissions as sm
    from bot.core.curation import describe

    cfg, core = await _curated(tmp_path, prefix="?")
    async with core as (assistant, _):
        workflow = assistant.workflow
        with pytest.raises(sm.NoSuchSubmission) as missing:
            await workflow.get(42)
        assert missing.value.number == 42
        assert describe(missing.value, "?") == "Aucune proposition n'a le numéro #42."
        h = Harness(assistant)
        await h.send(LINE.replace("!", "?").format(i=1), user="marie")
        await h.send("?rejeter 1 hors sujet", user="lea", admin=True)
        with pytest.raises(sm.AlreadyDecided) as decided:
            await workflow.approve(1, "test:paul", "paul")
        assert (decided.value.status, decided.value.decided_by) == ("rejected", "lea")
        assert describe(decided.value) == "La proposition #1 est déjà refusée par lea."
        with pytest.raises(sm.InvalidValue) as bad:
            workflow.validator.sector("industri")
        assert bad.value.field == "secteur" and "?secteurs" in describe(bad.value)
        assert "?rejeter 3 MOTIF" in describe(sm.MissingReason(3), "?")
        assert describe(sm.LimitReached("day", 10, 10)).startswith("Vous avez fait 10 "
                                                                    "propositions en 24 heures")


async def test_a_failing_listener_does_not_silence_the_others(tmp_path) -> None:
    cfg, core = await _curated(tmp_path)
    async with core as (assistant, _):
        told = []

        class Broken:
            async def submitted(self, number):
                raise RuntimeError("plateforme en panne")

        class Working:
            async def submitted(self, number):
                told.append(number)

        assistant.workflow.listeners += [Broken(), Working()]
        text = await Harness(assistant).send(LINE.format(i=1), user="marie")
        assert "Merci ! Votre proposition #1 est enregistrée" in text
        assert told == [1]
