"""Test calls built from real recorded speech, with references that are exact by construction.

Sources (provenance and licences in ``tests/data/README.md``): pyannote.audio's ``sample.wav``
(a real two-person phone call, installed with the package), five 30 s AMI meeting clips from
pyannote-audio's test data, and faster-whisper's ``stereo_diarization.wav``.

- :func:`dialer_call`: a stereo dialer recording made from a two-speaker recording and its
  reference: each reference speaker is routed to their own channel (the recording gated by their
  reference turns), the other party's voice bleeds in attenuated and delayed, and each channel is
  band-limited to the telephone band, resampled to 8 kHz and stored as mu-law, as dialers do.
  The reference is the source's.
- :func:`dialogue`: a mono call in which two (or three) real voices take turns; each turn is one
  stretch of a speaker's reference speech that nobody else talks over. The turns are known.

Audio is rendered on the fly (deterministic: seeded noise), so the repository holds only the
source clips.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tests.conftest import PYANNOTE_SAMPLE_DIR
from tests.diarization_helpers import rttm_turns

DATA = Path(__file__).resolve().parent / "data"
RATE = 16000
TELEPHONE_RATE = 8000

Turns = list[tuple[float, float, str]]


@dataclass(frozen=True)
class Recording:
    """A real mono recording at 16 kHz and its reference speaker turns."""

    name: str
    samples: np.ndarray
    turns: Turns

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(who for _, _, who in sorted(self.turns)))


@cache
def pyannote_sample() -> Recording:
    return _recording("pyannote sample.wav", PYANNOTE_SAMPLE_DIR / "sample.wav", rttm_turns(PYANNOTE_SAMPLE_DIR / "sample.rttm"))


@cache
def ami(uri: str) -> Recording:
    """One of the AMI clips under ``tests/data/ami`` (``dev00``, ``dev01``, ``trn03``, ``trn05``, ``trn06``)."""
    return _recording(f"AMI {uri}", DATA / "ami" / f"{uri}.flac", rttm_turns(DATA / "ami" / "ami.rttm", uri=uri))


def faster_whisper_stereo() -> tuple[Path, Turns]:
    """faster-whisper's 5 s stereo test file (one reader per channel, talking at once) and our reference."""
    folder = DATA / "faster-whisper"
    return folder / "stereo_diarization.flac", rttm_turns(folder / "stereo_diarization.rttm")


def _recording(name: str, path: Path, turns: Turns) -> Recording:
    from transcription.audio import load_audio

    return Recording(name, np.asarray(load_audio(path).mono(), dtype=np.float64), turns)


# ---------------------------------------------------------------- stereo dialer calls


@dataclass(frozen=True)
class DialerVariant:
    name: str
    levels_dbfs: tuple[float, float] = (-20.0, -20.0)
    """Speech level (RMS over their own turns) of the party on the left and on the right."""
    bleed_db: float = -25.0
    """Level of a party's voice in the other channel, relative to their own channel."""
    delay_ms: float = 30.0
    noise_dbfs: float = -60.0


DIALER_VARIANTS = (
    DialerVariant("bleed -25 dB"),
    DialerVariant("quiet right party", levels_dbfs=(-18.0, -36.0), bleed_db=-24.0, delay_ms=22.0),
    DialerVariant("loud bleed", bleed_db=-14.0, delay_ms=45.0, noise_dbfs=-55.0),
)


