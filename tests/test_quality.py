"""Search quality floors on the public query set (tests/quality, `make eval` for the table)."""

from __future__ import annotations

from collections import Counter

from bot.core.knowledge import load_knowledge
from tests.quality.evaluate import BASE, bot_search, evaluate, fts5_search, load_queries


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
