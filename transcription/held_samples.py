"""A call's samples held in less memory than 16 kHz float32, and read back a block at a time.

- ``ResampledSamples``: a recording at a lower rate (an 8 kHz dialer WAV: a quarter of the
  memory) keeps its own samples, and the 16 kHz ones are computed when read. Rounding them to
  16 bits instead changed Whisper's words. libswresample (through PyAV, as the decoder uses it)
  is started a little before each block, at a point where its filter has the same phase as in a
  resampling of the whole recording, so every block is bit for bit that resampling's samples.
- ``PackedSamples``: float32 samples (a lossy or resampled recording) in blocks whose byte of
  sign and exponent is zlib-compressed, the other three kept as they are: about 18 % less
  memory for decoded speech, and exactly the same samples read back.

Both read only the blocks a slice covers and keep the last few, so stages that walk a call a
slice at a time hold no whole-call float32 copy (tests/test_audio_held.py checks the samples
bit for bit).
"""
from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
import zlib
from collections import OrderedDict

import av
import numpy as np

__all__ = ["PackedSamples", "ResampledSamples", "held_at_own_rate"]

BLOCK = 1 << 18  # output samples computed at a time (16 s at 16 kHz, 1 MB a channel)
_MARGIN = 1024  # source samples fed before and after a block: far beyond the filter's reach
_CACHED_BLOCKS = 4  # a minute: stages read a minute or less at a time, both channels in step
_MAX_PHASES = 1024  # libswresample's phase count: its filter phases repeat exactly within it


def held_at_own_rate(frame: av.AudioFrame, rate: int) -> type | None:
    """The type a recording whose first decoded frame is ``frame`` is held in at its own rate,
    when that takes less memory than float32 at ``rate`` and resampling it a block at a time is
    exact; None when it is to be resampled whole as it is decoded."""
    channels, own = frame.layout.nb_channels, frame.sample_rate
    if own == rate or channels not in (1, 2) or rate // math.gcd(own, rate) > _MAX_PHASES:
        return None
    kind = frame.format.packed.name
    if kind == "s16" and own < 2 * rate:
        return np.int16
    if kind == "flt" and own < rate:
        return np.float32
    return None


