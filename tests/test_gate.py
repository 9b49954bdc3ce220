"""The gate: nothing when nothing fits, answers for short trade questions."""

from __future__ import annotations

import pytest

from bot.core import semantic
from bot.core.commands import Assistant
from bot.core.gate import Gate, shipped_gate
from bot.core.knowledge import load_knowledge
from bot.core.search import SearchIndex
from bot.core.service import KnowledgeService
from bot.paths import DEFAULT_KNOWLEDGE
from tests.conftest import Harness

OFF_TOPIC = ["comment déclarer la TVA", "blockchain pour une banque", "carte grise",
             "recette de la tarte tatin", "météo demain", "raconte-moi une blague",
             "quelle assurance auto pour un jeune conducteur"]


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> KnowledgeService:
    if semantic.load_encoder() is None:
        pytest.fail("the sentence model must load")
    service = KnowledgeService(DEFAULT_KNOWLEDGE, cache_dir=tmp_path_factory.mktemp("cache"))
    service.load(semantic="now")
    return service


def test_weights_ship_with_the_package() -> None:
    gate = shipped_gate()
    assert isinstance(gate, Gate) and {"lexical", "semantic"} <= set(gate.models)
    assert gate.domain is not None and gate.domain.shape == (512,)


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_off_topic_gets_nothing_with_the_whole_engine(full: KnowledgeService, query) -> None:
    result = full.index.search(query)
    assert result.hits == [] and result.nearest == [], [h.example.id for h in result.hits]


@pytest.mark.parametrize("query", ["comment déclarer la TVA", "blockchain pour une banque",
                                   "carte grise"])
def test_gate_vetoes_what_the_lexical_engine_alone_would_answer(query) -> None:
    index = SearchIndex(load_knowledge(DEFAULT_KNOWLEDGE).base)
    index.gate = None
    assert index.search(query).hits  # the words match something...
    index.gate = shipped_gate()
    result = index.search(query)
    assert result.hits == [] and result.vetoed  # ...but nothing fits


@pytest.mark.parametrize("query", ["je soude des cuves en inox", "trouver des apprentis",
                                   "vendre mes jeans à l'étranger"])
def test_short_trade_questions_get_answers(full: KnowledgeService, query) -> None:
    assert full.index.search(query).hits


async def test_off_topic_reply_says_what_the_bot_knows(full: KnowledgeService) -> None:
    harness = Harness(Assistant(full))
    [reply] = await harness.replies("!question comment déclarer la TVA ?")
    text = reply.render()
    assert text.startswith("Je n'ai pas d'exemple pour « comment déclarer la TVA ? » : je "
                           "connais des usages du numérique")
    assert {a.kind for a in reply.actions} >= {"command", "propose"}
