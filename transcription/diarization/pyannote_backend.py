"""pyannote.audio pipelines (e.g. ``speaker-diarization-community-1``) as a diarization backend."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from transcription.audio import Waveform
from transcription.cuda import warn_cpu_fallback
from transcription.diarization.result import Diarization
from transcription.errors import DiarizationError
from transcription.runtime import cpu_threads

__all__ = ["PyannoteDiarizer"]

logger = logging.getLogger(__name__)

_RATE = 16000


class PyannoteDiarizer:
    """A pyannote ``Pipeline`` loaded once, from a local folder or a hub id (with ``HF_TOKEN``)."""

    name = "pyannote"

    def __init__(self, pipeline: str, *, hf_token: str | None = None, device: str = "auto"):
        self.source = str(pipeline)
        self._pipeline = _load(self.source, hf_token or os.environ.get("HF_TOKEN"))
        import torch

        if cpu_threads():
            torch.set_num_threads(cpu_threads())
        self.device = self._place(device)

    def _place(self, device: str) -> str:
        """Move the pipeline to ``device`` (``auto``: CUDA when torch sees a GPU); a GPU that
        fails to start leaves it on the CPU after one warning."""
        import torch

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda":
            try:
                self._pipeline.to(torch.device("cuda"))
                return device
            except (RuntimeError, AssertionError) as exc:  # no driver, or a CPU-only torch build
                warn_cpu_fallback("pyannote", exc)
                device = "cpu"
        self._pipeline.to(torch.device(device))
        return device

    def diarize(self, audio, *, num_speakers=None, min_speakers=None, max_speakers=None) -> Diarization:
        return self.diarize_samples(
            audio.mono(), num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers
        )

    def diarize_samples(self, samples: Waveform, *, num_speakers=None, min_speakers=None, max_speakers=None) -> Diarization:
        """Diarize a 16 kHz waveform, passed in memory (no second decode)."""
        import torch

        waveform = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32)).unsqueeze(0)
        hints = {
            k: v
            for k, v in (("num_speakers", num_speakers), ("min_speakers", min_speakers), ("max_speakers", max_speakers))
            if v is not None
        }
        try:
            output = self._pipeline({"waveform": waveform, "sample_rate": _RATE}, **hints)
        except Exception as exc:  # a broken checkpoint fails here, inside pyannote
            raise DiarizationError(f"pyannote pipeline {self.source} failed: {_one_line(exc)}") from exc
        annotation = getattr(output, "exclusive_speaker_diarization", None)
        if annotation is None:
            annotation = getattr(output, "speaker_diarization", output)
        segments = [(seg.start, seg.end, label) for seg, _, label in annotation.itertracks(yield_label=True)]
        return Diarization.from_labelled_segments(segments, self.name)


def _load(source: str, token: str | None):
    path = Path(source).expanduser()
    # Hub ids are exactly "owner/name"; anything else is a local folder (or config.yaml).
    is_local = path.exists() or source.startswith((".", "/", "~")) or source.count("/") != 1
    if is_local:
        if not path.exists():
            raise DiarizationError(f"pyannote pipeline folder {source} does not exist")
        config = path / "config.yaml" if path.is_dir() else path
        if not config.is_file():
            raise DiarizationError(f"{source}: not a pyannote pipeline folder (no config.yaml)")
        checkpoint = str(path)
    else:
        checkpoint = source
    from pyannote.audio import Pipeline

    try:
        pipeline = Pipeline.from_pretrained(checkpoint, token=token)
    except Exception as exc:
        raise DiarizationError(f"cannot load pyannote pipeline {source}: {_one_line(exc)}") from exc
    if pipeline is None:
        raise DiarizationError(f"cannot load pyannote pipeline {source} (gated or unreachable hub id; set HF_TOKEN)")
    logger.info("loaded pyannote pipeline %s", source)
    return pipeline


def _one_line(exc: BaseException) -> str:
    return " ".join((str(exc) or type(exc).__name__).split())
