"""Search: recognise the taxonomy in a query, filter by it, rank by free-text relevance.

How a query is read (the README documents this for curators):

1. The query is folded (lowercase, no accents) and cut into words; each word is stemmed with the
   Snowball French stemmer (PyStemmer), so "recrutements" and "recruter" meet.
2. A word that is neither in the examples' vocabulary nor in the taxonomy is corrected towards the
   nearest taxonomy word when it is one or two letters away (rapidfuzz Levenshtein):
   "indutrie" -> "industrie", "linkdin" -> "linkedin".
3. The longest runs of words that spell a key, label or synonym of a sector, tool or use become
   facets ("travaux publics" -> btp). A stem that extends a taxonomy stem by at most three letters
   also counts ("industrielles" -> "industr").
4. Facets filter: an example must belong to one of the asked sectors (sub-sectors included), use
   one of the asked tools and serve one of the asked uses, for each kind that was asked.
5. The other words (stop words removed) are scored with BM25 over the title (x3), the résumé (x2),
   the company's name and region (x2), the results and the details (x1). Without any facet, an
   example must contain at least half of these words to be shown: no noise.
6. Ranking: examples matching more of the asked sectors, tools and uses first (100 points
   each), then the BM25 score, then
   (ties) the members' votes, then sourced examples before unsourced ones, the most recent first,
   and finally the identifier in alphabetical order.

All the heavy lifting is vectorised with NumPy so a query costs about the same on 2,000 or
20,000 examples.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.core.knowledge import FACETS, Example, KnowledgeBase
from bot.core.text import STOP_WORDS, stem, words

FIELD_WEIGHTS = (("title", 3), ("summary", 2), ("company", 2), ("results", 1), ("details", 1))
BM25_K1 = 1.2
BM25_B = 0.75
MAX_PREFIX_EXTRA = 3
MIN_PREFIX_STEM = 5
# The composite sort key packs (score, votes, static rank) into one int64.
_RANK_BITS = 21
_VOTE_BITS = 20
_SCORE_SCALE = 1000


@dataclass(frozen=True)
class Hit:
    example: Example
    score: float


@dataclass
class QueryReading:
    """What the search understood of a query."""

    facets: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in FACETS})
    free_words: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def has_facets(self) -> bool:
        return any(self.facets.values())


@dataclass
class SearchResult:
    query: str
    reading: QueryReading
    hits: list[Hit]
    total: int


def _example_text_fields(example: Example) -> dict[str, str]:
    company = " ".join(x for x in (example.company.name, example.company.region) if x)
    return {
        "title": example.title,
        "summary": example.summary,
        "company": company,
        "results": example.results or "",
        "details": example.details or "",
    }


def static_order(examples: list[Example]) -> list[Example]:
    """Tie-break order: sourced first, then the most recent, then by identifier."""
    by_id = sorted(examples, key=lambda e: e.id)
    by_date = sorted(by_id, key=lambda e: e.date or "", reverse=True)  # stable, undated last
    return sorted(by_date, key=lambda e: not e.sources)


class SearchIndex:
    """An immutable index over one knowledge base (rebuilt on reload)."""

    def __init__(self, base: KnowledgeBase):
        self.base = base
        self.taxonomy = base.taxonomy
        self.examples: list[Example] = static_order(base.examples)
        self.position = {e.id: i for i, e in enumerate(self.examples)}
        n = len(self.examples)
        self.votes = np.zeros(n, dtype=np.int64)
        self._corrections: dict[str, str | None] = {}
        self._build_phrases()
        self._build_facets()
        self._build_text()

    # -- building -------------------------------------------------------------------------

    def _build_phrases(self) -> None:
        self.phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        self.facet_words: set[str] = set()
        for facet in FACETS:
            for term in self.taxonomy.facets[facet].values():
                for name in (term.key.replace("-", " "), term.label, *term.synonyms):
                    ws = words(name)
                    if not ws:
                        continue
                    self.facet_words.update(w for w in ws if len(w) >= 4)
                    self.phrases.setdefault(tuple(stem(w) for w in ws), (facet, term.key))
        self.max_phrase = max((len(p) for p in self.phrases), default=1)
        self.single_stems = {p[0]: v for p, v in self.phrases.items() if len(p) == 1}
        self._facet_word_list = sorted(self.facet_words)

    def _build_facets(self) -> None:
        n = len(self.examples)
        direct: dict[str, dict[str, list[int]]] = {f: {} for f in FACETS}
        for i, e in enumerate(self.examples):
            direct["secteurs"].setdefault(e.sector, []).append(i)
            for t in e.tools:
                direct["outils"].setdefault(t, []).append(i)
            for u in e.uses:
                direct["usages"].setdefault(u, []).append(i)
        self.facet_docs: dict[str, dict[str, np.ndarray]] = {f: {} for f in FACETS}
        for facet in FACETS:
            for key in self.taxonomy.facets[facet]:
                docs: list[int] = []
                for sub in self.taxonomy.descendants(facet, key):
                    docs.extend(direct[facet].get(sub, ()))
                mask = np.zeros(n, dtype=bool)
                mask[docs] = True
                self.facet_docs[facet][key] = mask

    def _build_text(self) -> None:
        n = len(self.examples)
        postings: dict[str, list[tuple[int, float]]] = {}
        lengths = np.zeros(n, dtype=np.float64)
        vocabulary: set[str] = set()
        for i, e in enumerate(self.examples):
            counts: Counter[str] = Counter()
            fields = _example_text_fields(e)
            for name, weight in FIELD_WEIGHTS:
                ws = words(fields[name])
                vocabulary.update(ws)
                for w in ws:
                    if w not in STOP_WORDS and len(w) > 1:
                        counts[stem(w)] += weight
            lengths[i] = sum(counts.values())
            for s, tf in counts.items():
                postings.setdefault(s, []).append((i, tf))
        self.vocabulary = vocabulary
        avg = float(lengths.mean()) if n else 1.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / (avg or 1.0))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for s, items in postings.items():
            docs = np.fromiter((d for d, _ in items), dtype=np.int64, count=len(items))
            tfs = np.fromiter((tf for _, tf in items), dtype=np.float64, count=len(items))
            idf = math.log(1 + (n - len(items) + 0.5) / (len(items) + 0.5))
            impact = idf * tfs * (BM25_K1 + 1) / (tfs + norm[docs])
            self.postings[s] = (docs, impact)

    # -- reading a query ------------------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        """The taxonomy word `word` is a typo of, if any (memoised per index)."""
        if word in self._corrections:
            return self._corrections[word]
        fixed = None
        if len(word) >= 4 and word not in self.vocabulary and word not in self.facet_words:
            cutoff = 1 if len(word) < 8 else 2
            best = process.extractOne(
                word, self._facet_word_list, scorer=Levenshtein.distance, score_cutoff=cutoff
            )
            fixed = best[0] if best else None
        if len(self._corrections) < 100_000:
            self._corrections[word] = fixed
        return fixed

    def read(self, query: str) -> QueryReading:
        reading = QueryReading()
        ws = words(query)[:200]
        stems = []
        for w in ws:
            fixed = self._correct(w)
            if fixed:
                reading.corrections[w] = fixed
            stems.append(stem(fixed or w))
        i = 0
        while i < len(ws):
            match = None
            for length in range(min(self.max_phrase, len(ws) - i), 0, -1):
                phrase = tuple(stems[i:i + length])
                if length == 1 and ws[i] in STOP_WORDS:
                    break
                found = self.phrases.get(phrase) or (length == 1 and self._prefix(phrase[0]))
                if found:
                    match = (found, length)
                    break
            if match:
                (facet, key), length = match
                if key not in reading.facets[facet]:
                    reading.facets[facet].append(key)
                i += length
                continue
            if ws[i] not in STOP_WORDS and len(ws[i]) > 1:
                reading.free_words.append(ws[i])
            i += 1
        return reading

    def _prefix(self, s: str) -> tuple[str, str] | None:
        for cut in range(len(s) - 1, max(MIN_PREFIX_STEM, len(s) - MAX_PREFIX_EXTRA) - 1, -1):
            found = self.single_stems.get(s[:cut])
            if found:
                return found
        return None

    # -- searching ------------------------------------------------------------------------

    def search(self, query: str, limit: int | None = 10) -> SearchResult:
        reading = self.read(query)
        n = len(self.examples)
        if n == 0 or (not reading.has_facets and not reading.free_words):
            return SearchResult(query, reading, [], 0)
        eligible = np.ones(n, dtype=bool)
        coverage = np.zeros(n, dtype=np.float64)
        for facet in FACETS:
            keys = reading.facets[facet]
            if not keys:
                continue
            masks = [self.facet_docs[facet][k] for k in keys]
            eligible &= np.logical_or.reduce(masks)
            for m in masks:
                coverage += m
        text = np.zeros(n, dtype=np.float64)
        matched = np.zeros(n, dtype=np.int64)
        free_stems = list(dict.fromkeys(stem(w) for w in reading.free_words))
        for s in free_stems:
            posting = self.postings.get(s)
            if posting is None:
                continue
            docs, impact = posting
            text[docs] += impact
            matched[docs] += 1
        if not reading.has_facets:
            eligible &= matched * 2 >= len(free_stems)
            eligible &= matched > 0
        candidates = np.flatnonzero(eligible)
        total = len(candidates)
        if total == 0:
            return SearchResult(query, reading, [], 0)
        score = coverage[candidates] * 100 + np.minimum(text[candidates], 99.0)
        key = (np.round(score * _SCORE_SCALE).astype(np.int64) << (_VOTE_BITS + _RANK_BITS))
        half = 1 << (_VOTE_BITS - 1)
        votes = np.clip(self.votes[candidates], -half, half - 1)
        key |= (votes + half) << _RANK_BITS
        key |= ((1 << _RANK_BITS) - 1) - candidates
        k = total if limit is None else min(limit, total)
        top = np.argpartition(-key, k - 1)[:k] if k < total else np.arange(total)
        top = top[np.argsort(-key[top], kind="stable")]
        hits = [Hit(self.examples[candidates[j]], round(float(score[j]), 3)) for j in top]
        return SearchResult(query, reading, hits, total)

    # -- votes and counts -----------------------------------------------------------------

    def set_votes(self, net_votes: dict[str, int]) -> None:
        self.votes[:] = 0
        for example_id, net in net_votes.items():
            pos = self.position.get(example_id)
            if pos is not None:
                self.votes[pos] = net

    def votes_by_id(self) -> dict[str, int]:
        return {self.examples[i].id: int(v) for i, v in enumerate(self.votes) if v}

    def count(self, facet: str, key: str) -> int:
        mask = self.facet_docs[facet].get(key)
        return int(mask.sum()) if mask is not None else 0

    def suggest(
        self, reading: QueryReading, query: str, limit: int = 3
    ) -> list[tuple[str, str, int]]:
        """Nearest facets worth trying when a query found nothing: (facet, key, count)."""
        found: list[tuple[str, str, int]] = []
        for facet in FACETS:
            for key in reading.facets[facet]:
                count = self.count(facet, key)
                if count:
                    found.append((facet, key, count))
        if not found:
            for w in words(query):
                if w in STOP_WORDS or len(w) < 4:
                    continue
                best = process.extract(w, self._facet_word_list, limit=2, score_cutoff=0.6,
                                       scorer=Levenshtein.normalized_similarity)
                for name, _, _ in best:
                    hit = self.phrases.get((stem(name),)) or self._prefix(stem(name))
                    if hit and self.count(*hit):
                        found.append((hit[0], hit[1], self.count(*hit)))
        if not found:
            sectors = [(k, self.count("secteurs", k)) for k, t in self.taxonomy.sectors.items()
                       if t.parent is None]
            sectors.sort(key=lambda kc: (-kc[1], kc[0]))
            found = [("secteurs", k, c) for k, c in sectors if c][:limit]
        unique = list(dict.fromkeys(found))
        return unique[:limit]
