"""Hostile or careless curator files: each gets a French `FILE:LINE` problem, never a crash.

`python -m bot check` runs in a subprocess where a crash of the YAML library would show
(a file nested 30,000 levels deep used to kill it with a segmentation fault).
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import knowledge
from bot.core.knowledge import MAX_DEPTH, MAX_FILE_BYTES, load_knowledge
from tests.conftest import TAXONOMY

GOOD = """\
exemples:
  - id: bon-exemple
    titre: Un bon exemple
    resume: Une PME fait quelque chose de concret.
    secteur: industrie
    outils: [linkedin]
"""
# Words of PyYAML's messages that must never reach a curator.
ENGLISH = re.compile(
    r"\b(found|expected|while|allowed|could|not|but|the|scanning|parsing|character|token|"
    r"stream|scalar|mapping|sequence|anchor|escape|Error|Traceback|column|line)\b"
)


def base(folder: Path, taxonomy: str = TAXONOMY, **files: bytes | str) -> Path:
    """A knowledge folder whose files are written byte for byte (no dedent, no encoding)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "taxonomie.yaml").write_text(taxonomy, encoding="utf-8")
    for stem, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / f"{stem}.yaml").write_bytes(data)
    return folder


def check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "check", "--knowledge", str(folder)],
                          capture_output=True, text=True, timeout=300)


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in load_knowledge(folder).problems]


def french_messages(lines: list[str]) -> list[str]:
    """The message part of `FILE:LINE: message` lines (file paths may hold any word)."""
    return [line.split(": ", 1)[1] for line in lines]


def test_deeply_nested_files_are_refused_at_the_line_where_the_limit_is_crossed(
        tmp_path: Path) -> None:
    block_levels = "".join(f"{' ' * i}- \n" for i in range(2 * MAX_DEPTH))
    folder = base(
        tmp_path / "kb",
        crochets=b"exemples: " + b"[" * 30_000 + b"]" * 30_000 + b"\n",
        tirets=b"exemples:\n" + b"- " * 30_000 + b"x\n",
        accolades=b"exemples:\n  " + b"{a: " * 30_000 + b"1" + b"}" * 30_000 + b"\n",
        indentation=("exemples:\n" + block_levels).encode(),
        ok=GOOD,
    )
    run = check(folder)
    assert run.returncode == 1, run
    assert "Traceback" not in run.stderr
    deep = f"imbrication trop profonde : plus de {MAX_DEPTH} niveaux"
    for name, line in (("crochets", 1), ("tirets", 2), ("accolades", 2),
                       ("indentation", MAX_DEPTH + 1)):
        assert f"{folder}/{name}.yaml:{line}: {deep}" in run.stdout, (name, run.stdout)
    assert f"{folder}/ok.yaml" not in run.stdout  # the other files are still checked
    assert "4 problèmes à corriger." in run.stderr


SYNTAX_ERRORS = [
    # (file text, line reported, French words expected in the message)
    ("exemples:\n  - id: a\n\ttitre: b\n", 3, "tabulation"),
    ("exemples:\n  - id: a\n    titre: b\n\t   c\n", 4, "tabulation"),
    ("exemples: [a, b\nautre: 1\n", 2, "virgule « , » ou crochet fermant « ] » attendu"),
    ("exemples: {a: 1 b: [c]\n", 1, "virgule « , » ou accolade fermante"),
    ('exemples:\n  - id: a\n    titre: "C:\\dossier"\n', 3, "après « \\ »"),
    ('exemples:\n  - id: a\n    titre: "sans fin\n    resume: x\n', 3,
     "jamais fermé"),
    ("exemples:\n  - id: a\n    titre: Titre: avec deux-points\n", 3, "deux-points"),
    ("exemples:\n  - id: a\n   titre: b\n", 3, "tiret « - » attendu"),
    ("exemples:\n  - id: a\n  titre: b\n", 3, "tiret « - » attendu"),
    ("exemples:\n  - id: a\n    titre: - b\n", 3, "tiret « - » inattendu"),
    ('exemples:\n  - id: a\n    titre: "b" c\n', 3, "clé attendue"),
    ("exemples:\n  - id: a\n    titre: @b\n", 3, "« @ » interdit en début de valeur"),
    ("exemples:\n  - id: a\n    titre: `b`\n", 3, "« ` » interdit en début de valeur"),
    ("exemples:\n  - id: a\n    titre: >x\n      b\n", 3, "texte inattendu en fin de ligne"),
    ("exemples:\n  - id: a\n    titre: |0\n      b\n", 3, "indicateur d'indentation 0"),
    ("exemples:\n  - id: &\n", 2, "nom attendu après « & » ou « * »"),
    ('exemples:\n  - id: a\n    titre: "\\xZZ"\n', 3, "code hexadécimal"),
    ('exemples:\n  - id: a\n    titre: "\\uD800"\n', 3, "Unicode invalide"),
    ("%FOO bar\n---\nexemples: []\n", 1, "directive YAML"),
    ("%YAML 2.0\n---\nexemples: []\n", 1, "version de YAML"),
    ("exemples:\n  - id: !<x\n", 2, "étiquette YAML"),
    ("exemples:\n  - id: !x!y a\n", 2, "étiquette YAML"),
    ("exemples:\n  - id: a\n    titre\n    resume: b\n", 3, "deux-points « : » attendu"),
    ("exemples: ]\n", 1, "valeur attendue"),
    ('exemples:\n  - titre: "a\n---\n  b"\n', 3, "« --- » ou « ... » en début de ligne"),
    ("exemples: []\n---\nexemples: []\n", 2, "second document YAML"),
    ("exemples: []\n...\nautre: 1\n", 3, "après la fin du document"),
]


