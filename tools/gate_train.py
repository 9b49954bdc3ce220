"""Train the gate and measure the search on the labelled questions of gate_data/.

    python -m tools.gate_train --train     # fit, write gate_weights.json, print held-out figures
    python -m tools.gate_train --eval      # figures only (train and held-out), nothing written
    python -m tools.gate_train --train --semantic-only   # refit the semantic model only

A developer tool, outside the bot's package: it borrows the FTS5 baseline of tests/quality.

The figures: MRR@10 over the on-topic questions, the share of on-topic questions answered with
nothing, the share of off-topic questions answered with nothing, for the lexical engine alone,
with the semantic layer, each with and without the gate, beside plain SQLite FTS5.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import yaml

from bot.core.gate import DATA, LEXICAL_FEATURES, SEMANTIC_FEATURES, WEIGHTS, Gate
from bot.core.knowledge import load_knowledge
from bot.core.search import SearchIndex
from bot.paths import DEFAULT_KNOWLEDGE

L2 = 3.0
STEPS = 4000
RATE = 0.1
FAIR_COST = {"semantic": 3.5, "lexical": 6.0}  # the fallback leans to answering


@dataclass(frozen=True)
class Question:
    text: str
    relevant: frozenset[str]
    split: str
    base: str = "knowledge"  # "knowledge" (bundled) or "fixture" (tests/quality/base)
    keyword: bool = False  # generated from a title word (gate training only)

    @property
    def on_topic(self) -> bool:
        return bool(self.relevant)


FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "quality" / "base"
BASES = {"knowledge": DEFAULT_KNOWLEDGE, "fixture": FIXTURE}


def load_questions(names: tuple[str, ...] = ("knowledge", "fixture")) -> list[Question]:
    out: list[Question] = []
    for base in names:
        prefix = "questions" if base == "knowledge" else f"{base}_questions"
        for path in sorted(DATA.glob(f"{prefix}*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            out += [Question(q["q"], frozenset(q["ok"]), q["split"], base)
                    for q in data["on_topic"]]
            out += [Question(q["q"], frozenset(), q["split"], base) for q in data["off_topic"]]
    return out


def keyword_questions(base_name: str) -> list[Question]:
    """Members also type one or two words of an example ("apprentis", "fonderie d'art"): for
    each example, its title's rarest French word, alone and with the next one."""
    from collections import Counter

    from bot.core.text import STOP_WORDS, is_french_word, words

    base = load_knowledge(BASES[base_name]).base
    df = Counter(w for e in base.examples for w in set(words(e.title)))
    out: list[Question] = []
    seen: set[str] = set()
    for n, e in enumerate(base.examples):
        ws = [w for w in words(e.title) if w not in STOP_WORDS and len(w) >= 5
              and is_french_word(w)]
        if not ws:
            continue
        rare = min(ws, key=lambda w: (df[w], w))
        title = words(e.title)
        at = title.index(rare)
        pair = " ".join(title[at:at + 2]) if at + 1 < len(title) else rare
        split = "train" if n % 3 else "test"
        for text in dict.fromkeys((rare, pair)):
            if text not in seen:  # one label per text: the same words never sit in two folds
                seen.add(text)
                out.append(Question(text, frozenset({e.id}), split, base_name, True))
    return out


_INDEXES: dict[tuple, SearchIndex] = {}


def build_index(semantic: bool, gate: Gate | None, cache: Path | None,
                base: str = "knowledge") -> SearchIndex:
    key = (semantic, base)
    if key not in _INDEXES:
        index = SearchIndex(load_knowledge(BASES[base]).base)
        if semantic:
            from bot.core.semantic import enable

            if not enable(index, cache):
                raise SystemExit("le modèle sémantique ne se charge pas")
        _INDEXES[key] = index
    index = _INDEXES[key]
    index.gate = gate
    return index


def figures(search, questions: list[Question]) -> dict[str, float]:
    rr, fair_empty, off_empty = [], [], []
    for q in questions:
        ranked = search(q.text)
        if q.on_topic:
            first = next((i for i, d in enumerate(ranked[:10]) if d in q.relevant), None)
            rr.append(0.0 if first is None else 1.0 / (first + 1))
            fair_empty.append(0.0 if ranked else 1.0)
        else:
            off_empty.append(0.0 if ranked else 1.0)

    def mean(xs):
        return sum(xs) / len(xs) if xs else 0.0
    return {"mrr10": mean(rr), "fair_empty": mean(fair_empty), "off_empty": mean(off_empty),
            "n_on": len(rr), "n_off": len(off_empty)}


