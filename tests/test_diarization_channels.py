"""Stereo dialer recordings: the channel is the speaker, bleed does not create turns."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import require_tool
from tests.diarization_helpers import der, truth_turns
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
