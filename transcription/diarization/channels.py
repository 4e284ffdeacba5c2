"""Diarization of dialer recordings that put one party on each channel.

The speaker is the channel; the work is deciding, in each channel, which speech is that party's
own and which is the other party's voice leaking in (line echo, handset bleed). Steps:

1. Speech per channel: Silero VAD probabilities (bundled with faster-whisper) with hysteresis,
   tuned for 8 kHz telephone audio, so a quiet party's speech is found as well as a loud one's.
2. The bleed path from the other channel into this one, measured once per call where the other
   party clearly dominates: its delay (peak of the cross-correlation at lags up to
   ``max_bleed_delay_s``) and its level (median power ratio at that delay).
3. Per 10 ms frame, this party's own power is what the bleed does not explain: the channel's
   power minus the expected bleed (level ratio) and minus the part that correlates with the
   delayed other channel (correlation at the bleed lag); the smaller of the two counts. A frame is
   the party's speech when the VAD hears speech and the own power clears both the noise floor and
   the expected bleed. Both parties can therefore speak at once: real overlap is kept.
4. A party's pauses shorter than ``fill_gap_s`` are filled when the other party does not speak in
   them, as annotators mark a turn; flickers shorter than ``min_turn_s`` are dropped.

``Diarization.turns`` may overlap (both talking). ``Diarization.exclusive`` gives each moment to
the party with the stronger own speech; words are aligned to that view, so each word has exactly
one speaker.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transcription.audio import Waveform
from transcription.diarization.frames import frame_runs, merge_close
from transcription.diarization.result import Diarization, speaker_label
from transcription.errors import DiarizationError
from transcription.types import SpeakerTurn

__all__ = ["ChannelDiarizer", "ChannelOptions"]

_RATE = 16000
_FRAME = 160  # 10 ms
_VAD_CHUNK = 512  # Silero's window at 16 kHz


@dataclass(frozen=True)
class ChannelOptions:
    vad_onset: float = 0.25
    vad_offset: float = 0.12
    """Speech starts where the VAD probability reaches ``vad_onset`` and lasts while it stays
    above ``vad_offset``."""
    own_over_noise_db: float = 6.0
    own_over_bleed_db: float = 3.0
    """A frame is the party's own speech when its own power (bleed removed) is this far above
    the channel's noise floor and above the expected bleed."""
    extend_s: float = 0.5
    """Speech runs extend into adjacent frames whose own power clears the noise test (soft word
    endings and onsets the VAD misses), up to this far each way."""
    max_bleed_delay_s: float = 0.25
    fill_gap_s: float = 2.0
    """A party's pauses shorter than this are part of the turn unless the other party speaks."""
    min_turn_s: float = 0.15
    pad_s: float = 0.05


