"""Role assignment: channel, enrolled voice, the transcript model, and the odd shapes of calls."""
from dataclasses import replace

import numpy as np
import pytest

from analysis.config import AnalysisConfig
from analysis.errors import AnalysisError
from analysis.role_model import SPEAKER_FEATURES, RoleModel
from analysis.roles import (
    METHOD_CHANNEL,
    METHOD_FIRST_SPEAKER,
    METHOD_NONE,
    METHOD_TRANSCRIPT,
    METHOD_VOICE,
    assign_roles,
    speaker_features,
)
from analysis.types import BUYER, SELLER
from transcription.types import Utterance

pytestmark = pytest.mark.slow  # loads the sentence encoder

NORTHWIND = AnalysisConfig(company_names=("Northwind",), product_names=("Stockwise",), seller_names=("Dana",))


def call(*turns):
    t, out = 0.0, []
    for speaker, text in turns:
        out.append(Utterance(speaker, t, t + 3.0, text))
        t += 3.5
    return out


DISCOVERY_CALL = call(
    ("A", "Hi, thanks for joining."),
    ("B", "Hi Sam, this is Dana from Northwind, thanks for having me."),
    ("A", "Sure. So what does Stockwise actually do?"),
    ("B", "Before I get into that, walk me through how you plan inventory today?"),
    ("A", "We rebuild the forecast every Monday in spreadsheets."),
    ("B", "So the Monday rebuild takes two people. How often do you run out of stock?"),
    ("A", "Maybe twice a month on the fast movers."),
    ("B", "Stockwise recalculates the forecast every night and flags stockouts a week ahead."),
)
# The buyer calls in and nobody says who they are: the case a first-speaker rule gets wrong.
INBOUND_CALL = call(
    ("P", "hi yeah we need someone to look at our walk in cooler it's not holding temperature"),
    ("Q", "sorry to hear that how warm is it getting"),
    ("P", "about forty five degrees and we've got a full delivery in there"),
    ("Q", "okay i can have a technician there within two hours the service call is one twenty nine"),
    ("P", "fine whatever it takes we can't lose the stock"),
    ("Q", "understood i'll text you the technician's name when he's on the way"),
)


def test_seller_channel_wins():
    r = assign_roles(DISCOVERY_CALL, NORTHWIND, seller_speaker="A")
    assert (r.method, r.confidence, r.uncertain) == (METHOD_CHANNEL, 1.0, False)
    assert r.roles == {"A": SELLER, "B": BUYER}


def test_enrolled_voice_wins_over_transcript():
    r = assign_roles(DISCOVERY_CALL, NORTHWIND, voice_similarity={"A": 0.86, "B": 0.41})
    assert r.method == METHOD_VOICE and r.roles == {"A": SELLER, "B": BUYER} and not r.uncertain
    assert r.confidence == pytest.approx(0.86)


def test_weak_voice_match_falls_back_to_transcript():
    r = assign_roles(DISCOVERY_CALL, NORTHWIND, voice_similarity={"A": 0.52, "B": 0.60})
    assert r.method == METHOD_TRANSCRIPT and r.roles["B"] == SELLER


def test_introduction_with_company_name_finds_the_seller_even_if_not_first():
    r = assign_roles(DISCOVERY_CALL, NORTHWIND)
    assert r.method == METHOD_TRANSCRIPT and r.roles == {"A": BUYER, "B": SELLER}
    assert r.confidence >= 0.9 and not r.uncertain
    seller_line = next(line for line in r.evidence if line.startswith("B:"))
    assert "introduced from company" in seller_line


@pytest.mark.parametrize("config", [AnalysisConfig(), NORTHWIND], ids=["no-config", "company"])
def test_buyer_speaking_first_without_introductions(config):
    r = assign_roles(INBOUND_CALL, config)
    assert r.method == METHOD_TRANSCRIPT and r.roles == {"P": BUYER, "Q": SELLER}
    assert r.confidence >= 0.8 and not r.uncertain


def test_buyer_introducing_their_own_company_is_not_the_seller():
    utts = call(
        ("X", "Hey, this is Mike from Acme Foods."),
        ("Y", "Hi Mike, Dana here from Northwind. How are you planning inventory today?"),
        ("X", "Honestly it's spreadsheets. How much does your platform cost?"),
        ("Y", "Our platform forecasts every SKU nightly and integrates with your ERP out of the box."),
    )
    r = assign_roles(utts, NORTHWIND)
    assert r.roles == {"X": BUYER, "Y": SELLER}
    features = speaker_features(utts, [0.0] * len(utts), NORTHWIND)
    other = SPEAKER_FEATURES.index("introduced_from_other_company")
    assert features["X"][other] == 1.0 and features["Y"][other] == 0.0
    assert features["Y"][SPEAKER_FEATURES.index("introduced_from_company")] == 1.0


