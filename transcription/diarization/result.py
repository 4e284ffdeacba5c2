"""The diarization result every backend returns."""
from __future__ import annotations

from dataclasses import dataclass

from transcription.types import SpeakerTurn

__all__ = ["Diarization", "speaker_label"]


def speaker_label(index: int) -> str:
    """``SPEAKER_00``, ``SPEAKER_01``, ...: the labels every backend uses."""
    return f"SPEAKER_{index:02d}"


@dataclass(frozen=True)
class Diarization:
    """Who speaks when: speaker turns sorted by start, and the backend used.

    ``turns`` overlap where two people talk at once (only backends that detect overlap, such as
    ``channels``, produce that). ``exclusive`` gives every moment of speech to one speaker (the
    dominant one); it is None when ``turns`` never overlap, and :attr:`exclusive_turns` is the
    view to attribute words with."""

    turns: tuple[SpeakerTurn, ...]
    backend: str
    exclusive: tuple[SpeakerTurn, ...] | None = None

    @property
    def exclusive_turns(self) -> tuple[SpeakerTurn, ...]:
        """One speaker at a time: the view words are aligned to."""
        return self.turns if self.exclusive is None else self.exclusive

    @property
    def speakers(self) -> list[str]:
        """Distinct speaker labels, in order of first appearance."""
        return list(dict.fromkeys(t.speaker for t in self.turns))

    def to_rttm(self, uri: str) -> str:
        """NIST RTTM lines (``SPEAKER uri 1 onset duration <NA> <NA> speaker <NA> <NA>``)."""
        file_id = "_".join(uri.split()) or "audio"
        return "".join(
            f"SPEAKER {file_id} 1 {t.start:.3f} {t.duration:.3f} <NA> <NA> {t.speaker} <NA> <NA>\n"
            for t in self.turns
        )

    def serialize(self) -> dict:
        out = {"backend": self.backend, "turns": _turn_dicts(self.turns)}
        if self.exclusive is not None:
            out["exclusive"] = _turn_dicts(self.exclusive)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Diarization":
        exclusive = d.get("exclusive")
        return cls(
            turns=_turns_from(d["turns"]),
            backend=str(d["backend"]),
            exclusive=None if exclusive is None else _turns_from(exclusive),
        )

    @classmethod
    def from_labelled_segments(cls, segments: list[tuple[float, float, object]], backend: str) -> "Diarization":
        """Sort segments, merge touching ones of one speaker, relabel speakers by first appearance."""
        ordered = sorted((s for s in segments if s[1] > s[0]), key=lambda s: (s[0], s[1]))
        labels: dict[object, str] = {}
        turns: list[SpeakerTurn] = []
        for start, end, who in ordered:
            label = labels.setdefault(who, speaker_label(len(labels)))
            if turns and turns[-1].speaker == label and start <= turns[-1].end + 1e-6:
                turns[-1] = SpeakerTurn(turns[-1].start, max(end, turns[-1].end), label)
            else:
                turns.append(SpeakerTurn(float(start), float(end), label))
        return cls(turns=tuple(turns), backend=backend)


def _turn_dicts(turns: tuple[SpeakerTurn, ...]) -> list[dict]:
    return [{"start": t.start, "end": t.end, "speaker": t.speaker} for t in turns]


def _turns_from(rows: list[dict]) -> tuple[SpeakerTurn, ...]:
    return tuple(SpeakerTurn(float(t["start"]), float(t["end"]), str(t["speaker"])) for t in rows)
