"""Audio in, speaker-attributed transcript out: ASR, diarization and word alignment for one call."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from transcription.alignment import assign_speakers, build_utterances
from transcription.asr import AsrOptions, SpeechRecognizer
from transcription.audio import Audio
from transcription.diarization import Diarization, SpeakerCountHints, make_diarizer, speaker_label
from transcription.errors import DiarizationError
from transcription.runtime import release_free_memory
from transcription.types import SpeakerTurn, Transcript, Utterance, Word
from transcription.vad import share_silero_vad

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
    pii_redactions: int | None = None  # values replaced by placeholders; None: not redacted

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
            "pii_redactions": self.pii_redactions,
            "turns": [{"start": t.start, "end": t.end, "speaker": t.speaker} for t in self.turns],
            "utterances": [u.serialize() for u in self.utterances],
        }


class CallTranscriber:
    """Loads the ASR model and the diarization backends a run may use, once; ``process`` runs one call."""

    def __init__(
        self,
        asr: AsrOptions = AsrOptions(),
        backends: Sequence[str] = ("embedded",),
        pyannote_pipeline: str | None = None,
        hf_token: str | None = None,
        device: str = "auto",
    ):
        # Diarization first: a missing or broken pyannote folder fails before the ASR model loads.
        self._diarizers = {
            name: make_diarizer(name, pyannote_pipeline=pyannote_pipeline, hf_token=hf_token, device=device)
            for name in backends
        }
        self.recognizer = SpeechRecognizer(asr)
        # The ASR's VAD, its check for unheard speech and the diarizer hear the same samples.
        self.vad = share_silero_vad()

    def process(
        self,
        audio: Audio,
        *,
        backend: str,
        seller_channel: int | None = None,
        speakers: SpeakerCountHints = SpeakerCountHints(),
    ) -> SpeakerTranscript:
        """Transcribe and diarize one call with ``backend`` (one of those loaded).

        ``seller_channel`` (0 = left) names the seller's side of a stereo dialer recording; with
        the ``channels`` backend that channel's speaker is the seller.
        """
        self.diarizer(backend)
        return self.attribute(audio, self.transcribe(audio), backend=backend,
                              seller_channel=seller_channel, speakers=speakers)

    def transcribe(self, audio: Audio) -> Transcript:
        """The ASR stage of :meth:`process`: the words of the call, with their timestamps.

        One ASR pass over the mix, even for stereo: per-channel passes cost twice as much and
        lose words when Whisper skips a channel that is mostly the other party's bleed. The
        channel turns (exact, from energy) then say who spoke each word.
        """
        return self.recognizer.transcribe(audio.mono())

    def attribute(
        self,
        audio: Audio,
        transcript: Transcript,
        *,
        backend: str,
        seller_channel: int | None = None,
        speakers: SpeakerCountHints = SpeakerCountHints(),
    ) -> SpeakerTranscript:
        """The rest of :meth:`process`: diarize ``audio`` and give each word of ``transcript`` its speaker."""
        diarization = self.diarizer(backend).diarize(
            audio, num_speakers=speakers.num_speakers, min_speakers=speakers.min_speakers,
            max_speakers=speakers.max_speakers,
        )
        release_free_memory()
        words = assign_speakers(transcript.words, diarization.exclusive_turns)
        channel_split = backend == "channels" and seller_channel is not None
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

    def diarizer(self, backend: str):
        """The loaded diarizer ``backend``; a backend this transcriber did not load is an error."""
        diarizer = self._diarizers.get(backend)
        if diarizer is None:
            raise DiarizationError(f"diarization backend '{backend}' is not loaded (loaded: {', '.join(self._diarizers)})")
        return diarizer
