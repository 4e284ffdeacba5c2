"""resemblyzer's pretrained speaker encoder, as an ONNX graph fed in memory.

``speaker_encoder.onnx`` (committed beside this module, 5.7 MB) is resemblyzer's three-layer
LSTM exported by ``python -m transcription.diarization.encoder_export``. The mel features are
numpy/scipy (the same power mel spectrogram resemblyzer computes with librosa, without librosa's
numba compilation), so nothing here imports torch.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from transcription.audio import Waveform, sliceable
from transcription.runtime import onnx_session

__all__ = ["MODEL_PATH", "SpeakerEncoder", "mel_filterbank"]

MODEL_PATH = Path(__file__).resolve().parent / "speaker_encoder.onnx"
RATE = 16000
MEL_HOP = 160  # 10 ms frames, as the encoder was trained
N_MELS = 40
_PARTIAL = 160  # frames per partial utterance in resemblyzer's own utterance embedding
_N_FFT = 400
_BLOCK_FRAMES = 6000  # one minute of frames per STFT block: a 3-hour call needs no giant STFT
_BATCH = 64  # windows per ONNX run: 256 peaked 180 MB higher, for no speed-up


def mel_filterbank(n_fft: int = _N_FFT, n_mels: int = N_MELS, rate: int = RATE) -> np.ndarray:
    """(n_fft // 2 + 1, n_mels) triangular filters on the Slaney mel scale, Slaney-normalised
    (librosa's default bank, as resemblyzer was trained on)."""
    def hz_to_mel(hz):
        hz = np.asarray(hz, dtype=np.float64)
        return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27), hz * 3 / 200)

    def mel_to_hz(mel):
        return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27) * (mel - 15.0)), mel * 200 / 3)

    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2), n_mels + 2))
    widths = np.diff(edges)
    slopes = edges[None, :] - freqs[:, None]
    rising = -slopes[:, :-2] / widths[:-1]
    falling = slopes[:, 2:] / widths[1:]
    bank = np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (edges[2:] - edges[:-2]))
    return bank.astype(np.float32)


class SpeakerEncoder:
    """Embeds windows of speech as unit vectors (256 dimensions); same voice, high cosine."""

    def __init__(self, model_path: Path = MODEL_PATH):
        self._session = onnx_session(model_path)
        self._mel_bank = mel_filterbank()
        self._window = _hann(_N_FFT)

    def mel(self, samples: np.ndarray | Waveform) -> np.ndarray:
        """Power mel spectrogram (frames, 40) of the volume-normalised waveform: frame ``f`` is
        centred on sample ``160 f``. Computed in blocks, so a 3-hour call needs no giant STFT
        (and a ``Waveform`` is read a block at a time)."""
        samples = sliceable(samples)
        out = np.empty((_mel_frames(len(samples)), N_MELS), dtype=np.float32)
        for f0, block in self._mel_blocks(samples):
            out[f0 : f0 + len(block)] = block
        return out

    def _mel_blocks(self, samples: np.ndarray | Waveform) -> Iterator[tuple[int, np.ndarray]]:
        """``mel(samples)`` as (first frame, frames) blocks of a minute, in order."""
        from numpy.lib.stride_tricks import sliding_window_view
        from scipy.fft import rfft

        rms = _rms(samples)
        scale = np.float32(10 ** (-30 / 20) / max(rms, 1e-6))
        n_frames = _mel_frames(len(samples))
        for f0 in range(0, n_frames, _BLOCK_FRAMES):
            f1 = min(n_frames, f0 + _BLOCK_FRAMES)
            lo, hi = f0 * MEL_HOP - _N_FFT // 2, (f1 - 1) * MEL_HOP + _N_FFT // 2
            block = samples[max(lo, 0) : min(hi, len(samples))] * scale
            block = np.pad(block, (max(0, -lo), max(0, hi - len(samples))))
            frames = sliding_window_view(block, _N_FFT)[::MEL_HOP] * self._window
            spectrum = rfft(frames, axis=1)
            power = spectrum.real**2 + spectrum.imag**2
            yield f0, power @ self._mel_bank

    def embed_speech(self, samples: np.ndarray | Waveform, windows: list[tuple[int, int]]) -> np.ndarray:
        """One embedding per (start, end) mel-frame window of ``samples``, batched by window
        length, without the mel of the whole call (173 MB for three hours): the mel is computed a
        minute at a time and each window's frames are kept only until its batch is complete.
        ``windows`` end in order and are shorter than a minute."""
        if any(b[1] < a[1] for a, b in zip(windows, windows[1:])):
            raise ValueError("windows must end in order")
        out = np.zeros((len(windows), 256), dtype=np.float32)
        if not windows:
            return out
        samples = sliceable(samples)
        last_frame = _mel_frames(len(samples))
        batches = sorted(_batches(windows), key=max, reverse=True)  # complete once their last window is kept
        kept: dict[int, np.ndarray] = {}
        taken = 0  # windows whose frames have been kept
        previous = np.zeros((0, N_MELS), dtype=np.float32)
        for f0, block in self._mel_blocks(samples):
            recent, first = np.concatenate([previous, block]), f0 - len(previous)
            end = f0 + len(block)
            while taken < len(windows) and (windows[taken][1] <= end or end == last_frame):
                a, b = windows[taken]
                kept[taken] = recent[a - first : b - first].copy()
                taken += 1
            while batches and max(batches[-1]) < taken:
                batch = batches.pop()
                out[batch] = self._embed([kept.pop(i) for i in batch])
            previous = block
        return out

    def _embed(self, mels: list[np.ndarray]) -> np.ndarray:
        return self._session.run(None, {"mels": np.stack(mels)})[0]

    def embed_voice(self, samples: np.ndarray) -> np.ndarray | None:
        """One embedding for all of ``samples`` (speech only, please): the normalised mean of
        1.6 s partial embeddings. None when there is under half a second of audio."""
        n = _mel_frames(len(samples))
        if n < 50:
            return None
        starts = range(0, max(1, n - _PARTIAL + 1), _PARTIAL // 2)
        partials = self.embed_speech(samples, [(s, min(n, s + _PARTIAL)) for s in starts])
        mean = partials.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-9)


def _mel_frames(n_samples: int) -> int:
    """Frames of the mel of ``n_samples`` samples: frame ``f`` is centred on sample ``160 f``."""
    return n_samples // MEL_HOP + 1


def _batches(windows: list[tuple[int, int]]) -> list[list[int]]:
    """Indices of ``windows`` in batches of at most ``_BATCH`` windows of one length, in order."""
    by_length: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(windows):
        by_length.setdefault(b - a, []).append(i)
    return [idx[k : k + _BATCH] for idx in by_length.values() for k in range(0, len(idx), _BATCH)]


def _rms(samples: np.ndarray | Waveform) -> float:
    """Root mean square, summed in float64 a block at a time (not a float64 copy of the call)."""
    if not len(samples):
        return 0.0
    step = _BLOCK_FRAMES * MEL_HOP
    total = sum(float(np.dot(block, block)) for block in (samples[i : i + step].astype(np.float64) for i in range(0, len(samples), step)))
    return float(np.sqrt(total / len(samples)))


def _hann(n: int) -> np.ndarray:
    """The periodic Hann window (torch.hann_window's and librosa's default)."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
