"""Facets that rank as well as filter: text evidence, relaxation, context words, typos."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.commands import Assistant
from bot.core.knowledge import load_knowledge
from bot.core.search import SearchIndex
from bot.core.service import KnowledgeService
from bot.paths import DEFAULT_KNOWLEDGE
from tests.conftest import EXAMPLES, Harness, write_base

FOUNDRY_TAGGED_INDUSTRY = EXAMPLES + """\
  - id: fonderie-taguee-industrie
    titre: Une fonderie d'aluminium publie ses offres sur LinkedIn
    resume: La fonderie publie ses offres de mouleur sur LinkedIn et reçoit dix candidatures.
    secteur: industrie
    outils: [linkedin]
    usages: [recrutement]
"""


@pytest.fixture(scope="module")
def bundled() -> SearchIndex:
    return SearchIndex(load_knowledge(DEFAULT_KNOWLEDGE).base)


def ids(index: SearchIndex, query: str) -> list[str]:
    return [h.example.id for h in index.search(query).hits]


def test_typed_facet_word_counts_as_text_evidence(tmp_path: Path) -> None:
    index = SearchIndex(load_knowledge(
        write_base(tmp_path / "k", exemples=FOUNDRY_TAGGED_INDUSTRY)).base)
    found = ids(index, "fonderie linkedin")
    assert set(found) == {"fonderie-linkedin-recrutement", "fonderie-taguee-industrie"}


def test_terse_combination_stays_exact_but_offers_the_nearest(base_dir: Path) -> None:
    index = SearchIndex(load_knowledge(base_dir).base)
    result = index.search("btp linkedin")
    assert result.hits == [] and result.total == 0
    assert [h.example.id for h in result.nearest] == ["fonderie-linkedin-recrutement"]
    assert result.relaxation.dropped == ("secteurs",)


def test_question_relaxes_to_the_parent_sector_first(bundled: SearchIndex) -> None:
    result = bundled.search("comment une petite fonderie peut-elle utiliser facebook ?")
    assert result.relaxation is not None and result.relaxation.exact == 0
    assert result.relaxation.widened == (("metallurgie", "industrie"),)
    industry = bundled.taxonomy.descendants("secteurs", "industrie")
    top = [h.example for h in result.hits[:3]]
    assert all(e.sector in industry for e in top)
    assert sum("facebook" in e.tools for e in top) >= 2


async def test_seed_question_in_the_console_says_these_are_the_nearest() -> None:
    service = KnowledgeService(DEFAULT_KNOWLEDGE)
    service.load()
    harness = Harness(Assistant(service))
    text = await harness.send("!question comment une petite fonderie peut-elle utiliser facebook ?")
    assert text.startswith("Pas encore d'exemple de fonderie sur Facebook ; voici les plus "
                           "proches, Facebook dans le secteur Industrie :")
    assert text.count("Industrie ›") >= 3


def test_relaxation_keeps_the_named_tool_and_drops_weak_facets_first(bundled) -> None:
    result = bundled.search("viadeo ou linkedin pr recruter un commercial")
    assert "outils" in result.relaxation.kept
    assert "secteurs" in result.relaxation.dropped  # "commercial" the job, not Commerce
    assert result.hits[0].example.id == "creabois-viadeo-recrutement-commercial"


def test_what_they_lack_is_not_a_filter(bundled: SearchIndex) -> None:
    reading = bundled.read("nos opérateurs n'ont pas d'adresse mail, comment les joindre ?")
    assert reading.facets["outils"] == []
    assert [a.key for a in reading.negated] == ["newsletter"]
    assert bundled.read("une usine sans site web").facets["outils"] == []


@pytest.mark.parametrize("word", ["grise", "blague", "électrique", "pompiers", "dois"])
def test_french_words_are_never_corrected(bundled: SearchIndex, word: str) -> None:
    assert bundled.read(f"{word} atelier").corrections == {}


@pytest.mark.parametrize("typo, fixed", [("indutrie", "industrie"), ("linkedn", "linkedin"),
                                         ("facebok", "facebook"), ("recrutemnt", "recrutement")])
def test_non_words_are_still_corrected(bundled: SearchIndex, typo: str, fixed: str) -> None:
    assert bundled.read(typo).corrections == {typo: fixed}