class ChannelDiarizer:
    """Speaker per channel: channel ``i`` is ``SPEAKER_0i``, whoever speaks first."""

    name = "channels"

    def __init__(self, options: ChannelOptions = ChannelOptions()):
        self.options = options

    def diarize(self, audio, *, num_speakers=None, min_speakers=None, max_speakers=None) -> Diarization:
        """Speaker-count hints are ignored: the channel count is the speaker count."""
        if audio.channels < 2:
            raise DiarizationError(
                f"{audio.path}: channels diarization needs a recording with one party per channel, "
                "and this one is mono"
            )
        return self.diarize_channels([audio.channel(0), audio.channel(1)])

    def diarize_channels(self, channels: Sequence[Waveform]) -> Diarization:
        """Diarize two channels at 16 kHz, each read a block at a time."""
        if len(channels) != 2:
            raise DiarizationError(f"channels diarization needs two channels, got {len(channels)}")
        n_frames = min(len(ch) for ch in channels) // _FRAME
        if n_frames == 0:
            return Diarization(turns=(), backend=self.name)
        x = [ch.head(n_frames * _FRAME) for ch in channels]
        speech = np.stack([self._speech(ch, n_frames) for ch in x])
        power = np.stack([_smooth(_frame_sums(ch, ch, 0)) / _FRAME for ch in x])
        noise = np.array([_noise_floor(p, s) for p, s in zip(power, speech)])
        own = np.stack([self._own_power(x, power, speech, noise, c) for c in (0, 1)])
        opts = self.options
        audible = own >= noise[:, None] * _db(opts.own_over_noise_db)
        active = np.stack([_grow(speech[c] & audible[c], audible[c], opts.extend_s) for c in (0, 1)])
        active = np.stack([_grow(a, np.ones_like(a), opts.pad_s) for a in active])
        active = np.stack([self._fill(active[c], active[1 - c]) for c in (0, 1)])
        turns = [t for c in (0, 1) for t in self._turns(active[c], c)]
        dominant = np.where(active[1] & (~active[0] | (own[1] > own[0])), 1, 0)
        exclusive = self._exclusive(dominant, active.any(axis=0))
        return Diarization(turns=tuple(sorted(turns, key=lambda t: (t.start, t.end))), backend=self.name,
                           exclusive=tuple(exclusive))

    def _speech(self, channel: Waveform, n_frames: int) -> np.ndarray:
        """Frames the VAD hears as speech (anyone's: bleed is speech too), with hysteresis."""
        from transcription.vad import ZeroPadded, share_silero_vad

        probs = share_silero_vad()(ZeroPadded(channel, -len(channel) % _VAD_CHUNK)).reshape(-1)
        chunk_of_frame = np.minimum((np.arange(n_frames) * _FRAME + _FRAME // 2) // _VAD_CHUNK, len(probs) - 1)
        prob = probs[chunk_of_frame]
        active = np.zeros(n_frames, dtype=bool)
        on = False
        for f in range(n_frames):
            on = prob[f] >= (self.options.vad_offset if on else self.options.vad_onset)
            active[f] = on
        return active

    def _own_power(self, x: Sequence[Waveform], power: np.ndarray, speech: np.ndarray, noise: np.ndarray, c: int) -> np.ndarray:
        """Channel ``c``'s power per frame that the other channel's bleed does not explain."""
        o = 1 - c
        dominated = speech[o] & (power[o] > 10.0 * power[c])
        if dominated.sum() < 50:
            return power[c]
        delay = self._bleed_delay(x[c], x[o], dominated)
        other = _smooth(_frame_sums(x[o], x[o], delay, delay)) / _FRAME
        usable = dominated & (other > 0)
        if usable.sum() < 50:
            return power[c]
        ratio = float(np.median(np.maximum(power[c][usable] - noise[c], 0.0) / other[usable]))
        expected = ratio * other
        own = np.maximum(power[c] - expected, 0.0)
        # Where this channel is quieter than the other party's voice, the part of it that is a
        # copy of that voice (coherent at the bleed delay) is bleed too, whatever its level.
        cross = _smooth(_frame_sums(x[c], x[o], 0, delay)) / _FRAME
        coherence = np.clip(cross**2 / np.maximum(power[c] * other, 1e-20), 0.0, 1.0)
        own = np.where(power[c] < other, np.minimum(own, power[c] * (1.0 - coherence)), own)
        return np.where(own >= expected * _db(self.options.own_over_bleed_db), own, 0.0)

    def _bleed_delay(self, mine: Waveform, theirs: Waveform, dominated: np.ndarray) -> int:
        """Lag (samples, up to ``max_bleed_delay_s``) at which the other channel best matches
        this one, over at most a minute of the stretches where the other party dominates."""
        from scipy.signal import fftconvolve

        max_lag = int(self.options.max_bleed_delay_s * _RATE)
        corr = np.zeros(max_lag + 1)
        budget = 60 * _RATE // _FRAME
        for start, end, _ in frame_runs(dominated.astype(int), dominated, 1.0):
            a, b = int(start) * _FRAME, int(min(end, start + budget)) * _FRAME
            reference = theirs[max(0, a - max_lag) : b].astype(np.float64)
            reference = np.concatenate([np.zeros(max(0, max_lag - a)), reference])
            # valid[m] = sum_t mine[a + t] * reference[m + t], and reference[m + t] = theirs[a + t - (max_lag - m)]
            corr += fftconvolve(reference, mine[a:b][::-1].astype(np.float64), mode="valid")[::-1]
            budget -= int(min(end, start + budget)) - int(start)
            if budget <= 0:
                break
        return int(np.argmax(np.abs(corr)))

    def _fill(self, mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
        """Fill this party's short pauses in which the other party does not speak."""
        filled = mine.copy()
        limit = round(self.options.fill_gap_s * _RATE / _FRAME)
        starts = np.flatnonzero(mine[1:] & ~mine[:-1]) + 1
        ends = np.flatnonzero(mine[:-1] & ~mine[1:]) + 1
        for end in ends:
            later = starts[starts > end]
            if len(later) and later[0] - end < limit and not theirs[end : later[0]].any():
                filled[end : later[0]] = True
        return filled

    def _turns(self, active: np.ndarray, channel: int) -> list[SpeakerTurn]:
        runs = frame_runs(active.astype(int), active, _FRAME / _RATE)
        return [SpeakerTurn(round(s, 3), round(e, 3), speaker_label(channel)) for s, e, _ in runs
                if e - s >= self.options.min_turn_s]

    def _exclusive(self, dominant: np.ndarray, speaking: np.ndarray) -> list[SpeakerTurn]:
        runs = merge_close(frame_runs(dominant, speaking, _FRAME / _RATE), self.options.fill_gap_s)
        return [SpeakerTurn(round(s, 3), round(e, 3), speaker_label(ch)) for s, e, ch in runs]


def _grow(active: np.ndarray, allowed: np.ndarray, seconds: float) -> np.ndarray:
    """Extend each active run into neighbouring ``allowed`` frames, at most ``seconds`` each way."""
    grown = active.copy()
    for _ in range(round(seconds * _RATE / _FRAME)):
        step = grown.copy()
        step[1:] |= grown[:-1]
        step[:-1] |= grown[1:]
        step &= allowed
        if (step == grown).all():
            break
        grown = step | grown
    return grown


def _frame_sums(a: Waveform, b: Waveform, shift_a: int, shift_b: int | None = None) -> np.ndarray:
    """Per 10 ms frame ``f``: sum over its samples ``t`` of ``a[t - shift_a] * b[t - shift_b]``
    (zero before the start), in float64, a block at a time so long calls need no big copies."""
    shift_b = shift_a if shift_b is None else shift_b
    n = min(len(a), len(b)) // _FRAME
    out = np.empty(n)
    block = 6000  # frames (a minute)
    for f in range(0, n, block):
        g = min(n, f + block)
        out[f:g] = np.einsum("ij,ij->i", *(
            _shifted(v, shift, f * _FRAME, g * _FRAME).reshape(-1, _FRAME) for v, shift in ((a, shift_a), (b, shift_b))
        ))
    return out


def _shifted(v: Waveform, shift: int, start: int, stop: int) -> np.ndarray:
    """``v[start - shift : stop - shift]`` in float64, zeros before ``v`` begins."""
    lo = start - shift
    part = v[max(0, lo) : stop - shift].astype(np.float64)
    return np.concatenate([np.zeros(max(0, -lo)), part]) if lo < 0 else part


def _smooth(values: np.ndarray, width: int = 3) -> np.ndarray:
    return np.convolve(values, np.ones(width) / width, mode="same")


def _noise_floor(power: np.ndarray, speech: np.ndarray) -> float:
    quiet = power[~speech] if (~speech).sum() >= 10 else power
    return max(float(np.median(quiet)), 1e-10)


def _db(value: float) -> float:
    return 10 ** (value / 10)