@pytest.mark.parametrize(("text", "line", "words"), SYNTAX_ERRORS)
def test_every_yaml_syntax_error_is_french_and_located(
        tmp_path: Path, text: str, line: int, words: str) -> None:
    folder = base(tmp_path / "kb", exemples=text)
    found = problems_of(folder)
    assert len(found) == 1, found
    assert found[0].startswith(f"{folder}/exemples.yaml:{line}: "), found
    assert words in found[0], found
    assert not ENGLISH.search(french_messages(found)[0]), found


def test_check_prints_no_english_for_a_folder_of_broken_files(tmp_path: Path) -> None:
    files = {f"casse-{i:02d}": text for i, (text, _, _) in enumerate(SYNTAX_ERRORS)}
    folder = base(tmp_path / "kb", **files)
    run = check(folder)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert len(lines) == len(SYNTAX_ERRORS), run.stdout
    for i, (_, line, words) in enumerate(SYNTAX_ERRORS):
        assert any(p.startswith(f"{folder}/casse-{i:02d}.yaml:{line}: ") and words in p
                   for p in lines), (i, run.stdout)
    assert not [m for m in french_messages(lines) if ENGLISH.search(m)], run.stdout
    assert "Traceback" not in run.stderr


def test_encodings_other_than_utf8_are_refused_with_the_way_to_fix_them(tmp_path: Path) -> None:
    latin1 = "exemples:\n  - id: cafe\n    titre: Un café\n".encode("latin-1")
    folder = base(
        tmp_path / "kb",
        utf16=GOOD.replace("bon-exemple", "utf16").encode("utf-16"),
        utf16be=GOOD.replace("bon-exemple", "utf16be").encode("utf-16-be"),
        utf32=GOOD.replace("bon-exemple", "utf32").encode("utf-32"),
        latin1=latin1,
        bom=b"\xef\xbb\xbf" + GOOD.replace("bon-exemple", "avec-bom").encode(),
    )
    run = check(folder)
    assert run.returncode == 1
    out = run.stdout
    save = "enregistrez-le en UTF-8"
    assert f"{folder}/utf16.yaml:1: fichier encodé en UTF-16, pas en UTF-8 : {save}" in out
    assert f"{folder}/utf16be.yaml:1: caractère nul (octet 0)" in out and out.count(save) == 4
    assert f"{folder}/utf32.yaml:1: fichier encodé en UTF-32" in out
    assert f"{folder}/latin1.yaml:3: octet 0xE9 (colonne 18) invalide en UTF-8" in out
    assert "bom.yaml" not in out  # a UTF-8 byte-order mark is fine
    assert len(out.splitlines()) == 4, out


def test_utf8_bom_base_is_valid(tmp_path: Path) -> None:
    folder = base(tmp_path / "kb", exemples=b"\xef\xbb\xbf" + GOOD.encode())
    run = check(folder)
    assert run.returncode == 0, run.stdout
    assert "Base valide : 1 exemples" in run.stdout


