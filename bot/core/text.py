"""French text normalisation shared by the knowledge loader and the search.

Everything that compares words goes through `fold` (lowercase, no accents, only letters and
digits) and `stem` (Snowball French stemmer from PyStemmer, then a light plural rule so that
words typed without accents stem like their accented forms).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_SPELLING_SPLIT = re.compile(r"[\W_]+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_STEMMER = Stemmer.Stemmer("french")

# French stop words: function words, and the question words of a chat query ("comment",
# "peut-elle", "utiliser") that never tell which example is wanted.
_STOP_TEXT = """
a afin ai aie aient ainsi alors au aucun aucune aupres auquel aussi autre autres aux avec
avoir avons ayant c ca car ce ceci cela celle celles celui cependant ces cet cette ceux
chaque chez ci comme comment d dans de des depuis donc dont du elle elles en encore entre es
est et etaient etait etc ete etre eu eux faire fait faut hors i il ils j je jusqu l la
laquelle le lequel les lesquels leur leurs lui m ma mais me meme memes mes moi mon n ne ni
non nos notre nous on ont ou par parce pas peu peut peuvent peux plus pour pourquoi pouvoir
puis puisque qu quand que quel quelle quelles quels qui quoi s sa sans se ses si soi son
sont sous suis sur t ta te tes toi ton tous tout toute toutes tres tu un une unes uns
utiliser utilise utilisent utilisation vers via voici voila vos votre vous y exemple
exemples exemplaire cas quelqu quelque quelques bon bonne bien idee idees fonctionne servir
sert entreprise entreprises societe societes boite boites pme tpe eti
pr ds svp stp slt bjr bonjour merci cc qqn qq qlq bcp tt pk pq c koi ki
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


@lru_cache(maxsize=1)
def french_words() -> dict[str, int]:
    """Folded French words and their frequency, from the word-frequency list pyspellchecker
    ships (about 134,000 words, read once on first use; nothing is downloaded)."""
    try:
        import gzip
        import json
        from importlib.resources import files

        raw = files("spellchecker").joinpath("resources", "fr.json.gz").read_bytes()
        counts = json.loads(gzip.decompress(raw))
    except Exception:  # the package is missing or damaged: correct as if no word were French
        return {}
    folded: dict[str, int] = {}
    for w, c in counts.items():
        if c >= MIN_WORD_COUNT:
            f = fold(w)
            folded[f] = max(c, folded.get(f, 0))
    return folded


MIN_WORD_COUNT = 5
COMMON_WORD_COUNT = 40_000  # about the 700 most frequent words: "trouver", "personne", "jamais"


def is_french_word(word: str) -> bool:
    """Whether a folded word is a French word (so never "corrected" into another)."""
    return word in french_words()


def is_common_word(word: str) -> bool:
    """Whether a folded word is so frequent in French that it tells nothing of the topic."""
    return french_words().get(word, 0) >= COMMON_WORD_COUNT


# Chat and SMS shorthand, read as the words they stand for (queries only, never examples).
# Only spellings that are not French words themselves (or, like "pa", that nobody types for
# anything else in a question to the bot).
_SHORTHAND_TEXT = """
pr=pour ds=dans ki=qui kel=quel kelle=quelle kels=quels koi=quoi kan=quand qd=quand
cmt=comment cmnt=comment pk=pourquoi pq=pourquoi pa=pas ps=pas tjs=toujours tjrs=toujours
bcp=beaucoup bcq=beaucoup tt=tout tte=toute ttes=toutes jsuis=je_suis chui=je_suis jss=je_suis
jai=j_ai jveux=je_veux jcherche=je_cherche jpeux=je_peux mm=meme vs=vous vx=veux
ptit=petit ptite=petite ptits=petits ptites=petites pti=petit bne=bonne bone=bonne
fb=facebook fcb=facebook insta=instagram yt=youtube tiktk=tiktok lkd=linkedin lnkd=linkedin
rs=reseaux_sociaux reso=reseau resos=reseaux rdv=rendez_vous appli=application
applis=applications tel=telephone pro=professionnel pros=professionnels
qqch=quelque_chose dc=donc ac=avec avc=avec
"""
SHORTHAND = {k: tuple(v.split("_")) for k, v in
             (pair.split("=") for pair in _SHORTHAND_TEXT.split())}


def query_words(text: str) -> list[str]:
    """Folded words of a member's query, chat shorthand spelt out ("kel reso pr recruter" ->
    "quel reseau pour recruter")."""
    out: list[str] = []
    for w in words(text):
        out.extend(SHORTHAND.get(w, (w,)))
    return out


def spelt_out(text: str) -> str:
    """A query as the sentence model reads it: unchanged, unless it holds chat shorthand."""
    ws = words(text)
    return " ".join(query_words(text)) if any(w in SHORTHAND for w in ws) else text


def fold(text: str) -> str:
    """Lowercase, strip accents and replace every non-alphanumeric run by one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_only = ascii_only.replace("œ", "oe").replace("æ", "ae")
    return _NON_WORD.sub(" ", ascii_only).strip()


def spellings(text: str) -> dict[str, str]:
    """Each folded word of `text` -> the way it was written, in lowercase with its accents
    ("Maçons" -> {"macons": "maçons"}), so a reply can say the member's word as typed."""
    out: dict[str, str] = {}
    for token in _SPELLING_SPLIT.split(text.casefold()):
        folded = words(token) if token else []
        if len(folded) == 1:
            out.setdefault(folded[0], token)
    return out


def words(text: str) -> list[str]:
    """Folded words of a text, in order."""
    folded = fold(text)
    return folded.split() if folded else []


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem of an already folded word."""
    if word.isdigit():
        return word
    s = _STEMMER.stemWord(word)
    # Accent-free input defeats some Snowball rules ("videos" stays "videos"): drop a
    # remaining plural mark so "videos" and "vidéos" meet.
    if len(s) > 4 and s[-1] in "sx" and s[-2] not in "sx":
        s = s[:-1]
    return s


def slugify(text: str, max_length: int = 60) -> str:
    """A lowercase ascii slug made from a title: "Une fonderie" -> "une-fonderie"."""
    slug = "-".join(words(text))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "exemple"
