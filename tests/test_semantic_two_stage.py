"""On a large base the semantic layer compares a query in two stages; the nearest examples,
the ones a member is shown, must be the ones a full comparison finds."""

from __future__ import annotations

import numpy as np

from bot.core.semantic import EXACT_ROWS, SemanticIndex


class Unused:
    def encode(self, texts):  # the tests give vectors directly
        raise AssertionError("no text is encoded here")


def clustered_vectors(n: int, seed: int = 3) -> np.ndarray:
    """Unit vectors grouped around 40 topics, as examples of a real base are."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, 512))
    rows = topics[rng.integers(0, 40, n)] + 0.6 * rng.normal(size=(n, 512))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_a_small_base_is_compared_in_full() -> None:
    matrix = clustered_vectors(EXACT_ROWS)
    layer = SemanticIndex(Unused(), matrix)  # type: ignore[arg-type]
    query = matrix[7]
    assert layer.coarse is None
    np.testing.assert_allclose(layer.similarities(query), matrix @ query, rtol=1e-5)


def test_a_large_base_shows_the_same_nearest_examples_as_a_full_comparison() -> None:
    matrix = clustered_vectors(3 * EXACT_ROWS)
    layer = SemanticIndex(Unused(), matrix)  # type: ignore[arg-type]
    assert layer.coarse is not None and layer.coarse.shape == (len(matrix), 64)
    rng = np.random.default_rng(5)
    for row in rng.integers(0, len(matrix), 25):
        query = matrix[row] + 0.5 * rng.normal(size=512).astype(np.float32) / np.sqrt(512)
        query /= np.linalg.norm(query)
        fast = layer.similarities(query)
        full = matrix @ query
        nearest = set(np.argsort(-full)[:12])
        assert set(np.argsort(-fast)[:12]) == nearest
        top = list(nearest)
        np.testing.assert_allclose(fast[top], full[top], rtol=1e-5)  # shown: exact scores
        layer.exact = True
        np.testing.assert_allclose(layer.similarities(query), full, rtol=1e-5)
        layer.exact = False


def test_a_large_base_reads_the_spread_of_every_similarity_not_of_the_approximations() -> None:
    # the gate reads how far the nearest example stands above the rest (mean and deviation of
    # all similarities); on a large base most scores are approximate, the moments are not
    matrix = clustered_vectors(3 * EXACT_ROWS)
    layer = SemanticIndex(Unused(), matrix)  # type: ignore[arg-type]
    rng = np.random.default_rng(8)
    for row in rng.integers(0, len(matrix), 10):
        query = matrix[row] + 0.5 * rng.normal(size=512).astype(np.float32) / np.sqrt(512)
        query /= np.linalg.norm(query)
        full = matrix @ query
        mean, deviation = layer.spread(query, layer.similarities(query))
        assert abs(mean - full.mean()) < 1e-4
        assert abs(deviation - full.std()) < 0.05 * full.std()
