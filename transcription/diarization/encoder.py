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
        """Power mel spectrogram (frames, 40) of the volume-normalised waveform."""
        import torch

        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
        wav = torch.from_numpy(np.asarray(samples, dtype=np.float32) * (10 ** (-30 / 20) / max(rms, 1e-6)))
        spec = torch.stft(
            wav, n_fft=400, hop_length=MEL_HOP, window=torch.hann_window(400),
            center=True, pad_mode="constant", return_complex=True,
        ).abs() ** 2
        return (spec.T @ self._mel_bank).numpy()

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
