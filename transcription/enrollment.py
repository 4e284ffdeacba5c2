"""Seller voice enrolment: reference recordings per seller, compared with each diarized speaker.

Layout: ``<folder>/<seller_id>/*.wav`` (any format ``load_audio`` reads). Each seller's voice is
the mean resemblyzer embedding of their reference speech; a call's speakers are scored by the
cosine similarity of their own speech to it. Role assignment decides what a score means.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from transcription.audio import AUDIO_EXTENSIONS, SAMPLE_RATE, Audio, Waveform, load_audio
from transcription.errors import TranscriptionError
from transcription.types import SpeakerTurn

__all__ = ["SellerEnrollment"]

logger = logging.getLogger(__name__)

_MAX_SPEECH_S = 120.0
"""Speech per speaker that is embedded; more changes the mean voice very little."""


class SellerEnrollment:
    """Loads the encoder once and each seller's enrolled voice on first use."""

    def __init__(self, folder: str | Path):
        from transcription.diarization.encoder import SpeakerEncoder

        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise TranscriptionError(f"{self.folder}: seller enrolment folder does not exist")
        self._encoder = SpeakerEncoder()
        self._voices: dict[str, np.ndarray | None] = {}

    def sellers(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and _recordings(p))

    def voice(self, seller_id: str) -> np.ndarray | None:
        """The enrolled voice of ``seller_id``, or None when there are no reference recordings."""
        if seller_id not in self._voices:
            self._voices[seller_id] = self._enroll(seller_id)
        return self._voices[seller_id]

    def voice_similarity(self, audio: Audio, turns: tuple[SpeakerTurn, ...] | list[SpeakerTurn], seller_id: str) -> dict[str, float]:
        """Cosine similarity in [-1, 1] of each speaker's speech to the seller's enrolled voice;
        empty when the seller is not enrolled. Speakers with under half a second of speech are left out."""
        voice = self.voice(seller_id)
        if voice is None:
            return {}
        samples = audio.mono()
        scores = {}
        for speaker in dict.fromkeys(t.speaker for t in turns):
            speech = _speech_of(samples, [t for t in turns if t.speaker == speaker])
            embedding = self._encoder.embed_voice(speech)
            if embedding is not None:
                scores[speaker] = float(embedding @ voice)
        return scores

    def _enroll(self, seller_id: str) -> np.ndarray | None:
        folder = self.folder / seller_id
        if not folder.is_dir() or Path(seller_id).name != seller_id:
            return None
        embeddings = [
            e for e in (self._encoder.embed_voice(load_audio(p).mono()) for p in _recordings(folder)) if e is not None
        ]
        if not embeddings:
            return None
        mean = np.mean(embeddings, axis=0)
        logger.info("enrolled seller %s from %d recordings", seller_id, len(embeddings))
        return mean / max(float(np.linalg.norm(mean)), 1e-9)


def _recordings(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)


def _speech_of(samples: Waveform, turns: list[SpeakerTurn]) -> np.ndarray:
    pieces, total = [], 0
    limit = int(_MAX_SPEECH_S * SAMPLE_RATE)
    for turn in sorted(turns, key=lambda t: t.duration, reverse=True):
        piece = samples[int(turn.start * SAMPLE_RATE) : int(turn.end * SAMPLE_RATE)]
        pieces.append(piece[: limit - total])
        total += len(pieces[-1])
        if total >= limit:
            break
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
