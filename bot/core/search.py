"""Search: recognise the taxonomy in a query, rank by it, relax it when it is too narrow.

How a query is read (the README documents this for curators):

1. The query is folded (lowercase, no accents) and cut into words; each word is stemmed with the
   Snowball French stemmer (PyStemmer), so "recrutements" and "recruter" meet.
2. A word that is neither a French word (the word list of pyspellchecker), nor in the examples'
   vocabulary, nor in the taxonomy is corrected towards the nearest taxonomy word when it is one
   or two letters away: "indutrie" -> "industrie", "linkdin" -> "linkedin"; "grise" and "blague"
   are French words and stay as typed.
3. The longest runs of words that spell a key, label or synonym of a sector, tool or use become
   facets ("travaux publics" -> btp). A stem that extends a taxonomy stem by at most three letters
   also counts ("industrielles" -> "industr"), as a weak facet ("commercial" may be a job, not
   the Commerce sector). A facet said as something missing ("pas d'adresse mail", "sans site")
   is not a facet at all.
4. An example matches a facet when it is tagged with it (sub-sectors included) or when its text
   contains the words the member typed ("fonderie" finds an Industrie example that says fonderie).
5. A terse query made only of facets ("btp linkedin") is a catalogue look-up: the examples that
   match every asked kind first, then, when they are fewer than three, the nearest ones (relaxed
   facets, then by meaning), shown as such; it is never called off topic. A question with
   other words relaxes when the exact combination has fewer than three examples: first the
   parent sector (the whole industry for a foundry), then it drops the least informative facet
   (weak facets first, then the one with the most examples), always keeping the tool the member
   named. The reply says so.
6. The free words and the facet words are scored with BM25 over the title (x3), the résumé (x2),
   the company's name and region (x2), the results and the details (x1). Without any facet, an
   example must contain at least half of these words, or be semantically near (bot.core.semantic).
7. Ranking: the exact combination first, then each relaxation step; within a step, examples
   matching more asked facets first (100 points each), then the text score, fused with the
   semantic ranking (reciprocal-rank fusion) when the semantic layer is present; ties: votes,
   sourced before unsourced, most recent first, identifier.
8. The model reads the query as typed (chat shorthand spelt out); a short one's vector is
   blended with its facets' names, whose vectors are computed once per taxonomy term.
9. A learned gate (bot.core.gate) reads features of the query and its candidates and answers
   nothing when nothing fits ("comment déclarer la TVA", "carte grise").

All the heavy lifting is vectorised with NumPy so a query costs about the same on 2,000 or
20,000 examples.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.core.knowledge import FACETS, Example, KnowledgeBase
from bot.core.semantic import term_text
from bot.core.text import (
    SHORTHAND,
    STOP_WORDS,
    is_french_word,
    query_words,
    spellings,
    spelt_out,
    stem,
    words,
)

FIELD_WEIGHTS = (("title", 3), ("summary", 2), ("company", 2), ("results", 1), ("details", 1))
BM25_K1 = 1.2
BM25_B = 0.75
MAX_PREFIX_EXTRA = 3
MIN_PREFIX_STEM = 5
MIN_SHORT_STEM = 4
MIN_HITS = 3  # fewer exact examples than this and a question relaxes
RRF_K = 20
SHORT_QUERY = 3  # content words: the model reads a shorter query with its facets' names
FACET_BLEND = 1.0  # weight of a short query's facet names beside its own words
LEXICAL_WEIGHT = 1.0
SEMANTIC_WEIGHT = 2.5
NEGATIONS = frozenset({"pas", "sans", "aucun", "aucune", "ni", "jamais", "manque", "plus"})
NEGATION_WINDOW = 3
# The composite sort key packs (score, votes, static rank) into one int64.
_RANK_BITS = 21
_VOTE_BITS = 20
_SCORE_SCALE = 1000


@dataclass(frozen=True)
class Hit:
    example: Example
    score: float


@dataclass(frozen=True)
class Ask:
    """One facet recognised in a query, with the words the member typed for it."""

    facet: str
    key: str
    words: str  # folded, as typed ("fonderie")
    stems: tuple[str, ...]
    weak: bool = False  # recognised through a loose prefix: ranks, dropped first
    said: str = ""  # as the member wrote it, lowercase with its accents ("maçons")


@dataclass
class QueryReading:
    """What the search understood of a query."""

    facets: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in FACETS})
    free_words: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    asks: list[Ask] = field(default_factory=list)
    negated: list[Ask] = field(default_factory=list)
    unknown_words: list[str] = field(default_factory=list)
    word_count: int = 0  # content words of the query (stop words left out)
    shorthand: list[str] = field(default_factory=list)  # chat shorthand spelt out ("pr", "fb")

    @property
    def has_facets(self) -> bool:
        return any(self.facets.values())

    @property
    def terse(self) -> bool:
        """Only facets, all certain: a catalogue look-up, never judged by the gate (it
        relaxes only to show the nearest examples after, or instead of, the exact ones)."""
        return (self.has_facets and not self.free_words and not self.negated
                and not any(a.weak for a in self.asks))

    def typed(self, facet: str) -> list[str]:
        return list(dict.fromkeys(a.said or a.words for a in self.asks if a.facet == facet))


@dataclass(frozen=True)
class Relaxation:
    """How a question was widened: the facets kept (facet -> keys) after the exact ones."""

    exact: int  # examples matching the whole asked combination
    kept: dict[str, tuple[str, ...]]
    widened: tuple[tuple[str, str], ...] = ()  # (asked sector, parent used instead)
    dropped: tuple[str, ...] = ()  # facet kinds let go, in order
    by_meaning: bool = False  # the semantic layer's nearest examples follow the steps


@dataclass
class SearchResult:
    query: str
    reading: QueryReading
    hits: list[Hit]
    total: int
    relaxation: Relaxation | None = None
    vetoed: bool = False  # the gate judged that nothing fits
    features: dict[str, float] = field(default_factory=dict)
    # A terse query whose exact combination is empty: the nearest examples, shown as such by
    # the chat reply but not counted as answers (`hits` stays empty).
    nearest: list[Hit] = field(default_factory=list)


def _example_text_fields(example: Example) -> dict[str, str]:
    company = " ".join(x for x in (example.company.name, example.company.region) if x)
    return {
        "title": example.title,
        "summary": example.summary,
        "company": company,
        "results": example.results or "",
        "details": example.details or "",
    }


def example_terms(example: Example) -> tuple[dict[str, int], tuple[str, ...]]:
    """(weighted stem counts, distinct folded words) of an example's text: the costly part of
    indexing. Strings are interned: 20,000 examples share one copy of each word."""
    counts: dict[str, int] = {}
    seen: set[str] = set()
    fields = _example_text_fields(example)
    for name, weight in FIELD_WEIGHTS:
        ws = words(fields[name])
        seen.update(ws)
        for w in ws:
            if w not in STOP_WORDS and len(w) > 1:
                s = sys.intern(stem(w))
                counts[s] = counts.get(s, 0) + weight
    return counts, tuple(sys.intern(w) for w in seen)


def static_order(examples: list[Example]) -> list[Example]:
    """Tie-break order: sourced first, then the most recent, then by identifier."""
    by_id = sorted(examples, key=lambda e: e.id)
    by_date = sorted(by_id, key=lambda e: e.date or "", reverse=True)  # stable, undated last
    return sorted(by_date, key=lambda e: not e.sources)


class SearchIndex:
    """An immutable index over one knowledge base (rebuilt on reload).

    `terms` may hold the per-example text analysis of a previous index (example id ->
    (Example, counts, words)); unchanged examples reuse it, so an approval re-indexes one
    example, not the base. `semantic` (bot.core.semantic.SemanticIndex) and `gate`
    (bot.core.gate.Gate) are optional layers, attached after building.
    """

    def __init__(self, base: KnowledgeBase, terms: dict | None = None):
        self.base = base
        self.taxonomy = base.taxonomy
        self.examples: list[Example] = static_order(base.examples)
        self.position = {e.id: i for i, e in enumerate(self.examples)}
        n = len(self.examples)
        self.votes = np.zeros(n, dtype=np.int64)
        self.semantic = None
        from bot.core.gate import shipped_gate

        self.gate = shipped_gate()
        self._corrections: dict[str, str | None] = {}
        self._build_phrases()
        self._build_facets()
        self._build_text(terms or {})

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
        # a shorter stem typed for a longer taxonomy stem: "soude" (soud) for "soudure" (soudur)
        self.stem_prefixes: dict[str, tuple[str, str]] = {}
        for s, v in sorted(self.single_stems.items()):
            for cut in range(max(MIN_SHORT_STEM, len(s) - MAX_PREFIX_EXTRA), len(s)):
                self.stem_prefixes.setdefault(s[:cut], v)
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

    def _build_text(self, previous: dict) -> None:
        """BM25 postings, built with NumPy from each example's (cached) stem counts."""
        n = len(self.examples)
        vocabulary: set[str] = set()
        self.terms: dict[str, tuple[Example, dict[str, int], tuple[str, ...]]] = {}
        stem_ids: dict[str, int] = {}
        ids: list[int] = []
        tfs: list[int] = []
        sizes = np.zeros(n, dtype=np.int64)
        for i, e in enumerate(self.examples):
            old = previous.get(e.id)
            if old is not None and old[0] == e:
                counts, seen = old[1], old[2]
            else:
                counts, seen = example_terms(e)
            self.terms[e.id] = (e, counts, seen)
            vocabulary.update(seen)
            sizes[i] = len(counts)
            ids.extend(stem_ids.setdefault(s, len(stem_ids)) for s in counts)
            tfs.extend(counts.values())
        self.vocabulary = vocabulary
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not ids:
            return
        stem_of = np.fromiter(ids, dtype=np.int64, count=len(ids))
        tf = np.fromiter(tfs, dtype=np.float64, count=len(tfs))
        doc = np.repeat(np.arange(n, dtype=np.int64), sizes)
        lengths = np.bincount(doc, weights=tf, minlength=n)
        avg = float(lengths.mean()) or 1.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / avg)
        df = np.bincount(stem_of, minlength=len(stem_ids)).astype(np.float64)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        impact = idf[stem_of] * tf * (BM25_K1 + 1) / (tf + norm[doc])
        order = np.argsort(stem_of, kind="stable")  # docs stay in order within a stem
        doc, impact = doc[order], impact[order]
        bounds = np.r_[0, np.cumsum(df.astype(np.int64))]
        for s, k in stem_ids.items():
            self.postings[s] = (doc[bounds[k]:bounds[k + 1]], impact[bounds[k]:bounds[k + 1]])

    # -- reading a query ------------------------------------------------------------------

    def known(self, word: str) -> bool:
        return word in self.vocabulary or word in self.facet_words

    def _correct(self, word: str) -> str | None:
        """The taxonomy word `word` is a typo of, if any (memoised per index).

        Only words that are neither known to the base nor French words are corrected: "grise"
        is not a typo of "crise"."""
        if word in self._corrections:
            return self._corrections[word]
        fixed = None
        if (len(word) >= 4 and not word.isdigit() and not self.known(word)
                and not is_french_word(word)):
            cutoff = 1 if len(word) < 8 else 2
            near = process.extract(word, self._facet_word_list, scorer=Levenshtein.distance,
                                   score_cutoff=cutoff, limit=8)
            if near:  # nearest first, then whole facet names ("linkedin") before parts
                fixed = min(near, key=lambda m: (m[1], stem(m[0]) not in self.single_stems,
                                                 abs(len(m[0]) - len(word)), m[0]))[0]
        if len(self._corrections) < 100_000:
            self._corrections[word] = fixed
        return fixed

    def read(self, query: str) -> QueryReading:
        reading = QueryReading()
        typed = words(query)[:200]
        ws = query_words(query)[:200]
        reading.shorthand = [w for w in typed if w in SHORTHAND]
        spelt = spellings(query)
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
                found = self.phrases.get(phrase)
                weak = False
                if not found and length == 1:
                    found = self._prefix(phrase[0])
                    weak = bool(found)
                if found:
                    match = (found, length, weak)
                    break
            if match:
                (facet, key), length, weak = match
                ask = Ask(facet, key, " ".join(ws[i:i + length]), tuple(stems[i:i + length]),
                          weak, " ".join(spelt.get(w, w) for w in ws[i:i + length]))
                before = ws[max(0, i - NEGATION_WINDOW):i]
                reading.word_count += 1
                if any(b in NEGATIONS for b in before):
                    reading.negated.append(ask)
                else:
                    reading.asks.append(ask)
                    if key not in reading.facets[facet]:
                        reading.facets[facet].append(key)
                    if weak:
                        reading.free_words.append(ws[i])
                i += length
                continue
            w = reading.corrections.get(ws[i], ws[i])
            if w not in STOP_WORDS and len(w) > 1:
                reading.free_words.append(w)
                reading.word_count += 1
                if (len(w) >= 3 and not w.isdigit() and ws[i] not in reading.corrections
                        and not self.known(w) and not is_french_word(w)):
                    reading.unknown_words.append(w)
            i += 1
        return reading

    def _prefix(self, s: str) -> tuple[str, str] | None:
        for cut in range(len(s) - 1, max(MIN_PREFIX_STEM, len(s) - MAX_PREFIX_EXTRA) - 1, -1):
            found = self.single_stems.get(s[:cut])
            if found:
                return found
        return self.stem_prefixes.get(s) if len(s) >= MIN_SHORT_STEM else None

    # -- matching -------------------------------------------------------------------------

    def _contains(self, stems: tuple[str, ...]) -> np.ndarray:
        """Examples whose text holds every stem of a phrase."""
        mask = np.ones(len(self.examples), dtype=bool)
        for s in stems:
            posting = self.postings.get(s)
            if posting is None:
                return np.zeros(len(self.examples), dtype=bool)
            hit = np.zeros(len(self.examples), dtype=bool)
            hit[posting[0]] = True
            mask &= hit
        return mask

    def _ask_mask(self, ask: Ask) -> np.ndarray:
        tagged = self.facet_docs[ask.facet].get(ask.key)
        text = self._contains(ask.stems)
        return text if tagged is None else (tagged | text)

    def _kind_masks(self, reading: QueryReading) -> dict[str, np.ndarray]:
        masks: dict[str, np.ndarray] = {}
        for ask in reading.asks:
            m = self._ask_mask(ask)
            masks[ask.facet] = masks[ask.facet] | m if ask.facet in masks else m
        return masks

    def _text_scores(self, stems: list[str]) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.examples)
        text = np.zeros(n, dtype=np.float64)
        matched = np.zeros(n, dtype=np.int64)
        for s in stems:
            posting = self.postings.get(s)
            if posting is None:
                continue
            docs, impact = posting
            text[docs] += impact
            matched[docs] += 1
        return text, matched

    def _levels(self, reading: QueryReading, masks: dict[str, np.ndarray]
                ) -> tuple[list[np.ndarray], Relaxation | None]:
        """The exact combination, then the relaxation steps a question may take."""
        exact = np.logical_and.reduce(list(masks.values()))
        levels = [exact]
        exact_count = int(exact.sum())
        if exact_count >= MIN_HITS or reading.unknown_words:
            return levels, None
        current = dict(masks)
        widened: list[tuple[str, str]] = []
        dropped: list[str] = []
        covered = exact.copy()
        # 1. the parent of each asked sub-sector
        if "secteurs" in current:
            parents = []
            for ask in reading.asks:
                if ask.facet != "secteurs":
                    continue
                parent = self.taxonomy.sectors[ask.key].parent if ask.key in \
                    self.taxonomy.sectors else None
                if parent:
                    parents.append(parent)
                    widened.append((ask.key, parent))
            if parents:
                current["secteurs"] = np.logical_or.reduce(
                    [current["secteurs"], *(self.facet_docs["secteurs"][p] for p in parents)])
                step = np.logical_and.reduce(list(current.values()))
                if (step & ~covered).any():
                    levels.append(step & ~covered)
                    covered |= step
        # 2. the parent of each asked tool ("LinkedIn" -> the social networks)
        if "outils" in current and int(covered.sum()) < MIN_HITS:
            parents = []
            for ask in reading.asks:
                term = self.taxonomy.tools.get(ask.key) if ask.facet == "outils" else None
                if term is not None and term.parent:
                    parents.append(term.parent)
                    widened.append((ask.key, term.parent))
            if parents:
                current["outils"] = np.logical_or.reduce(
                    [current["outils"], *(self.facet_docs["outils"][p] for p in parents)])
                step = np.logical_and.reduce(list(current.values()))
                if (step & ~covered).any():
                    levels.append(step & ~covered)
                    covered |= step
        # 3. drop the least informative kind, never the tool the member named
        named_tool = any(a.facet == "outils" and not a.weak for a in reading.asks)
        weak_kinds = {a.facet for a in reading.asks if a.weak}
        while int(covered.sum()) < MIN_HITS and len(current) > 1:
            choices = [k for k in current if not (k == "outils" and named_tool)]
            if not choices:
                break
            kind = max(choices, key=lambda k: (k in weak_kinds, int(current[k].sum())))
            del current[kind]
            dropped.append(kind)
            step = np.logical_and.reduce(list(current.values()))
            if (step & ~covered).any():
                levels.append(step & ~covered)
                covered |= step
        if len(levels) == 1:
            return levels, None
        wider = dict(widened)
        kept = {f: tuple(dict.fromkeys(wider.get(a.key, a.key) for a in reading.asks
                                       if a.facet == f)) for f in current}
        return levels, Relaxation(exact_count, kept, tuple(widened), tuple(dropped))

    # -- searching ------------------------------------------------------------------------

    def search(self, query: str, limit: int | None = 10) -> SearchResult:
        reading = self.read(query)
        n = len(self.examples)
        if n == 0 or (not reading.has_facets and not reading.free_words):
            return SearchResult(query, reading, [], 0)
        ask_stems = [s for a in reading.asks if not a.weak for s in a.stems]
        free_stems = list(dict.fromkeys(stem(w) for w in reading.free_words))
        text, matched = self._text_scores(list(dict.fromkeys(free_stems + ask_stems)))
        masks = self._kind_masks(reading)
        coverage = np.zeros(n, dtype=np.float64)
        for facet in FACETS:
            for key in reading.facets[facet]:
                coverage += self.facet_docs[facet][key]
        if reading.terse:  # a catalogue look-up with enough answers never needs the model
            exact = np.logical_and.reduce(list(masks.values()))
            enough = MIN_HITS if self.semantic is not None else 1
            if int(exact.sum()) >= enough:
                return self._rank(query, reading, [exact], text, coverage, None, limit)
        semantic = None
        if self.semantic is not None:
            semantic = self.semantic.similarities(self.query_vector(query, reading))
        relaxation = None
        if masks:
            levels, relaxation = self._levels(reading, masks)
            if semantic is not None and not reading.unknown_words:
                covered = np.logical_or.reduce(levels)
                missing = MIN_HITS - int(covered.sum())
                if missing > 0:  # a facet with (almost) no example: the nearest by meaning
                    extra = self.semantic.candidates(semantic, missing, covered)
                    if extra.any():
                        levels.append(extra)
                        relaxation = (Relaxation(int(levels[0].sum()), {}) if relaxation is None
                                      else replace(relaxation, by_meaning=True))
        else:
            free_text, free_matched = self._text_scores(free_stems)
            lexical = (free_matched * 2 >= len(free_stems)) & (free_matched > 0)
            if semantic is not None:  # the nearest by meaning too; the gate judges them
                lexical |= self.semantic.candidates(semantic, MIN_HITS, lexical)
            levels = [lexical]
        if reading.terse:
            exact = self._rank(query, reading, levels[:1], text, coverage, None, limit)
            if len(levels) == 1:
                return exact
            # a question made of the taxonomy's words only is on topic by definition: its
            # nearest examples (the relaxed facets, then by meaning) are shown as such
            wide = self._rank(query, reading, levels[1:], text, coverage, semantic, limit)
            if not exact.hits:  # the features describe what is shown: the nearest ones
                exact.nearest, exact.relaxation = wide.hits, relaxation
                exact.features = wide.features
                return exact
            if wide.hits:  # fewer than MIN_HITS exact examples: the nearest ones follow
                room = len(wide.hits) if limit is None else max(0, limit - len(exact.hits))
                exact.hits = exact.hits + wide.hits[:room]
                exact.total += wide.total
                exact.relaxation = relaxation
            return exact
        result = self._rank(query, reading, levels, text, coverage, semantic, limit)
        if result.hits:
            result.relaxation = relaxation
        return result

    def _rank(self, query: str, reading: QueryReading, levels: list[np.ndarray],
              text: np.ndarray, coverage: np.ndarray, semantic: np.ndarray | None,
              limit: int | None) -> SearchResult:
        n = len(self.examples)
        level_of = np.full(n, len(levels), dtype=np.int64)
        for depth, mask in enumerate(levels):
            level_of[mask & (level_of == len(levels))] = depth
        candidates = np.flatnonzero(level_of < len(levels))
        total = len(candidates)
        if total == 0:
            features = self._features(query, reading, candidates, text, coverage, semantic)
            return SearchResult(query, reading, [], 0, None, False, features)
        lex = coverage[candidates] * 100 + np.minimum(text[candidates], 99.0)
        level = level_of[candidates]
        score = lex if semantic is None else _rrf(lex, semantic[candidates]) * 1000
        key = (np.round(np.minimum(score, 4000.0) * _SCORE_SCALE).astype(np.int64)
               << (_VOTE_BITS + _RANK_BITS))
        half = 1 << (_VOTE_BITS - 1)
        votes = np.clip(self.votes[candidates], -half, half - 1)
        key |= (votes + half) << _RANK_BITS
        key |= ((1 << _RANK_BITS) - 1) - candidates
        order = (_first(level, key, limit) if limit and total > 4 * limit
                 else np.lexsort((-key, level)))
        features = self._features(query, reading, candidates[order], text, coverage, semantic,
                                  total)
        if not reading.terse and self.gate is not None and not self.gate.accepts(features):
            return SearchResult(query, reading, [], 0, None, True, features)
        k = total if limit is None else min(limit, total)
        hits = [Hit(self.examples[candidates[j]], round(float(score[j]), 3)) for j in order[:k]]
        return SearchResult(query, reading, hits, total, None, False, features)

    @staticmethod
    def model_query(query: str, reading: QueryReading) -> str:
        """The query as the model reads it: chat shorthand spelt out."""
        return spelt_out(query) if reading.shorthand else query

    def _facet_texts(self, reading: QueryReading) -> list[str]:
        """The names of a short query's facets, one text per facet ("travail collaboratif" ->
        "Travail collaboratif, outils collaboratifs, partage de documents…"); none for a
        longer query, which says enough by itself."""
        if reading.word_count > SHORT_QUERY or not reading.asks:
            return []
        texts = []
        for ask in reading.asks:
            if ask.weak:  # a guess from a word's beginning ("installer" -> insta) steers nothing
                continue
            term = self.taxonomy.facets[ask.facet].get(ask.key)
            if term is not None:
                texts.append(term_text(term))
        return list(dict.fromkeys(texts))

    def query_vector(self, query: str, reading: QueryReading) -> np.ndarray:
        """What the model reads of a query: the query, chat shorthand spelt out ("fb pr 1
        usine" -> "facebook pour 1 usine"), and for a short one the meaning of its facets'
        names, whose vectors are computed once per term and kept."""
        assert self.semantic is not None
        return self.semantic.blend(self.model_query(query, reading), self._facet_texts(reading),
                                   FACET_BLEND)

    def _features(self, query: str, reading: QueryReading, ranked: np.ndarray,
                  text: np.ndarray, coverage: np.ndarray, semantic: np.ndarray | None,
                  total: int | None = None) -> dict[str, float]:
        """What the gate reads: the query and its best candidates."""
        from bot.core.gate import features

        # the question's own words, without its facets' names (which are on topic by nature):
        # the vector the similarities were blended from, already encoded
        vector = (self.semantic.text_vector(self.model_query(query, reading))
                  if semantic is not None and self.semantic is not None else None)
        domain = getattr(self.gate, "domain", None)
        spread = (self.semantic.spread(self.query_vector(query, reading), semantic)
                  if semantic is not None and self.semantic is not None else None)
        return features(self, reading, ranked, text, coverage, semantic, vector, domain, total,
                        spread)

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

    def count_combination(self, facets: dict[str, list[str]]) -> int:
        """Examples tagged with one of the keys of every kind given."""
        masks = [np.logical_or.reduce([self.facet_docs[f][k] for k in keys])
                 for f, keys in facets.items() if keys]
        return int(np.logical_and.reduce(masks).sum()) if masks else 0

    def alternatives(self, reading: QueryReading, limit: int = 3
                     ) -> list[tuple[dict[str, list[str]], int]]:
        """Wider combinations that do have examples, nearest first: the parent sector, then
        each kind dropped in turn (the tool kept), then each facet alone."""
        asked = {f: list(keys) for f, keys in reading.facets.items() if keys}
        found: list[tuple[dict[str, list[str]], int]] = []

        def offer(facets: dict[str, list[str]]) -> None:
            facets = {f: k for f, k in facets.items() if k}
            if not facets or facets == asked or any(f == facets for f, _ in found):
                return
            count = self.count_combination(facets)
            if count:
                found.append((facets, count))

        sectors = asked.get("secteurs", [])
        parents: list[str] = list(dict.fromkeys(
            parent for k in sectors
            if k in self.taxonomy.sectors and (parent := self.taxonomy.sectors[k].parent)))
        if parents:
            offer({**asked, "secteurs": parents})
        for kind in sorted(asked, key=lambda k: (k == "outils", -self.count(k, asked[k][0]))):
            offer({f: k for f, k in asked.items() if f != kind})
        for facet, keys in asked.items():
            for key in keys:
                offer({facet: [key]})
        return found[:limit]

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


def _first(level: np.ndarray, key: np.ndarray, limit: int) -> np.ndarray:
    """The positions of the `limit` best candidates, by level then key (keys are unique),
    without sorting the thousands a large base can match: only the ones shown are sorted."""
    out = []
    need = limit
    for depth in np.unique(level):
        at = np.flatnonzero(level == depth)
        if len(at) > need:
            at = at[np.argpartition(-key[at], need - 1)[:need]]
        out.append(at[np.argsort(-key[at])])
        need -= len(at)
        if need <= 0:
            break
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, best first; equal values share the best rank of their group."""
    order = np.argsort(-values)  # equal values get one rank whatever their order: no need
    # for a stable sort, which is slower
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    group_rank = np.flatnonzero(first) + 1
    r = np.empty(len(values), dtype=np.float64)
    r[order] = group_rank[np.cumsum(first) - 1]
    return r


def _rrf(lexical: np.ndarray, semantic: np.ndarray) -> np.ndarray:
    """Reciprocal-rank fusion of two scores over the same candidates (higher is better)."""
    return (LEXICAL_WEIGHT / (RRF_K + _ranks(lexical))
            + SEMANTIC_WEIGHT / (RRF_K + _ranks(semantic)))