def test_the_manifest_seller_name_is_evidence_and_naming_the_seller_is_not():
    utts = call(("A", "Hi, it's Dana, returning your call."), ("B", "Oh hi Dana, thanks for calling back."))
    features = speaker_features(utts, [0.0, 0.0], NORTHWIND)
    assert features["A"][SPEAKER_FEATURES.index("introduced_by_seller_name")] == 1.0
    assert features["B"][SPEAKER_FEATURES.index("addresses_seller_name")] == 1.0
    assert features["B"][SPEAKER_FEATURES.index("introduced_by_seller_name")] == 0.0


def test_two_sellers_and_one_buyer():
    utts = call(
        ("AE", "Hi everyone, this is Dana from Northwind, and I have Raj from our solutions team."),
        ("BUY", "Great, thanks both."),
        ("AE", "To start, what's driving the project on your side?"),
        ("BUY", "We keep running out of stock on our best sellers."),
        ("SE", "Let me show you our forecasting dashboard. Our platform recalculates every night."),
        ("SE", "And we integrate with SAP and Oracle out of the box, so you'd see every SKU here."),
        ("BUY", "Does it integrate with NetSuite?"),
        ("SE", "Yes, we have a native NetSuite connector, and our customers go live in two weeks."),
    )
    r = assign_roles(utts, NORTHWIND)
    assert r.roles == {"AE": SELLER, "BUY": BUYER, "SE": SELLER}


def test_one_seller_and_two_buyers():
    utts = call(
        ("B1", "Thanks for coming in, I brought our finance lead along."),
        ("B2", "Hi. I mostly care about what this costs us."),
        ("S", "Of course. How are invoices handled today?"),
        ("B2", "I retype every signed quote into our accounting system, about two hundred a month."),
        ("S", "Our integration creates the invoice automatically when a deal is won, and it's included in every plan."),
        ("B1", "How long does it take to set up?"),
        ("S", "About ten minutes, and I can send you a recording of this demo for your controller."),
    )
    r = assign_roles(utts, AnalysisConfig())
    assert r.roles == {"B1": BUYER, "B2": BUYER, "S": SELLER}


def test_single_speaker_voicemail_is_a_seller():
    utts = call(("S", "Hi Sam, this is Dana from Northwind, calling about your inventory planning. "
                      "I can send over pricing today. Give me a call back."))
    r = assign_roles(utts, NORTHWIND)
    assert r.method == METHOD_TRANSCRIPT and r.roles == {"S": SELLER}


def test_single_speaker_asking_for_a_quote_is_a_buyer():
    utts = call(("C", "Hi, we got your quote yesterday and it's more than we budgeted. "
                      "How much would it cost without the installation? Call me back."))
    r = assign_roles(utts, NORTHWIND)
    assert r.method == METHOD_TRANSCRIPT and r.roles == {"C": BUYER}


def test_single_speaker_without_evidence_has_no_seller():
    r = assign_roles(call(("S", "Hello?"), ("S", "Okay, bye.")), AnalysisConfig())
    assert r.method == METHOD_NONE and r.roles == {} and r.uncertain


def test_only_greetings_fall_back_to_the_first_speaker_and_are_uncertain():
    utts = call(("P", "Hello?"), ("Q", "Hi."), ("P", "Okay."), ("Q", "Yeah."))
    r = assign_roles(utts, AnalysisConfig())
    assert r.method == METHOD_FIRST_SPEAKER and r.roles == {"P": SELLER, "Q": BUYER}
    assert r.confidence == 0.5 and r.uncertain


def test_any_evidence_replaces_the_first_speaker():
    utts = call(("P", "Hello?"), ("Q", "Hi, I can offer you a free trial of our platform."), ("P", "Okay."))
    r = assign_roles(utts, AnalysisConfig())
    assert r.method == METHOD_TRANSCRIPT and r.roles == {"P": BUYER, "Q": SELLER}


def test_confidence_below_the_threshold_flags_the_call():
    short = call(("A", "Hi there, how are things?"), ("B", "Good, we've been busy with the move."))
    low = assign_roles(short, AnalysisConfig())
    assert 0.5 <= low.confidence < 1.0
    assert assign_roles(short, replace(AnalysisConfig(), role_confidence_threshold=low.confidence + 0.01)).uncertain
    assert not assign_roles(short, replace(AnalysisConfig(), role_confidence_threshold=low.confidence)).uncertain


def test_more_evidence_raises_confidence():
    first_two = assign_roles(INBOUND_CALL[:2], AnalysisConfig())
    whole = assign_roles(INBOUND_CALL, AnalysisConfig())
    assert whole.confidence > first_two.confidence


def test_empty_call():
    r = assign_roles([], NORTHWIND)
    assert r.method == METHOD_NONE and r.roles == {} and r.confidence == 0.0


def test_missing_or_stale_weights_fail_clearly(tmp_path):
    with pytest.raises(AnalysisError, match="train_roles"):
        RoleModel(tmp_path / "missing.npz")
    stale = tmp_path / "stale.npz"
    np.savez(stale, feature_names=np.array(["old"]), speaker_features=np.array(SPEAKER_FEATURES))
    with pytest.raises(AnalysisError, match="retrain"):
        RoleModel(stale)
