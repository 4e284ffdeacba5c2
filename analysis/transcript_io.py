"""Read transcripts made elsewhere: our utterance JSON, or a WhisperX-style segment list.

Ours: ``{"utterances": [{"speaker", "start", "end", "text", "words"?}], "duration": seconds}``.
WhisperX: ``{"segments": [{"start", "end", "text", "speaker", "words"}]}``; consecutive segments
of one speaker merge into one utterance, and a segment without a speaker takes its words' majority.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError
from transcription.types import Utterance, Word

UNKNOWN_SPEAKER = "SPEAKER_UNKNOWN"


@dataclass(frozen=True)
class LoadedTranscript:
    utterances: tuple[Utterance, ...]
    duration_s: float


def load_transcript(path: str | Path) -> LoadedTranscript:
    """Parse a transcript file; every problem is an ``AnalysisError`` naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AnalysisError(f"{path}: not valid JSON: {exc.msg}, line {exc.lineno} column {exc.colno}") from exc
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"{path}: not a UTF-8 text file") from exc
    except RecursionError:
        raise AnalysisError(f"{path}: JSON nested too deeply to be a transcript") from None
    try:
        return parse_transcript(data)
    except AnalysisError as exc:
        raise AnalysisError(f"{path}: {exc}") from exc


def parse_transcript(data: object) -> LoadedTranscript:
    if not isinstance(data, dict):
        raise AnalysisError("expected a JSON object with 'utterances' or 'segments'")
    try:
        if isinstance(data.get("utterances"), list):
            utts = tuple(Utterance.from_dict(d) for d in data["utterances"])
        elif isinstance(data.get("segments"), list):
            utts = _from_segments(data["segments"])
        else:
            raise AnalysisError("expected a JSON object with 'utterances' or 'segments'")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AnalysisError(f"malformed utterance or segment ({type(exc).__name__}: {exc})") from exc
    duration = data.get("duration", data.get("duration_s"))
    try:
        duration_s = float(duration) if duration is not None else max((u.end for u in utts), default=0.0)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"duration is not a number: {duration!r}") from exc
    return LoadedTranscript(utts, duration_s)


def _from_segments(segments: list) -> tuple[Utterance, ...]:
    merged: list[Utterance] = []
    for seg in segments:
        if not isinstance(seg, dict):
            raise TypeError(f"a segment must be an object, not {type(seg).__name__}")
        words = tuple(Word.from_dict(w) for w in seg.get("words") or ()
                      if isinstance(w, dict) and "start" in w and "end" in w)
        speaker = seg.get("speaker") or _majority_speaker(seg.get("words") or ()) or UNKNOWN_SPEAKER
        text = str(seg.get("text", "")).strip()
        if not text:
            continue
        start, end = float(seg["start"]), float(seg["end"])
        if merged and merged[-1].speaker == speaker:
            prev = merged[-1]
            merged[-1] = Utterance(speaker, prev.start, max(prev.end, end), f"{prev.text} {text}", prev.words + words)
        else:
            merged.append(Utterance(str(speaker), start, end, text, words))
    return tuple(merged)


def _majority_speaker(words) -> str | None:
    counts = Counter(w.get("speaker") for w in words if isinstance(w, dict) and w.get("speaker"))
    return counts.most_common(1)[0][0] if counts else None
