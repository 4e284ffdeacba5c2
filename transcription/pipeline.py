"""Audio in, speaker-attributed transcript out: ASR, diarization and word alignment for one call."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from transcription.alignment import assign_speakers, build_utterances
from transcription.asr import AsrOptions, SpeechRecognizer
from transcription.audio import Audio
from transcription.diarization import ChannelDiarizer, Diarization, choose_backend, make_diarizer, speaker_label
from transcription.errors import DiarizationError
from transcription.types import SpeakerTurn, Utterance, Word

__all__ = ["CallTranscriber", "SpeakerTranscript"]

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class SpeakerTranscript:
    """Everything the analysis stage needs about who said what in one call."""

    words: tuple[Word, ...]
    utterances: tuple[Utterance, ...]
    turns: tuple[SpeakerTurn, ...]
    diarization_backend: str
    asr_model: str
    seller_speaker: str | None
    duration: float
    channels: int
    language: str = "en"

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(u.speaker for u in self.utterances))

    @property
    def diarization(self) -> Diarization:
        return Diarization(turns=self.turns, backend=self.diarization_backend)

    def serialize(self) -> dict:
        return {
            "language": self.language,
            "duration": self.duration,
            "channels": self.channels,
            "asr_model": self.asr_model,
            "diarization_backend": self.diarization_backend,
            "seller_speaker": self.seller_speaker,
            "turns": [{"start": t.start, "end": t.end, "speaker": t.speaker} for t in self.turns],
            "utterances": [u.serialize() for u in self.utterances],
        }


class CallTranscriber:
    """Loads the ASR model and the diarization backend(s) once; ``process`` runs one call."""

    def __init__(
        self,
        asr: AsrOptions = AsrOptions(),
        diarization: str = "auto",
        pyannote_pipeline: str | None = None,
        hf_token: str | None = None,
        device: str = "auto",
    ):
        choose_backend(diarization, channels=1, seller_channel=None, pyannote_configured=bool(pyannote_pipeline))
        self.diarization = diarization
        # Diarization first: a missing or broken pyannote folder fails before the ASR model loads.
        diarizer = make_diarizer(diarization, pyannote_pipeline=pyannote_pipeline, hf_token=hf_token, device=device)
        self._backends = getattr(diarizer, "backends", {diarization: diarizer})
        self.recognizer = SpeechRecognizer(asr)

    def process(
        self,
        audio: Audio,
        *,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        seller_channel: int | None = None,
    ) -> SpeakerTranscript:
        """Transcribe and diarize one call. ``seller_channel`` (0 = left) marks a stereo dialer
        recording's seller side; on a mono recording it is ignored."""
        if seller_channel is not None and audio.channels == 1:
            logger.info("%s: mono recording, seller channel %s ignored", audio.path, seller_channel)
            seller_channel = None
        if seller_channel is not None and not 0 <= seller_channel < audio.channels:
            raise DiarizationError(
                f"{audio.path}: seller channel {seller_channel} does not exist in a {audio.channels}-channel recording"
            )
        backend = choose_backend(
            self.diarization,
            channels=audio.channels,
            seller_channel=seller_channel,
            pyannote_configured="pyannote" in self._backends,
        )
        diarizer = self._backends[backend]
        hints = dict(num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers)
        # One ASR pass over the mix, even for stereo: per-channel passes cost twice as much and
        # lose words when Whisper skips a channel that is mostly the other party's bleed. The
        # channel turns (exact, from energy) then say who spoke each word.
        transcript = self.recognizer.transcribe(audio.mono())
        diarization = diarizer.diarize(audio, **hints)
        words = assign_speakers(transcript.words, diarization.turns)
        channel_split = isinstance(diarizer, ChannelDiarizer) and seller_channel is not None
        seller = speaker_label(seller_channel) if channel_split else None
        logger.info("%s: %s diarization, %d speakers, %d words", audio.path, backend,
                    len(diarization.speakers), len(words))
        return SpeakerTranscript(
            words=tuple(words),
            utterances=tuple(build_utterances(words)),
            turns=diarization.turns,
            diarization_backend=diarization.backend,
            asr_model=self.recognizer.name,
            seller_speaker=seller,
            duration=audio.duration,
            channels=audio.channels,
            language=transcript.language,
        )

