"""The pyannote backend loads a pipeline folder and runs it, offline.

The hub is unreachable here, so the folder is built from randomly initialised pyannote models
in the layout of ``speaker-diarization-community-1`` (config.yaml + segmentation/ + embedding/
+ plda/). This proves the production path loads and runs; it says nothing about accuracy.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from transcription.audio import Audio, load_audio
from transcription.diarization import Diarization, PyannoteDiarizer, make_diarizer
from transcription.errors import DiarizationError


def _save(model, folder: Path) -> None:
    import lightning
    import torch

    folder.mkdir(parents=True)
    checkpoint = {
        "state_dict": model.state_dict(),
        "hyper_parameters": dict(model.hparams),
        "pytorch-lightning_version": lightning.__version__,
    }
    model.on_save_checkpoint(checkpoint)
    torch.save(checkpoint, folder / "pytorch_model.bin")


@pytest.fixture(scope="module")
def pipeline_folder(tmp_path_factory) -> Path:
    import torch
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import XVectorMFCC
    from pyannote.audio.models.segmentation.debug import SimpleSegmentationModel

    root = tmp_path_factory.mktemp("community-like")
    torch.manual_seed(0)
    segmentation = SimpleSegmentationModel()
    segmentation.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION, resolution=Resolution.FRAME, duration=5.0,
        classes=["a", "b", "c"], powerset_max_classes=2, permutation_invariant=True,
    )
    segmentation.build()
    _save(segmentation, root / "segmentation")
    embedding = XVectorMFCC(dimension=64)
    embedding.specifications = Specifications(
        problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK, duration=3.0
    )
    _save(embedding, root / "embedding")
    rng = np.random.default_rng(0)
    (root / "plda").mkdir()
    lda, _ = np.linalg.qr(rng.standard_normal((64, 32)))
    np.savez(root / "plda" / "xvec_transform.npz", mean1=np.zeros(64), mean2=np.zeros(32), lda=lda)
    np.savez(root / "plda" / "plda.npz", mu=np.zeros(32), tr=np.eye(32), psi=np.linspace(2.0, 0.1, 32))
    config = {
        "pipeline": {
            "name": "pyannote.audio.pipelines.SpeakerDiarization",
            "params": {
                "segmentation": "$model/segmentation",
                "embedding": "$model/embedding",
                "plda": "$model/plda",
                "clustering": "VBxClustering",
                "segmentation_step": 0.5,
                "embedding_batch_size": 16,
                "segmentation_batch_size": 16,
            },
        },
        "params": {
            "segmentation": {"min_duration_off": 0.0},
            "clustering": {"threshold": 0.6, "Fa": 0.07, "Fb": 0.8},
        },
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    return root


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
