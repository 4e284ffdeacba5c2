"""Typed results of the transcription stage. Light: no audio or model imports.

Everything downstream (``analysis/``, ``warehouse/``) consumes these, so they stay plain
dataclasses that serialize to JSON-ready dicts and back.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Word:
    """One recognised word. Times are seconds from the start of the recording."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str | None = None

    def serialize(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Word":
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            text=str(d.get("text", d.get("word", ""))),
            probability=float(d.get("probability", d.get("score", 1.0))),
            speaker=d.get("speaker"),
        )


@dataclass(frozen=True)
class Segment:
    """A stretch of words as the recogniser emitted them (before speaker attribution)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def serialize(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "words": [w.serialize() for w in self.words],
        }


@dataclass(frozen=True)
class Transcript:
    """ASR output for one audio channel (or the mono mix)."""

    segments: tuple[Segment, ...]
    language: str
    duration: float
    channel: int | None = None

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    def serialize(self) -> dict:
        return {
            "language": self.language,
            "duration": self.duration,
            "channel": self.channel,
            "segments": [s.serialize() for s in self.segments],
        }


@dataclass(frozen=True)
class SpeakerTurn:
    """One speaker speaking from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Utterance:
    """Contiguous speech of one speaker: the unit that analysis labels."""

    speaker: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = field(default=())

    @property
    def duration(self) -> float:
        return self.end - self.start

    def serialize(self) -> dict:
        return {
            "speaker": self.speaker,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "words": [w.serialize() for w in self.words],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Utterance":
        return cls(
            speaker=str(d["speaker"]),
            start=float(d["start"]),
            end=float(d["end"]),
            text=str(d["text"]).strip(),
            words=tuple(Word.from_dict(w) for w in d.get("words") or ()),
        )