def _fts5_on(fts5_search, base: str) -> Callable[[str], list[str]]:
    return fts5_search(load_knowledge(BASES[base]).base)


def _engine_on(semantic: bool, gate: Gate | None, cache: Path | None,
               base: str) -> Callable[[str], list[str]]:
    return engine(build_index(semantic, gate, cache, base))


def engine(index: SearchIndex) -> Callable[[str], list[str]]:
    def search(text: str) -> list[str]:
        result = index.search(text, limit=10)
        return [h.example.id for h in (result.hits or result.nearest)]
    return search


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logistic regression by gradient descent, features standardised, L2 on the weights."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    mean[0], std[0] = 0.0, 1.0
    std[std < 1e-6] = 1.0
    z = (x - mean) / std
    w = np.zeros(x.shape[1])
    pos = y.mean()
    sample = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))  # balance the two classes
    if weight is not None:
        sample = sample * weight
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ ((p - y) * sample) / len(y) + L2 * np.r_[0.0, w[1:]] / len(y)
        w -= RATE * grad * 10
    return w, mean, std


KEYWORD_WEIGHT = 0.4


DOMAIN_L2 = (0.03, 0.1, 0.3, 1.0, 3.0)  # candidates, chosen by cross-validation on training only


def question_vector(index: SearchIndex, text: str) -> np.ndarray:
    """The vector the gate reads for a question: its own words (index with its semantic
    layer)."""
    assert index.semantic is not None
    return index.semantic.text_vector(index.model_query(text, index.read(text)))


def fit_direction(v: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float,
                  steps: int = 600) -> np.ndarray:
    """A logistic regression on the question vectors themselves, on-topic against
    off-topic: its weight vector is the domain direction (its bias is the gate's)."""
    w, b = np.zeros(v.shape[1]), 0.0
    pos = y.mean()
    sample = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos)) * weight
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(v @ w + b)))
        g = (p - y) * sample
        w -= 2.0 * (v.T @ g / len(y) + l2 * w / len(y))
        b -= 2.0 * float(g.mean())
    return w


def domain_vectors(questions: list[Question], cache: Path | None, folds: int = 5
                   ) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """The shipped domain direction, and for each training question the direction learnt
    without its fold (no leak). The regularisation is chosen by cross-validation: the share of
    (on-topic, off-topic) pairs a held-out fold puts in the wrong order (1 - AUC)."""
    vectors = np.array([question_vector(build_index(True, None, cache, q.base), q.text)
                        for q in questions])
    y = np.array([1.0 if q.on_topic else 0.0 for q in questions])
    weight = np.array([KEYWORD_WEIGHT if q.keyword else 1.0 for q in questions])
    fold = np.random.default_rng(1).integers(0, folds, len(questions))

    def held_out(l2: float) -> list[np.ndarray]:
        return [fit_direction(vectors[fold != k], y[fold != k], weight[fold != k], l2)
                for k in range(folds)]

    def loss(directions: list[np.ndarray]) -> float:
        total = 0.0
        for k, d in enumerate(directions):
            z = vectors[fold == k] @ d
            # the best bias for this fold's scores does not matter: rank quality does
            pos, neg = z[y[fold == k] == 1], z[y[fold == k] == 0]
            total += float((pos[:, None] <= neg[None, :]).mean())
        return total
    tried = {l2: held_out(l2) for l2 in DOMAIN_L2}
    l2 = min(tried, key=lambda c: loss(tried[c]))
    print(f"domaine : régularisation {l2}", file=sys.stderr)
    out_of_fold = {}
    for k, d in enumerate(tried[l2]):
        for i in np.flatnonzero(fold == k):
            out_of_fold[(questions[i].base, questions[i].text)] = d
    return fit_direction(vectors, y, weight, l2), out_of_fold


