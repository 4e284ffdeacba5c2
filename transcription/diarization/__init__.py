"""Who speaks when: one interface (``diarize(audio, *, num_speakers, min_speakers, max_speakers)``)
and four backends: ``channels`` (stereo, one party per channel), ``pyannote`` (a pyannote.audio
pipeline), ``embedded`` (offline default for mono) and ``auto`` (picks one per call)."""
from transcription.diarization.base import Diarizer, SpeakerCountHints
from transcription.diarization.channels import ChannelDiarizer
from transcription.diarization.embedded import EmbeddedDiarizer, EmbeddedOptions
from transcription.diarization.factory import BACKENDS, AutoDiarizer, choose_backend, make_diarizer
from transcription.diarization.pyannote_backend import PyannoteDiarizer
from transcription.diarization.result import Diarization, speaker_label

__all__ = [
    "AutoDiarizer",
    "BACKENDS",
    "ChannelDiarizer",
    "Diarization",
    "Diarizer",
    "EmbeddedDiarizer",
    "EmbeddedOptions",
    "PyannoteDiarizer",
    "SpeakerCountHints",
    "choose_backend",
    "make_diarizer",
    "speaker_label",
]
