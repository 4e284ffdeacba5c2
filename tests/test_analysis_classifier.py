"""Turn classifier: held-out and foreign-style scores, the hard cases, cues, determinism."""
import numpy as np
import pytest

from analysis.classifier import load_classifier
from analysis.embedding import load_encoder
from analysis.labelled_data import FOREIGN_SETS, load_labelled, score
from analysis.train_classifier import asr_style

pytestmark = pytest.mark.slow  # loads the sentence encoder

# Measured with the committed head: held-out 0.987; foreign sets 0.989, 1.000, 0.983 (ASR style 0.987;
# 0.967, 1.000, 0.983).
HELDOUT_MIN_F1 = 0.95
FOREIGN_MIN_F1 = 0.92


@pytest.fixture(scope="module")
def classifier():
    return load_classifier()


def _macro_f1(classifier, rows, transform=str):
    predicted = [t.label for t in classifier.classify([transform(r.text) for r in rows])]
    return score([r.label for r in rows], predicted).macro_f1


def test_dataset_is_large_and_split():
    rows = load_labelled()
    train = [r for r in rows if r.split == "train"]
    heldout = [r for r in rows if r.split == "heldout"]
    assert len(rows) >= 600 and len(heldout) >= 100
    assert not {r.industry for r in train} & {r.industry for r in heldout}, "held-out industries must be unseen"
    assert len({r.industry for r in rows}) >= 10


def test_heldout_macro_f1(classifier):
    heldout = load_labelled(split="heldout")
    assert _macro_f1(classifier, heldout) >= HELDOUT_MIN_F1
    assert _macro_f1(classifier, heldout, asr_style) >= HELDOUT_MIN_F1


@pytest.mark.parametrize("path", FOREIGN_SETS.values(), ids=FOREIGN_SETS.keys())
def test_foreign_style_macro_f1(classifier, path):
    assert _macro_f1(classifier, load_labelled(path)) >= FOREIGN_MIN_F1


HARD_CASES = [
    ("Wouldn't you love a dashboard that flags late orders before your customers do?", "product_push"),
    ("what if your planners never had to rebuild the forecast by hand", "product_push"),
    ("so the Monday rebuild takes two people", "discovery"),
    ("Can you hear me okay?", "other"),
    ("does two o'clock on Thursday still work", "other"),
    ("The starter plan is forty dollars a user per month.", "product_push"),
    ("we can do it for 25k", "product_push"),
    ("Okay.", "other"),
    ("mm-hmm", "other"),
    ("Walk me through how you plan inventory today?", "discovery"),
    ("Tell me more about the churn you mentioned.", "discovery"),
    ("Our platform has real-time dashboards and forty integrations.", "product_push"),
    ("It will lower your inventory costs.", "product_push"),
    ("I'll send the invite for Thursday.", "other"),
    ("what does a stockout cost you", "discovery"),
]


@pytest.mark.parametrize("text,label", HARD_CASES)
def test_hard_cases(classifier, text, label):
    assert classifier.classify([text])[0].label == label


def test_output_has_confidence_cues_and_flags(classifier):
    push, question = classifier.classify(["It's sixty dollars a seat per month.", "how many sites do you run today"])
    assert push.label == "product_push" and 0.5 < push.confidence <= 1.0
    assert push.price_mention and push.price.amount == 60
    assert any("sixty dollars" in c for c in push.cues)
    assert question.label == "discovery" and question.is_question and not question.price_mention
    assert question.cues


def test_company_vocabulary_becomes_a_cue(classifier):
    text = "Stockwise syncs every warehouse overnight."
    with_vocab = classifier.classify([text], vocabulary=("Stockwise",))[0]
    assert with_vocab.label == "product_push"
    assert "Stockwise" in with_vocab.cues


def test_deterministic_and_batch_independent(classifier):
    texts = [r.text for r in load_labelled(split="heldout")[:40]]
    one = classifier.classify(texts)
    again = classifier.classify(list(reversed(texts)))[::-1]
    assert [t.label for t in one] == [t.label for t in again]
    assert np.allclose([t.confidence for t in one], [t.confidence for t in again], atol=1e-5)
    assert classifier.classify([]) == []


def test_encoder_gives_unit_vectors_that_rank_paraphrases_first():
    vecs = load_encoder().encode(["how do you plan inventory today", "walk me through your inventory planning", "I'll send the invite"])
    assert vecs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
