"""A call's samples are held in less memory than 16 kHz float32 and read back bit for bit as a
resampling of the whole recording as it is decoded: a recording at a lower rate keeps its own
samples (a quarter of the memory for 16-bit 8 kHz) and is resampled a block at a time; other float
samples are packed (their byte of sign and exponent compressed)."""
from __future__ import annotations

import av
import numpy as np
import pytest

from tests.conftest import PYANNOTE_SAMPLE_DIR
from transcription import held_samples
from transcription.audio import SAMPLE_RATE, load_audio
from transcription.held_samples import PackedSamples, ResampledSamples

SAMPLE = PYANNOTE_SAMPLE_DIR / "sample.wav"  # a real 30 s phone call, 16-bit 16 kHz


def whole_call_decode(path) -> np.ndarray:
    """(channels, n) float32 at 16 kHz: every frame through one resampler, as decoding did
    before recordings were held at their own rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        layout = "stereo" if stream.codec_context.channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        parts = []
        for frame in container.decode(stream):
            frame.pts = None
            parts += [out.to_ndarray() for out in resampler.resample(frame)]
        parts += [out.to_ndarray() for out in resampler.resample(None)]
    return np.concatenate(parts, axis=1)


def encode(path, rate: int, channels: int, codec: str = "pcm_s16le", seconds: float = 30.0):
    """The sample call (and a delayed, quieter copy as the second channel) at ``rate``, written
    with ``codec`` by PyAV."""
    voice = np.asarray(load_audio(SAMPLE).mono())[: int(seconds * SAMPLE_RATE)]
    rows = [voice, 0.5 * np.roll(voice, 4000)][:channels]
    layout = "stereo" if channels == 2 else "mono"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        frame_size = {"aac": 1024, "libopus": 960}.get(codec, 1152)
        resampler = av.AudioResampler(format=stream.codec_context.format, layout=layout, rate=rate, frame_size=frame_size)
        frame = av.AudioFrame.from_ndarray(np.stack(rows).astype(np.float32), format="fltp", layout=layout)
        frame.sample_rate = SAMPLE_RATE
        for out in resampler.resample(frame) + resampler.resample(None):
            container.mux(stream.encode(out))
        container.mux(stream.encode(None))
    return path


def assert_reads_the_whole_call_decode(audio, expected: np.ndarray, block: int) -> None:
    """Every way a stage reads ``audio`` gives ``expected`` bit for bit: whole, by channel, the
    mix, and slices across block boundaries and at the ends."""
    channels = expected.shape[0]
    assert audio.samples.shape == expected.shape and audio.duration == expected.shape[1] / SAMPLE_RATE
    mix = expected[0] if channels == 1 else expected.mean(axis=0, dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(audio.mono()), mix)
    for c in range(channels):
        np.testing.assert_array_equal(np.asarray(audio.channel(c)), expected[c])
    n = expected.shape[1]
    cuts = [(0, 1), (block - 3, block + 3), (n - 700, n), (n - 1, None), (-5_000, -10), (123_456, 123_456)]
    cuts += [tuple(sorted(c)) for c in np.random.default_rng(0).integers(0, n, (20, 2))]
    for a, b in cuts:
        np.testing.assert_array_equal(audio.mono()[a:b], mix[a:b])
        np.testing.assert_array_equal(audio.channel(channels - 1)[a:b], expected[-1][a:b])
    np.testing.assert_array_equal(np.asarray(audio.mono().head(9_999)), mix[:9_999])


HELD_AT_OWN_RATE = [
    ("wav", 8000, 1, "pcm_s16le", np.int16),  # a dialer's WAV
    ("wav", 8000, 2, "pcm_s16le", np.int16),
    ("wav", 8000, 1, "pcm_mulaw", np.int16),  # G.711 decodes to 16-bit
    ("flac", 8000, 2, "flac", np.int16),
    ("wav", 11025, 1, "pcm_s16le", np.int16),
    ("wav", 22050, 2, "pcm_s16le", np.int16),
    ("mp3", 8000, 1, "libmp3lame", np.float32),
]


@pytest.mark.parametrize("block", [held_samples.BLOCK, 5_000])
@pytest.mark.parametrize("ext,rate,channels,codec,held", HELD_AT_OWN_RATE,
                         ids=[f"{c}-{r}-{ch}ch" for _, r, ch, c, _ in HELD_AT_OWN_RATE])
def test_read_samples_are_the_whole_call_decode_bit_for_bit(tmp_path, monkeypatch, block, ext, rate, channels, codec, held):
    monkeypatch.setattr(held_samples, "BLOCK", block)
    path = encode(tmp_path / f"call.{ext}", rate, channels, codec)
    expected = whole_call_decode(path)
    audio = load_audio(path)
    assert isinstance(audio.samples, ResampledSamples)
    assert audio.samples.source.dtype == held and audio.samples.source_rate == rate
    # its own samples' share of the float32 16 kHz ones: a quarter for 16-bit 8 kHz
    assert audio.samples.nbytes <= expected.nbytes * (rate / SAMPLE_RATE) * (np.dtype(held).itemsize / 4) + 64
    assert_reads_the_whole_call_decode(audio, expected, block)


@pytest.mark.parametrize("rate", [8000, 11025, 12000, 22050, 24000])
def test_the_length_is_the_whole_resampling_length(rate):
    rng = np.random.default_rng(rate)
    for n in (1, 2, 3, 440, 2047, 2048, 2049, 10_001):
        pcm = rng.integers(-3000, 3000, (1, n), dtype=np.int16)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=SAMPLE_RATE)
        whole = np.concatenate([np.zeros((1, 0), np.float32)] + [f.to_ndarray() for f in resampler.resample(frame) + resampler.resample(None)], axis=1)
        held = ResampledSamples(pcm, rate, SAMPLE_RATE, "s16", "mono")
        assert held.shape == whole.shape, n
        np.testing.assert_array_equal(held[:, :], whole)


PACKED = [("mp3", 16000, 1, "libmp3lame"), ("wav", 44100, 1, "pcm_s16le"), ("ogg", 48000, 1, "libopus"),
          ("m4a", 16000, 2, "aac")]


@pytest.mark.parametrize("block", [held_samples.BLOCK, 5_000])
@pytest.mark.parametrize("ext,rate,channels,codec", PACKED, ids=[f"{c}-{r}-{ch}ch" for _, r, ch, c in PACKED])
def test_other_float_samples_are_packed_and_read_back_bit_for_bit(tmp_path, monkeypatch, block, ext, rate, channels, codec):
    """A lossy recording, or one resampled from a higher rate, is resampled as it is decoded and
    its float samples packed: about 18 % less memory for speech."""
    monkeypatch.setattr(held_samples, "BLOCK", block)
    path = encode(tmp_path / f"call.{ext}", rate, channels, codec)
    expected = whole_call_decode(path)
    audio = load_audio(path)
    assert isinstance(audio.samples, PackedSamples)
    assert audio.samples.nbytes <= 0.9 * expected.nbytes + 4 * block * channels
    assert_reads_the_whole_call_decode(audio, expected, block)


def test_packing_keeps_every_float32_bit_pattern():
    bits = np.random.default_rng(5).integers(0, 2**32, size=(2, 30_001), dtype=np.uint64).astype(np.uint32)
    bits[:, :6] = np.array([0x7FC00001, 0xFF800000, 0x80000000, 0x00000001, 0x3F800000, 0xBF7FFFFF], np.uint32)[:, None].T
    samples = bits.view(np.float32)
    packed = PackedSamples(2)
    for start in range(0, samples.shape[1], 7_777):  # as a decoder's frames come, across blocks
        packed.append(samples[:, start : start + 7_777])
    packed.finish()
    assert packed.shape == samples.shape
    np.testing.assert_array_equal(np.asarray(packed).view(np.uint32), bits)
    np.testing.assert_array_equal(packed[1:2, 12_345:23_456].view(np.uint32), bits[1:2, 12_345:23_456])
