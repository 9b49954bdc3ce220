"""Loading and checking a knowledge folder: every problem, located, in French, in one run."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.search import SearchIndex
from tests.conftest import TAXONOMY, write_base

GOOD = """\
exemples:
  - id: bon-exemple
    titre: Un bon exemple
    resume: Une PME fait quelque chose de concret.
    secteur: industrie
    outils: [linkedin]
"""


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in load_knowledge(folder).problems]


def test_valid_base_loads_typed_examples(base_dir: Path) -> None:
    result = load_knowledge(base_dir)
    assert result.ok, result.problems
    fonderie = result.base.get("fonderie-linkedin-recrutement")
    assert fonderie.company.headcount == 40
    assert fonderie.company.size == "PME"
    assert fonderie.date == "2019-03"  # kept as written, not turned into a datetime
    assert fonderie.sources == ("https://example.org/fonderie",)
    assert len(result.base.examples) == 6


def test_yaml_syntax_error_is_located_and_other_files_still_checked(tmp_path: Path) -> None:
    broken = "exemples:\n  - id: a\n    titre: Titre: avec deux-points\n"
    folder = write_base(tmp_path / "kb", a=broken, b=GOOD.replace("industrie", "industri"))
    found = problems_of(folder)
    assert any(p.startswith(f"{folder}/a.yaml:3: erreur de syntaxe YAML") for p in found), found
    assert any(f"{folder}/b.yaml:5:" in p and "industri" in p and "« industrie »" in p
               for p in found), found


def test_every_schema_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    bad = """\
    exemples:
      - id: Mauvais Id
        titre: x
        resume: Une phrase.
        secteur: industrie
        outils: [linkdin]
      - id: sans-titre
        resume: Une phrase. Puis une deuxième phrase.
        secteur: industri
        outils: [facebook]
        secteurs: btp
      - id: urls-et-dates
        titre: Un titre
        resume: "  "
        secteur: btp
        outils: []
        sources: [example.org/page, "https://exa mple.org"]
        date: 2019-13
        ajoute_le: hier
        entreprise: {taille: pme, effectif: quarante}
      - id: titre-long
        titre: %s
        resume: %s
        secteur: btp
        outils: [facebook]
    """ % ("T" * 121, "r" * 301)
    folder = write_base(tmp_path / "kb", exemples=bad)
    found = "\n".join(problems_of(folder))
    f = f"{folder}/exemples.yaml"
    assert f"{f}:2: identifiant « Mauvais Id » invalide" in found
    assert f"{f}:6: outil inconnu « linkdin » (vouliez-vous dire « linkedin » ?)" in found
    assert f"{f}:7: exemple « sans-titre » : champ obligatoire « titre » manquant" in found
    assert f"{f}:8: le résumé doit tenir en une seule phrase" in found
    assert f"{f}:9: secteur inconnu « industri » (vouliez-vous dire « industrie »" in found
    assert f"{f}:11: clé inconnue « secteurs » (vouliez-vous dire « secteur » ?)" in found
    assert f"{f}:14: exemple « urls-et-dates » : champ « resume » vide" in found
    assert f"{f}:16: « outils » doit contenir au moins un outil" in found
    assert f"{f}:17: source « example.org/page » invalide" in found
    assert f"{f}:17: source « https://exa mple.org » invalide" in found
    assert f"{f}:18: « date » : cette date n'existe pas" in found
    assert f"{f}:19: « ajoute_le » : date attendue sous la forme AAAA, AAAA-MM ou AAAA-MM-JJ" \
        in found
    assert f"{f}:20: taille « pme » inconnue : TPE, PME, ETI ou GE (vouliez-vous dire « PME » ?)" \
        in found
    assert f"{f}:20: effectif « quarante » invalide" in found
    assert f"{f}:22: le titre fait 121 caractères : 120 au plus" in found
    assert f"{f}:23: le résumé fait 301 caractères : 300 au plus" in found


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    folder = write_base(tmp_path / "kb", a=GOOD, b=GOOD)
    assert problems_of(folder) == [
        f"{folder}/b.yaml:2: identifiant « bon-exemple » déjà utilisé ({folder}/a.yaml:2)"
    ]


def test_taxonomy_problems_parent_cycle_unknown_parent_and_keys(tmp_path: Path) -> None:
    taxonomy = """\
