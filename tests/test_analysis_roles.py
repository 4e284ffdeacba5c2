"""Role assignment: channel, enrolled voice, transcript evidence, and the odd shapes of calls."""
import pytest

from analysis.classifier import load_classifier
from analysis.config import AnalysisConfig
from analysis.roles import (
    METHOD_CHANNEL,
    METHOD_FIRST_SPEAKER,
    METHOD_NONE,
    METHOD_TRANSCRIPT,
    METHOD_VOICE,
    assign_roles,
)
from analysis.types import BUYER, SELLER
from transcription.types import Utterance

NORTHWIND = AnalysisConfig(company_names=("Northwind",), product_names=("Stockwise",))


def call(*turns):
    t, out = 0.0, []
    for speaker, text in turns:
        out.append(Utterance(speaker, t, t + 3.0, text))
        t += 3.5
    return out


def roles_of(utts, config=NORTHWIND, **kw):
    labels = load_classifier().classify([u.text for u in utts], config.vocabulary)
    return assign_roles(utts, labels, config, **kw)


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


def test_seller_channel_wins():
    r = roles_of(DISCOVERY_CALL, seller_speaker="A")
    assert r.method == METHOD_CHANNEL and r.confidence == 1.0
    assert r.roles == {"A": SELLER, "B": BUYER}


def test_enrolled_voice_wins_over_transcript():
    r = roles_of(DISCOVERY_CALL, voice_similarity={"A": 0.86, "B": 0.41})
    assert r.method == METHOD_VOICE and r.roles == {"A": SELLER, "B": BUYER}
    assert r.confidence == pytest.approx(0.86)


def test_weak_voice_match_falls_back_to_transcript():
    r = roles_of(DISCOVERY_CALL, voice_similarity={"A": 0.52, "B": 0.60})
    assert r.method == METHOD_TRANSCRIPT and r.roles["B"] == SELLER


def test_introduction_with_company_name_finds_the_seller_even_if_not_first():
    r = roles_of(DISCOVERY_CALL)
    assert r.method == METHOD_TRANSCRIPT
    assert r.roles == {"A": BUYER, "B": SELLER}
    assert r.confidence >= 0.9


def test_without_config_the_questions_and_pitch_decide():
    r = roles_of(DISCOVERY_CALL, config=AnalysisConfig())
    assert r.roles == {"A": BUYER, "B": SELLER}
    assert 0.0 < r.confidence < 0.95


def test_buyer_introducing_their_own_company_is_not_the_seller():
    utts = call(
        ("X", "Hey, this is Mike from Acme Foods."),
        ("Y", "Hi Mike, Dana here from Northwind. How are you planning inventory today?"),
        ("X", "Honestly it's spreadsheets. How much does your platform cost?"),
        ("Y", "Our platform forecasts every SKU nightly and integrates with your ERP out of the box."),
    )
    r = roles_of(utts)
    assert r.roles == {"X": BUYER, "Y": SELLER}


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
    r = roles_of(utts)
    assert r.roles == {"AE": SELLER, "BUY": BUYER, "SE": SELLER}


def test_single_speaker_voicemail_is_a_seller_with_low_confidence():
    utts = call(("S", "Hi Sam, this is Dana from Northwind, calling about your inventory planning. Give me a call back."))
    r = roles_of(utts)
    assert r.roles == {"S": SELLER} and r.confidence <= 0.6


def test_single_speaker_without_evidence_has_no_seller():
    utts = call(("S", "Yeah we got the delivery this morning."), ("S", "Okay, bye."))
    r = roles_of(utts, config=AnalysisConfig())
    assert r.method == METHOD_NONE and r.roles == {}


def test_no_evidence_falls_back_to_first_speaker():
    utts = call(("P", "Hello?"), ("Q", "Hi."), ("P", "Okay."), ("Q", "Yeah."))
    r = roles_of(utts, config=AnalysisConfig())
    assert r.method == METHOD_FIRST_SPEAKER and r.roles == {"P": SELLER, "Q": BUYER}
    assert r.confidence <= 0.3


def test_empty_call():
    r = assign_roles([], [], NORTHWIND)
    assert r.method == METHOD_NONE and r.roles == {} and r.confidence == 0.0
