"""The gate's training questions answer with real examples and stay apart from the evaluation:
a question the gate learnt from cannot measure the search."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.text import STOP_WORDS, fold, words
from tests.quality.evaluate import load_queries, load_real_words
from tools.gate_train import BASES, load_questions


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOP_WORDS}


@pytest.fixture(scope="module")
def questions():
    return load_questions()


def test_there_are_enough_labelled_questions_of_both_kinds(questions) -> None:
    kinds = Counter((q.on_topic, q.split) for q in questions)
    assert kinds[(True, "train")] >= 300 and kinds[(False, "train")] >= 150
    assert kinds[(True, "test")] >= 100 and kinds[(False, "test")] >= 50


def test_every_expected_example_exists_in_its_base(questions) -> None:
    ids = {name: {e.id for e in load_knowledge(path).base.examples}
           for name, path in BASES.items()}
    missing = [(q.base, q.text, i) for q in questions for i in q.relevant if i not in ids[q.base]]
    assert not missing


def test_no_question_is_labelled_twice(questions) -> None:
    seen = Counter((q.base, fold(q.text).strip(" ?!.")) for q in questions)
    assert not [text for text, n in seen.items() if n > 1]


def test_no_training_question_is_a_near_copy_of_an_evaluation_question(questions) -> None:
    evaluation = [content_words(q.text) for q in load_queries() + load_real_words()]
    close = []
    for q in questions:
        mine = content_words(q.text)
        for other in evaluation:
            union = mine | other
            if union and len(mine & other) / len(union) >= 0.5:
                close.append(q.text)  # the evaluation's side is not printed
                break
    assert not close
