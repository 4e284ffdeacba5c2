"""Silero VAD runs once per call: the ASR, its second pass and the diarizer share its results."""
from __future__ import annotations

import numpy as np
import pytest

from transcription.vad import WINDOW, SharedSileroVad, share_silero_vad, silero_probabilities


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise bursts in silence, enough to move Silero's probabilities both ways."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 16000)
    envelope = (np.sin(np.arange(n) / 16000 * 2 * np.pi * 0.3) > 0).astype(np.float32)
    tone = np.sin(np.arange(n) / 16000 * 2 * np.pi * 180).astype(np.float32)
    return (0.3 * envelope * tone + 0.01 * rng.standard_normal(n)).astype(np.float32)


def _looped_call(windows: int) -> np.ndarray:
    """pyannote's phone call, looped at a few levels: real speech over several blocks."""
    from tests.conftest import PYANNOTE_SAMPLE_DIR
    from transcription.audio import load_audio

    call = np.asarray(load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav").mono())
    return np.concatenate([call * np.float32(g) for g in (1.0, 0.5, 1.7, 0.2) * 3])[: windows * WINDOW]


def _speechlike_windows(windows: int) -> np.ndarray:
    return _speechlike(windows * WINDOW / 16000, seed=windows)[: windows * WINDOW]


@pytest.mark.parametrize("windows,audio_of", [(1, _speechlike_windows), (10_000, _speechlike_windows),
                                              (20_003, _speechlike_windows), (10_003, _looped_call)])
def test_block_probabilities_equal_faster_whispers(windows, audio_of):
    """Blocks of ``BLOCK`` windows give the probabilities of faster-whisper's 10,000 a run."""
    from faster_whisper.vad import SileroVADModel
    from faster_whisper.utils import get_assets_path

    model = SileroVADModel(f"{get_assets_path()}/silero_vad_v6.onnx")
    audio = audio_of(windows)
    expected = model(audio.copy())  # it writes into its input
    got = silero_probabilities(model.session, audio)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_a_waveform_heard_again_is_not_run_again(pyannote_sample):
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from transcription.audio import load_audio

    shared = share_silero_vad()
    assert isinstance(shared, SharedSileroVad) and share_silero_vad() is shared
    # Scaled, so no earlier test in this process has put these samples in the shared memory.
    audio = np.asarray(load_audio(pyannote_sample).mono()) * np.float32(0.97)
    before = shared.runs
    first = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=500))
    again = get_speech_timestamps(audio, VadOptions(threshold=0.5, min_silence_duration_ms=300, speech_pad_ms=100))
    assert shared.runs == before + 1
    assert first and again and first != again  # same probabilities, each caller's own regions
    get_speech_timestamps(audio[16000:], VadOptions())
    assert shared.runs == before + 2


@pytest.mark.slow
def test_a_mono_call_runs_the_vad_once(pyannote_sample):
    from transcription.audio import Audio, load_audio
    from transcription.pipeline import CallTranscriber

    transcriber = CallTranscriber()
    before = transcriber.vad.runs
    sample = load_audio(pyannote_sample)
    unheard = Audio(sample.path, sample.samples[:, : 16000 * 25].copy(), sample.original_sample_rate)
    result = transcriber.process(unheard, backend="embedded")
    assert result.words and len(result.speakers) == 2
    assert transcriber.vad.runs == before + 1


def test_a_zero_padded_waveform_gives_the_padded_copys_probabilities():
    from faster_whisper.utils import get_assets_path
    from faster_whisper.vad import SileroVADModel

    from transcription.vad import ZeroPadded

    model = SileroVADModel(f"{get_assets_path()}/silero_vad_v6.onnx")
    audio = _speechlike(20_003 * WINDOW / 16000, seed=3)[: 20_003 * WINDOW - 100]  # ends mid-window
    pad = WINDOW - len(audio) % WINDOW
    lazy = np.pad(ZeroPadded(audio), (0, pad))
    assert isinstance(lazy, ZeroPadded) and len(lazy) == len(audio) + pad
    np.testing.assert_array_equal(silero_probabilities(model.session, lazy), model(np.pad(audio, (0, pad))))


def test_speech_timestamps_equal_faster_whispers_without_a_copy_of_the_call():
    import tracemalloc

    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from transcription.vad import speech_timestamps

    shared = share_silero_vad()
    audio = _speechlike(1200.7, seed=5)  # twenty minutes, 77 MB
    options = VadOptions(threshold=0.01, min_silence_duration_ms=300, speech_pad_ms=100)  # tones are faint speech
    tracemalloc.start()
    got = speech_timestamps(audio, options)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < audio.nbytes / 2, peak
    before = shared.runs
    assert get_speech_timestamps(audio, options) == got and got
    assert shared.runs == before  # the padded copy and the lazy padding are one waveform to the cache
