"""A GPU that cannot run a model costs one warning and the CPU, never a crash; cuBLAS 12 from
the ``gpu`` extra is loaded where CTranslate2 finds it.

On a machine without a GPU (CI) ``device=cuda`` fails for real inside CTranslate2 and torch;
a GPU whose cuBLAS is missing is simulated.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import PYANNOTE_SAMPLE_DIR
from transcription.asr import AsrOptions, SpeechRecognizer, cpu_compute_type
from transcription.errors import TranscriptionError

ROOT = Path(__file__).resolve().parents[1]


def _gpu_present() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0


def _fallbacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "transcription.cuda" and r.levelno == logging.WARNING]


@pytest.mark.slow
def test_cuda_without_a_gpu_runs_on_the_cpu_after_one_warning(caplog):
    if _gpu_present():
        pytest.skip("a GPU is present: bench/gpu_check.sh covers it")
    recognizer = SpeechRecognizer(AsrOptions(device="cuda", batch_size=1))
    assert (recognizer.device, recognizer.compute_type) == ("cpu", "int8")
    assert len(_fallbacks(caplog)) == 1 and "faster-whisper cannot use the GPU" in _fallbacks(caplog)[0]
    tone = np.sin(np.arange(16000, dtype=np.float32) / 10) * 0.1
    assert recognizer.transcribe(tone).duration == 1.0


@pytest.mark.slow
def test_a_visible_gpu_without_cublas_falls_back_with_the_install_hint(caplog, monkeypatch):
    import ctranslate2
    import faster_whisper

    class GpuWithoutCublas(faster_whisper.WhisperModel):
        """Loads on 'cuda' but fails at the first matrix product, as CTranslate2 does without cuBLAS 12."""

        def __init__(self, *args, device="auto", **kwargs):
            self.on_gpu = device == "cuda"
            super().__init__(*args, device="cpu", **{**kwargs, "compute_type": "int8"})

        def encode(self, features):
            if self.on_gpu:
                raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")
            return super().encode(features)

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    monkeypatch.setattr(faster_whisper, "WhisperModel", GpuWithoutCublas)
    recognizer = SpeechRecognizer(AsrOptions(device="auto", batch_size=1))
    assert (recognizer.device, recognizer.compute_type) == ("cpu", "int8")
    assert not recognizer._model.on_gpu
    [warning] = _fallbacks(caplog)
    assert "libcublas.so.12" in warning and "callytics[gpu]" in warning


@pytest.mark.slow
def test_a_broken_model_on_cuda_is_a_model_error_not_a_gpu_warning(tmp_path, caplog):
    with pytest.raises(TranscriptionError, match="cannot load ASR model"):
        SpeechRecognizer(AsrOptions(model=str(tmp_path), device="cuda"))
    assert _fallbacks(caplog) == []


def test_gpu_precisions_become_int8_on_the_cpu():
    assert [cpu_compute_type(t) for t in ("auto", "float16", "int8_float16", "bfloat16", "int8", "float32")] == [
        "int8", "int8", "int8", "int8", "int8", "float32"]


@pytest.mark.slow
def test_the_cli_prints_the_fallback_as_one_warning_line():
    if _gpu_present():
        pytest.skip("a GPU is present: bench/gpu_check.sh covers it")
    done = subprocess.run(
        [sys.executable, "-m", "flows", "transcribe", str(PYANNOTE_SAMPLE_DIR / "sample.wav"),
         "--device", "cuda", "--diarization", "embedded"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("callytics: warning: faster-whisper cannot use the GPU, running on the CPU")
    assert "SPEAKER_" in done.stdout


def test_cublas_from_the_wheel_is_found_by_soname(tmp_path):
    """Stand-in libraries with cuBLAS 12's sonames, in the wheel's layout (nvidia/cublas/lib):
    after ``load_cublas`` a plain ``dlopen("libcublas.so.12")``, as CTranslate2 does, succeeds."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not sys.platform.startswith("linux"):
        pytest.skip("needs a C compiler on Linux")
    lib = tmp_path / "site" / "nvidia" / "cublas" / "lib"
    lib.mkdir(parents=True)
    source = tmp_path / "empty.c"
    source.write_text("int callytics_stand_in(void) { return 12; }\n")
    for name in ("libcublasLt.so.12", "libcublas.so.12"):
        subprocess.run([cc, "-shared", "-fPIC", f"-Wl,-soname,{name}", "-o", str(lib / name), str(source)], check=True)
    code = (
        "import ctypes\n"
        "try:\n    ctypes.CDLL('libcublas.so.12'); print('visible before')\nexcept OSError: pass\n"
        "from transcription.cuda import load_cublas\n"
        "print(load_cublas())\n"
        "print(ctypes.CDLL('libcublas.so.12').callytics_stand_in())\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(tmp_path / "site")]))
    env.pop("LD_LIBRARY_PATH", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [str(lib), "12"]


@pytest.mark.slow
def test_the_gpu_check_counts_a_fallback_as_a_failure_after_timing_both_devices():
    if _gpu_present():
        pytest.skip("a GPU is present: the check is meant to pass there")
    done = subprocess.run(
        ["bash", "bench/gpu_check.sh", "asr"], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHON=sys.executable, GPU_CHECK_REPEAT="1"),
    )
    lines = done.stdout.splitlines()
    timings = [line for line in lines if line.startswith("asr (bundled:tiny.en, int8): ")]
    assert len(timings) == 2 and all(" on cpu, real-time factor " in line for line in timings), done.stdout
    assert any(line.startswith("asr FAILED: fell back to the CPU: faster-whisper cannot use the GPU") for line in lines)
    assert "  asr: 1 CPU-fallback warning(s)" in lines
    assert (done.returncode, lines[-1]) == (1, "gpu_check: 1 section(s) failed")
