"""The offline default for mono calls finds the speakers and their turns, with no count given."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import PYANNOTE_SAMPLE_DIR, embed_whole_mel, require_tool
from tests.diarization_helpers import (
    boundary_errors,
    der,
    der_score,
    rttm_turns,
    speaker_mapping,
    spoken_words,
    stm_sentences,
    truth_turns,
)
from tests.real_speech import voice_dialogue
from transcription.alignment import assign_speakers
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
    assert der(reference, result.turns, collar=0.25) <= 0.07


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


def _dialogue_audio(tmp_path, dialogue):
    return load_audio(dialogue.write(tmp_path / "call.wav", telephone=True))


@pytest.mark.slow
@pytest.mark.parametrize("voices", [("FEE078", "FEE083"), ("MEE012", "MEE009"), ("speaker91", "speaker90"),
                                    ("MEE009", "MÉO069")], ids="-".join)
def test_two_similar_voices_on_a_telephone_line_stay_two_speakers(diarizer, tmp_path, voices):
    dialogue = voice_dialogue(*voices)
    result = diarizer.diarize(_dialogue_audio(tmp_path, dialogue))
    assert len(result.speakers) == 2
    assert der_score(dialogue.turns, result.turns).confusion <= 0.1


@pytest.mark.slow
def test_a_third_speaker_with_enough_distinct_speech_is_found(diarizer, tmp_path):
    dialogue = voice_dialogue("MEE009", "MEE012", "FEE083")
    audio = _dialogue_audio(tmp_path, dialogue)
    result = diarizer.diarize(audio)
    assert len(result.speakers) == 3
    assert der_score(dialogue.turns, result.turns).confusion <= 0.05
    # The manifest's count is a hard hint.
    assert len(diarizer.diarize(audio, num_speakers=2).speakers) == 2


@pytest.mark.slow
def test_boundary_words_go_to_the_speaker_whose_sentence_they_complete(diarizer):
    # sample.wav's transcript (sample.stm) gives each sentence's time, speaker and punctuation.
    reference = rttm_turns(PYANNOTE_SAMPLE_DIR / "sample.rttm")
    names = {"Diane": "speaker90", "Sheila": "speaker91"}
    truth = spoken_words([(s, e, names[who], text) for s, e, who, text in stm_sentences(PYANNOTE_SAMPLE_DIR / "sample.stm")])
    turns = diarizer.diarize(load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav")).turns
    mapping = speaker_mapping(reference, turns)
    unassigned = [replace(x, speaker=None) for x in truth]
    by_time = boundary_errors(truth, assign_speakers(unassigned, turns, max_shift_s=0), mapping)
    by_sentence = boundary_errors(truth, assign_speakers(unassigned, turns), mapping)
    assert by_sentence.words >= 50
    assert by_sentence.errors <= 1 < by_time.errors


@pytest.mark.slow
@pytest.mark.parametrize("block_frames", [6000, 250])
def test_window_embeddings_need_no_mel_of_the_whole_call(diarizer, monkeypatch, block_frames):
    """The diarizer embeds a call's windows as the mel is computed, a block at a time: the same
    batches, bit for bit the embeddings of the whole call's mel."""
    import transcription.diarization.encoder as encoder_module
    from transcription.diarization.embedded import _windows

    monkeypatch.setattr(encoder_module, "_BLOCK_FRAMES", block_frames)
    samples = load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav").mono()
    windows = _windows(diarizer._speech_regions(samples), 120, 30)
    assert len({b - a for a, b in windows}) > 1  # a short region gives a batch of another length
    encoder = diarizer.encoder
    expected = embed_whole_mel(encoder, encoder.mel(samples), windows)
    np.testing.assert_array_equal(encoder.embed_speech(samples, windows), expected)
    np.testing.assert_array_equal(encoder.embed_speech(np.asarray(samples), windows), expected)
