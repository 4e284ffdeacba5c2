"""Errors the transcription stage raises for bad input; the CLI prints them as one line."""


class TranscriptionError(Exception):
    """Base class: anything wrong with a recording or a speech model."""


class AudioDecodeError(TranscriptionError):
    """A file is unreadable, empty, truncated or not audio."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DiarizationError(TranscriptionError):
    """A diarization backend cannot run on this input or could not be loaded."""