def collect(index: SearchIndex, questions: list[Question], names, domains=None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, labels, weights = [], [], []
    for q in questions:
        if index.read(q.text).terse:  # a catalogue look-up: the gate never judges it
            continue
        f = index.search(q.text, limit=10).features
        if domains is not None and index.semantic is not None:
            f["domain"] = float(question_vector(index, q.text) @ domains[(q.base, q.text)])
        rows.append([f.get(n, 0.0) for n in names])
        labels.append(1.0 if q.on_topic else 0.0)
        weights.append(KEYWORD_WEIGHT if q.keyword else 1.0)
    return np.array(rows), np.array(labels), np.array(weights)


def choose_threshold(x: np.ndarray, y: np.ndarray, weight: np.ndarray, cost: float,
                     folds: int = 5) -> float:
    """The cut chosen by cross-validation on the training questions only (the held-out ones
    are never looked at): the most off-topic questions refused, a fair question left empty
    costing twice an off-topic one answered."""
    fold = np.random.default_rng(0).integers(0, folds, len(y))
    p = np.zeros(len(y))
    for k in range(folds):
        w, mean, std = fit(x[fold != k], y[fold != k], weight[fold != k])
        p[fold == k] = 1 / (1 + np.exp(-(((x[fold == k] - mean) / std) @ w)))
    best, best_key = 0.5, (-1.0, 0.0)
    for t in np.round(np.linspace(0.1, 0.9, 33), 3):
        fair_empty = float((p[y == 1] < t).mean())
        off_empty = float((p[y == 0] < t).mean())
        key = (off_empty - cost * fair_empty, -t)
        if key > best_key:
            best, best_key = float(t), key
    return best


def train(cache: Path | None, keep: dict | None = None) -> dict:
    """Fit both models; `keep` (the shipped weights) keeps its lexical model as it is."""
    questions = load_questions() + keyword_questions("knowledge") + keyword_questions("fixture")
    train_q = [q for q in questions if q.split == "train"]
    shipped, out_of_fold = domain_vectors(train_q, cache)
    models: dict = {}
    kinds: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
        ("lexical", False, LEXICAL_FEATURES), ("semantic", True, SEMANTIC_FEATURES))
    if keep is not None and "lexical" in keep:
        models["lexical"] = keep["lexical"]
        kinds = kinds[1:]
    for kind, semantic, names in kinds:
        xs, ys, ws = [], [], []
        for base in BASES:
            index = build_index(semantic, None, cache, base)
            x, y, weight = collect(index, [q for q in train_q if q.base == base], names,
                                   out_of_fold if semantic else None)
            xs.append(x)
            ys.append(y)
            ws.append(weight)
        x, y, weight = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
        w, mean, std = fit(x, y, weight)
        models[kind] = {"names": list(names), "w": w.round(5).tolist(),
                        "mean": mean.round(5).tolist(), "std": std.round(5).tolist(),
                        "threshold": round(choose_threshold(x, y, weight, FAIR_COST[kind]), 3)}
    models["domain"] = shipped.round(5).tolist()
    return models


def report(cache: Path | None, gate: Gate | None, bases=("knowledge", "fixture")) -> None:
    from tests.quality.evaluate import fts5_search

    questions = load_questions()
    print("| base | moteur | jeu | MRR@10 | justes sans réponse | hors sujet sans réponse |")
    print("|---|---|---|---:|---:|---:|")
    for base in bases:
        rows: list[tuple[str, Callable[[], Callable[[str], list[str]]]]] = [
            ("FTS5 seul", partial(_fts5_on, fts5_search, base))]
        for semantic in (False, True):
            name = "lexical + sémantique" if semantic else "lexical"
            rows.append((name, partial(_engine_on, semantic, None, cache, base)))
            if gate is not None:
                rows.append((name + " + garde", partial(_engine_on, semantic, gate, cache, base)))
        for name, make in rows:
            search = make()
            for split in ("train", "test"):
                chosen = [q for q in questions if q.split == split and q.base == base]
                f = figures(search, chosen)
                print(f"| {base} | {name} | {'appris' if split == 'train' else 'réservé'} "
                      f"({f['n_on']}+{f['n_off']}) | {f['mrr10']:.3f} | {f['fair_empty']:.0%} | "
                      f"{f['off_empty']:.0%} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.gate_train")
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--eval", action="store_true")
    parser.add_argument("--semantic-only", action="store_true",
                        help="garder le modèle lexical livré, n'entraîner que le sémantique")
    parser.add_argument("--cache", type=Path, default=None,
                        help="dossier du cache de vecteurs (par défaut : temporaire)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        gate = Gate.load()
        if args.train:
            models = train(cache, gate.models if args.semantic_only and gate else None)
            WEIGHTS.write_text(json.dumps(models, indent=1) + "\n", encoding="utf-8")
            gate = Gate(models)
            print(f"poids écrits dans {WEIGHTS}", file=sys.stderr)
        report(cache, gate)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