secteurs:
  a:
    libelle: A
    parent: b
  b:
    libelle: B
    parent: a
  c:
    libelle: C
    parent: inconnu
  d:
    label: D
outils:
  linkedin:
    libelle: LinkedIn
usage:
  x: {libelle: X}
"""
    folder = write_base(tmp_path / "kb", taxonomy=taxonomy, exemples="exemples: []\n")
    found = "\n".join(problems_of(folder))
    t = f"{folder}/taxonomie.yaml"
    assert f"{t}:2: cycle de parents dans secteurs : a → b → a" in found
    assert f"{t}:8: parent « inconnu » de « c » inconnu dans secteurs" in found
    assert f"{t}:12: clé inconnue « label » (vouliez-vous dire « libelle » ?)" in found
    assert f"{t}:11: secteur « d » : « libelle » obligatoire et non vide" in found
    assert f"{t}:16: clé inconnue « usage » (vouliez-vous dire « usages » ?)" in found


def test_duplicate_key_in_a_mapping_is_reported(tmp_path: Path) -> None:
    text = GOOD + "    titre: Un autre titre\n"
    folder = write_base(tmp_path / "kb", exemples=text)
    assert problems_of(folder) == [
        f"{folder}/exemples.yaml:7: clé « titre » en double dans un exemple"
    ]


def test_loading_never_executes_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = GOOD.replace(
        "titre: Un bon exemple",
        f"titre: !!python/object/apply:os.system ['touch {marker}']",
    )
    folder = write_base(tmp_path / "kb", exemples=text)
    found = problems_of(folder)
    assert not marker.exists()
    assert found  # the unknown tag is refused, not constructed


def test_missing_taxonomy_and_folder(tmp_path: Path) -> None:
    folder = tmp_path / "vide"
    folder.mkdir()
    assert problems_of(folder) == [
        f"{folder}/taxonomie.yaml:1: fichier taxonomie.yaml introuvable dans {folder}"
    ]
    assert "dossier de connaissances introuvable" in problems_of(tmp_path / "absent")[0]


def test_taxonomy_resolve_and_suggest_fold_accents(tmp_path: Path) -> None:
    folder = write_base(tmp_path / "kb", taxonomy=TAXONOMY, exemples=GOOD)
    taxonomy = load_knowledge(folder).base.taxonomy
    assert taxonomy.resolve("secteurs", "BATIMENT") == "btp"
    assert taxonomy.resolve("secteurs", "Métallurgie") == "metallurgie"
    assert taxonomy.suggest("outils", "linkdin")[0] == "linkedin"
    assert taxonomy.descendants("secteurs", "industrie") == {
        "industrie", "metallurgie", "plasturgie"
    }


def test_duplicate_id_is_reported_whatever_is_wrong_with_either_copy(tmp_path: Path) -> None:
    broken_first = GOOD.replace("secteur: industrie", "secteur: inconnu")
    broken_twice = GOOD.replace("titre: Un bon exemple", "titre: [liste]")
    folder = write_base(tmp_path / "kb", a=broken_first, b=GOOD, c=broken_twice)
    assert problems_of(folder) == [
        f"{folder}/a.yaml:5: secteur inconnu « inconnu »",
        f"{folder}/b.yaml:2: identifiant « bon-exemple » déjà utilisé ({folder}/a.yaml:2)",
        f"{folder}/c.yaml:3: « titre » doit être un texte simple",
        f"{folder}/c.yaml:2: identifiant « bon-exemple » déjà utilisé ({folder}/a.yaml:2)",
    ]


def test_an_invalid_field_gives_no_false_empty_field_problem(tmp_path: Path) -> None:
    text = GOOD.replace("secteur: industrie", "secteur: aeronautique").replace(
        "outils: [linkedin]", "outils: [pigeon]").replace("titre: Un bon exemple", "titre: {a: 1}")
    folder = write_base(tmp_path / "kb", exemples=text)
    f = f"{folder}/exemples.yaml"
    assert problems_of(folder) == [
        f"{f}:3: « titre » doit être un texte simple",
        f"{f}:5: secteur inconnu « aeronautique »",
        f"{f}:6: outil inconnu « pigeon »",
    ]
    empty = GOOD.replace("secteur: industrie", "secteur:")
    folder = write_base(tmp_path / "vide", exemples=empty)
    assert problems_of(folder) == [
        f"{folder}/exemples.yaml:5: exemple « bon-exemple » : champ « secteur » vide"
    ]


def test_a_parent_cycle_is_reported_once(tmp_path: Path) -> None:
    taxonomy = """\
