"""``callytics transcribe``: speaker-attributed output in every format; bad input is one line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import make_tone
from tests.diarization_helpers import write_wav

pytestmark = pytest.mark.slow  # runs `callytics transcribe` in a process

ROOT = Path(__file__).resolve().parents[1]
KESTREL = ROOT / "examples" / "archive" / "2026-W47" / "2026-11-20_kestrel.wav"
MERIDIAN = ROOT / "examples" / "archive" / "2026-W48" / "2026-11-24_meridian.flac"


def transcribe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "flows", "transcribe", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def assert_one_line_failure(result: subprocess.CompletedProcess, fragment: str, code: int = 1) -> None:
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_channels_on_a_mono_file_fails_cleanly(tmp_path):
    result = transcribe(str(make_tone(tmp_path / "mono.wav")), "--diarization", "channels", cwd=tmp_path)
    assert_one_line_failure(result, "mono")


def test_missing_pyannote_folder_fails_cleanly(tmp_path):
    result = transcribe(str(make_tone(tmp_path / "mono.wav")), "--diarization", "pyannote",
                        "--pyannote-pipeline", str(tmp_path / "no-such-pipeline"), cwd=tmp_path)
    assert_one_line_failure(result, "does not exist")


def test_broken_pyannote_folder_fails_cleanly(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.yaml").write_text("pipeline: [not, a, pipeline]\n")
    result = transcribe(str(make_tone(tmp_path / "mono.wav")), "--diarization", "pyannote",
                        "--pyannote-pipeline", str(folder), cwd=tmp_path)
    assert_one_line_failure(result, "cannot load pyannote pipeline")


@pytest.mark.parametrize("args, fragment", [
    (["--format", "docx"], "Invalid value for '--format': 'docx' is not one of 'text', 'json'"),
    (["--diarization", "magic"], "Invalid value for '--diarization': 'magic' is not one of"),
    (["--seller-channel", "middle"], "Invalid value for '--seller-channel'"),
    (["--num-speakers", "0"], "Invalid value for '--num-speakers'"),
])
def test_bad_options_fail_cleanly(tmp_path, args, fragment):
    assert_one_line_failure(transcribe(str(KESTREL), *args, cwd=tmp_path), fragment, code=2)


def test_missing_file_fails_cleanly(tmp_path):
    result = transcribe(str(tmp_path / "nope.wav"), cwd=tmp_path)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def test_json_on_a_mono_call(tmp_path):
    out = tmp_path / "call.json"
    result = transcribe(str(KESTREL), "--format", "json", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert doc["diarization_backend"] == "embedded" and doc["seller_speaker"] is None
    assert {s["speaker"] for s in doc["segments"]} == {"SPEAKER_00", "SPEAKER_01"}
    segment = doc["segments"][0]
    assert {"start", "end", "text", "speaker", "words"} <= set(segment)
    assert {"word", "start", "end", "score", "speaker"} <= set(segment["words"][0])
    assert len(doc["word_segments"]) == sum(len(s["words"]) for s in doc["segments"])


def test_stereo_call_with_seller_channel_uses_channels(tmp_path):
    result = transcribe(str(MERIDIAN), "--seller-channel", "right", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["diarization_backend"] == "channels" and doc["channels"] == 2
    assert doc["seller_speaker"] == "SPEAKER_01"
    assert {s["speaker"] for s in doc["segments"]} == {"SPEAKER_00", "SPEAKER_01"}
    # The seller (right channel) opens the call.
    assert doc["segments"][0]["speaker"] == "SPEAKER_01"


def test_silence_yields_zero_utterances(tmp_path):
    path = write_wav(tmp_path / "silence.wav", np.zeros(16000 * 3, dtype=np.float32))
    # A seller channel on a mono file is ignored, not an error (manifests set it per archive).
    result = transcribe(str(path), "--format", "srt", "--seller-channel", "right", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
