"""Silero voice activity, run once per waveform however many stages ask for it.

faster-whisper's batched ASR runs Silero VAD on each call, the check for speech the batched pass
left without words runs it again on the same samples, and the ``embedded`` diarizer a third time
(with its own thresholds, which work on the same probabilities). ``share_silero_vad`` makes
faster-whisper's VAD model, which all of them use, remember the probabilities of the last few
waveforms it saw, keyed by their content: the model runs once per call and every stage gets
exactly the regions it got before. It also computes them a block at a time, and
``speech_timestamps`` spares faster-whisper's padded copy of the waveform, so a long call needs
no full-length copies.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

from transcription.audio import Waveform, sliceable

__all__ = ["SharedSileroVad", "ZeroPadded", "share_silero_vad", "silero_probabilities", "speech_timestamps"]

WINDOW = 512  # samples per probability at 16 kHz
CONTEXT = 64  # samples of the previous window each window is given
# Windows per ONNX run. The model's state runs on from block to block, so the probabilities are
# faster-whisper's (10,000 windows a run) bit for bit; 1,000 took 34 MB at its peak, 10,000 170 MB.
BLOCK = 1_000
REMEMBERED = 8  # waveforms: a call's mix, its two channels, and the next call's while it overlaps

_installing = threading.Lock()


class ZeroPadded:
    """``samples`` followed by ``pad`` zeros, without copying them.

    faster-whisper's ``get_speech_timestamps`` pads its input to whole windows with ``np.pad``,
    a copy of the whole call (0.7 GB for three hours). Given this instead, its ``np.pad`` returns
    a longer ``ZeroPadded`` and the shared model reads that a block at a time.
    """

    def __init__(self, samples: np.ndarray | Waveform, pad: int = 0):
        self.samples = sliceable(samples)
        self.pad = pad

    @property
    def shape(self) -> tuple[int]:
        return (len(self),)

    @property
    def ndim(self) -> int:
        return 1

    def __len__(self) -> int:
        return len(self.samples) + self.pad

    def __array_function__(self, func, types, args, kwargs):
        if func is not np.pad or args[0] is not self or kwargs.get("mode", "constant") != "constant" or kwargs.get("constant_values", 0) != 0:
            return NotImplemented
        before, after = np.broadcast_to(args[1], (1, 2))[0]
        if before:
            return NotImplemented
        return ZeroPadded(self.samples, self.pad + int(after))

    def digest(self) -> bytes:
        """The digest ``SharedSileroVad`` keys an equal ndarray by (a ``Waveform`` a block at a time)."""
        hasher = hashlib.blake2b(digest_size=16)
        step = BLOCK * WINDOW
        for start in range(0, len(self.samples), step):
            hasher.update(memoryview(np.ascontiguousarray(self.samples[start : start + step])).cast("B"))
        hasher.update(bytes(4 * self.pad))
        return hasher.digest()


def speech_timestamps(samples: np.ndarray | Waveform, options) -> list[dict]:
    """faster-whisper's ``get_speech_timestamps`` (``options``: its ``VadOptions``) without a
    padded copy of ``samples``; it installs the shared model, which alone can read that."""
    from faster_whisper.vad import get_speech_timestamps

    share_silero_vad()
    return get_speech_timestamps(ZeroPadded(samples), options)


def silero_probabilities(session, audio: np.ndarray | ZeroPadded) -> np.ndarray:
    """Speech probability per 512-sample window of ``audio`` (its length a multiple of 512),
    the same numbers as faster-whisper's ``SileroVADModel.__call__`` gives, shape (windows, 1)."""
    samples = audio.samples if isinstance(audio, ZeroPadded) else audio
    n = len(audio) // WINDOW
    state = np.zeros((1, 1, 128), dtype=np.float32)
    cell = np.zeros((1, 1, 128), dtype=np.float32)
    outputs = []
    buffer = np.empty((min(n, BLOCK), CONTEXT + WINDOW), dtype=np.float32)  # one block's, reused
    context = np.zeros(CONTEXT, dtype=np.float32)
    for first in range(0, n, BLOCK):
        last = min(n, first + BLOCK)
        batch = buffer[: last - first]
        _fill_windows(batch[:, CONTEXT:], samples, first * WINDOW)
        batch[1:, :CONTEXT] = batch[:-1, -CONTEXT:]
        batch[0, :CONTEXT] = context
        context = batch[-1, -CONTEXT:].copy()
        if last == n:
            batch[-1, -CONTEXT:] = 0.0  # faster-whisper zeroes the last window's tail
        output, state, cell = session.run(None, {"input": batch, "h": state, "c": cell})
        outputs.append(output)
    return np.concatenate(outputs, axis=0) if outputs else np.zeros((0, 1), dtype=np.float32)


def _fill_windows(out: np.ndarray, samples: np.ndarray, start: int) -> None:
    """Write samples ``start:`` into the rows of ``out`` (windows), zeros past their end."""
    real = min(max(len(samples) - start, 0), out.size)
    whole = real // WINDOW
    out[:whole] = samples[start : start + whole * WINDOW].reshape(whole, WINDOW)
    out[whole:] = 0.0
    if real > whole * WINDOW:
        out[whole, : real - whole * WINDOW] = samples[start + whole * WINDOW : start + real]


class SharedSileroVad:
    """faster-whisper's Silero model, remembering the probabilities of the last waveforms."""

    def __init__(self, model):
        self.session = model.session
        self.runs = 0  # waveforms the model actually ran on
        self._lock = threading.Lock()
        self._recent: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def __call__(self, audio: np.ndarray | ZeroPadded, num_samples: int = WINDOW, context_size_samples: int = CONTEXT) -> np.ndarray:
        if (num_samples, context_size_samples) != (WINDOW, CONTEXT) or audio.ndim != 1 or len(audio) % WINDOW:
            raise ValueError("Silero VAD takes one channel, a whole number of 512-sample windows")
        if not isinstance(audio, ZeroPadded):
            audio = ZeroPadded(audio)
        key = (len(audio), audio.digest())
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key].copy()
        probabilities = silero_probabilities(self.session, audio)
        with self._lock:
            self.runs += 1
            self._recent[key] = probabilities
            while len(self._recent) > REMEMBERED:
                self._recent.popitem(last=False)
        return probabilities.copy()


def share_silero_vad() -> SharedSileroVad:
    """Make every user of faster-whisper's Silero VAD in this process share one remembering model.

    faster-whisper's batched pipeline calls its own VAD with no way to pass results in, so its
    model factory (``faster_whisper.vad.get_vad_model``, which every VAD call goes through) is
    replaced by one that returns the shared model.
    """
    import faster_whisper.vad as fw_vad

    with _installing:
        current = fw_vad.get_vad_model()
        if isinstance(current, SharedSileroVad):
            return current
        shared = SharedSileroVad(current)
        fw_vad.get_vad_model = lambda: shared
        return shared
