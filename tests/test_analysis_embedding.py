"""The sentence encoder: unit vectors, and one encoding per distinct text shared across calls."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.embedding import load_encoder

pytestmark = pytest.mark.slow  # loads the sentence encoder


def test_vectors_are_unit_length_and_order_follows_input():
    encoder = load_encoder()
    texts = ["What does your team use today?", "", "Our platform has forty integrations."]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, encoder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[2]) < 0.9


def test_a_remembered_text_gives_the_vector_it_gets_in_any_batch():
    encoder = load_encoder()
    alone = encoder.encode(["how many trucks run the night shift"])[0]
    encoder._memo.clear()
    batched = encoder.encode(["a much longer sentence about pricing tiers and discounts for seats",
                              "how many trucks run the night shift", "ok"])[1]
    assert np.allclose(alone, batched, atol=1e-5)
    again = encoder.encode(["how many trucks run the night shift"])[0]
    assert np.array_equal(again, batched)
