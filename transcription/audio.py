"""Decode any supported recording to 16 kHz float32, one row per channel."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from transcription.errors import AudioDecodeError

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".mp4"}
)
_MIN_SAMPLES = SAMPLE_RATE // 100  # 10 ms: anything shorter is not a recording


@dataclass(frozen=True, eq=False)
class Audio:
    """A decoded recording. ``samples`` has shape (channels, n), float32 in [-1, 1], 16 kHz."""

    path: str
    samples: np.ndarray
    original_sample_rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE

    def channel(self, index: int) -> np.ndarray:
        return self.samples[index]

    def mono(self) -> np.ndarray:
        if self.channels == 1:
            return self.samples[0]
        return self.samples.mean(axis=0, dtype=np.float32)


def load_audio(path: str | Path) -> Audio:
    """Decode ``path`` (wav, flac, mp3, m4a/aac, ogg/opus, webm) with PyAV.

    Stereo stays stereo; more than two channels are mixed down to mono. Memory stays near the
    size of the decoded result (a 3-hour mono call is about 0.7 GB) because frames are written
    into one growing buffer instead of being concatenated at the end.
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
        buffer = _FrameBuffer(channels, _expected_samples(container, stream))
        resampler = av.AudioResampler(
            format="fltp", layout="stereo" if channels == 2 else "mono", rate=SAMPLE_RATE
        )
        try:
            for frame in container.decode(stream):
                frame.pts = None  # let the resampler restamp: some containers carry broken pts
                for out in resampler.resample(frame):
                    buffer.add(out.to_ndarray())
            for out in resampler.resample(None):
                buffer.add(out.to_ndarray())
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioDecodeError(path, f"corrupt or truncated audio ({_reason(exc)})") from exc
    samples = buffer.result()
    if samples.shape[1] < _MIN_SAMPLES:
        raise AudioDecodeError(path, "contains no audio samples (zero length)")
    logger.debug("decoded %s: %.1f s, %d ch, %d Hz", path, samples.shape[1] / SAMPLE_RATE,
                 channels, original_rate)
    return Audio(path=str(path), samples=samples, original_sample_rate=original_rate)


class _FrameBuffer:
    """Preallocated (channels, n) float32 buffer that grows geometrically when needed."""

    def __init__(self, channels: int, expected: int):
        self._data = np.zeros((channels, max(expected, SAMPLE_RATE)), dtype=np.float32)
        self._used = 0

    def add(self, chunk: np.ndarray) -> None:
        n = chunk.shape[1]
        if self._used + n > self._data.shape[1]:
            grown = np.zeros(
                (self._data.shape[0], max(self._used + n, int(self._data.shape[1] * 1.5))),
                dtype=np.float32,
            )
            grown[:, : self._used] = self._data[:, : self._used]
            self._data = grown
        self._data[:, self._used : self._used + n] = chunk
        self._used += n

    def result(self) -> np.ndarray:
        view = self._data[:, : self._used]
        if self._data.shape[1] - self._used <= self._data.shape[1] // 20:
            return view  # the estimate was close: keeping a few spare samples beats a copy
        return view.copy()


def _expected_samples(container, stream) -> int:
    seconds = None
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / av.time_base
    # Headers are often a little short of the decoded length; 1 % spare avoids a regrowth
    # (a full copy) at the very end, and untouched spare pages cost no memory.
    return int((seconds or 0) * SAMPLE_RATE * 1.01) + SAMPLE_RATE


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