def test_nul_and_control_characters_are_located(tmp_path: Path) -> None:
    folder = base(tmp_path / "kb",
                  nul=GOOD.replace("Un bon", "Un\x00bon"),
                  controle=GOOD.replace("Un bon", "Un\x1bbon"),
                  suppression=GOOD.replace("concret", "con\x7fcret"))
    found = problems_of(folder)
    assert f"{folder}/nul.yaml:3: caractère nul (octet 0)" in "\n".join(found)
    assert f"{folder}/controle.yaml:3: caractère invisible U+001B interdit" in "\n".join(found)
    assert f"{folder}/suppression.yaml:4: caractère invisible U+007F interdit" in "\n".join(found)
    assert len(found) == 3, found


def test_too_big_file_is_refused_before_parsing_at_the_crossing_line(tmp_path: Path) -> None:
    folder = base(tmp_path / "kb", ok=GOOD)
    big = folder / "enorme.yaml"
    with big.open("wb") as f:
        f.write(b"exemples:\n" + b"  # commentaire\n" * 40)
        f.truncate(MAX_FILE_BYTES + 10)  # sparse: costs no disk, reads as NUL bytes
    run = check(folder)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"{folder}/enorme.yaml:42: fichier trop volumineux : il dépasse "
        f"{MAX_FILE_BYTES // 2**20} Mo à cette ligne ; répartissez les exemples dans plusieurs "
        "fichiers"
    ]


def test_alias_bomb_tags_and_odd_keys_are_refused_quickly(tmp_path: Path) -> None:
    laughs = "exemples:\n  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 12):
        previous, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        laughs += f"  - &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    marker = tmp_path / "pirate"
    folder = base(
        tmp_path / "kb",
        bombe=laughs,
        code=GOOD.replace("Un bon exemple", f"!!python/object/apply:os.system ['touch {marker}']"),
        objet=GOOD.replace("Un bon exemple", "!!python/name:os.system ''"),
        cle_liste="[a, b]: 1\nexemples: []\n",
        cle_dico=GOOD + "    {a: 1}: 2\n",
    )
    run = check(folder)
    assert run.returncode == 1
    assert not marker.exists()
    out = run.stdout
    assert f"{folder}/bombe.yaml:3: alias YAML « *a » non accepté : écrivez la valeur en entier" \
        in out
    assert out.count("bombe.yaml") == 11  # each alias name once, not 9**11 expansions
    assert f"{folder}/code.yaml:3: étiquette YAML « !!python/object/apply:os.system » " \
        "non acceptée" in out
    assert f"{folder}/objet.yaml:3: étiquette YAML « !!python/name:os.system » non acceptée" \
        in out
    assert f"{folder}/cle_liste.yaml:1: clé invalide dans le fichier : une clé est un simple " \
        "mot, pas une liste ou un dictionnaire" in out
    assert f"{folder}/cle_dico.yaml:7: clé invalide dans un exemple" in out
    assert "Traceback" not in run.stderr


def test_huge_values_give_short_messages(tmp_path: Path) -> None:
    long_key = "k" * 1_000  # YAML allows keys of 1,024 characters at most
    folder = base(tmp_path / "kb", exemples=(
        GOOD.replace("Un bon exemple", "T" * 2_000_000)
        + f"    {long_key}: x\n"
        + "    sources: [https://" + "e" * 500_000 + "]\n"))
    found = problems_of(folder)
    f = f"{folder}/exemples.yaml"
    assert f"{f}:3: le titre fait 2000000 caractères : 120 au plus" in found
    assert any(p.startswith(f"{f}:7: clé inconnue « kkkk") and p.endswith("k… »") for p in found)
    assert any(p.startswith(f"{f}:8: source « https://eee") for p in found)
    assert all(len(p) < len(f) + 250 for p in found), [len(p) for p in found]


def test_entries_that_are_not_readable_files_are_reported(tmp_path: Path) -> None:
    folder = base(tmp_path / "kb", ok=GOOD)
    (folder / "dossier.yaml").mkdir()
    (folder / "boucle.yaml").symlink_to(folder / "boucle.yaml")
    (folder / "casse.yaml").symlink_to(folder / "absent.yaml")
    os.mkfifo(folder / "tube.yaml")
    run = check(folder)
    assert run.returncode == 1
    assert sorted(run.stdout.splitlines()) == [
        f"{folder}/boucle.yaml:1: boucle de liens symboliques : ce lien ne mène à aucun fichier",
        f"{folder}/casse.yaml:1: fichier introuvable (lien symbolique cassé, ou fichier supprimé "
        "pendant la lecture)",
        f"{folder}/dossier.yaml:1: « dossier.yaml » est un dossier, pas un fichier : renommez-le "
        "ou déplacez-le hors du dossier de connaissances",
        f"{folder}/tube.yaml:1: « tube.yaml » n'est pas un fichier ordinaire (tube, "
        "périphérique…) : retirez-le du dossier de connaissances",
    ]


