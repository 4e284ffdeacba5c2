"""The pyannote backend loads a pipeline folder and runs it, offline.

The hub is unreachable here, so the folder is built from randomly initialised pyannote models
in the layout of ``speaker-diarization-community-1`` (config.yaml + segmentation/ + embedding/
+ plda/). This proves the production path loads and runs; it says nothing about accuracy.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.diarization_helpers import build_random_pipeline
from transcription.audio import Audio, load_audio
from transcription.diarization import Diarization, PyannoteDiarizer, make_diarizer
from transcription.errors import DiarizationError


@pytest.fixture(scope="module")
def pipeline_folder(tmp_path_factory) -> Path:
    return build_random_pipeline(tmp_path_factory.mktemp("community-like"))


def _audio(samples: np.ndarray) -> Audio:
    return Audio(path="memory.wav", samples=samples[None, :].astype(np.float32), original_sample_rate=16000)


@pytest.mark.slow
def test_local_pipeline_folder_loads_and_runs_on_the_in_memory_waveform(pipeline_folder, pyannote_sample):
    samples = load_audio(pyannote_sample).mono()
    diarizer = make_diarizer("pyannote", pyannote_pipeline=str(pipeline_folder), device="cpu")
    assert isinstance(diarizer, PyannoteDiarizer)
    result = diarizer.diarize(_audio(samples[: 16000 * 12]), min_speakers=1, max_speakers=2)
    assert isinstance(result, Diarization) and result.backend == "pyannote"
    assert result.turns and all(t.speaker.startswith("SPEAKER_") for t in result.turns)
    assert all(a.end <= b.start + 1e-6 for a, b in zip(result.turns, result.turns[1:])), "exclusive output"
    assert result.to_rttm("sample").startswith("SPEAKER sample 1 ")


def test_missing_pipeline_folder_is_one_clear_error(tmp_path):
    with pytest.raises(DiarizationError, match="does not exist"):
        make_diarizer("pyannote", pyannote_pipeline=str(tmp_path / "nope"), device="cpu")


def test_folder_without_config_is_one_clear_error(tmp_path):
    with pytest.raises(DiarizationError, match="no config.yaml"):
        make_diarizer("pyannote", pyannote_pipeline=str(tmp_path), device="cpu")


@pytest.mark.slow
def test_broken_pipeline_folder_is_one_clear_error(tmp_path):
    (tmp_path / "config.yaml").write_text("pipeline:\n  name: pyannote.audio.pipelines.SpeakerDiarization\n"
                                          "  params:\n    segmentation: $model/segmentation\n")
    with pytest.raises(DiarizationError, match="cannot load pyannote pipeline"):
        make_diarizer("pyannote", pyannote_pipeline=str(tmp_path), device="cpu")


def test_pyannote_without_a_pipeline_is_refused():
    with pytest.raises(DiarizationError, match="needs a pipeline"):
        make_diarizer("pyannote", pyannote_pipeline=None)


@pytest.mark.slow
def test_cuda_that_cannot_start_leaves_the_pipeline_on_the_cpu_after_one_warning(pipeline_folder, caplog):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: bench/gpu_check.sh covers it")
    diarizer = make_diarizer("pyannote", pyannote_pipeline=str(pipeline_folder), device="cuda")
    assert diarizer.device == "cpu"
    warnings = [r.getMessage() for r in caplog.records if r.name == "transcription.cuda"]
    assert len(warnings) == 1 and warnings[0].startswith("pyannote cannot use the GPU, running on the CPU")
    result = diarizer.diarize(_audio(np.random.default_rng(0).standard_normal(16000 * 6) * 0.1))
    assert result.backend == "pyannote"
