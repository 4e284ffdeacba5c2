"""Typed results of the transcription stage. Light: no audio or model imports.

Everything downstream (``analysis/``, ``warehouse/``) consumes these, so they stay plain
dataclasses that serialize to JSON-ready dicts and back.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace


@dataclass(frozen=True)
class Word:
    """One recognised word token. Times are seconds from the start of the recording.

    ``text`` is spaced the way Whisper spaces its tokens: a token that starts a new word carries
    its leading space (" thirty"), one that continues the previous word has none (",000" after
    " $30"). Concatenating tokens (``words_text``) gives the text as said.
    """

    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str | None = None

    @property
    def continues_word(self) -> bool:
        """This token is the rest of the previous word (",000", "'s", "-based")."""
        return bool(self.text) and not self.text[0].isspace()

    def serialize(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Word":
        """Our ``text`` tokens as they are; WhisperX's ``word`` is a whole word, so it gets its space."""
        text = str(d["text"]) if "text" in d else " " + str(d.get("word", "")).strip()
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            text=text,
            probability=float(d.get("probability", d.get("score", 1.0))),
            speaker=d.get("speaker"),
        )


def words_text(words: Iterable[Word]) -> str:
    """The text of consecutive tokens, spaced as the recogniser spaced them ("$30" ",000" -> "$30,000")."""
    return "".join(w.text for w in words).strip()


def whole_words(words: Sequence[Word]) -> list[Word]:
    """Tokens merged into whitespace-separated words (" $30" + ",000" -> " $30,000"), each spanning
    its tokens' times with the lowest token probability."""
    merged: list[Word] = []
    for w in words:
        if merged and w.continues_word:
            prev = merged[-1]
            merged[-1] = replace(
                prev, end=max(prev.end, w.end), text=prev.text + w.text, probability=min(prev.probability, w.probability)
            )
        else:
            merged.append(w)
    return merged


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
