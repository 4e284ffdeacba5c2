"""Audio in, speaker-attributed words out: decode, ASR, diarization, alignment."""
from transcription.errors import AudioDecodeError, DiarizationError, TranscriptionError
from transcription.types import Segment, SpeakerTurn, Transcript, Utterance, Word

__all__ = [
    "AudioDecodeError",
    "DiarizationError",
    "Segment",
    "SpeakerTurn",
    "Transcript",
    "TranscriptionError",
    "Utterance",
    "Word",
]
