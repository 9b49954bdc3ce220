"""Search quality on the public query set: `make eval` prints it beside an SQLite FTS5 baseline.

Metrics (README of this folder): MRR@10 and recall@3 over the queries with relevant examples,
and the share of negative queries answered with an empty list.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.search import SearchIndex
from bot.core.text import STOP_WORDS, words

HERE = Path(__file__).parent
BASE = HERE / "base"
QUERIES = HERE / "queries.yaml"


@dataclass(frozen=True)
class Query:
    text: str
    kind: str
    relevant: frozenset[str]


def load_queries(path: Path = QUERIES) -> list[Query]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(q["requete"], q["type"], frozenset(q.get("pertinents") or ())) for q in items]


@dataclass
class Scores:
    mrr10: float
    recall3: float
    negatives_empty: float
    by_kind: dict[str, tuple[float, float]]
    failures: list[tuple[Query, list[str]]]


def evaluate(search: Callable[[str], list[str]], queries: list[Query]) -> Scores:
    rr, rec, neg = [], [], []
    kind_rr: dict[str, list[float]] = defaultdict(list)
    kind_rec: dict[str, list[float]] = defaultdict(list)
    failures = []
    for q in queries:
        ranked = search(q.text)
        if not q.relevant:
            neg.append(1.0 if not ranked else 0.0)
            kind_rr[q.kind].append(neg[-1])
            kind_rec[q.kind].append(neg[-1])
            if ranked:
                failures.append((q, ranked[:3]))
            continue
        first = next((i for i, d in enumerate(ranked[:10]) if d in q.relevant), None)
        r = 1.0 / (first + 1) if first is not None else 0.0
        recall = len(set(ranked[:3]) & q.relevant) / min(3, len(q.relevant))
        rr.append(r)
        rec.append(recall)
        kind_rr[q.kind].append(r)
        kind_rec[q.kind].append(recall)
        if r < 1.0 or recall < 1.0:
            failures.append((q, ranked[:3]))

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    by_kind = {k: (mean(kind_rr[k]), mean(kind_rec[k])) for k in sorted(kind_rr)}
    return Scores(mean(rr), mean(rec), mean(neg), by_kind, failures)


def bot_search(base: KnowledgeBase) -> Callable[[str], list[str]]:
    index = SearchIndex(base)
    return lambda text: [h.example.id for h in index.search(text, limit=10).hits]


def fts5_search(base: KnowledgeBase) -> Callable[[str], list[str]]:
    """Plain SQLite FTS5 (unicode61, diacritics removed, BM25), the query's words OR-ed."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE ex USING fts5(id UNINDEXED, titre, resume, details, "
               "resultats, entreprise, tokenize = 'unicode61 remove_diacritics 2')")
    for e in base.examples:
        company = " ".join(x for x in (e.company.name, e.company.region) if x)
        db.execute("INSERT INTO ex VALUES (?, ?, ?, ?, ?, ?)",
                   (e.id, e.title, e.summary, e.details or "", e.results or "", company))

    def search(text: str) -> list[str]:
        terms = [w for w in words(text) if w not in STOP_WORDS]
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = db.execute("SELECT id FROM ex WHERE ex MATCH ? ORDER BY bm25(ex) LIMIT 10",
                          (match,)).fetchall()
        return [r[0] for r in rows]

    return search


def main() -> int:
    result = load_knowledge(BASE)
    if result.problems:
        for p in result.problems:
            print(p, file=sys.stderr)
        return 1
    queries = load_queries()
    ours = evaluate(bot_search(result.base), queries)
    fts = evaluate(fts5_search(result.base), queries)
    n_neg = sum(1 for q in queries if not q.relevant)
    print(f"{len(queries)} requêtes ({len(queries) - n_neg} avec réponses attendues, {n_neg} "
          f"négatives) sur {len(result.base.examples)} exemples de tests/quality/base.\n")
    print("| mesure | bot | FTS5 seul |")
    print("|---|---:|---:|")
    print(f"| MRR@10 | {ours.mrr10:.3f} | {fts.mrr10:.3f} |")
    print(f"| rappel@3 | {ours.recall3:.3f} | {fts.recall3:.3f} |")
    print(f"| négatives sans réponse | {ours.negatives_empty:.0%} | {fts.negatives_empty:.0%} |")
    print("\n| type | MRR@10 bot | rappel@3 bot | MRR@10 FTS5 | rappel@3 FTS5 |")
    print("|---|---:|---:|---:|---:|")
    for kind, (mrr, rec) in ours.by_kind.items():
        fmrr, frec = fts.by_kind.get(kind, (0.0, 0.0))
        print(f"| {kind} | {mrr:.2f} | {rec:.2f} | {fmrr:.2f} | {frec:.2f} |")
    print("(pour « negatif », les deux colonnes donnent la part de réponses vides)")
    if "-v" in sys.argv:
        print("\nRequêtes imparfaites du bot :")
        for q, got in ours.failures:
            print(f"- [{q.kind}] {q.text!r}: attendu {sorted(q.relevant)[:4]}, obtenu {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
