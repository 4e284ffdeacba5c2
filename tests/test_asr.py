"""ASR on real speech: pyannote's bundled phone call against its reference words."""
from __future__ import annotations

import re
from pathlib import Path

import jiwer
import pytest

from tests.conftest import missing_tool_reason
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


def test_bundled_model_is_default_and_shipped_in_a_package():
    assert AsrOptions().model == "bundled:tiny.en"
    folder = Path(resolve_model("bundled:tiny.en"))
    assert "site-packages" in folder.parts or "dist-packages" in folder.parts, folder
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert (folder / name).is_file(), name
    assert (folder / "model.bin").stat().st_size > 10_000_000  # weights, not a pointer file
    assert resolve_model("small.en") == "small.en"


def test_the_bundled_model_is_named_as_configured_and_a_folder_by_its_name(recognizer, tmp_path):
    assert recognizer.name == "bundled:tiny.en"
    folder = tmp_path / "my-whisper"
    folder.symlink_to(resolve_model("bundled:tiny.en"), target_is_directory=True)
    assert SpeechRecognizer(AsrOptions(model=str(folder), batch_size=1)).name == "my-whisper"


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


PRICE_SCRIPT = {
    "call_id": "price-timing",
    "voices": {"seller": {"voice": "en-us+m3", "pitch": 40, "speed": 165},
               "buyer": {"voice": "en-gb+f2", "pitch": 60, "speed": 160}},
    "turns": [
        {"speaker": "seller", "text": "Thanks for making time today. How is the quarter going?",
         "label": "other", "pause_before_s": 0.5},
        {"speaker": "buyer", "text": "Busy. We are rebuilding our routing every Monday by hand.",
         "pause_before_s": 0.7},
        {"speaker": "seller", "text": "Thirty thousand dollars.", "label": "product_push",
         "price_mention": True, "pause_before_s": 1.5},
        {"speaker": "buyer", "text": "That is more than we planned for.", "pause_before_s": 1.5},
    ],
}


def test_price_words_keep_their_timestamps(recognizer, tmp_path):
    from examples.render_calls import load_truth, render_call, tools_missing

    if tools_missing():
        pytest.skip(missing_tool_reason(*tools_missing()))
    truth = load_truth(render_call(PRICE_SCRIPT, tmp_path, fmt="wav"))
    price_turn = next(t for t in truth.turns if t.price_mention)
    words = recognizer.transcribe(load_audio(truth.audio_path).mono()).words
    carriers = [w for w in words if re.search(r"thirty|thousand|dollars|\$|\d", w.text.lower())]
    assert carriers, [w.text for w in words]
    first, last = carriers[0], carriers[-1]
    assert abs(first.start - price_turn.start) <= 0.5, (first, price_turn)
    assert abs(last.end - price_turn.end) <= 0.5, (last, price_turn)


def test_long_calls_are_cut_in_pauses():
    import numpy as np

    from transcription.asr import SAMPLE_RATE, slice_bounds

    rng = np.random.default_rng(0)
    speech = rng.normal(0, 0.1, SAMPLE_RATE * 350).astype(np.float32)
    pauses = [(95, 96), (208, 209)]  # one before, one after the nominal cuts at 100 s and ~195 s
    for start, end in pauses:
        speech[start * SAMPLE_RATE : end * SAMPLE_RATE] = 0
    bounds = slice_bounds(speech, 100)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(speech)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    cuts = [end for _, end in bounds[:-1]]
    assert len(cuts) == len(pauses)
    for cut, (start, end) in zip(cuts, pauses):
        assert start * SAMPLE_RATE <= cut <= end * SAMPLE_RATE, (cut / SAMPLE_RATE, start)
    assert slice_bounds(speech[: SAMPLE_RATE * 140], 100) == [(0, SAMPLE_RATE * 140)]


def test_sliced_transcription_keeps_absolute_times(pyannote_sample):
    import numpy as np

    audio = load_audio(pyannote_sample).mono()
    long_call = np.concatenate([np.asarray(audio)] * 5)  # 150 s, cut into slices of about 60 s
    sliced = SpeechRecognizer(AsrOptions(slice_s=60)).transcribe(long_call).words
    assert sliced[-1].end > 120
    assert all(a.start <= b.start for a, b in zip(sliced, sliced[1:]))
    hellos = [w.start for w in sliced if w.text.strip().lower().startswith("hello")]
    assert any(abs(t - 30 * k - hellos[0]) < 1.0 for t in hellos for k in (2, 3, 4))


def test_speech_without_words_is_found_for_a_second_pass():
    from transcription.asr import unheard_speech
    from transcription.types import Segment, Word

    audio = load_audio("examples/archive/2026-W47/2026-11-16_brightlane.ogg").mono()
    regions = unheard_speech(audio, [], min_silence_ms=500)
    assert len(regions) >= 10 and all(end > start for start, end in regions)
    # Words in every region but one: only that one is left to decode again.
    kept = [Segment(s, e, "x", (Word(s, e, " x"),)) for s, e in regions if not s <= 74.0 <= e]
    left = unheard_speech(audio, kept, min_silence_ms=500)
    assert len(left) == 1 and left[0][0] <= 74.0 <= left[0][1] and left[0] in regions


def test_words_are_the_same_in_every_run(pyannote_sample):
    """Reversed speech sounds like speech but reads as nonsense: Whisper decodes it again by
    sampling at higher temperatures, which without a fixed seed gives other words in each process."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np;"
        "from transcription.asr import AsrOptions, SpeechRecognizer;"
        "from transcription.audio import load_audio;"
        f"speech = np.asarray(load_audio({str(pyannote_sample)!r}).mono())[: 16000 * 30];"
        "words = SpeechRecognizer(AsrOptions(batch_size=1)).transcribe(np.ascontiguousarray(speech[::-1])).words;"
        "print(' '.join(w.text for w in words))"
    )
    root = Path(__file__).resolve().parents[1]
    runs = [subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr[-500:]
    assert len(runs[0].stdout.split()) >= 20
    assert runs[0].stdout == runs[1].stdout