class _BlockSamples(ABC):
    """(channels, n) float32 samples read by ``samples[rows, a:b]``, made a block of ``BLOCK``
    samples at a time by ``_made(index)``; the last ``_CACHED_BLOCKS`` are kept."""

    dtype = np.dtype(np.float32)

    def __init__(self, channels: int, length: int):
        self._channels, self._length = channels, length
        self._blocks: OrderedDict[int, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def shape(self) -> tuple[int, int]:
        return (self._channels, self._length)

    def __getitem__(self, key: tuple[slice, slice]) -> np.ndarray:
        rows, columns = key
        start, stop, step = columns.indices(self._length)
        if step != 1:
            raise IndexError("held samples are read by contiguous slices")
        out = np.empty((len(range(*rows.indices(self._channels))), max(stop - start, 0)), dtype=np.float32)
        for index in range(start // BLOCK, -(-stop // BLOCK)):
            lo, hi = max(start, index * BLOCK), min(stop, (index + 1) * BLOCK)
            out[:, lo - start : hi - start] = self._block(index)[rows, lo - index * BLOCK : hi - index * BLOCK]
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:, :]
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def _block(self, index: int) -> np.ndarray:
        with self._lock:
            if index in self._blocks:
                self._blocks.move_to_end(index)
                return self._blocks[index]
        block = self._made(index)
        with self._lock:
            self._blocks[index] = block
            while len(self._blocks) > _CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        return block

    @abstractmethod
    def _made(self, index: int) -> np.ndarray:
        """Block ``index``: (channels, ``BLOCK``) float32 samples, fewer in the last block."""


class ResampledSamples(_BlockSamples):
    """(channels, n) float32 samples at ``rate``, computed a block at a time from ``source``,
    the recording's own samples (channels, m) at ``source_rate`` as its decoder gave them
    (``source_format`` and ``source_layout`` name that), when they are read:
    ``samples[rows, a:b]``. Only ``source`` and the last few blocks are held."""

    def __init__(self, source: np.ndarray, source_rate: int, rate: int, source_format: str, source_layout: str):
        self.source, self.source_rate, self.rate = source, source_rate, rate
        self._format, self._layout = source_format, source_layout
        common = math.gcd(source_rate, rate)
        self._period = (source_rate // common, rate // common)  # source and output samples per filter cycle
        super().__init__(source.shape[0], self._resampled_length())

    @property
    def nbytes(self) -> int:
        return self.source.nbytes

    def _made(self, index: int) -> np.ndarray:
        return self._resampled(index * BLOCK, min(self._length, (index + 1) * BLOCK))

    def _resampled(self, start: int, stop: int) -> np.ndarray:
        """Output samples ``start:stop``, from a resampler started at a whole filter cycle at
        least ``_MARGIN`` source samples before them and fed ``_MARGIN`` samples past them."""
        cycle_in, cycle_out = self._period
        first = max(0, (start * cycle_in // cycle_out - _MARGIN) // cycle_in) * cycle_in
        last = min(self.source.shape[1], -(-stop * cycle_in // cycle_out) + _MARGIN)
        out = self._resample(first, last)
        offset = start - first * cycle_out // cycle_in
        if out.shape[1] < offset + stop - start:
            raise RuntimeError(f"resampler gave {out.shape[1]} samples, {offset + stop - start} needed")
        return out[:, offset : offset + stop - start]

    def _resample(self, first: int, last: int) -> np.ndarray:
        """Source samples ``first:last`` at ``rate``, the resampler flushed when ``last`` is the end."""
        part = self.source[:, first:last]
        if not av.AudioFormat(self._format).is_planar:
            part = part.T.reshape(1, -1)  # interleaved, as the decoder gave them
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(part), format=self._format, layout=self._layout)
        frame.sample_rate = self.source_rate
        resampler = av.AudioResampler(format="fltp", layout="stereo" if self.source.shape[0] == 2 else "mono",
                                      rate=self.rate)
        frames = resampler.resample(frame)
        if last == self.source.shape[1]:
            frames += resampler.resample(None)
        if not frames:
            return np.zeros((self.source.shape[0], 0), dtype=np.float32)
        return np.concatenate([f.to_ndarray() for f in frames], axis=1)

    def _resampled_length(self) -> int:
        """How many samples a resampling of the whole source gives: those of the tail, resampled
        from a whole filter cycle, after those before it."""
        cycle_in, cycle_out = self._period
        first = max(0, (self.source.shape[1] - 2 * _MARGIN) // cycle_in) * cycle_in
        return first * cycle_out // cycle_in + self._resample(first, self.source.shape[1]).shape[1]


class PackedSamples(_BlockSamples):
    """(channels, n) float32 samples held in blocks of ``BLOCK``: per block, the low three bytes
    of every sample as they are and the high one (sign and exponent, which change slowly in
    speech) zlib-compressed. ``append`` packs samples as a decoder gives them; ``finish`` packs
    the last, partial block."""

    def __init__(self, channels: int):
        super().__init__(channels, 0)
        self._packed: list[tuple[np.ndarray, bytes]] = []
        self._pending = np.empty((channels, BLOCK), dtype="<f4")  # byte 3: sign and exponent
        self._filled = 0

    @property
    def nbytes(self) -> int:
        return sum(low.nbytes + len(high) for low, high in self._packed) + self._pending.nbytes

    def append(self, samples: np.ndarray) -> None:
        """Add (channels, k) samples at the end."""
        done = 0
        while done < samples.shape[1]:
            n = min(samples.shape[1] - done, BLOCK - self._filled)
            self._pending[:, self._filled : self._filled + n] = samples[:, done : done + n]
            self._filled += n
            done += n
            if self._filled == BLOCK:
                self._pack()

    def finish(self) -> PackedSamples:
        if self._filled:
            self._pack()
        self._pending = np.empty((self._channels, 0), dtype="<f4")
        return self

    def _pack(self) -> None:
        data = np.ascontiguousarray(self._pending[:, : self._filled]).view(np.uint8).reshape(-1, 4)
        self._packed.append((data[:, :3].copy(), zlib.compress(data[:, 3].tobytes(), 1)))
        self._length += self._filled
        self._filled = 0

    def _made(self, index: int) -> np.ndarray:
        low, high = self._packed[index]
        data = np.empty((len(low), 4), dtype=np.uint8)
        data[:, :3] = low
        data[:, 3] = np.frombuffer(zlib.decompress(high), dtype=np.uint8)
        return data.view("<f4").reshape(self._channels, -1).astype(np.float32, copy=False)
