"""The interface every diarization backend implements, and speaker-count hints."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from transcription.errors import DiarizationError

if TYPE_CHECKING:
    from transcription.audio import Audio
    from transcription.diarization.result import Diarization

__all__ = ["Diarizer", "SpeakerCountHints", "speaker_range"]


class Diarizer(Protocol):
    name: str

    def diarize(
        self,
        audio: "Audio",
        *,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> "Diarization": ...


@dataclass(frozen=True)
class SpeakerCountHints:
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None


def speaker_range(hints: SpeakerCountHints, ceiling: int) -> tuple[int, int]:
    """The allowed speaker counts (lowest, highest) from the hints; raises on contradictions."""
    for name in ("num_speakers", "min_speakers", "max_speakers"):
        value = getattr(hints, name)
        if value is not None and value < 1:
            raise DiarizationError(f"{name} must be at least 1, got {value}")
    if hints.num_speakers is not None:
        return hints.num_speakers, hints.num_speakers
    lo = hints.min_speakers or 1
    hi = hints.max_speakers or max(ceiling, lo)
    if lo > hi:
        raise DiarizationError(f"min_speakers ({lo}) is greater than max_speakers ({hi})")
    return lo, hi
