"""A call's samples are held as 16-bit integers where that loses nothing, and read as float32 a
slice at a time."""
from __future__ import annotations

import wave

import numpy as np
import pytest
import soundfile

from transcription.audio import Audio, Waveform, load_audio


def _pcm(channels: int, n: int, seed: int = 0) -> np.ndarray:
    pcm = np.random.default_rng(seed).integers(-32768, 32768, size=(channels, n), dtype=np.int16)
    pcm[:, :2] = [[-32768, 32767]]  # both ends of the range
    return pcm


def test_a_16_bit_16_khz_wav_is_held_as_exactly_its_samples(tmp_path):
    pcm = _pcm(2, 48_000)
    path = tmp_path / "call.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(pcm.T.astype("<i2").tobytes())
    audio = load_audio(path)
    assert audio.samples.dtype == np.int16
    np.testing.assert_array_equal(audio.samples, pcm)
    np.testing.assert_array_equal(np.asarray(audio.channel(1)), pcm[1] / np.float32(32768))


def test_samples_that_are_not_16_bit_are_read_back_unchanged(tmp_path):
    # Exact 16-bit values first (the buffer starts as integers), then finer ones.
    exact = _pcm(1, 40_000, seed=1)[0] / np.float32(32768)
    finer = np.random.default_rng(2).uniform(-0.5, 0.5, 40_000).astype(np.float32)
    samples = np.concatenate([exact, finer])
    path = tmp_path / "float.wav"
    soundfile.write(str(path), samples, 16000, subtype="FLOAT")
    audio = load_audio(path)
    assert audio.samples.dtype == np.float32  # packed, read as float32
    np.testing.assert_array_equal(np.asarray(audio.mono()), samples)
    np.testing.assert_array_equal(audio.mono()[1000:50_000], samples[1000:50_000])


@pytest.mark.parametrize("dtype", [np.int16, np.float32])
def test_slices_read_the_same_samples_as_the_whole(dtype):
    pcm = _pcm(1, 10_000)
    samples = pcm if dtype == np.int16 else pcm / np.float32(32768)
    audio = Audio(path="call.wav", samples=samples, original_sample_rate=16000)
    whole = np.asarray(audio.mono())
    assert whole.dtype == np.float32 and len(audio.mono()) == 10_000
    np.testing.assert_array_equal(whole, pcm[0] / np.float32(32768))
    for a, b in ((0, 512), (9_000, 12_000), (-700, None), (0, -5)):
        np.testing.assert_array_equal(audio.mono()[a:b], whole[a:b])
    np.testing.assert_array_equal(np.asarray(audio.mono().head(300)), whole[:300])
    with pytest.raises(TypeError):
        audio.mono()[5]


def test_the_mix_of_two_channels_is_their_mean():
    pcm = _pcm(2, 4_000, seed=3)
    expected = (pcm / np.float32(32768)).mean(axis=0, dtype=np.float32)
    for samples in (pcm, pcm / np.float32(32768)):
        np.testing.assert_array_equal(np.asarray(Waveform(samples)), expected)
        np.testing.assert_array_equal(Waveform(samples)[1_000:1_100], expected[1_000:1_100])
