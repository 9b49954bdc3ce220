"""The bundled knowledge base (knowledge/) as members meet it: valid, sourced, and broad enough."""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pytest

from bot.core.knowledge import example_files, load_knowledge
from bot.core.search import SearchIndex
from bot.core.text import fold
from bot.paths import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "knowledge"
# copies of other publishers' articles (shared/research/README.md): never shown as a source
COPY_SITES = ("ikeaflex.store", "netlify.app", "fr.imwu-nl.com", "dhirubhai.net",
              "web.lifelines.name", "allnewspress.com", "thewestonforum.com")


@pytest.fixture(scope="module")
def loaded():
    return load_knowledge(FOLDER)


@pytest.fixture(scope="module")
def index(loaded):
    return SearchIndex(loaded.base)


def examples_with(index: SearchIndex, facet: str, *keys: str) -> int:
    """How many examples use at least one of `keys` (sub-entries included)."""
    masks = [index.facet_docs[facet][k] for k in keys]
    return int(np.logical_or.reduce(masks).sum())


def is_copy_site(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == site or host.endswith("." + site) for site in COPY_SITES)


def test_bundled_base_is_valid(loaded) -> None:
    assert loaded.ok, "\n".join(map(str, loaded.problems))


def test_bundled_base_meets_the_size_targets(loaded, index) -> None:
    assert len(loaded.base.examples) >= 85
    assert index.count("secteurs", "industrie") >= 30


@pytest.mark.parametrize(("keys", "minimum"), [
    (("linkedin",), 3),
    (("viadeo",), 1),
    (("extranet",), 2),
    (("intranet", "reseau-social-entreprise", "wiki", "travail-collaboratif"), 4),
    (("whatsapp",), 2),
    (("blog",), 5),
    (("google-business", "avis-en-ligne"), 4),
])
def test_bundled_base_covers_the_seed_tools(index, keys, minimum) -> None:
    assert examples_with(index, "outils", *keys) >= minimum, keys


def test_every_example_is_sourced_and_never_by_a_copy_site(loaded) -> None:
    unsourced = [e.id for e in loaded.base.examples if not e.sources]
    assert unsourced == []
    copies = [(e.id, url) for e in loaded.base.examples for url in e.sources if is_copy_site(url)]
    assert copies == []


def test_figures_are_sourced_and_never_by_a_copy_site(loaded) -> None:
    figures = loaded.base.figures
    assert len(figures) >= 25
    assert all(f.source.startswith(("http://", "https://")) for f in figures)
    assert [f.id for f in figures if is_copy_site(f.source)] == []


def test_each_file_opens_with_a_comment_for_curators() -> None:
    for path in [*example_files(FOLDER), FOLDER / "taxonomie.yaml", FOLDER / "chiffres.yaml"]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 20, path.name


def test_taxonomy_words_lead_to_one_entry_only(loaded) -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for facet, terms in loaded.base.taxonomy.facets.items():
        for term in terms.values():
            for name in {fold(n) for n in (term.key.replace("-", " "), term.label,
                                           *term.synonyms)}:
                owner = seen.setdefault(name, (facet, term.key))
                if owner != (facet, term.key):
                    clashes.append((name, owner, (facet, term.key)))
    assert clashes == []


def test_new_synonyms_find_their_entry(loaded, index) -> None:
    cases = {"fiche google": ("outils", "google-business"),
             "avis google": ("outils", "avis-en-ligne"),
             "groupe whatsapp": ("outils", "whatsapp"),
             "podcast": ("outils", "podcast"),
             "appli": ("outils", "application-mobile")}
    for words, (facet, key) in cases.items():
        assert key in index.read(words).facets[facet], words
    # ordinary words members use in another sense are no synonym of a sector
    names = {fold(n) for t in loaded.base.taxonomy.sectors.values() for n in (t.label, *t.synonyms)}
    assert names.isdisjoint({"commercial", "commerciale", "commerciaux", "service", "vente"})
