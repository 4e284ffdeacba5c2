"""Seller voice enrolment: the enrolled seller's voice matches the seller, not the buyer."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.diarization_helpers import write_wav
from transcription.audio import load_audio
from transcription.enrollment import SellerEnrollment
from transcription.errors import TranscriptionError
from transcription.types import SpeakerTurn

TRUTH = Path(__file__).resolve().parents[1] / "examples" / "truth"


def _call(name: str):
    truth = json.loads((TRUTH / f"{name}.truth.json").read_text())
    audio = load_audio(TRUTH / truth["audio"])
    turns = tuple(SpeakerTurn(t["start"], t["end"], t["speaker"]) for t in truth["turns"])
    return audio, turns


@pytest.mark.slow
def test_enrolled_seller_scores_higher_than_the_buyer(tmp_path):
    # Dana Reyes (S01) sells in both the brightlane and the alder call: enrol from one, test on the other.
    audio, turns = _call("2026-11-16_brightlane")
    (tmp_path / "S01").mkdir()
    samples = audio.mono()
    for i, turn in enumerate(t for t in turns if t.speaker == "seller"):
        write_wav(tmp_path / "S01" / f"ref{i}.wav", samples[int(turn.start * 16000):int(turn.end * 16000)])
    enrollment = SellerEnrollment(tmp_path)
    assert enrollment.sellers() == ["S01"]

    audio, turns = _call("2026-11-26_alder")
    scores = enrollment.voice_similarity(audio, turns, "S01")
    assert set(scores) == {"seller", "buyer"}
    assert scores["seller"] > scores["buyer"] + 0.1
    assert enrollment.voice_similarity(audio, turns, "S99") == {}


def test_missing_enrolment_folder_is_refused(tmp_path):
    with pytest.raises(TranscriptionError, match="does not exist"):
        SellerEnrollment(tmp_path / "voices")


@pytest.mark.slow  # loads the voice encoder
def test_unknown_seller_has_no_scores(tmp_path):
    from transcription.audio import Audio

    audio = Audio(path="x.wav", samples=np.zeros((1, 16000), np.float32), original_sample_rate=16000)
    assert SellerEnrollment(tmp_path).voice_similarity(audio, (SpeakerTurn(0, 1, "A"),), "S01") == {}
