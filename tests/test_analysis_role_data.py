"""The role-training and held-out calls: what they contain, and the model's score on the held-out ones."""
import pytest

from analysis.role_cues import find_introduction
from analysis.role_data import (
    HELDOUT_CALLS_PATH,
    TRAIN_CALLS_PATH,
    cut_short,
    is_correct,
    load_role_calls,
    load_role_utterances,
    score_roles,
)
from analysis.roles import assign_roles
from analysis.train_classifier import asr_style

TRAIN = load_role_calls(TRAIN_CALLS_PATH)
HELDOUT = load_role_calls(HELDOUT_CALLS_PATH)
TWO_PARTY = [c for c in HELDOUT if len(c.tags) == 2]
HARD = [c for c in TWO_PARTY if c.buyer_first_no_intro]


def test_heldout_calls_cover_the_hard_case_in_unseen_industries():
    assert len(TWO_PARTY) >= 60 and len(HARD) >= 30
    trained = {c.industry for c in TRAIN} | {u.industry for u in load_role_utterances()}
    assert not {c.industry for c in HELDOUT} & trained
    assert len({c.call_id for c in TRAIN + HELDOUT}) == len(TRAIN) + len(HELDOUT)


def test_calls_marked_without_introductions_have_none():
    for call in TRAIN + HELDOUT:
        if call.intro == "none":
            intros = [find_introduction(text) for _, text in call.turns]
            assert not any(i and i.organisation and i.explicit for i in intros), call.call_id


def test_speakers_are_anonymous_and_the_truth_follows_them():
    call = next(c for c in HARD if c.turns[0][0] == "B")
    utterances = call.utterances()
    assert utterances[0].speaker == "SPEAKER_00" and "SPEAKER_00" not in call.true_sellers()
    assert [u.start for u in utterances] == sorted(u.start for u in utterances)


def test_a_malformed_file_fails_with_its_line(tmp_path):
    path = tmp_path / "calls.txt"
    path.write_text("=== x-1 industry=a type=inbound intro=none style=clean\nS: hi\nseller says hello\n")
    with pytest.raises(ValueError, match=":3:"):
        load_role_calls(path)


@pytest.mark.parametrize("transform", [str, asr_style], ids=["as-written", "asr-style"])
@pytest.mark.slow  # loads the sentence encoder
def test_heldout_accuracy_meets_the_target(transform):
    assigned = [assign_roles(c.utterances(transform), c.config) for c in TWO_PARTY]
    assert score_roles(TWO_PARTY, assigned).accuracy >= 0.95
    hard = [a for c, a in zip(TWO_PARTY, assigned) if c.buyer_first_no_intro]
    assert sum(is_correct(c, a) for c, a in zip(HARD, hard)) >= 0.95 * len(HARD)


@pytest.mark.slow  # loads the sentence encoder
def test_stated_confidence_matches_how_often_it_is_right():
    """Calls cut short fill the low-confidence bins; the measured error was 0.017."""
    views = TWO_PARTY + cut_short(TWO_PARTY, (2, 3, 4))
    score = score_roles(views, [assign_roles(v.utterances(), v.config) for v in views])
    assert score.expected_calibration_error <= 0.05
    confident = [b for b in score.reliability if b.low >= 0.8 and b.calls]
    assert all(b.accuracy >= b.low - 0.05 for b in confident)
