"""`make bench`: load and query speed on generated bases, against baselines of the same run.

- load+index: `load_knowledge` + `SearchIndex`, next to the bare PyYAML CSafeLoader parse of the
  same files (best of 3 each);
- peak memory: maximum resident size of a fresh process that loads and indexes the base;
- per-query latency p50/p99 over the query mix, next to a naive linear scan that reads each query
  the same way but then walks every example in Python.

`search_figures` (the whole engine, semantic layer included) adds, on the same bases and queries:
- per-query mean and p50 next to plain SQLite FTS5 (unicode61, BM25, words OR-ed) in the same run,
  the query-vector cache cleared before each query (every query pays its encoding);
- the first build of the semantic cache (model load + every example embedded), then the warm
  start (cache present: load, index, vectors read) next to the bare YAML parse;
- peak memory of a fresh process that warm-starts the whole engine and answers queries;
- the per-query cost from the smallest to the largest base.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from bench.generate import generate_base, generate_queries
from bot.core.knowledge import example_files, load_knowledge
from bot.core.search import FIELD_WEIGHTS, SearchIndex, _example_text_fields
from bot.core.text import STOP_WORDS, stem, words

SIZES = (2_000, 20_000)
QUERIES = 1_200
NAIVE_QUERIES = 300


def bare_parse(folder: Path) -> None:
    for path in [folder / "taxonomie.yaml", *example_files(folder)]:
        with path.open("rb") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)


def load_and_index(folder: Path) -> SearchIndex:
    return SearchIndex(load_knowledge(folder).base)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


class NaiveScan:
    """The same reading of queries, then a plain Python loop over every example."""

    def __init__(self, index: SearchIndex):
        self.index = index
        self.docs = []
        for e in index.examples:
            counts: Counter[str] = Counter()
            fields = _example_text_fields(e)
            for name, weight in FIELD_WEIGHTS:
                for w in words(fields[name]):
                    if w not in STOP_WORDS and len(w) > 1:
                        counts[stem(w)] += weight
            self.docs.append((e, counts))

    def search(self, query: str, limit: int = 10) -> list:
        reading = self.index.read(query)
        taxonomy = self.index.taxonomy
        sectors = set().union(*(taxonomy.descendants("secteurs", k)
                                for k in reading.facets["secteurs"])) if reading.facets[
            "secteurs"] else None
        tools, uses = set(reading.facets["outils"]), set(reading.facets["usages"])
        stems = [stem(w) for w in reading.free_words]
        scored = []
        for e, counts in self.docs:
            if sectors is not None and e.sector not in sectors:
                continue
            if tools and not tools & set(e.tools):
                continue
            if uses and not uses & set(e.uses):
                continue
            text = sum(counts.get(s, 0) for s in stems)
            if not reading.has_facets and not text:
                continue
            scored.append((-text, e.id))
        scored.sort()
        return scored[:limit]


def latencies(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - start)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def peak_memory_mb(folder: Path) -> float:
    code = (
        "import resource, sys; from bench.run import load_and_index; "
        f"index = load_and_index(__import__('pathlib').Path({str(folder)!r})); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def measure(size: int, workdir: Path, queries: list[str]) -> dict:
    folder = generate_base(workdir / f"base-{size}", size)
    parse = best_of(lambda: bare_parse(folder))
    load = best_of(lambda: load_and_index(folder))
    index = load_and_index(folder)
    naive = NaiveScan(index)
    for q in queries[:50]:  # warm the caches of both paths alike
        index.search(q)
        naive.search(q)
    fast = latencies(lambda q: index.search(q, limit=10), queries)
    slow = latencies(lambda q: naive.search(q, limit=10), queries[:NAIVE_QUERIES])
    return {
        "size": size, "parse": parse, "load": load, "memory": peak_memory_mb(folder),
        "p50": pct(fast, 0.50), "p99": pct(fast, 0.99), "mean": statistics.fmean(fast),
        "naive_p50": pct(slow, 0.50), "naive_mean": statistics.fmean(slow),
    }


def fts5_searcher(folder: Path):
    """Plain SQLite FTS5 over the same examples (the baseline of `make eval` too)."""
    import sqlite3

    base = load_knowledge(folder).base
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE ex USING fts5(id UNINDEXED, titre, resume, details, "
               "resultats, entreprise, tokenize = 'unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO ex VALUES (?, ?, ?, ?, ?, ?)", [
        (e.id, e.title, e.summary, e.details or "", e.results or "",
         " ".join(x for x in (e.company.name, e.company.region) if x)) for e in base.examples])

    def search(text: str) -> list:
        terms = [w for w in words(text) if w not in STOP_WORDS]
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        return db.execute("SELECT id FROM ex WHERE ex MATCH ? ORDER BY bm25(ex) LIMIT 10",
                          (match,)).fetchall()
    return search


def whole_engine(folder: Path, cache: Path):
    from bot.core.service import KnowledgeService

    service = KnowledgeService(folder, cache_dir=cache)
    service.load(semantic="now")
    return service


def whole_engine_memory_mb(folder: Path, cache: Path, queries: list[str]) -> float:
    code = (
        "import resource, sys, pathlib; from bench.run import whole_engine; "
        f"s = whole_engine(pathlib.Path({str(folder)!r}), pathlib.Path({str(cache)!r})); "
        f"[s.index.search(q) for q in {queries[:200]!r}]; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def measure_search(size: int, folder: Path, workdir: Path, queries: list[str]) -> dict:
    """The whole engine on one generated base (see the module's docstring)."""
    from bot.core import semantic

    cache = workdir / f"cache-{size}"
    start = time.perf_counter()
    semantic.load_encoder()
    model_load = time.perf_counter() - start
    start = time.perf_counter()
    service = whole_engine(folder, cache)  # cold: every vector computed
    first_build = time.perf_counter() - start
    parse = best_of(lambda: bare_parse(folder))
    warm = best_of(lambda: whole_engine(folder, cache))
    index = service.index
    assert index.semantic is not None
    fts = fts5_searcher(folder)
    for q in queries[:50]:
        index.search(q)
        fts(q)

    def cold_query(q: str) -> None:
        index.semantic._queries.clear()
        index.search(q, limit=10)
    ours = latencies(cold_query, queries)
    base = latencies(fts, queries)
    agreement = two_stage_agreement(index, queries)
    return {
        "size": size, "model_load": model_load, "first_build": first_build, "parse": parse,
        "warm": warm, "mean": statistics.fmean(ours), "p50": pct(ours, 0.5),
        "p99": pct(ours, 0.99), "fts_mean": statistics.fmean(base), "fts_p50": pct(base, 0.5),
        "memory": whole_engine_memory_mb(folder, cache, queries), "agreement": agreement,
    }


def two_stage_agreement(index, queries: list[str]) -> float | None:
    """On a large base the semantic layer scores in two stages (bot.core.semantic): the share
    of the first ten answers that are the same as with every similarity computed in full."""
    if index.semantic.coarse is None:
        return None
    same = total = 0
    for q in queries:
        fast = [h.example.id for h in index.search(q, limit=10).hits]
        index.semantic.exact = True
        full = [h.example.id for h in index.search(q, limit=10).hits]
        index.semantic.exact = False
        same += len(set(fast) & set(full))
        total += max(len(fast), len(full))
    return same / total if total else 1.0


def print_search_figures(rows: list[dict]) -> None:
    print("\nMoteur complet (lexical + sémantique + garde), vecteurs de requête non mis "
          "en cache :\n")
    print("| exemples | 1re construction du cache | démarrage à chaud | analyse YAML seule | "
          "ratio | mémoire max | moyenne requête | p50 | p99 | moyenne FTS5 | p50 FTS5 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['size']:,} | {r['first_build']:.1f} s | {r['warm']:.2f} s | "
              f"{r['parse']:.2f} s | {r['warm'] / r['parse']:.2f}× | {r['memory']:.0f} Mo | "
              f"{r['mean'] * 1e3:.2f} ms | {r['p50'] * 1e3:.2f} ms | {r['p99'] * 1e3:.2f} ms | "
              f"{r['fts_mean'] * 1e3:.2f} ms | {r['fts_p50'] * 1e3:.2f} ms |".replace(",", " "))
    print(f"(chargement du modèle seul : {rows[0]['model_load']:.1f} s, une fois par processus)")
    for r in rows:
        if r["agreement"] is not None:
            size = f"{r['size']:,}".replace(",", " ")
            print(f"À {size} exemples, la comparaison en deux temps (64 directions puis 512 "
                  f"vecteurs complets) retrouve {r['agreement']:.1%} des dix premières réponses "
                  "de la comparaison complète.")
    if len(rows) >= 2:
        small, big = rows[0], rows[-1]
        growth = big["mean"] / small["mean"]
        print(f"Coût moyen d'une requête du moteur complet de {small['size']:,} à "
              f"{big['size']:,} exemples : ×{growth:.2f} (cible : ×4 au plus).".replace(",", " "))
        checks = (("moyenne ≤ FTS5", big["mean"] <= big["fts_mean"]),
                  ("démarrage à chaud ≤ 2× l'analyse seule", big["warm"] / big["parse"] <= 2),
                  ("1re construction ≤ 15 min", big["first_build"] <= 900),
                  ("≤ 500 Mo", big["memory"] <= 500), ("croissance ≤ 4×", growth <= 4))
        for name, ok in checks:
            print(f"- {name} : {'atteint' if ok else 'MANQUÉ'}")


def main() -> int:
    parser = argparse.ArgumentParser(description="banc d'essai du chargement et de la recherche")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--no-semantic", action="store_true",
                        help="sans la mesure du moteur complet (modèle sémantique)")
    args = parser.parse_args()
    queries = generate_queries(args.queries)
    search_rows: list[dict] = []
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for size in args.sizes:
            rows.append(measure(size, Path(tmp), queries))
            if not args.no_semantic:
                search_rows.append(measure_search(size, Path(tmp) / f"base-{size}", Path(tmp),
                                                  queries))
            print(f"… {size} exemples mesurés", file=sys.stderr)
    print(f"{len(queries)} requêtes mêlées (recherche), {NAIVE_QUERIES} pour le parcours naïf.\n")
    print("| exemples | analyse YAML seule | chargement+index | ratio | mémoire max | "
          "p50 requête | p99 requête | p50 parcours naïf | accélération (p50) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['size']:,} | {r['parse']:.2f} s | {r['load']:.2f} s | "
              f"{r['load'] / r['parse']:.2f}× | {r['memory']:.0f} Mo | {r['p50'] * 1e3:.3f} ms | "
              f"{r['p99'] * 1e3:.3f} ms | {r['naive_p50'] * 1e3:.2f} ms | "
              f"{r['naive_p50'] / r['p50']:.0f}× |".replace(",", " "))
    if len(rows) >= 2:
        small, big = rows[0], rows[-1]
        growth = big["mean"] / small["mean"]
        print(f"\nCoût moyen d'une requête de {small['size']:,} à {big['size']:,} exemples : "
              f"×{growth:.2f} (cible : ×4 au plus).".replace(",", " "))
        big_ok = (big["naive_p50"] / big["p50"] >= 20, big["load"] / big["parse"] <= 2,
                  big["memory"] <= 500, growth <= 4)
        names = ("≥ 20× plus rapide que le parcours naïf", "chargement ≤ 2× l'analyse seule",
                 "≤ 500 Mo", "croissance ≤ 4×")
        for name, ok in zip(names, big_ok, strict=True):
            print(f"- {name} : {'atteint' if ok else 'MANQUÉ'}")
    if search_rows:
        print_search_figures(search_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
