"""Who speaks when: one interface (``diarize(audio, *, num_speakers, min_speakers, max_speakers)``)
and three backends: ``channels`` (stereo, one party per channel), ``pyannote`` (a pyannote.audio
pipeline) and ``embedded`` (offline default for mono); ``choose_backend`` applies the ``auto`` rule
per call."""
from transcription.diarization.base import Diarizer, SpeakerCountHints
from transcription.diarization.channels import ChannelDiarizer
from transcription.diarization.embedded import EmbeddedDiarizer, EmbeddedOptions
from transcription.diarization.factory import (
    BACKENDS,
    backends_to_load,
    check_backend,
    choose_backend,
    make_diarizer,
)
from transcription.diarization.pyannote_backend import PyannoteDiarizer
from transcription.diarization.result import Diarization, speaker_label

__all__ = [
    "BACKENDS",
    "ChannelDiarizer",
    "Diarization",
    "Diarizer",
    "EmbeddedDiarizer",
    "EmbeddedOptions",
    "PyannoteDiarizer",
    "SpeakerCountHints",
    "backends_to_load",
    "check_backend",
    "choose_backend",
    "make_diarizer",
    "speaker_label",
]