secteurs:
  a: {libelle: A, parent: c}
  b: {libelle: B, parent: a}
  c: {libelle: C, parent: b}
  d: {libelle: D, parent: b}
  e: {libelle: E, parent: e}
outils:
  linkedin: {libelle: LinkedIn}
"""
    folder = write_base(tmp_path / "kb", taxonomy=taxonomy, exemples="exemples: []\n")
    t = f"{folder}/taxonomie.yaml"
    assert problems_of(folder) == [
        f"{t}:2: cycle de parents dans secteurs : a → c → b → a",
        f"{t}:6: cycle de parents dans secteurs : e → e",
    ]


def test_a_too_long_chain_of_parents_is_reported_once_and_cut(tmp_path: Path) -> None:
    lines = ["secteurs:"] + [f"  s{i}: {{libelle: S{i}, parent: s{i + 1}}}" for i in range(20_000)]
    taxonomy = "\n".join([*lines, "  s20000: {libelle: Fin}", "outils:", "  x: {libelle: X}", ""])
    folder = write_base(tmp_path / "kb", taxonomy=taxonomy, exemples="exemples: []\n")
    result = load_knowledge(folder)
    assert [str(p) for p in result.problems] == [
        f"{folder}/taxonomie.yaml:2: hiérarchie trop profonde dans secteurs : « s0 » est à plus "
        "de 10 niveaux de parents de sa racine (19990 entrée(s) dans ce cas)"
    ]
    taxonomy = result.base.taxonomy
    assert len(taxonomy.sectors) == 20_001
    assert taxonomy.descendants("secteurs", "s20000") == {f"s{i}" for i in range(19_990, 20_001)}
    SearchIndex(result.base)  # stays linear in the taxonomy's size: it used to never finish


def test_an_empty_taxonomy_is_said_to_be_empty(tmp_path: Path) -> None:
    for name, text in (("vide", ""), ("commentaires", "# à remplir\n")):
        folder = write_base(tmp_path / name, taxonomy=text, exemples="exemples: []\n")
        assert problems_of(folder) == [
            f"{folder}/taxonomie.yaml:1: taxonomie vide : elle doit contenir au moins les "
            "sections « secteurs » et « outils »"
        ]
    folder = write_base(tmp_path / "sections", taxonomy="secteurs:\noutils: {}\nusages:\n",
                        exemples="exemples: []\n")
    t = f"{folder}/taxonomie.yaml"
    assert problems_of(folder) == [
        f"{t}:1: la section « secteurs » est vide : la taxonomie doit compter au moins un secteur",
        f"{t}:2: la section « outils » est vide : la taxonomie doit compter au moins un outil",
    ]


def test_an_invalid_label_is_not_also_said_missing(tmp_path: Path) -> None:
    taxonomy = TAXONOMY.replace("libelle: BTP", "libelle: [B, T, P]")
    folder = write_base(tmp_path / "kb", taxonomy=taxonomy, exemples=GOOD)
    found = problems_of(folder)
    assert len(found) == 1 and "« libelle » doit être un texte simple" in found[0], found
