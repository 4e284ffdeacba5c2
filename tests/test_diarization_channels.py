"""Stereo dialer recordings: the channel is the speaker, bleed does not create turns, quiet
parties and real overlap are kept. Real speech: tests/real_speech.py builds the dialer calls."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import require_tool
from tests.diarization_helpers import der, der_score, truth_turns
from tests.real_speech import DIALER_VARIANTS, Recording, ami, dialer_call, faster_whisper_stereo, pyannote_sample
from transcription.audio import Audio, load_audio
from transcription.diarization import ChannelDiarizer, choose_backend
from transcription.errors import DiarizationError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def stereo_call(tmp_path_factory) -> Path:
    """The kestrel script rendered as a dialer call: seller right, buyer left, -25 dB bleed."""
    require_tool("espeak-ng")
    from examples.render_calls import load_script, render_call

    script = load_script(ROOT / "examples" / "scripts" / "manufacturing_discovery_kestrel.json")
    return render_call(script, tmp_path_factory.mktemp("stereo"), fmt="wav", stereo=True, seller_channel="right")


@pytest.mark.slow
def test_rendered_stereo_call_der(stereo_call):
    truth = json.loads(stereo_call.read_text())
    audio = load_audio(stereo_call.parent / truth["audio"])
    result = ChannelDiarizer().diarize(audio)
    assert result.backend == "channels"
    assert der(truth_turns(stereo_call), result.turns, collar=0.25) <= 0.02
    seller = {t.speaker for t in result.turns if t.start >= truth["turns"][0]["start"] - 0.3
              and t.end <= truth["turns"][0]["end"] + 0.3}
    assert seller == {"SPEAKER_01"}, "the right channel is SPEAKER_01"


@pytest.mark.slow
def test_archive_dialer_call_der():
    truth = ROOT / "examples" / "truth" / "2026-11-24_meridian.truth.json"
    audio = load_audio(truth.parent / json.loads(truth.read_text())["audio"])
    assert der(truth_turns(truth), ChannelDiarizer().diarize(audio).turns, collar=0.25) <= 0.02


def test_mono_recording_is_refused():
    mono = Audio(path="call.wav", samples=np.zeros((1, 16000), np.float32), original_sample_rate=16000)
    with pytest.raises(DiarizationError, match="mono"):
        ChannelDiarizer().diarize(mono)


def test_silent_stereo_gives_no_turns():
    silent = Audio(path="call.wav", samples=np.zeros((2, 32000), np.float32), original_sample_rate=16000)
    assert ChannelDiarizer().diarize(silent).turns == ()


def test_auto_rule():
    assert choose_backend("auto", channels=2, seller_channel=1, pyannote_configured=True) == "channels"
    assert choose_backend("auto", channels=2, seller_channel=None, pyannote_configured=False) == "embedded"
    assert choose_backend("auto", channels=1, seller_channel=None, pyannote_configured=True) == "pyannote"
    assert choose_backend("embedded", channels=2, seller_channel=0, pyannote_configured=True) == "embedded"
    with pytest.raises(DiarizationError, match="diarization must be one of"):
        choose_backend("magic", channels=1, seller_channel=None, pyannote_configured=False)


@pytest.fixture(scope="module")
def channels() -> ChannelDiarizer:
    return ChannelDiarizer()


@pytest.mark.slow
@pytest.mark.parametrize("variant", DIALER_VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize("source", ["sample", "dev00", "dev01"])
def test_real_speech_dialer_call_keeps_all_the_speech(channels, tmp_path, source, variant):
    recording = pyannote_sample() if source == "sample" else ami(source)
    reference = dialer_call(recording, variant, tmp_path / "call.wav")
    audio = load_audio(tmp_path / "call.wav")
    assert (audio.channels, audio.original_sample_rate) == (2, 8000)
    score = der_score(reference, channels.diarize(audio).turns, collar=0.25, skip_overlap=True, duration=audio.duration)
    assert score.missed <= 0.05
    assert score.der <= 0.08
    assert score.confusion <= 0.01


@pytest.mark.slow
def test_both_parties_talking_at_once_are_both_kept(channels):
    # faster-whisper's stereo test file: two readers, one per channel, mostly at the same time.
    path, reference = faster_whisper_stereo()
    result = channels.diarize(load_audio(path))
    score = der_score(reference, result.turns, collar=0.25, duration=5.0)
    assert score.der <= 0.10
    overlap = [(a, b) for a in result.turns for b in result.turns
               if a.speaker < b.speaker and min(a.end, b.end) - max(a.start, b.start) > 0]
    assert sum(min(a.end, b.end) - max(a.start, b.start) for a, b in overlap) >= 1.5


@pytest.mark.slow
def test_a_silent_party_gets_no_turns_from_loud_bleed(channels, tmp_path):
    # Only the left party speaks; the right channel carries nothing but their voice at -14 dB.
    sample = pyannote_sample()
    talker = sample.speakers[0]
    alone = Recording(sample.name, sample.samples, [t for t in sample.turns if t[2] == talker])
    reference = dialer_call(alone, DIALER_VARIANTS[2], tmp_path / "call.wav", parties=(talker, "nobody"))
    result = channels.diarize(load_audio(tmp_path / "call.wav"))
    assert [t for t in result.turns if t.speaker == "SPEAKER_01"] == []
    assert der(reference, result.turns) <= 0.05


@pytest.mark.slow
def test_exclusive_view_gives_each_moment_to_one_party(channels, tmp_path):
    reference = dialer_call(pyannote_sample(), DIALER_VARIANTS[0], tmp_path / "call.wav")
    result = channels.diarize(load_audio(tmp_path / "call.wav"))
    exclusive = result.exclusive_turns
    assert all(a.end <= b.start + 1e-6 for a, b in zip(exclusive, exclusive[1:]))
    assert der(reference, exclusive) <= 0.10
