"""Search quality floors on the public query sets (tests/quality, `make eval` for the tables)."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core.knowledge import load_knowledge
from tests.quality import evaluate as quality
from tests.quality.evaluate import (
    BASE,
    REAL_WORDS_TARGETS,
    Query,
    bot_search,
    evaluate,
    fts5_search,
    load_queries,
    load_real_words,
)

# Floors of the real-words tier (tests/quality/real_words.yaml), one set per lot. They are what
# the engine achieved when the tier was written, minus a small margin:
#   dev     : MRR@10 0.662, recall@3 0.593, fair with nothing 23 %, off-topic with nothing 74 %
#   reserve : MRR@10 0.612, recall@3 0.453, fair with nothing 24 %, off-topic with nothing 76 %
# The issue's targets (issue 8, REAL_WORDS_TARGETS in evaluate.py) are MRR@10 >= 0.6,
# fair questions answered with nothing <= 3 %, off-topic answered with nothing >= 95 %:
# raise these floors here as the search improves. Never tune the search on the reserve lot.
REAL_WORDS_FLOORS = {
    # measured 2026-12-01 with the whole engine (semantic layer and gate): dev 0.870 / 0.754 /
    # 2 % / 100 %, reserve 0.812 / 0.688 / 4 % / 100 %
    "dev": {"mrr10": 0.82, "recall3": 0.70, "fair_empty_max": 0.05, "offtopic_empty_min": 0.95},
    "reserve": {"mrr10": 0.76, "recall3": 0.63, "fair_empty_max": 0.09,
                "offtopic_empty_min": 0.94},
}


def test_query_set_is_large_and_varied() -> None:
    queries = load_queries()
    kinds = Counter(q.kind for q in queries)
    assert len(queries) >= 80
    assert set(kinds) >= {"synonyme", "sous-secteur", "faute", "accent", "flexion",
                          "combinaison", "question", "negatif"}
    assert all(n >= 8 for n in kinds.values()), kinds
    known = {e.id for e in load_knowledge(BASE).base.examples}
    assert all(q.relevant <= known for q in queries)


def test_search_quality_floors() -> None:
    result = load_knowledge(BASE)
    assert result.ok, result.problems
    scores = evaluate(bot_search(result.base), load_queries())
    assert scores.mrr10 >= 0.85, scores.failures
    assert scores.recall3 >= 0.85, scores.failures
    assert scores.negatives_empty >= 0.75, scores.failures


def test_bot_beats_the_plain_fts5_baseline() -> None:
    base = load_knowledge(BASE).base
    queries = load_queries()
    ours, fts = evaluate(bot_search(base), queries), evaluate(fts5_search(base), queries)
    assert ours.mrr10 > fts.mrr10 and ours.recall3 > fts.recall3


def test_real_words_tier_is_large_varied_and_holds_a_third_back() -> None:
    queries = load_real_words()
    fair = [q for q in queries if q.relevant]
    offtopic = [q for q in queries if not q.relevant]
    assert len(fair) >= 120 and len(offtopic) >= 40
    assert {q.kind for q in offtopic} == {"hors-sujet"}
    kinds = Counter(q.kind for q in fair)
    assert set(kinds) >= {"contexte", "besoin", "metier", "sms", "faute", "anglicisme", "mixte"}
    assert all(n >= 8 for n in kinds.values()), kinds
    assert {q.lot for q in queries} == {"dev", "reserve"}
    for kind in {q.kind for q in queries}:
        lots = Counter(q.lot for q in queries if q.kind == kind)
        assert 0.25 <= lots["reserve"] / sum(lots.values()) <= 0.4, (kind, lots)
    assert len({q.text.casefold() for q in queries}) == len(queries)
    known = {e.id for e in load_knowledge(BASE).base.examples}
    assert all(q.relevant <= known for q in queries)
    assert len(load_real_words("dev")) + len(load_real_words("reserve")) == len(queries)


@pytest.mark.parametrize("lot", sorted(REAL_WORDS_FLOORS))
def test_real_words_floors(lot: str) -> None:
    floors = REAL_WORDS_FLOORS[lot]
    scores = evaluate(bot_search(load_knowledge(BASE).base, shown=True), load_real_words(lot))
    assert scores.mrr10 >= floors["mrr10"], scores.failures
    assert scores.recall3 >= floors["recall3"], scores.failures
    assert scores.fair_empty <= floors["fair_empty_max"], scores.fair_unanswered
    assert scores.negatives_empty >= floors["offtopic_empty_min"], scores.offtopic_answered


def test_floors_never_exceed_the_issue_targets() -> None:
    # A floor above the target would be a typo: the targets are the end point, not a step.
    for floors in REAL_WORDS_FLOORS.values():
        assert floors["fair_empty_max"] >= REAL_WORDS_TARGETS["fair_empty_max"]
        assert floors["offtopic_empty_min"] <= REAL_WORDS_TARGETS["offtopic_empty_min"]


def test_evaluate_counts_unanswered_fair_and_answered_offtopic_questions() -> None:
    queries = [Query("fonderie", "metier", frozenset({"a", "b"}), "dev"),
               Query("soudeurs", "besoin", frozenset({"c"}), "dev"),
               Query("météo", "hors-sujet", frozenset(), "dev"),
               Query("tarte tatin", "hors-sujet", frozenset(), "reserve")]
    answers = {"fonderie": ["x", "b", "a"], "soudeurs": [], "météo": ["a"], "tarte tatin": []}
    scores = evaluate(lambda text: answers[text], queries)
    assert scores.mrr10 == pytest.approx(0.25)  # 1/2 for "fonderie", 0 for "soudeurs"
    assert scores.recall3 == pytest.approx(0.5)
    assert scores.fair_empty == pytest.approx(0.5)
    assert scores.negatives_empty == pytest.approx(0.5)
    assert [q.text for q in scores.fair_unanswered] == ["soudeurs"]
    assert [(q.text, got) for q, got in scores.offtopic_answered] == [("météo", ["a"])]
    assert scores.kinds["hors-sujet"].empty == pytest.approx(0.5)
    assert scores.kinds["besoin"].empty == 1.0


def test_make_eval_prints_every_tier_beside_fts5_and_the_failures(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["evaluate"])
    assert quality.main() == 0
    out = capsys.readouterr().out
    assert "Palier vocabulaire" in out
    assert "lot dev" in out and "lot reserve" in out and "les deux lots" in out
    assert out.count("| mesure | bot | FTS5 seul |") == 4
    assert "hors sujet sans réponse" in out and "pertinentes sans réponse" in out
    assert "| sms |" in out and "| hors-sujet |" in out
    scores = evaluate(bot_search(load_knowledge(BASE).base, shown=True), load_real_words("dev"))
    for q in scores.fair_unanswered:
        assert repr(q.text) in out
    for q, _ in scores.offtopic_answered:
        assert repr(q.text) in out
    # The held-out lot's failures are counted, not listed, unless asked for.
    reserve = evaluate(bot_search(load_knowledge(BASE).base, shown=True), load_real_words("reserve"))
    missed = [q.text for q in reserve.fair_unanswered] + [q.text for q, _ in reserve.offtopic_answered]
    assert missed and not any(repr(text) in out for text in missed)
    assert f"{len(reserve.fair_unanswered)} questions pertinentes sans réponse" in out
    monkeypatch.setattr("sys.argv", ["evaluate", "--show-reserve"])
    assert quality.main() == 0
    shown = capsys.readouterr().out
    assert all(repr(text) in shown for text in missed)
