"""The offline default for mono calls finds the speakers and their turns, with no count given."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import PYANNOTE_SAMPLE_DIR, require_tool
from tests.diarization_helpers import der, rttm_turns, truth_turns
from transcription.audio import Audio, load_audio
from transcription.diarization import EmbeddedDiarizer
from transcription.errors import DiarizationError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def diarizer() -> EmbeddedDiarizer:
    return EmbeddedDiarizer()


def _silent(seconds: float) -> Audio:
    return Audio(path="silence.wav", samples=np.zeros((1, int(16000 * seconds)), np.float32), original_sample_rate=16000)


@pytest.mark.slow
def test_pyannote_sample_der_with_speaker_count_found(diarizer):
    result = diarizer.diarize(load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav"))
    reference = rttm_turns(PYANNOTE_SAMPLE_DIR / "sample.rttm")
    assert result.backend == "embedded"
    assert len(result.speakers) == 2
    assert der(reference, result.turns, collar=0.25) <= 0.08


@pytest.mark.slow
@pytest.mark.parametrize("name", ["2026-11-16_brightlane", "2026-11-18_cobalt"])
def test_scripted_mono_call_der(diarizer, name):
    truth = ROOT / "examples" / "truth" / f"{name}.truth.json"
    audio = load_audio(truth.parent / json.loads(truth.read_text())["audio"])
    result = diarizer.diarize(audio)
    assert len(result.speakers) == 2
    assert der(truth_turns(truth), result.turns, collar=0.25) <= 0.05


@pytest.mark.slow
def test_one_speaker_recording_yields_one_speaker(diarizer, tmp_path):
    require_tool("espeak-ng")
    from examples.render_calls import load_script, render_call

    script = load_script(ROOT / "examples" / "scripts" / "saas_discovery_brightlane.json")
    script["turns"] = [t for t in script["turns"] if t["speaker"] == "seller"]
    truth = render_call(script, tmp_path, fmt="wav")
    audio = load_audio(truth.parent / json.loads(truth.read_text())["audio"])
    result = diarizer.diarize(audio)
    assert len(result.speakers) == 1
    assert der(truth_turns(truth), result.turns, collar=0.25) <= 0.05


@pytest.mark.slow
def test_silence_gives_no_turns(diarizer):
    assert diarizer.diarize(_silent(5.0)).turns == ()


@pytest.mark.slow
def test_contradictory_speaker_hints_are_refused(diarizer):
    with pytest.raises(DiarizationError, match="min_speakers"):
        diarizer.diarize(_silent(1.0), min_speakers=3, max_speakers=2)


@pytest.mark.slow
def test_given_speaker_count_is_honoured(diarizer):
    result = diarizer.diarize(load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav"), num_speakers=3)
    assert len(result.speakers) == 3
