"""Helpers for the diarization tests: DER scoring (pyannote.metrics, overlap scored), truth, wav."""
from __future__ import annotations

import json
from pathlib import Path


def der(reference: list[tuple[float, float, str]], turns, collar: float = 0.25) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for start, end, who in reference:
        ref[Segment(start, end)] = who
    for turn in turns:
        hyp[Segment(turn.start, turn.end)] = turn.speaker
    return DiarizationErrorRate(collar=collar)(ref, hyp)


def truth_turns(truth_json: Path) -> list[tuple[float, float, str]]:
    return [(t["start"], t["end"], t["speaker"]) for t in json.loads(Path(truth_json).read_text())["turns"]]


def rttm_turns(rttm: Path) -> list[tuple[float, float, str]]:
    rows = [line.split() for line in Path(rttm).read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows]


def write_wav(path: Path, samples, rate: int = 16000) -> Path:
    """Mono 16-bit PCM wav with the standard library."""
    import wave

    import numpy as np

    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return Path(path)
