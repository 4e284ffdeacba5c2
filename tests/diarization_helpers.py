"""Helpers for the diarization tests (and bench/gpu_check.sh): DER scoring (pyannote.metrics,
overlap scored), truth, wav, a random-weight pyannote pipeline folder."""
from __future__ import annotations

import json
from pathlib import Path


def der(reference: list[tuple[float, float, str]], turns, collar: float = 0.25) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for start, end, who in reference:
        ref[Segment(start, end)] = who
    for turn in turns:
        hyp[Segment(turn.start, turn.end)] = turn.speaker
    return DiarizationErrorRate(collar=collar)(ref, hyp)


def truth_turns(truth_json: Path) -> list[tuple[float, float, str]]:
    return [(t["start"], t["end"], t["speaker"]) for t in json.loads(Path(truth_json).read_text())["turns"]]


def rttm_turns(rttm: Path) -> list[tuple[float, float, str]]:
    rows = [line.split() for line in Path(rttm).read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows]


def write_wav(path: Path, samples, rate: int = 16000) -> Path:
    """Mono 16-bit PCM wav with the standard library."""
    import wave

    import numpy as np

    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return Path(path)


def _save_checkpoint(model, folder: Path) -> None:
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


def build_random_pipeline(root: Path) -> Path:
    """A pyannote pipeline folder in the layout of ``speaker-diarization-community-1``
    (config.yaml + segmentation/ + embedding/ + plda/) with randomly initialised models: it loads
    and runs offline like the real one, and says nothing about accuracy."""
    import numpy as np
    import torch
    import yaml
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import XVectorMFCC
    from pyannote.audio.models.segmentation.debug import SimpleSegmentationModel

    torch.manual_seed(0)
    segmentation = SimpleSegmentationModel()
    segmentation.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION, resolution=Resolution.FRAME, duration=5.0,
        classes=["a", "b", "c"], powerset_max_classes=2, permutation_invariant=True,
    )
    segmentation.build()
    _save_checkpoint(segmentation, root / "segmentation")
    embedding = XVectorMFCC(dimension=64)
    embedding.specifications = Specifications(
        problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK, duration=3.0
    )
    _save_checkpoint(embedding, root / "embedding")
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
