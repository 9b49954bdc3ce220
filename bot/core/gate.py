"""The gate: a small logistic regression that answers nothing when nothing fits.

A semantic layer always finds a nearest example, and the lexical engine alone answers
"comment déclarer la TVA" (half its words match) or "blockchain pour une banque" (a synonym).
No single score threshold separates short trade questions ("je soude des cuves en inox") from
short off-topic ones, so the gate reads several features of the query and of its best
candidates and was trained on labelled questions (bot/core/gate_data/, a held-out part never
used for tuning). Two weight sets ship in gate_weights.json: one with the semantic features,
one for the lexical engine alone (when the model cannot load).

Train: `python -m bot.core.gate --train` (writes gate_weights.json and prints held-out figures).
"""

from __future__ import annotations

import json
import math
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.text import STOP_WORDS, stem

HERE = Path(__file__).parent
WEIGHTS = HERE / "gate_weights.json"
DATA = HERE / "gate_data"

LEXICAL_FEATURES = (
    "bias", "words", "asks", "negated", "free_share", "known_share", "unknown_share",
    "corrections", "best_text", "best_match_share", "best_coverage", "candidates", "relaxed",
)
SEMANTIC_FEATURES = LEXICAL_FEATURES + ("sem1", "sem2", "sem_gap", "sem_top_lex")


def features(index, reading, ranked: np.ndarray, text: np.ndarray, coverage: np.ndarray,
             semantic: np.ndarray | None) -> dict[str, float]:
    """Features of a query and of its ranked candidates (indices into index.examples)."""
    content = max(1, reading.word_count)
    free = [w for w in reading.free_words if w not in STOP_WORDS]
    free_stems = list(dict.fromkeys(stem(w) for w in free))
    known = sum(1 for w in free if index.known(w) or w in reading.corrections)
    f = {
        "bias": 1.0,
        "words": math.log1p(reading.word_count),
        "asks": float(len(reading.asks)),
        "negated": float(len(reading.negated)),
        "free_share": len(free) / content,
        "known_share": (known + len(reading.asks)) / content,
        "unknown_share": len(reading.unknown_words) / content,
        "corrections": float(len(reading.corrections)),
        "best_text": 0.0,
        "best_match_share": 0.0,
        "best_coverage": 0.0,
        "candidates": math.log1p(len(ranked)),
        "relaxed": 0.0,
    }
    if len(ranked):
        top = ranked[: min(3, len(ranked))]
        f["best_text"] = math.log1p(float(text[top].max()))
        best = int(top[0])
        if free_stems:
            terms = index.terms[index.examples[best].id][1]
            f["best_match_share"] = sum(1 for s in free_stems if s in terms) / len(free_stems)
        if reading.asks:
            asked = sum(len(v) for v in reading.facets.values())
            f["best_coverage"] = float(coverage[best]) / max(1, asked)
    if semantic is not None:
        ordered = np.sort(semantic)[::-1]
        f["sem1"] = float(ordered[0]) if len(ordered) else 0.0
        f["sem2"] = float(ordered[1]) if len(ordered) > 1 else 0.0
        f["sem_gap"] = f["sem1"] - f["sem2"]
        f["sem_top_lex"] = float(semantic[int(ranked[0])]) if len(ranked) else 0.0
    return f


class Gate:
    """Logistic regression over `features`; `accepts` is P(on-topic) >= threshold."""

    def __init__(self, models: dict):
        self.models = models

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Gate | None:
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def probability(self, f: dict[str, float]) -> float:
        model = self.models["semantic" if "sem1" in f and "semantic" in self.models
                            else "lexical"]
        x = np.array([f.get(name, 0.0) for name in model["names"]])
        x = (x - np.array(model["mean"])) / np.array(model["std"])
        x[0] = 1.0
        z = float(x @ np.array(model["w"]))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold(self, f: dict[str, float]) -> float:
        model = self.models["semantic" if "sem1" in f and "semantic" in self.models
                            else "lexical"]
        return float(model["threshold"])

    def accepts(self, f: dict[str, float]) -> bool:
        return self.probability(f) >= self.threshold(f)


@lru_cache(maxsize=1)
def shipped_gate() -> Gate | None:
    return Gate.load()


if __name__ == "__main__":  # pragma: no cover - the training script
    from bot.core.gate_train import main

    sys.exit(main(sys.argv[1:]))
