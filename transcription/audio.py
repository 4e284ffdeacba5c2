"""Decode any supported recording to 16 kHz, one row per channel, 16-bit or at its own rate where that loses nothing."""
from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from transcription.errors import AudioDecodeError
from transcription.held_samples import BLOCK, PackedSamples, ResampledSamples, held_at_own_rate

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".mp4"}
)
_MIN_SAMPLES = SAMPLE_RATE // 100  # 10 ms: anything shorter is not a recording
_PCM_SCALE = 32768  # a 16-bit sample ``q`` is ``q / 32768`` in [-1, 1)


class Waveform:
    """One channel of a call, or the mix of its channels, read as float32 a slice at a time:
    ``waveform[a:b]`` is a new float32 array, ``np.asarray(waveform)`` the whole of it.

    Stages that walk a call slice by slice (ASR, voice activity, speaker embeddings) so hold no
    float32 copy of the whole call beside its samples.
    """

    def __init__(self, samples: np.ndarray | ResampledSamples | PackedSamples, rows: slice = slice(None), length: int | None = None):
        self._samples = samples  # an Audio's (channels, n); the ``rows`` read, several as their mean
        self._rows = rows
        self._length = samples.shape[1] if length is None else min(length, samples.shape[1])

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> np.ndarray:
        if not isinstance(index, slice):
            raise TypeError("a Waveform is read by slices: waveform[a:b]")
        start, stop, step = index.indices(self._length)
        if step != 1:
            raise TypeError("a Waveform is read by contiguous slices: waveform[a:b]")
        rows = self._samples[self._rows, start : max(start, stop)]
        if isinstance(self._samples, np.ndarray):  # a view: the caller gets its own float32 copy
            rows = rows.astype(np.float32)
            if self._samples.dtype == np.int16:
                rows *= np.float32(1 / _PCM_SCALE)
        return rows[0] if len(rows) == 1 else rows.mean(axis=0, dtype=np.float32)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def head(self, n: int) -> Waveform:
        """The first ``n`` samples, still read a slice at a time."""
        return Waveform(self._samples, self._rows, min(n, self._length))


