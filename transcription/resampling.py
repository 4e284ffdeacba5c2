"""A recording at a lower rate than 16 kHz, held at its own rate and resampled a block at a time.

An 8 kHz dialer WAV resampled to 16 kHz float32 takes four times the memory of its own 16-bit
samples, and rounding the resampled samples to 16 bits changed Whisper's words. So such a
recording keeps its own samples, and ``ResampledSamples`` computes the 16 kHz ones when they are
read: libswresample (through PyAV, as the decoder uses it) is started a little before each block,
at a point where its filter has the same phase as in a resampling of the whole recording, so every
block is bit for bit that resampling's samples (tests/test_audio_resampling.py checks it).
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict

import av
import numpy as np

__all__ = ["ResampledSamples", "held_at_own_rate"]

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


class ResampledSamples:
    """(channels, n) float32 samples at ``rate``, computed a block at a time from ``source``,
    the recording's own samples (channels, m) at ``source_rate`` as its decoder gave them
    (``source_format`` and ``source_layout`` name that), when they are read:
    ``samples[rows, a:b]``. Only ``source`` and the last few blocks are held."""

    dtype = np.dtype(np.float32)

    def __init__(self, source: np.ndarray, source_rate: int, rate: int, source_format: str, source_layout: str):
        self.source, self.source_rate, self.rate = source, source_rate, rate
        self._format, self._layout = source_format, source_layout
        common = math.gcd(source_rate, rate)
        self._period = (source_rate // common, rate // common)  # source and output samples per filter cycle
        self._blocks: OrderedDict[int, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._length = self._resampled_length()

    @property
    def shape(self) -> tuple[int, int]:
        return (self.source.shape[0], self._length)

    @property
    def nbytes(self) -> int:
        return self.source.nbytes

    def __getitem__(self, key: tuple[slice, slice]) -> np.ndarray:
        rows, columns = key
        start, stop, step = columns.indices(self._length)
        if step != 1:
            raise IndexError("resampled samples are read by contiguous slices")
        out = np.empty((len(range(*rows.indices(self.shape[0]))), max(stop - start, 0)), dtype=np.float32)
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
        start, stop = index * BLOCK, min(self._length, (index + 1) * BLOCK)
        block = self._resampled(start, stop)
        with self._lock:
            self._blocks[index] = block
            while len(self._blocks) > _CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        return block

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
