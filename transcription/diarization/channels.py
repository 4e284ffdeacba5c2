"""Diarization of dialer recordings that put one party on each channel.

The speaker is the channel. Each channel's voice activity comes from Silero VAD; where several
channels are active at once (cross-talk, or one party's voice bleeding into the other channel)
the channel with the higher short-term energy wins, so turns never overlap. A channel also
counts as silent where its energy is far below its own loud speech: that is the other party's
voice leaking in, or the voice-activity model's hangover after a turn.
"""
from __future__ import annotations

import numpy as np

from transcription.diarization.frames import frame_runs, merge_close
from transcription.diarization.result import Diarization, speaker_label
from transcription.errors import DiarizationError
from transcription.types import SpeakerTurn

__all__ = ["ChannelDiarizer"]

_RATE = 16000
_FRAME = 160  # 10 ms


class ChannelDiarizer:
    """Speaker per channel: channel ``i`` is ``SPEAKER_0i``, whoever speaks first."""

    name = "channels"

    def __init__(
        self,
        *,
        vad_threshold: float = 0.5,
        vad_min_silence_s: float = 0.2,
        vad_pad_s: float = 0.05,
        energy_window_s: float = 0.2,
        leak_db: float = 25.0,
        fill_gap_s: float = 0.5,
        min_turn_s: float = 0.1,
    ):
        self.vad_threshold = vad_threshold
        self.vad_min_silence_s = vad_min_silence_s
        self.vad_pad_s = vad_pad_s
        self.energy_window_s = energy_window_s
        self.leak_db = leak_db
        self.fill_gap_s = fill_gap_s
        self.min_turn_s = min_turn_s

    def diarize(self, audio, *, num_speakers=None, min_speakers=None, max_speakers=None) -> Diarization:
        """Speaker-count hints are ignored: the channel count is the speaker count."""
        if audio.channels < 2:
            raise DiarizationError(
                f"{audio.path}: channels diarization needs a recording with one party per channel, "
                "and this one is mono"
            )
        return self.diarize_channels(audio.samples)

    def diarize_channels(self, samples: np.ndarray) -> Diarization:
        """Diarize a (channels, n) float32 array at 16 kHz."""
        n_frames = samples.shape[1] // _FRAME
        if n_frames == 0:
            return Diarization(turns=(), backend=self.name)
        active = np.stack([self._activity(ch, n_frames) for ch in samples])
        energy = np.stack([self._energy(ch, n_frames, self.energy_window_s) for ch in samples])
        for c, ch in enumerate(samples):
            active[c] &= self._above_leak_level(self._energy(ch, n_frames, 0.05), active[c])
        winner = np.where(active, energy, -np.inf).argmax(axis=0)
        speaking = active.any(axis=0)
        return Diarization(turns=tuple(self._turns(winner, speaking)), backend=self.name)

    def _activity(self, channel: np.ndarray, n_frames: int) -> np.ndarray:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        options = VadOptions(
            threshold=self.vad_threshold,
            min_silence_duration_ms=int(self.vad_min_silence_s * 1000),
            speech_pad_ms=int(self.vad_pad_s * 1000),
        )
        mask = np.zeros(n_frames, dtype=bool)
        for span in get_speech_timestamps(np.ascontiguousarray(channel, dtype=np.float32), options):
            mask[span["start"] // _FRAME : -(-span["end"] // _FRAME)] = True
        return mask

    def _above_leak_level(self, energy_db: np.ndarray, active: np.ndarray) -> np.ndarray:
        if not active.any():
            return active
        return energy_db >= np.percentile(energy_db[active], 90) - self.leak_db

    @staticmethod
    def _energy(channel: np.ndarray, n_frames: int, window_s: float) -> np.ndarray:
        """Frame energy in dB, averaged over ``window_s``."""
        frames = channel[: n_frames * _FRAME].reshape(n_frames, _FRAME).astype(np.float64)
        power = np.mean(frames**2, axis=1)
        width = max(1, int(window_s * _RATE / _FRAME))
        smoothed = np.convolve(power, np.ones(width) / width, mode="same")
        return 10 * np.log10(smoothed + 1e-12)

    def _turns(self, winner: np.ndarray, speaking: np.ndarray) -> list[SpeakerTurn]:
        runs = frame_runs(winner, speaking, _FRAME / _RATE)
        # Short flickers inside the other party's speech are energy noise, not turns.
        runs = [r for r in runs if r[1] - r[0] >= self.min_turn_s]
        merged = merge_close(runs, self.fill_gap_s)
        return [SpeakerTurn(round(s, 3), round(e, 3), speaker_label(ch)) for s, e, ch in merged]
