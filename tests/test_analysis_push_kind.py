"""Push kind (usage / feature) of product pitches: held-out and after-training scores, cues, wiring.

Tests marked slow load the sentence encoder."""
import numpy as np
import pytest

from analysis import classify_text
from analysis.classifier import load_classifier
from analysis.errors import AnalysisError
from analysis.labelled_data import PUSH_KIND_AFTER_TRAINING, PUSH_KIND_END_TO_END_PATH, PUSH_KIND_PATH, load_labelled, score
from analysis.push_kind import HEAD_PATH, PushKindHead, load_push_head
from analysis.train_classifier import asr_style
from analysis.train_push_kind import evaluate, pitches
from analysis.types import PUSH_KINDS

# Measured with the committed head, as written and ASR style alike: held-out industries 0.970; the sets
# written after training: fresh 0.975, end-to-end 1.000 (its pitches), boundary 0.950.
MIN_MACRO_F1 = 0.90


@pytest.fixture(scope="module")
def head():
    return load_push_head()


def test_dataset_is_large_balanced_and_split_by_industry():
    rows = pitches(PUSH_KIND_PATH)
    train = [r for r in rows if r.split == "train"]
    heldout = [r for r in rows if r.split == "heldout"]
    assert len(train) >= 400 and len(heldout) >= 100
    assert not {r.industry for r in train} & {r.industry for r in heldout}, "held-out industries must be unseen"
    assert len({r.industry for r in rows}) >= 20
    for split in (train, heldout):
        usage = sum(r.push_kind == "usage" for r in split)
        assert 0.4 <= usage / len(split) <= 0.6
    assert sum(r.text == asr_style(r.text) for r in rows) >= 0.1 * len(rows), "ASR-style rows are part of the set"


@pytest.mark.slow
def test_held_out_industries_macro_f1(head):
    rows = pitches(PUSH_KIND_PATH, "heldout")
    for transform in (str, asr_style):
        result, _ = evaluate(head, rows, transform)
        assert result.macro_f1 >= MIN_MACRO_F1
        assert min(result.per_label_f1.values()) >= MIN_MACRO_F1 - 0.05


@pytest.mark.slow
@pytest.mark.parametrize("path", PUSH_KIND_AFTER_TRAINING.values(), ids=PUSH_KIND_AFTER_TRAINING.keys())
def test_sets_written_after_training(head, path):
    for transform in (str, asr_style):
        result, _ = evaluate(head, pitches(path), transform)
        assert result.macro_f1 >= MIN_MACRO_F1


@pytest.mark.slow
def test_end_to_end_turn_labels_and_usage_recall():
    """The turn classifier must see usage talk as a pitch too, or usage share means nothing."""
    rows = load_labelled(PUSH_KIND_END_TO_END_PATH)
    turns = load_classifier().classify([r.text for r in rows])
    assert score([r.label for r in rows], [t.label for t in turns]).macro_f1 >= 0.9  # measured 0.947
    usage = [t for r, t in zip(rows, turns) if r.push_kind == "usage"]
    assert sum(t.label == "product_push" for t in usage) / len(usage) >= 0.8  # measured 26/30


@pytest.mark.slow
def test_held_out_usage_pitches_are_product_push_and_outcome_questions_stay_discovery():
    rows = load_labelled(PUSH_KIND_PATH, split="heldout")
    turns = load_classifier().classify([r.text for r in rows])
    for kind in (*PUSH_KINDS, None):
        picked = [(r, t) for r, t in zip(rows, turns) if r.push_kind == kind]
        right = sum(t.label == r.label for r, t in picked)
        assert right / len(picked) >= 0.9, (kind, right, len(picked))


HARD_CASES = [
    ("So on a Tuesday your dispatchers would only deal with the loads that changed overnight.", "usage"),
    ("Your store managers would stop counting stock on Sunday nights.", "usage"),
    ("That means the month-end close is done by day three for your finance team.", "usage"),
    ("The gateway supports MQTT, OPC UA and REST.", "feature"),
    ("We're ISO 27001 certified and hosted in Frankfurt.", "feature"),
    ("It's thirty dollars a user per month, billed annually.", "feature"),
    ("you can export every report to Excel", "feature"),
]


@pytest.mark.slow
@pytest.mark.parametrize("text,kind", HARD_CASES)
def test_hard_cases(head, text, kind):
    assert head.classify([text])[0].kind == kind


@pytest.mark.slow
def test_push_kind_and_cues_ride_on_product_push_only():
    usage, feature, question, hello = classify_text([
        "So next quarter your planners would just approve the exceptions instead of rebuilding the forecast.",
        "Our platform integrates with SAP and Oracle out of the box.",
        "Would that let your planners catch the seasonal items earlier?",
        "Hi, thanks for making the time.",
    ])
    assert (usage.label, usage.push_kind) == ("product_push", "usage")
    assert (feature.label, feature.push_kind) == ("product_push", "feature")
    assert 0.5 <= usage.push_kind_confidence <= 1.0 and 0.5 <= feature.push_kind_confidence <= 1.0
    assert "instead of" in usage.cues
    assert "out of the box" in feature.cues
    assert question.label == "discovery", "asking whether an outcome would help is discovery"
    for turn in (question, hello):
        assert turn.push_kind is None and turn.push_kind_confidence is None
    assert usage.serialize()["push_kind"] == "usage" and question.serialize()["push_kind"] is None


@pytest.mark.slow
def test_the_two_heads_share_one_encoding_per_text(monkeypatch):
    classifier = load_classifier()
    assert classifier.push_head.encoder is classifier.encoder
    encoded = []
    real = classifier.encoder._encode_batch
    monkeypatch.setattr(classifier.encoder, "_encode_batch", lambda ids: encoded.append(len(ids)) or real(ids))
    texts = [f"Our new module {n} ships with a dashboard and forty integrations." for n in ("alpha", "beta", "gamma")]
    assert all(t.push_kind for t in classifier.classify(texts))
    assert sum(encoded) == len(texts)


@pytest.mark.slow
def test_deterministic_and_batch_independent(head):
    texts = [r.text for r in pitches(PUSH_KIND_PATH, "heldout")[:40]]
    one = head.classify(texts)
    again = head.classify(list(reversed(texts)))[::-1]
    assert [k.kind for k in one] == [k.kind for k in again]
    assert np.allclose([k.confidence for k in one], [k.confidence for k in again], atol=1e-5)
    assert head.classify([]) == []


def test_a_head_trained_on_other_cues_is_refused(tmp_path):
    stored = dict(np.load(HEAD_PATH, allow_pickle=False))
    stored["feature_names"] = np.array(["something_else"])
    np.savez(tmp_path / "head.npz", **stored)
    with pytest.raises(AnalysisError, match="push-kind head trained on other features; retrain"):
        PushKindHead(tmp_path / "head.npz")
    with pytest.raises(AnalysisError, match="weights missing"):
        PushKindHead(tmp_path / "missing.npz")
