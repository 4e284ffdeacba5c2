"""Shared fixtures: real audio made on the fly with ffmpeg, and pyannote's bundled phone call.

A test that needs a program the machine lacks is skipped with a reason starting "missing tool";
in CI (``CI=true``) such a skip is a failure, so a green CI run has run every test.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Found without importing pyannote.audio (seconds): most test runs never need it.
PYANNOTE_SAMPLE_DIR = Path(importlib.util.find_spec("pyannote.audio").submodule_search_locations[0]) / "sample"
MISSING_TOOL = "missing tool"
pytest_plugins = ["pytester"]  # tests/test_ci_skips.py runs pytest on small test files


def missing_tool_reason(*names: str) -> str:
    return f"{MISSING_TOOL}: {', '.join(names)} (`make test` installs the Debian packages)"


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(missing_tool_reason(name))
    return path


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.skipped and in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if MISSING_TOOL in reason:
            report.outcome = "failed"
            report.longrepr = f"{reason}: with CI=true a test skipped for a missing tool fails"


def make_tone(path: Path, *, seconds: float = 2.0, rate: int = 44100, channels: int = 1,
              codec_args: tuple[str, ...] = ()) -> Path:
    """Render a test tone with ffmpeg: left channel 440 Hz, right channel 660 Hz."""
    ffmpeg = require_tool("ffmpeg")
    if channels == 1:
        graph = f"sine=frequency=440:duration={seconds}:sample_rate={rate}"
    else:
        graph = (f"sine=frequency=440:duration={seconds}:sample_rate={rate}[l];"
                 f"sine=frequency=660:duration={seconds}:sample_rate={rate}[r];"
                 "[l][r]amerge=inputs=2")
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", graph,
         *codec_args, str(path)],
        check=True,
    )
    return path


@pytest.fixture(scope="session")
def pyannote_sample() -> Path:
    return PYANNOTE_SAMPLE_DIR / "sample.wav"


def embed_whole_mel(encoder, mel, windows: list[tuple[int, int]]):
    """The speaker encoder's embeddings of ``windows`` cut from one whole mel, in the batches the
    encoder uses: the reference for its streaming ``embed_speech``."""
    import numpy as np

    from transcription.diarization.encoder import _batches

    out = np.zeros((len(windows), 256), dtype=np.float32)
    for batch in _batches(windows):
        out[batch] = encoder._embed([mel[windows[i][0] : windows[i][1]] for i in batch])
    return out
