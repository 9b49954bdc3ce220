"""Writing the curators' YAML: nothing they wrote is touched, nothing half-written survives."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.storage.knowledge_files import KnowledgeFiles, KnowledgeWriteError
from tests.conftest import EXAMPLES, write_base


def new_example(i: int = 1, **extra) -> dict:
    return {"id": f"nouvel-exemple-{i}", "titre": f"Nouvel exemple {i} : avec deux-points",
            "resume": "Une PME fait quelque chose de concret, « entre guillemets » et #dièse.",
            "secteur": "btp", "outils": ["facebook", "blog"],
            "entreprise": {"taille": "PME", "region": "Bretagne"},
            "sources": ["https://example.org/n"], "ajoute_le": "2026-11-29", **extra}


def test_append_keeps_every_byte_of_the_file(base_dir: Path) -> None:
    path = base_dir / "exemples.yaml"
    before = path.read_bytes()
    outcome = KnowledgeFiles(base_dir).add_example(new_example())
    after = path.read_bytes()
    assert after.startswith(before)
    assert not outcome.already_present
    result = load_knowledge(base_dir)
    assert result.ok, result.problems
    added = result.base.get("nouvel-exemple-1")
    assert added.title == "Nouvel exemple 1 : avec deux-points"
    assert added.summary.endswith("« entre guillemets » et #dièse.")
    assert added.added_on == "2026-11-29" and added.company.region == "Bretagne"
    # the previous version is kept
    history = list((base_dir / ".historique").iterdir())
    assert len(history) == 1 and history[0].read_bytes() == before


def test_adding_twice_is_idempotent(base_dir: Path) -> None:
    files = KnowledgeFiles(base_dir)
    files.add_example(new_example())
    text = (base_dir / "exemples.yaml").read_text()
    assert files.add_example(new_example()).already_present
    assert (base_dir / "exemples.yaml").read_text() == text


@pytest.mark.parametrize("content", [
    None, "", "# seulement un commentaire\n", "exemples: []  # vide pour l'instant\n",
    "exemples:\n", "# en-tête\nexemples:\n    - id: deja-la\n      titre: Déjà là\n"
    "      resume: Une phrase.\n      secteur: btp\n      outils: [blog]\n# fin du fichier",
])
def test_append_to_new_empty_or_unusual_files(tmp_path: Path, content: str | None) -> None:
    folder = write_base(tmp_path / "kb", exemples=EXAMPLES)
    target = folder / "ajouts.yaml"
    if content is not None:
        target.write_text(content, encoding="utf-8")
    KnowledgeFiles(folder, "ajouts.yaml").add_example(new_example())
    text = target.read_text()
    if content:
        kept = content.replace("exemples: []", "exemples:")
        assert text.startswith(kept if kept.endswith("\n") else kept + "\n")
    result = load_knowledge(folder)
    assert result.ok, result.problems
    assert result.base.get("nouvel-exemple-1").file.endswith("ajouts.yaml")


def test_invalid_file_on_disk_refuses_with_file_and_line(base_dir: Path) -> None:
    path = base_dir / "exemples.yaml"
    half_edited = path.read_text() + "  - id: en-cours\n    titre: [pas fini\n"
    path.write_text(half_edited)
    with pytest.raises(KnowledgeWriteError) as info:
        KnowledgeFiles(base_dir).add_example(new_example())
    assert any(str(p).startswith(f"{path}:") for p in info.value.problems)
    assert path.read_text() == half_edited  # untouched


def test_new_content_is_checked_before_replacing(base_dir: Path) -> None:
    with pytest.raises(KnowledgeWriteError) as info:
        KnowledgeFiles(base_dir).add_example(new_example(secteur="inconnu"))
    assert "secteur inconnu « inconnu »" in str(info.value.problems[0])
    assert (base_dir / "exemples.yaml").read_text() == EXAMPLES.replace("    ", "    ")


def test_remove_example_cuts_only_its_block(base_dir: Path) -> None:
    path = base_dir / "exemples.yaml"
    files = KnowledgeFiles(base_dir)
    _, removed = files.remove_example("usine-yammer")
    assert removed.startswith("  - id: usine-yammer\n")
    text = path.read_text()
    assert "usine-yammer" not in text
    assert text.startswith("# Fichier d'exemples de test")
    result = load_knowledge(base_dir)
    assert result.ok and len(result.base.examples) == 5
    # removing the last one of a file leaves a valid, empty list
    for example in list(result.base.examples):
        files.remove_example(example.id)
    assert load_knowledge(base_dir).ok
    assert load_knowledge(base_dir).base.examples == []


def _approve_in_process(folder: str, i: int) -> None:
    KnowledgeFiles(folder).add_example(new_example(i))


def test_simultaneous_writers_all_land(base_dir: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_approve_in_process, args=(str(base_dir), i)) for i in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    result = load_knowledge(base_dir)
    assert result.ok, result.problems
    assert {f"nouvel-exemple-{i}" for i in range(8)} <= set(result.base.by_id)


def test_hand_edit_made_while_running_is_kept(base_dir: Path) -> None:
    files = KnowledgeFiles(base_dir)
    files.add_example(new_example(1))
    path = base_dir / "exemples.yaml"
    edited = path.read_text().replace("# Fichier d'exemples de test", "# Modifié à la main")
    path.write_text(edited)
    files.add_example(new_example(2))
    text = path.read_text()
    assert text.startswith("# Modifié à la main") and "nouvel-exemple-2" in text


def test_bom_crlf_and_permissions_are_kept(tmp_path: Path) -> None:
    folder = write_base(tmp_path / "kb")
    path = folder / "exemples.yaml"
    original = ("\ufeff# écrit sous Windows\r\n" + EXAMPLES.replace("\n", "\r\n")).encode()
    path.write_bytes(original)
    path.chmod(0o664)
    KnowledgeFiles(folder).add_example(new_example())
    after = path.read_bytes()
    assert after.startswith(original)
    assert b"\r\n  - id: nouvel-exemple-1\r\n" in after and b"\n" not in after.replace(b"\r\n", b"")
    assert path.stat().st_mode & 0o777 == 0o664
    result = load_knowledge(folder)
    assert result.ok and result.base.get("nouvel-exemple-1") is not None
