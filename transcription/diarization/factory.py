"""Choosing and building a diarization backend by name, including the ``auto`` rule."""
from __future__ import annotations

from transcription.diarization.base import Diarizer
from transcription.errors import DiarizationError

__all__ = ["BACKENDS", "AutoDiarizer", "choose_backend", "make_diarizer"]

BACKENDS = ("auto", "channels", "embedded", "pyannote")


def choose_backend(requested: str, *, channels: int, seller_channel: int | None, pyannote_configured: bool) -> str:
    """The backend a call gets. ``auto``: stereo with a known seller channel -> ``channels``;
    a configured pyannote pipeline -> ``pyannote``; otherwise ``embedded``."""
    if requested not in BACKENDS:
        raise DiarizationError(f"unknown diarization backend '{requested}' (choose from {', '.join(BACKENDS)})")
    if requested != "auto":
        return requested
    if channels >= 2 and seller_channel is not None:
        return "channels"
    return "pyannote" if pyannote_configured else "embedded"


def make_diarizer(
    backend: str,
    *,
    pyannote_pipeline: str | None = None,
    hf_token: str | None = None,
    device: str = "auto",
) -> Diarizer:
    """Build a backend; its models load here, once. ``auto`` gives an :class:`AutoDiarizer`."""
    if backend == "auto":
        return AutoDiarizer(pyannote_pipeline=pyannote_pipeline, hf_token=hf_token, device=device)
    if backend == "channels":
        from transcription.diarization.channels import ChannelDiarizer

        return ChannelDiarizer()
    if backend == "embedded":
        from transcription.diarization.embedded import EmbeddedDiarizer

        return EmbeddedDiarizer()
    if backend == "pyannote":
        if not pyannote_pipeline:
            raise DiarizationError(
                "pyannote diarization needs a pipeline: a local folder (e.g. a downloaded "
                "speaker-diarization-community-1) or a hub id with HF_TOKEN"
            )
        from transcription.diarization.pyannote_backend import PyannoteDiarizer

        return PyannoteDiarizer(pyannote_pipeline, hf_token=hf_token, device=device)
    raise DiarizationError(f"unknown diarization backend '{backend}' (choose from channels, embedded, pyannote)")


class AutoDiarizer:
    """Holds the backends ``auto`` can pick and applies :func:`choose_backend` per call."""

    name = "auto"

    def __init__(self, *, pyannote_pipeline: str | None = None, hf_token: str | None = None, device: str = "auto"):
        self.backends: dict[str, Diarizer] = {
            "channels": make_diarizer("channels"),
            "embedded": make_diarizer("embedded"),
        }
        if pyannote_pipeline:
            self.backends["pyannote"] = make_diarizer(
                "pyannote", pyannote_pipeline=pyannote_pipeline, hf_token=hf_token, device=device
            )

    def backend_for(self, channels: int, seller_channel: int | None) -> Diarizer:
        name = choose_backend(
            "auto", channels=channels, seller_channel=seller_channel, pyannote_configured="pyannote" in self.backends
        )
        return self.backends[name]

    def diarize(self, audio, *, num_speakers=None, min_speakers=None, max_speakers=None, seller_channel=None):
        backend = self.backend_for(audio.channels, seller_channel)
        return backend.diarize(
            audio, num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers
        )
