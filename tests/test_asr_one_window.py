"""On the CPU, Whisper's encoder runs one 30 s window of a batch at a time (half the memory at its
peak) and gives the batch's numbers bit for bit."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import PYANNOTE_SAMPLE_DIR
from transcription.asr import AsrOptions, OneWindowAtATime, SpeechRecognizer
from transcription.audio import load_audio

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def recognizer() -> SpeechRecognizer:
    return SpeechRecognizer(AsrOptions(device="cpu"))


@pytest.fixture(scope="module")
def windows(recognizer) -> np.ndarray:
    """Four 30 s windows of real speech as Whisper's features: pyannote's phone call."""
    from faster_whisper.audio import pad_or_trim

    speech = np.asarray(load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav").mono())
    extract = recognizer._model.feature_extractor
    starts = range(0, 4 * 7 * 16000, 7 * 16000)
    return np.stack([pad_or_trim(extract(speech[s : s + 30 * 16000])[..., :-1]) for s in starts])


def test_the_recognizer_on_the_cpu_runs_one_window_at_a_time(recognizer):
    assert isinstance(recognizer._model.model, OneWindowAtATime)


def test_encoding_one_window_at_a_time_gives_the_batch_bit_for_bit(recognizer, windows):
    from faster_whisper.transcribe import get_ctranslate2_storage

    batch = recognizer._model.model._model
    for pair in (windows[:2], windows[2:]):
        features = get_ctranslate2_storage(pair)
        np.testing.assert_array_equal(np.asarray(recognizer._model.model.encode(features)),
                                      np.asarray(batch.encode(features)))


@pytest.mark.parametrize("call", ["2026-W47/2026-11-16_brightlane.ogg", "2026-W48/2026-11-26_alder.m4a"])
def test_a_call_gets_the_same_words_as_with_whole_batches(recognizer, call):
    audio = load_audio(ROOT / "examples" / "archive" / call)
    assert audio.duration > 60  # batches of two 30 s windows
    one_at_a_time = recognizer.transcribe(audio.mono())
    wrapper = recognizer._model.model
    recognizer._model.model = wrapper._model
    try:
        whole_batches = recognizer.transcribe(audio.mono())
    finally:
        recognizer._model.model = wrapper
    assert one_at_a_time.words and one_at_a_time.words == whole_batches.words
