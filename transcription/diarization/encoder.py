"""resemblyzer's pretrained speaker encoder (shipped inside the PyPI package), fed in memory.

The features are computed with torch (matching resemblyzer's librosa mel spectrogram), so no
librosa/numba compilation happens at run time.
"""
from __future__ import annotations

import numpy as np

__all__ = ["SpeakerEncoder"]

RATE = 16000
MEL_HOP = 160  # 10 ms frames, as the encoder was trained
_PARTIAL = 160  # frames per partial utterance in resemblyzer's own utterance embedding
_N_FFT = 400
_BLOCK_FRAMES = 30_000  # five minutes of frames per STFT block


class SpeakerEncoder:
    """Embeds windows of speech as unit vectors (256 dimensions); same voice, high cosine."""

    def __init__(self, device: str = "cpu"):
        import torchaudio
        from resemblyzer import VoiceEncoder

        self._encoder = VoiceEncoder("cuda" if device == "cuda" else "cpu", verbose=False)
        self._mel_bank = torchaudio.functional.melscale_fbanks(
            201, 0.0, RATE / 2, 40, RATE, norm="slaney", mel_scale="slaney"
        )

    def mel(self, samples: np.ndarray) -> np.ndarray:
        """Power mel spectrogram (frames, 40) of the volume-normalised waveform: frame ``f`` is
        centred on sample ``160 f``. Computed in blocks, so a 3-hour call needs no giant STFT."""
        import torch

        samples = np.asarray(samples, dtype=np.float32)
        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
        scale = 10 ** (-30 / 20) / max(rms, 1e-6)
        n_frames = len(samples) // MEL_HOP + 1
        out = np.empty((n_frames, 40), dtype=np.float32)
        window = torch.hann_window(_N_FFT)
        for f0 in range(0, n_frames, _BLOCK_FRAMES):
            f1 = min(n_frames, f0 + _BLOCK_FRAMES)
            lo, hi = f0 * MEL_HOP - _N_FFT // 2, (f1 - 1) * MEL_HOP + _N_FFT // 2
            block = samples[max(lo, 0) : min(hi, len(samples))] * scale
            block = np.pad(block, (max(0, -lo), max(0, hi - len(samples))))
            spec = torch.stft(
                torch.from_numpy(block), n_fft=_N_FFT, hop_length=MEL_HOP, window=window,
                center=False, return_complex=True,
            ).abs() ** 2
            out[f0:f1] = (spec.T @ self._mel_bank).numpy()
        return out

    def embed_windows(self, mel: np.ndarray, windows: list[tuple[int, int]]) -> np.ndarray:
        """One embedding per (start, end) mel-frame window, batched by window length."""
        import torch

        out = np.zeros((len(windows), 256), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for i, (a, b) in enumerate(windows):
            by_length.setdefault(b - a, []).append(i)
        with torch.inference_mode():
            for idx in by_length.values():
                for k in range(0, len(idx), 256):
                    batch = idx[k : k + 256]
                    x = torch.from_numpy(np.stack([mel[windows[i][0] : windows[i][1]] for i in batch]))
                    out[batch] = self._encoder(x.to(self._encoder.device)).cpu().numpy()
        return out

    def embed_voice(self, samples: np.ndarray) -> np.ndarray | None:
        """One embedding for all of ``samples`` (speech only, please): the normalised mean of
        1.6 s partial embeddings. None when there is under half a second of audio."""
        mel = self.mel(samples)
        n = len(mel)
        if n < 50:
            return None
        starts = range(0, max(1, n - _PARTIAL + 1), _PARTIAL // 2)
        partials = self.embed_windows(mel, [(s, min(n, s + _PARTIAL)) for s in starts])
        mean = partials.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-9)
