"""Shared fixtures: real audio made on the fly with ffmpeg, and pyannote's bundled phone call."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PYANNOTE_SAMPLE_DIR = Path(__import__("pyannote.audio").audio.__file__).parent / "sample"


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (CI installs it: see .ci/run)")
    return path


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