def test_unreadable_file_is_reported_in_french(tmp_path: Path, monkeypatch) -> None:
    folder = base(tmp_path / "kb", secret=GOOD)
    secret = str(folder / "secret.yaml")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if str(path) == secret:  # what a file without read permission gives (root reads all)
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(knowledge.os, "open", refusing_open)
    assert problems_of(folder) == [
        f"{secret}:1: lecture refusée par les droits du fichier : donnez au bot le droit de lire "
        "ce fichier"
    ]


def test_taxonomy_that_is_a_folder_or_nested_too_deep(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "taxonomie.yaml").mkdir()
    found = problems_of(folder)
    assert found == [f"{folder}/taxonomie.yaml:1: « taxonomie.yaml » est un dossier, pas un "
                     "fichier : renommez-le ou déplacez-le hors du dossier de connaissances"]
    deep = tmp_path / "profond"
    base(deep, taxonomy="secteurs: " + "[" * 100_000 + "]" * 100_000 + "\n", ok=GOOD)
    found = problems_of(deep)
    assert found[0].startswith(f"{deep}/taxonomie.yaml:1: imbrication trop profonde"), found


def test_braces_and_percent_signs_in_curator_text_are_kept_verbatim(tmp_path: Path) -> None:
    taxonomy = TAXONOMY.replace("libelle: BTP", "libelle: BTP {lourde}").replace(
        "synonymes: [bâtiment,", 'synonymes: ["{0}", "%s", "{}", "%(x)s", bâtiment,')
    folder = base(tmp_path / "kb", taxonomy=taxonomy, exemples=GOOD.replace(
        "secteur: industrie", "secteur: btp\n    '{cle}': '%s {0}'"))
    result = load_knowledge(folder)
    btp = result.base.taxonomy.sectors["btp"]
    assert btp.label == "BTP {lourde}"
    assert btp.synonyms[:4] == ("{0}", "%s", "{}", "%(x)s")
    assert result.base.taxonomy.resolve("secteurs", "{0}") == "btp"
    assert [str(p) for p in result.problems] == [
        f"{folder}/exemples.yaml:6: clé inconnue « {{cle}} »"
    ]


def test_console_still_answers_beside_a_deeply_nested_file(tmp_path: Path) -> None:
    folder = base(tmp_path / "kb", ok=GOOD, profond=b"exemples: " + b"[" * 30_000)
    run = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--knowledge", str(folder),
         "--db", str(tmp_path / "etat.sqlite3")],
        input="!exemple industrie linkedin\n", capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Un bon exemple" in run.stdout
    assert f"{folder}/profond.yaml:1: imbrication trop profonde" in run.stderr


async def test_reload_refuses_a_hostile_file_and_keeps_serving(curated, tmp_path: Path) -> None:
    (tmp_path / "knowledge" / "profond.yaml").write_bytes(b"exemples:\n" + b"- " * 30_000)
    (tmp_path / "knowledge" / "utf16.yaml").write_bytes(GOOD.encode("utf-16"))
    reply = await curated.send("!recharger", user="admin", admin=True)
    assert "la dernière version valide reste en service" in reply
    assert "profond.yaml:2: imbrication trop profonde" in reply
    assert "utf16.yaml:1: fichier encodé en UTF-16, pas en UTF-8 : enregistrez-le en UTF-8" \
        in reply
    assert "Une fonderie recrute" in await curated.send("!exemple fonderie linkedin")


def test_problems_of_one_file_are_capped(tmp_path: Path) -> None:
    folder = base(tmp_path / "kb", exemples="exemples:\n" + "  - x\n" * 5_000, ok=GOOD)
    found = problems_of(folder)
    cap = knowledge.MAX_PROBLEMS_PER_FILE
    assert len(found) == cap + 1
    assert found[-1] == (f"{folder}/exemples.yaml:{cap + 2}: plus de {cap} problèmes dans ce "
                         "fichier : les suivants ne sont pas affichés")
