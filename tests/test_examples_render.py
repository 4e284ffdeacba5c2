"""Synthetic-call renderer: exact truth for fresh renders and for the committed archive."""

import csv
import math
import subprocess
import wave
from array import array

import pytest

from examples.render_calls import (
    ARCHIVE_DIR,
    CHANNEL_INDEX,
    TRUTH_DIR,
    RenderError,
    load_truth,
    main,
    render_call,
    tools_missing,
    write_rttm,
)
from tests.conftest import missing_tool_reason

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(tools_missing()), reason=missing_tool_reason(*tools_missing()))]

SCRIPT = {
    "call_id": "test-call",
    "voices": {
        "seller": {"voice": "en-us+m3", "pitch": 40, "speed": 180},
        "buyer": {"voice": "en-gb+f2", "pitch": 60, "speed": 170},
    },
    "tail_s": 0.4,
    "turns": [
        {"speaker": "seller", "text": "Hi, this is Dana from Northwind.", "label": "other",
         "price_mention": False, "pause_before_s": 0.3},
        {"speaker": "buyer", "text": "What does it cost per seat?", "label": None,
         "price_mention": True, "pause_before_s": 0.5},
        {"speaker": "seller", "text": "It is sixty dollars a seat.", "label": "product_push",
         "push_kind": "feature", "price_mention": True, "pause_before_s": 0.7},
    ],
}


def read_wav(path):
    with wave.open(str(path), "rb") as handle:
        frames = array("h", handle.readframes(handle.getnframes()))
        return handle.getframerate(), [frames[i::handle.getnchannels()] for i in range(handle.getnchannels())]


def decode(path, sample_rate, channels):
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", str(channels),
         "-ar", str(sample_rate), "-"],
        capture_output=True, check=True,
    ).stdout
    frames = array("h", raw)
    return [frames[i::channels] for i in range(channels)]


def rms(samples, start_s, end_s, rate):
    window = samples[int(start_s * rate):int(end_s * rate)]
    return math.sqrt(sum(x * x for x in window) / max(len(window), 1))


def gaps(truth):
    edges = [0.0] + [t for turn in truth.turns for t in (turn.start, turn.end)] + [truth.duration_s]
    return [(a + 0.05, b - 0.05) for a, b in zip(edges[0::2], edges[1::2]) if b - a > 0.2]


def assert_turns_valid(truth):
    previous_end = 0.0
    for turn in truth.turns:
        assert previous_end <= turn.start < turn.end <= truth.duration_s
        previous_end = turn.end


def assert_speech_only_in_turns(truth, samples, rate):
    mixed = samples[0] if len(samples) == 1 else array("h", (a // 2 + b // 2 for a, b in zip(*samples)))
    for turn in truth.turns:
        assert rms(mixed, turn.start, turn.end, rate) > 1000, turn
    for start, end in gaps(truth):
        assert rms(mixed, start, end, rate) < 100, (start, end)
    onset = next(i for i, x in enumerate(mixed) if abs(x) > 400) / rate
    assert abs(onset - truth.turns[0].start) < 0.03


def test_mono_render_has_exact_truth(tmp_path):
    truth = load_truth(render_call(SCRIPT, tmp_path, fmt="wav"))
    rate, samples = read_wav(truth.audio_path)

    assert (rate, len(samples), truth.channels, truth.seller_channel) == (16000, 1, 1, None)
    assert len(samples[0]) / rate == pytest.approx(truth.duration_s, abs=1e-3)
    assert [t.speaker for t in truth.turns] == ["seller", "buyer", "seller"]
    assert truth.turns[0].start == pytest.approx(0.3)
    assert truth.turns[1].start - truth.turns[0].end == pytest.approx(0.5, abs=1e-3)
    assert (truth.first_price_by, truth.first_price_s) == ("buyer", truth.turns[1].start)
    assert [t.push_kind for t in truth.turns] == [None, None, "feature"]
    assert_turns_valid(truth)
    assert_speech_only_in_turns(truth, samples, rate)


@pytest.mark.parametrize("seller_channel", ["left", "right"])
def test_stereo_render_puts_each_party_on_its_channel(tmp_path, seller_channel):
    truth = load_truth(render_call(
        SCRIPT, tmp_path, fmt="flac", stereo=True, sample_rate=8000, seller_channel=seller_channel
    ))
    samples = decode(truth.audio_path, 8000, 2)

    assert (truth.channels, truth.sample_rate, truth.seller_channel) == (2, 8000, seller_channel)
    assert len(samples[0]) / 8000 == pytest.approx(truth.duration_s, abs=1e-3)
    seller = CHANNEL_INDEX[seller_channel]
    for turn in truth.turns:
        own = seller if turn.speaker == "seller" else 1 - seller
        loud = rms(samples[own], turn.start, turn.end, 8000)
        bleed = rms(samples[1 - own], turn.start, turn.end, 8000)
        assert loud > 10 * bleed > 0, turn


def test_rttm_lists_every_turn(tmp_path):
    truth = load_truth(render_call(SCRIPT, tmp_path, fmt="wav"))
    lines = write_rttm(truth, tmp_path / "call.rttm").read_text().splitlines()

    assert [line.split()[7] for line in lines] == [t.speaker for t in truth.turns]
    fields = lines[2].split()
    assert float(fields[3]) == pytest.approx(truth.turns[2].start, abs=1e-3)
    assert float(fields[4]) == pytest.approx(truth.turns[2].end - truth.turns[2].start, abs=2e-3)


def test_buyer_turn_with_a_label_is_rejected(tmp_path):
    script = {**SCRIPT, "turns": [{**SCRIPT["turns"][1], "label": "discovery"}]}
    with pytest.raises(RenderError, match="buyer turns have label null"):
        render_call(script, tmp_path)


@pytest.mark.parametrize("turn,kind", [(0, "usage"), (2, "benefit")], ids=["on-other-label", "unknown-kind"])
def test_a_push_kind_off_a_pitch_or_unknown_is_rejected(tmp_path, turn, kind):
    turns = [dict(t) for t in SCRIPT["turns"]]
    turns[turn]["push_kind"] = kind
    with pytest.raises(RenderError, match="push_kind must be one of"):
        render_call({**SCRIPT, "turns": turns}, tmp_path)


def test_cli_reports_a_missing_script_in_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "nope.json"), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def archive_truths():
    return sorted(TRUTH_DIR.glob("*.truth.json"))


def test_archive_manifest_lists_every_truth():
    with (ARCHIVE_DIR / "manifest.csv").open() as handle:
        rows = {row["call_id"]: row for row in csv.DictReader(handle)}
    truths = [load_truth(path) for path in archive_truths()]

    assert len(truths) >= 4 and set(rows) == {truth.call_id for truth in truths}
    for truth in truths:
        row = rows[truth.call_id]
        assert (ARCHIVE_DIR / row["path"]).resolve() == truth.audio_path.resolve()
        assert row["seller_channel"] == (truth.seller_channel or "")
        assert row["outcome"] in {"won", "lost", "open"}


@pytest.mark.parametrize("truth_path", archive_truths(), ids=lambda path: path.name.split(".")[0])
def test_archive_truth_matches_the_committed_audio(truth_path):
    truth = load_truth(truth_path)
    samples = decode(truth.audio_path, truth.sample_rate, truth.channels)

    assert len(samples[0]) / truth.sample_rate == pytest.approx(truth.duration_s, abs=0.06)
    assert_turns_valid(truth)
    assert_speech_only_in_turns(truth, samples, truth.sample_rate)
