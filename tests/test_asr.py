"""ASR on real speech: pyannote's bundled phone call against its reference words."""
from __future__ import annotations

import re

import jiwer
import pytest

from transcription.asr import AsrOptions, SpeechRecognizer, resolve_model
from transcription.audio import load_audio
from transcription.errors import TranscriptionError

pytestmark = pytest.mark.slow


def normalise(text: str) -> str:
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower())
    return " ".join(text.split())


def reference_words(stm_path) -> str:
    lines = [ln.split(maxsplit=5) for ln in stm_path.read_text().splitlines() if ln.strip()]
    return normalise(" ".join(parts[5] for parts in lines if len(parts) == 6))


@pytest.fixture(scope="module")
def recognizer() -> SpeechRecognizer:
    return SpeechRecognizer(AsrOptions())


def test_bundled_model_is_default_and_offline():
    assert AsrOptions().model == "bundled:tiny.en"
    assert (resolve_model("bundled:tiny.en") + "/model.bin").endswith("model.bin")


def test_wer_on_pyannote_sample(recognizer, pyannote_sample):
    transcript = recognizer.transcribe(load_audio(pyannote_sample).mono())
    wer = jiwer.wer(reference_words(pyannote_sample.with_suffix(".stm")),
                    normalise(transcript.text))
    assert wer <= 0.20, f"WER {wer:.3f}"
    assert transcript.language == "en"
    words = transcript.words
    assert words and all(w.start <= w.end for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))


def test_silence_gives_no_words(recognizer):
    import numpy as np

    transcript = recognizer.transcribe(np.zeros(16000 * 5, dtype=np.float32))
    assert transcript.words == []
    assert transcript.duration == pytest.approx(5.0)


def test_unknown_local_model_is_one_clear_error(tmp_path):
    with pytest.raises(TranscriptionError, match="cannot load ASR model"):
        SpeechRecognizer(AsrOptions(model=str(tmp_path)))