def dialer_call(source: Recording, variant: DialerVariant, path: Path,
                parties: tuple[str, str] | None = None) -> Turns:
    """Write ``source`` as a stereo 8 kHz mu-law dialer call to ``path`` (a .wav); returns the
    reference turns. ``parties`` (left, right) defaults to the first two speakers to talk; a
    party who never speaks in ``source`` leaves their channel with the other's bleed only."""
    import soundfile
    from scipy.signal import resample_poly

    first, second = parties or source.speakers[:2]
    masks = [_speaker_mask(source, who) for who in (first, second)]
    own = [source.samples * mask * _gain(source.samples, mask, level) for mask, level in zip(masks, variant.levels_dbfs)]
    echo_path = _echo_path(variant)
    rng = np.random.default_rng(_seed(source.name, variant.name))
    channels = []
    for c in (0, 1):
        bleed = np.convolve(own[1 - c], echo_path)[: len(own[c])]
        noise = max(10 ** (variant.noise_dbfs / 20), 1.4 * _room_level(own[c], masks[c]))
        mixed = own[c] + bleed + rng.normal(0.0, noise, len(bleed))
        channels.append(resample_poly(_telephone_band(mixed), 1, RATE // TELEPHONE_RATE))
    soundfile.write(str(path), np.clip(np.stack(channels, axis=1), -1, 1), TELEPHONE_RATE, subtype="ULAW")
    return [t for t in source.turns if t[2] in (first, second)]


def _echo_path(variant: DialerVariant) -> np.ndarray:
    """The other party's path into a channel: the delay, then a direct tap and two weaker
    reflections (2.5 and 6 ms later), scaled so the bleed's power is ``bleed_db``."""
    delay = round(variant.delay_ms * RATE / 1000)
    taps = np.zeros(delay + round(0.006 * RATE) + 1)
    taps[[delay, delay + round(0.0025 * RATE), delay + round(0.006 * RATE)]] = [1.0, -0.45, 0.25]
    return taps * 10 ** (variant.bleed_db / 20) / np.linalg.norm(taps)


def _speaker_mask(source: Recording, who: str) -> np.ndarray:
    """1 inside ``who``'s reference turns, 0 elsewhere, with 10 ms fades."""
    mask = np.zeros(len(source.samples))
    for start, end, speaker in source.turns:
        if speaker == who:
            mask[round(start * RATE) : round(end * RATE)] = 1.0
    fade = np.hanning(2 * RATE // 100 + 1)
    return np.minimum(np.convolve(mask, fade / fade.sum(), mode="same"), 1.0)


def _room_level(samples: np.ndarray, mask: np.ndarray) -> float:
    """RMS of the quietest tenth of 10 ms frames inside the party's turns: the source room's
    noise, which gating carries along. The line noise is set above it, so the gate leaves no
    step in the noise floor at the reference turn edges for a detector to find."""
    inside = samples[mask > 0.99]
    if len(inside) < 1600:
        return 0.0
    frames = inside[: len(inside) // 160 * 160].reshape(-1, 160)
    return float(np.sqrt(np.percentile(np.mean(frames**2, axis=1), 10)))


def _gain(samples: np.ndarray, mask: np.ndarray, level_dbfs: float) -> float:
    if not (mask > 0.5).any():
        return 0.0
    rms = np.sqrt(np.mean(samples[mask > 0.5] ** 2))
    return 10 ** (level_dbfs / 20) / max(rms, 1e-9)


def _telephone_band(samples: np.ndarray) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    return sosfilt(butter(4, [300, 3400], btype="bandpass", fs=RATE, output="sos"), samples)


def _seed(*parts: str) -> int:
    import zlib

    return zlib.crc32("/".join(parts).encode())


# ---------------------------------------------------------------- mono dialogues


@dataclass(frozen=True)
class Voice:
    """One real speaker: their reference speech that nobody else talks over, in pieces."""

    name: str
    pieces: tuple[np.ndarray, ...]


def voice(who: str, *sources: Recording, min_s: float = 0.8, max_s: float = 4.0) -> Voice:
    """Stretches of ``who``'s speech in ``sources`` that no other speaker overlaps; stretches
    over ``max_s`` are cut at their quietest 10 ms near the middle."""
    pieces = []
    for source in sources:
        for start, end in _solo_spans(source, who):
            pieces.extend(_cut(source.samples[round(start * RATE) : round(end * RATE)], max_s))
    return Voice(who, tuple(p for p in pieces if len(p) >= min_s * RATE))


def _solo_spans(source: Recording, who: str) -> list[tuple[float, float]]:
    from pyannote.core import Annotation, Segment

    ref = Annotation()
    for start, end, speaker in source.turns:
        ref[Segment(start, end)] = speaker
    others = ref.subset([who], invert=True).get_timeline().support()
    solo = ref.label_timeline(who).support().extrude(others)
    return [(s.start, s.end) for s in solo]


def _cut(samples: np.ndarray, max_s: float) -> list[np.ndarray]:
    if len(samples) <= max_s * RATE:
        return [samples]
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    energy = np.mean(frames**2, axis=1)
    n = len(energy)
    middle = n // 4 + int(np.argmin(energy[n // 4 : 3 * n // 4]))
    cut = middle * 160 + 80
    return _cut(samples[:cut], max_s) + _cut(samples[cut:], max_s)


@dataclass(frozen=True)
class Dialogue:
    name: str
    samples: np.ndarray
    """Mono, 16 kHz."""
    turns: Turns

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(who for _, _, who in self.turns))

    def write(self, path: Path, telephone: bool = True) -> Path:
        """A wav: 8 kHz mu-law after the telephone band (default), or 16 kHz PCM."""
        import soundfile
        from scipy.signal import resample_poly

        if not telephone:
            soundfile.write(str(path), np.clip(self.samples, -1, 1), RATE, subtype="PCM_16")
            return path
        narrow = resample_poly(_telephone_band(self.samples), 1, RATE // TELEPHONE_RATE)
        soundfile.write(str(path), np.clip(narrow, -1, 1), TELEPHONE_RATE, subtype="ULAW")
        return path


def dialogue(name: str, voices: list[Voice], *, gap_s: tuple[float, float] = (0.15, 0.7),
             level_dbfs: float = -22.0, noise_dbfs: float = -60.0) -> Dialogue:
    """The voices take turns in order (A B A B ..., or A B C A B C ...), one piece per turn,
    until a voice runs out; silences between turns are drawn from ``gap_s``."""
    rng = np.random.default_rng(_seed(name))
    gains = [10 ** (level_dbfs / 20) / np.sqrt(np.mean(np.concatenate(v.pieces) ** 2)) for v in voices]
    parts, turns, t = [np.zeros(round(0.5 * RATE))], [], 0.5
    for i in range(min(len(v.pieces) for v in voices)):
        for v, gain in zip(voices, gains):
            piece = v.pieces[i] * gain
            turns.append((round(t, 4), round(t + len(piece) / RATE, 4), v.name))
            gap = round(rng.uniform(*gap_s) * RATE)
            parts += [piece, np.zeros(gap)]
            t += (len(piece) + gap) / RATE
    samples = np.concatenate(parts + [np.zeros(RATE // 2)])
    samples += rng.normal(0.0, 10 ** (noise_dbfs / 20), len(samples))
    return Dialogue(name, samples.astype(np.float32), turns)


@cache
def real_voices() -> dict[str, Voice]:
    """Seven real voices: the two women of pyannote's sample call, and five AMI speakers."""
    sample = pyannote_sample()
    dev = (ami("dev00"), ami("dev01"))
    voices = [voice(who, sample) for who in sample.speakers] + [
        voice("MEE009", *dev), voice("MEE012", *dev), voice("MÉO069", ami("trn03")),
        voice("FEE078", ami("trn05")), voice("FEE083", ami("trn06")),
    ]
    return {v.name: v for v in voices}


def voice_dialogue(*names: str) -> Dialogue:
    voices = real_voices()
    return dialogue(" / ".join(names), [voices[n] for n in names])


@cache
def mono_dialogues() -> tuple[Dialogue, ...]:
    """Two-party calls of two similar voices (same sex), and one three-party call."""
    return (
        voice_dialogue("speaker91", "speaker90"),
        voice_dialogue("FEE078", "FEE083"),
        voice_dialogue("MEE009", "MÉO069"),
        voice_dialogue("MEE012", "MEE009"),
        voice_dialogue("MEE009", "MEE012", "FEE083"),
    )
