"""analyze_call end to end on small transcripts, and the transcript readers."""
import json
from pathlib import Path

import pytest

from analysis import AnalysisConfig, AnalysisError, analyze_call, load_transcript, parse_transcript
from analysis.types import BUYER, SELLER, CallMetrics
from transcription.types import Utterance

pytestmark = pytest.mark.slow  # loads the sentence encoder

DATA = str(Path(__file__).resolve().parent / "data") + "/"
NORTHWIND = AnalysisConfig(company_names=("Northwind",))


def test_discovery_call_end_to_end():
    t = load_transcript(DATA + "analysis_call.json")
    a = analyze_call(t.utterances, duration_s=t.duration_s, config=NORTHWIND)
    assert a.roles.roles == {"SPEAKER_00": SELLER, "SPEAKER_01": BUYER}
    labels = [(u.idx, u.label) for u in a.utterances if u.role == SELLER]
    assert labels == [(0, "other"), (2, "discovery"), (4, "other"), (5, "discovery"),
                      (7, "product_push"), (9, "product_push"), (10, "other")]
    assert all(u.label is None and u.label_confidence is None for u in a.utterances if u.role == BUYER)
    first, second = a.price_mentions
    assert (first.utterance_idx, first.role, first.amount) == (8, BUYER, None)
    assert (second.amount, second.currency, second.period) == (60.0, "USD", "month")
    m = a.metrics
    assert m.first_price_s == 50.5 and m.first_price_by == BUYER
    assert m.first_discovery_s == 6.5 and m.first_product_push_s == 41.0
    assert m.pitch_before_discovery is False and m.price_before_discovery is False
    assert m.discovery_share == pytest.approx(0.5)
    assert m.buyer_questions == 1
    assert m.longest_seller_monologue_s == pytest.approx(9.0)


def test_pitch_first_call():
    utts = [
        Utterance("S", 0.0, 6.0, "Hi, this is Dana from Northwind. Our platform forecasts every SKU every night."),
        Utterance("B", 6.5, 8.0, "What does it cost?"),
        Utterance("S", 8.5, 11.0, "It's 25k a year."),
        Utterance("S", 11.5, 14.0, "How are you planning inventory today?"),
    ]
    m = analyze_call(utts, duration_s=20.0, config=NORTHWIND).metrics
    assert m.pitch_before_discovery is True
    assert m.price_before_discovery is True
    assert m.first_price_by == BUYER and m.first_price_frac == pytest.approx(6.5 / 20.0)
    assert m.price_mentions == 2


def test_empty_call():
    a = analyze_call([], duration_s=0.0)
    assert a.utterances == () and a.price_mentions == () and a.roles.roles == {}
    assert isinstance(a.metrics, CallMetrics) and a.metrics.n_speakers == 0


def test_utterances_are_renumbered_in_time_order():
    utts = [Utterance("B", 5.0, 6.0, "Okay."), Utterance("S", 0.0, 4.0, "Hi, this is Dana from Northwind.")]
    a = analyze_call(utts, duration_s=6.0, config=NORTHWIND)
    assert [(u.idx, u.speaker) for u in a.utterances] == [(0, "S"), (1, "B")]


@pytest.mark.parametrize("bad", [
    dict(utterances=[Utterance("S", 3.0, 1.0, "backwards")], duration_s=5.0),
    dict(utterances=[], duration_s=float("nan")),
    dict(utterances=[], duration_s=-1.0),
])
def test_bad_input_raises_analysis_error(bad):
    with pytest.raises(AnalysisError):
        analyze_call(bad["utterances"], duration_s=bad["duration_s"])


