"""Search behaviour a member notices: facets, typos, inflections, ranking, silence on noise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.search import SearchIndex

# the CLI tests exercise the output contract; the lexical engine keeps them fast and leaves
# the project's data/ folder (where the semantic cache would go) alone
LEXICAL_ONLY = {**os.environ, "BOT_SEMANTIC": "off"}


@pytest.fixture
def index(base_dir: Path) -> SearchIndex:
    return SearchIndex(load_knowledge(base_dir).base)


def ids(index: SearchIndex, query: str, limit: int | None = 10) -> list[str]:
    return [h.example.id for h in index.search(query, limit=limit).hits]


def test_sector_includes_sub_sectors_and_nothing_else(index: SearchIndex) -> None:
    assert set(ids(index, "industrie")) == {
        "fonderie-linkedin-recrutement", "plasturgiste-blog-prospection", "usine-yammer",
        "chaudronnerie-viadeo",
    }


@pytest.mark.parametrize("query", [
    "Industrie", "INDUSTRIELLES", "industriel", "indutrie", "industrei", "usines", "l'industrie",
])
def test_sector_recognised_through_case_accents_inflections_typos(index, query) -> None:
    reading = index.read(query)
    assert reading.facets["secteurs"] == ["industrie"], (query, reading)


@pytest.mark.parametrize("query, tool", [
    ("linkdin", "linkedin"), ("facebok", "facebook"), ("Linked In", "linkedin"),
    ("yammer", "reseau-social-entreprise"), ("réseau social d'entreprise", "reseau-social-entreprise"),
])
def test_tools_by_synonym_typo_and_multi_word_phrase(index, query, tool) -> None:
    assert index.read(query).facets["outils"] == [tool]


def test_multi_word_sector_synonym(index: SearchIndex) -> None:
    assert ids(index, "travaux publics") == ["macon-facebook-chantiers"]
    assert ids(index, "BÂTIMENT") == ["macon-facebook-chantiers"]


def test_combination_filters_on_every_asked_kind(index: SearchIndex) -> None:
    assert ids(index, "indutrie linkdin") == ["fonderie-linkedin-recrutement"]
    assert ids(index, "recrutements usine") == ["fonderie-linkedin-recrutement"]
    assert ids(index, "facebook recrutement") == ["boutique-facebook-recrutement"]
    assert ids(index, "btp linkedin") == []  # no BTP example uses LinkedIn: nothing, not noise


def test_inflected_use_and_natural_question(index: SearchIndex) -> None:
    found = ids(index, "Comment recruter avec les réseaux sociaux ?")
    assert set(found) == {"fonderie-linkedin-recrutement", "boutique-facebook-recrutement"}
    assert ids(index, "prospecter de nouveaux clients")[0] in {
        "plasturgiste-blog-prospection", "macon-facebook-chantiers", "chaudronnerie-viadeo"}


def test_free_words_are_ranked_by_text_relevance(index: SearchIndex) -> None:
    # a word in the title (x3) weighs more than in the résumé
    assert ids(index, "mouleurs") == [
        "fonderie-linkedin-recrutement", "plasturgiste-blog-prospection"]
    assert ids(index, "demandes de devis") == ["plasturgiste-blog-prospection"]
    # facet first, then the free words order the facet's examples
    assert ids(index, "industrie acheteurs")[0] == "chaudronnerie-viadeo"


@pytest.mark.parametrize("query", [
    "recette de la tarte aux pommes", "santé", "zzqx wvv", "?!?", "", "météo demain à Lyon",
    "🎉🎉🎉", "a" * 10_000,
])
def test_irrelevant_queries_answer_nothing(index: SearchIndex, query: str) -> None:
    assert ids(index, query) == []


def test_ties_are_broken_sourced_then_recent_then_id(index: SearchIndex) -> None:
    # all four industrial examples score the same on a sector-only query
    assert ids(index, "industrie") == [
        "fonderie-linkedin-recrutement",  # sourced, 2019-03
        "plasturgiste-blog-prospection",  # sourced, 2011
        "chaudronnerie-viadeo",           # sourced, 2008
        "usine-yammer",                   # not sourced
    ]


def test_votes_break_ties_before_the_static_order(index: SearchIndex) -> None:
    index.set_votes({"usine-yammer": 3, "plasturgiste-blog-prospection": -1})
    assert ids(index, "industrie") == [
        "usine-yammer", "fonderie-linkedin-recrutement", "chaudronnerie-viadeo",
        "plasturgiste-blog-prospection",
    ]


def test_limit_and_total(index: SearchIndex) -> None:
    result = index.search("industrie", limit=2)
    assert len(result.hits) == 2 and result.total == 4


def test_suggestions_when_nothing_matches(index: SearchIndex) -> None:
    result = index.search("btp linkedin")
    assert index.suggest(result.reading, "btp linkedin") == [
        ("secteurs", "btp", 1), ("outils", "linkedin", 1)]
    reading = index.read("plastiqe")  # typo of a sector synonym, too far to be corrected
    assert index.suggest(reading, "plastiqe")[0][:2] == ("secteurs", "plasturgie")


def test_cli_search_json_contract(base_dir: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--knowledge", str(base_dir), "--json",
         "--limit", "2", "industrie"],
        capture_output=True, text=True, check=True, env=LEXICAL_ONLY,
    ).stdout.strip().splitlines()
    assert len(out) == 1
    line = json.loads(out[0])
    assert line["query"] == "industrie"
    assert [r["id"] for r in line["results"]] == [
        "fonderie-linkedin-recrutement", "plasturgiste-blog-prospection"]
    assert all(isinstance(r["score"], float) for r in line["results"])


def test_cli_search_stdin_one_json_line_per_query(base_dir: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--knowledge", str(base_dir), "--json", "--stdin"],
        input="btp\nrecette de cuisine\n", capture_output=True, text=True, check=True,
        env=LEXICAL_ONLY,
    ).stdout.strip().splitlines()
    assert [json.loads(x) for x in out] == [
        {"query": "btp", "results": [{"id": "macon-facebook-chantiers", "score": 100.0}]},
        {"query": "recette de cuisine", "results": []},
    ]


@pytest.mark.parametrize("query", ["industrie", "réseaux sociaux", "recrutement",
                                   "vidéo", "facebook", "vendre en ligne"])
def test_the_first_page_is_the_start_of_the_whole_ranking(query) -> None:
    # a short page only sorts the examples it shows: it must be the whole ranking's start
    from bot.paths import DEFAULT_KNOWLEDGE

    bundled = SearchIndex(load_knowledge(DEFAULT_KNOWLEDGE).base)
    whole = [h.example.id for h in bundled.search(query, limit=None).hits]
    assert len(whole) > 4 * 2, "the query must match many examples for this test"
    assert [h.example.id for h in bundled.search(query, limit=2).hits] == whole[:2]
    assert bundled.search(query, limit=2).total == len(whole)
