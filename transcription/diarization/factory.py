"""Choosing and building diarization backends by name, including the ``auto`` rule."""
from __future__ import annotations

from transcription.diarization.base import Diarizer
from transcription.errors import DiarizationError

__all__ = ["BACKENDS", "backends_to_load", "check_backend", "choose_backend", "make_diarizer"]

BACKENDS = ("auto", "channels", "embedded", "pyannote")


def check_backend(requested: str) -> str:
    """``requested`` if it names a backend (or ``auto``); a ``DiarizationError`` otherwise."""
    if requested not in BACKENDS:
        raise DiarizationError(f"diarization must be one of {', '.join(BACKENDS)}, not '{requested}'")
    return requested


def choose_backend(requested: str, *, channels: int, seller_channel: int | None, pyannote_configured: bool) -> str:
    """The backend a call gets. ``auto``: stereo with a known seller channel -> ``channels``;
    a configured pyannote pipeline -> ``pyannote``; otherwise ``embedded``."""
    if check_backend(requested) != "auto":
        return requested
    if channels >= 2 and seller_channel is not None:
        return "channels"
    return "pyannote" if pyannote_configured else "embedded"


def backends_to_load(requested: str, *, pyannote_configured: bool) -> tuple[str, ...]:
    """Every backend :func:`choose_backend` can pick for ``requested``: the models a run loads."""
    if check_backend(requested) != "auto":
        return (requested,)
    return ("channels", "embedded") + (("pyannote",) if pyannote_configured else ())


def make_diarizer(
    backend: str,
    *,
    pyannote_pipeline: str | None = None,
    hf_token: str | None = None,
    device: str = "auto",
) -> Diarizer:
    """Build one backend (not ``auto``); its models load here, once."""
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
    raise DiarizationError(f"cannot build diarization backend '{backend}' (choose from channels, embedded, pyannote)")
