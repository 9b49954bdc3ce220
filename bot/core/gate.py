"""The gate: a small logistic regression that answers nothing when nothing fits.

A semantic layer always finds a nearest example, and the lexical engine alone answers
"comment déclarer la TVA" (half its words match) or "blockchain pour une banque" (a synonym).
No single score threshold separates short trade questions ("je soude des cuves en inox") from
short off-topic ones, so the gate reads several features of the query and of its best
candidates and was trained on labelled questions (bot/core/gate_data/, a held-out part never
used for tuning). Two weight sets ship in gate_weights.json: one with the semantic features,
one for the lexical engine alone (when the model cannot load).

Train: `python -m tools.gate_train --train` (writes gate_weights.json and prints held-out
figures).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.text import STOP_WORDS, is_common_word, stem

HERE = Path(__file__).parent
WEIGHTS = HERE / "gate_weights.json"
DATA = HERE / "gate_data"

LEXICAL_FEATURES = (
    "bias", "informative_words", "explained", "facet_share", "unknown_share",
    "corrections", "best_text", "best_match_share", "full_coverage", "zero_facets",
    "candidates",
)
SEMANTIC_FEATURES = LEXICAL_FEATURES + ("sem1", "sem_z", "sem_top_lex", "domain")


def features(index, reading, ranked: np.ndarray, text: np.ndarray, coverage: np.ndarray,
             semantic: np.ndarray | None, query_vector: np.ndarray | None = None,
             domain: np.ndarray | None = None, total: int | None = None,
             spread: tuple[float, float] | None = None) -> dict[str, float]:
    """Features of a query and of its ranked candidates (indices into index.examples; the
    best ones at least, `total` of them in all when given).

    "Informative" words are the content words that are not among the ~700 most frequent
    French words ("trouver", "personne"); "explained" is the share of them that the base knows
    (a facet word, or a word of some example). "domain" is the score of the question's own
    vector (its words, without its facets' names) by a logistic regression trained on on-topic
    against off-topic questions (its weight vector ships with the gate's weights)."""
    free = [w for w in reading.free_words if w not in STOP_WORDS]
    weak_words = {a.words for a in reading.asks if a.weak}
    free = [w for w in free if w not in weak_words]
    free_stems = list(dict.fromkeys(stem(w) for w in free))
    informative = [w for w in free if not is_common_word(w)]
    n_facets = len(reading.asks)
    n_info = len(informative) + n_facets
    explained = sum(1 for w in informative if index.known(w)) + n_facets
    asked = [(f, k) for f, keys in reading.facets.items() for k in keys]
    f = {
        "bias": 1.0,
        "words": math.log1p(reading.word_count),
        "informative_words": math.log1p(n_info),
        "explained": explained / max(1, n_info),
        "facet_share": n_facets / max(1, n_info),
        "unknown_share": len(reading.unknown_words) / max(1, reading.word_count),
        "corrections": float(len(reading.corrections)),
        "best_text": 0.0,
        "best_match_share": 0.0,
        "full_coverage": 0.0,
        "zero_facets": float(sum(1 for fk in asked if index.count(*fk) == 0)),
        "candidates": math.log1p(len(ranked) if total is None else total),
    }
    if len(ranked):
        top = ranked[: min(3, len(ranked))]
        f["best_text"] = math.log1p(float(text[top].max()))
        best = int(top[0])
        if free_stems:
            terms = index.terms[index.examples[best].id][1]
            f["best_match_share"] = sum(1 for s in free_stems if s in terms) / len(free_stems)
        if asked:
            f["full_coverage"] = 1.0 if float(coverage[best]) >= len(asked) else 0.0
    if semantic is not None:
        k = min(2, len(semantic))
        ordered = -np.sort(-np.partition(semantic, len(semantic) - k)[-k:]) if k else semantic
        f["sem1"] = float(ordered[0]) if len(ordered) else 0.0
        f["sem_gap"] = f["sem1"] - (float(ordered[1]) if len(ordered) > 1 else 0.0)
        if spread is not None:  # mean and deviation given (a large base's exact moments)
            centre, deviation = spread
        else:
            centre = float(semantic.mean()) if len(semantic) else 0.0
            deviation = float(semantic.std()) if len(semantic) > 1 else 0.0
        f["sem_z"] = (f["sem1"] - centre) / deviation if deviation > 1e-6 else 0.0
        f["sem_top_lex"] = float(semantic[int(ranked[0])]) if len(ranked) else 0.0
        if query_vector is not None and domain is not None:
            f["domain"] = float(query_vector @ domain)
    return f


class Gate:
    """Logistic regression over `features`; `accepts` is P(on-topic) >= threshold."""

    def __init__(self, models: dict):
        self.models = models
        domain = models.get("domain")
        self.domain = np.array(domain, dtype=np.float32) if domain else None

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Gate | None:
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def probability(self, f: dict[str, float]) -> float:
        model = self.models["semantic" if "domain" in f and "semantic" in self.models
                            else "lexical"]
        x = np.array([f.get(name, 0.0) for name in model["names"]])
        x = (x - np.array(model["mean"])) / np.array(model["std"])
        x[0] = 1.0
        z = float(x @ np.array(model["w"]))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold(self, f: dict[str, float]) -> float:
        model = self.models["semantic" if "domain" in f and "semantic" in self.models
                            else "lexical"]
        return float(model["threshold"])

    def accepts(self, f: dict[str, float]) -> bool:
        return self.probability(f) >= self.threshold(f)


@lru_cache(maxsize=1)
def shipped_gate() -> Gate | None:
    return Gate.load()