def sliceable(samples: np.ndarray | Waveform) -> np.ndarray | Waveform:
    """A ``Waveform`` as it is, any other 1-D waveform as a contiguous float32 array: either way
    ``samples[a:b]`` is float32, and a ``Waveform`` is never read whole."""
    return samples if isinstance(samples, Waveform) else np.ascontiguousarray(samples, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Audio:
    """A decoded recording at 16 kHz. ``samples`` has shape (channels, n) and is held in the
    least memory that keeps every sample: 16-bit integers (``q`` stands for ``q / 32768``) when
    every decoded sample is exactly one, as from a 16-bit recording at 16 kHz (half of float32);
    ``ResampledSamples`` for a recording at a lower rate whose own samples take less memory (an
    8 kHz dialer WAV: a quarter), resampled when read; ``PackedSamples`` for other float samples
    (a lossy or resampled recording: about 82 %). Any float32 array in [-1, 1] will do as well.
    ``mono()`` and ``channel(i)`` read them as float32, a slice at a time."""

    path: str
    samples: np.ndarray | ResampledSamples | PackedSamples
    original_sample_rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE

    def channel(self, index: int) -> Waveform:
        return Waveform(self.samples, slice(index, index + 1))

    def mono(self) -> Waveform:
        return Waveform(self.samples)


def load_audio(path: str | Path) -> Audio:
    """Decode ``path`` (wav, flac, mp3, m4a/aac, ogg/opus, webm) with PyAV.

    Stereo stays stereo; more than two channels are mixed down to mono. Memory stays near the
    size of what is held (a 3-hour mono call is 345 MB from a 16-bit 16 kHz recording, 173 MB
    from a 16-bit 8 kHz one, about 570 MB otherwise) because frames are written into one growing
    buffer, or packed a block at a time, instead of being concatenated at the end.
    """
    path = Path(path)
    if not path.exists():
        raise AudioDecodeError(path, "no such file")
    if not path.is_file():
        raise AudioDecodeError(path, "not a regular file")
    if path.stat().st_size == 0:
        raise AudioDecodeError(path, "file is empty")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError(path, f"not a readable audio file ({_reason(exc)})") from exc
    with container:
        if not container.streams.audio:
            raise AudioDecodeError(path, "contains no audio stream")
        stream = container.streams.audio[0]
        original_rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        channels = 2 if stream.codec_context.channels == 2 else 1
        try:
            samples = _decode(container, stream, channels)
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioDecodeError(path, f"corrupt or truncated audio ({_reason(exc)})") from exc
    if samples.shape[1] < _MIN_SAMPLES:
        raise AudioDecodeError(path, "contains no audio samples (zero length)")
    logger.debug("decoded %s: %.1f s, %d ch, %d Hz, held as %s", path, samples.shape[1] / SAMPLE_RATE,
                 channels, original_rate, _held(samples))
    return Audio(path=str(path), samples=samples, original_sample_rate=original_rate)


def _decode(container, stream, channels: int) -> np.ndarray | ResampledSamples | PackedSamples:
    """The stream's samples at 16 kHz: resampled as they are decoded, or, where
    ``held_at_own_rate`` says so, kept at their own rate and resampled when read."""
    frames = container.decode(stream)
    first = next(frames, None)
    if first is None:
        return np.zeros((channels, 0), dtype=np.int16)
    own_type = held_at_own_rate(first, SAMPLE_RATE) if first.layout.nb_channels == channels else None
    if own_type is not None:
        buffer = _FrameBuffer(channels, _expected_samples(container, stream, first.sample_rate), own_type)
        kind = (first.format.name, first.layout.name, first.sample_rate)
        for frame in itertools.chain([first], frames):
            if (frame.format.name, frame.layout.name, frame.sample_rate) != kind:
                raise ValueError("the audio's format changes midway")
            buffer.add(_planar(frame))
        return ResampledSamples(buffer.result(), first.sample_rate, SAMPLE_RATE, first.format.name, first.layout.name)
    buffer = _Resampled(channels, _expected_samples(container, stream, SAMPLE_RATE))
    resampler = av.AudioResampler(format="fltp", layout="stereo" if channels == 2 else "mono", rate=SAMPLE_RATE)
    for frame in itertools.chain([first], frames):
        frame.pts = None  # let the resampler restamp: some containers carry broken pts
        for out in resampler.resample(frame):
            buffer.add(out.to_ndarray())
    for out in resampler.resample(None):
        buffer.add(out.to_ndarray())
    return buffer.result()


def _planar(frame: av.AudioFrame) -> np.ndarray:
    """A frame's samples as (channels, n), de-interleaved when packed."""
    samples = frame.to_ndarray()
    return samples if frame.format.is_planar else samples.reshape(-1, frame.layout.nb_channels).T


def _held(samples: np.ndarray | ResampledSamples | PackedSamples) -> str:
    if isinstance(samples, ResampledSamples):
        return f"{samples.source.dtype} at {samples.source_rate} Hz"
    if isinstance(samples, PackedSamples):
        return f"packed float32, {samples.nbytes / (4 * samples.shape[0] * max(samples.shape[1], 1)):.0%} of the size"
    return str(samples.dtype)


class _FrameBuffer:
    """Preallocated (channels, n) buffer of ``dtype`` that grows geometrically when needed."""

    def __init__(self, channels: int, expected: int, dtype: type):
        self._data = np.zeros((channels, max(expected, SAMPLE_RATE)), dtype=dtype)
        self._used = 0

    def add(self, chunk: np.ndarray) -> None:
        n = chunk.shape[1]
        if self._used + n > self._data.shape[1]:
            grown = np.zeros((self._data.shape[0], max(self._used + n, int(self._data.shape[1] * 1.5))), self._data.dtype)
            grown[:, : self._used] = self._data[:, : self._used]
            self._data = grown
        self._data[:, self._used : self._used + n] = chunk
        self._used += n

    def result(self) -> np.ndarray:
        view = self._data[:, : self._used]
        if self._data.shape[1] - self._used <= self._data.shape[1] // 20:
            return view  # the estimate was close: keeping a few spare samples beats a copy
        return view.copy()


class _Resampled:
    """A resampler's 16 kHz float samples: 16-bit integers while every one is exactly one (a
    16-bit recording at 16 kHz), ``PackedSamples`` from the first that is not."""

    def __init__(self, channels: int, expected: int):
        self._pcm: _FrameBuffer | None = _FrameBuffer(channels, expected, np.int16)
        self._packed: PackedSamples | None = None
        self._channels = channels

    def add(self, chunk: np.ndarray) -> None:
        if self._pcm is not None:
            pcm = _exact_pcm16(chunk)
            if pcm is not None:
                self._pcm.add(pcm)
                return
            exact, self._pcm = self._pcm.result(), None
            self._packed = PackedSamples(self._channels)
            for start in range(0, exact.shape[1], BLOCK):
                self._packed.append(exact[:, start : start + BLOCK].astype(np.float32) * np.float32(1 / _PCM_SCALE))
        self._packed.append(chunk)

    def result(self) -> np.ndarray | PackedSamples:
        return self._pcm.result() if self._pcm is not None else self._packed.finish()


def _exact_pcm16(chunk: np.ndarray) -> np.ndarray | None:
    """Float samples as the 16-bit integers they are exactly, or None when they are not."""
    scaled = chunk * np.float32(_PCM_SCALE)
    if not scaled.size or (np.array_equal(np.rint(scaled), scaled) and -_PCM_SCALE <= scaled.min() and scaled.max() < _PCM_SCALE):
        return scaled.astype(np.int16)
    return None


def _expected_samples(container, stream, rate: int) -> int:
    seconds = None
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / av.time_base
    # Headers are often a little short of the decoded length; 1 % spare avoids a regrowth
    # (a full copy) at the very end, and untouched spare pages cost no memory.
    return int((seconds or 0) * rate * 1.01) + rate


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