def test_whisperx_segments_merge_by_speaker():
    t = load_transcript(DATA + "analysis_whisperx.json")
    assert [u.speaker for u in t.utterances] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00"]
    assert t.utterances[0].text == "Hi, this is Dana from Northwind. How are you handling claims intake today?"
    assert (t.utterances[0].start, t.utterances[0].end) == (0.0, 6.0)
    assert len(t.utterances[0].words) == 6
    assert len(t.utterances[1].words) == 2, "words without times are dropped"
    assert t.duration_s == 16.0
    a = analyze_call(t.utterances, duration_s=t.duration_s, config=NORTHWIND)
    assert a.roles.roles["SPEAKER_00"] == SELLER
    assert a.price_mentions[0].amount == 25000.0


@pytest.mark.parametrize("payload", [[], {"foo": 1}, {"utterances": [{"speaker": "A"}]}, {"utterances": [], "duration": "long"}])
def test_malformed_transcripts(payload):
    with pytest.raises(AnalysisError):
        parse_transcript(payload)


def test_invalid_json_file(tmp_path):
    p = tmp_path / "t.json"
    p.write_text("{not json")
    with pytest.raises(AnalysisError, match="not valid JSON"):
        load_transcript(p)


def test_own_format_round_trip(tmp_path):
    utts = [Utterance("A", 0.0, 1.0, "Hello there."), Utterance("B", 1.2, 2.0, "Hi.")]
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"utterances": [u.serialize() for u in utts], "duration": 3.0}))
    t = load_transcript(p)
    assert t.utterances == tuple(utts) and t.duration_s == 3.0


def test_known_seller_channel_labels_seller_turns_and_scans_buyers_for_price():
    t = load_transcript(DATA + "analysis_call.json")
    a = analyze_call(t.utterances, duration_s=t.duration_s, seller_speaker="SPEAKER_00")
    assert (a.roles.method, a.roles.confidence) == ("channel", 1.0)
    assert [u.label for u in a.utterances if u.role == SELLER][:3] == ["other", "discovery", "other"]
    buyer_price = [p for p in a.price_mentions if p.role == BUYER]
    assert [p.text for p in buyer_price] == ["how much does it cost"]
    assert a.utterances[8].is_question and a.utterances[8].label is None


def test_voice_similarity_decides_roles():
    t = load_transcript(DATA + "analysis_call.json")
    a = analyze_call(t.utterances, duration_s=t.duration_s, voice_similarity={"SPEAKER_01": 0.91, "SPEAKER_00": 0.3})
    assert a.roles.method == "voice" and a.roles.roles["SPEAKER_01"] == SELLER
    assert a.metrics.seller_turns == 4


def test_price_detection_reads_who_speaks():
    utts = [
        Utterance("S", 0.0, 3.0, "Hi, this is Dana from Northwind, thanks for making time."),
        Utterance("B", 3.5, 6.0, "Sure. We run three farm shops and a cafe."),
        Utterance("B", 6.5, 10.0, "A family ticket to the farm park is thirty eight pounds and it's our busiest line."),
        Utterance("S", 10.5, 13.0, "For three shops you'd be at two hundred and ten a month."),
        Utterance("B", 13.5, 16.0, "The till system we have costs us about ninety a month per shop."),
        Utterance("B", 16.5, 19.0, "Could you take anything off if we sign for two years?"),
    ]
    a = analyze_call(utts, duration_s=20.0, config=NORTHWIND, seller_speaker="S")
    found = [(p.utterance_idx, p.role, p.kind, p.amount) for p in a.price_mentions]
    assert found == [(3, SELLER, "quote", 210), (4, BUYER, "current_spend", 90), (5, BUYER, "discount", None)]


def test_a_bare_yearly_amount_takes_the_calls_thousands():
    utts = [
        Utterance("S", 0.0, 3.0, "The platform is forty eight thousand dollars a year for all four sites."),
        Utterance("B", 3.5, 5.0, "That's more than we planned for."),
        Utterance("S", 5.5, 9.0, "I can do forty five for the first year if you sign by June."),
    ]
    a = analyze_call(utts, duration_s=10.0, config=NORTHWIND, seller_speaker="S")
    amounts = {p.utterance_idx: p.amount for p in a.price_mentions}
    assert amounts[0] == 48_000 and amounts[2] == 45_000
