"""Helpers for the diarization tests (and bench/gpu_check.sh): DER scoring (pyannote.metrics,
overlap scored), truth, wav, a random-weight pyannote pipeline folder."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DerScore:
    """DER and its parts, each a fraction of the scored reference speech."""

    der: float
    missed: float
    false_alarm: float
    confusion: float


def der_score(reference: list[tuple[float, float, str]], turns, *, collar: float = 0.25,
              skip_overlap: bool = False, duration: float | None = None) -> DerScore:
    """pyannote.metrics DER; ``duration`` scores the whole file (UEM 0..duration)."""
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for start, end, who in reference:
        ref[Segment(start, end)] = who
    for turn in turns:
        hyp[Segment(turn.start, turn.end)] = turn.speaker
    uem = Timeline([Segment(0.0, duration)]) if duration else None
    parts = DiarizationErrorRate(collar=collar, skip_overlap=skip_overlap)(ref, hyp, uem=uem, detailed=True)
    total = max(parts["total"], 1e-9)
    return DerScore(
        der=parts["diarization error rate"],
        missed=parts["missed detection"] / total,
        false_alarm=parts["false alarm"] / total,
        confusion=parts["confusion"] / total,
    )


def der(reference: list[tuple[float, float, str]], turns, collar: float = 0.25) -> float:
    return der_score(reference, turns, collar=collar).der


def truth_turns(truth_json: Path) -> list[tuple[float, float, str]]:
    return [(t["start"], t["end"], t["speaker"]) for t in json.loads(Path(truth_json).read_text())["turns"]]


def rttm_turns(rttm: Path, uri: str | None = None) -> list[tuple[float, float, str]]:
    """(start, end, speaker) of the RTTM's lines (only those of ``uri`` when given)."""
    rows = [line.split() for line in Path(rttm).read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows if uri is None or r[1] == uri]


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


def speaker_mapping(reference: list[tuple[float, float, str]], turns) -> dict[str, str]:
    """Hypothesis label -> reference label, the mapping that maximises overlap (as DER uses)."""
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for start, end, who in reference:
        ref[Segment(start, end)] = who
    for turn in turns:
        hyp[Segment(turn.start, turn.end)] = turn.speaker
    return dict(DiarizationErrorRate().optimal_mapping(ref, hyp))


def reference_speaker(reference: list[tuple[float, float, str]], t: float) -> str:
    """Who the reference says speaks at ``t`` (the nearest turn's speaker, if nobody does)."""
    return min(reference, key=lambda turn: max(turn[0] - t, 0.0, t - turn[1]))[2]


@dataclass(frozen=True)
class BoundaryErrors:
    errors: int
    """Words within ``window_s`` of a speaker change given to the wrong speaker."""
    words: int
    """Words within ``window_s`` of a speaker change."""


def boundary_errors(truth, assigned, mapping: dict[str, str], window_s: float = 2.0) -> BoundaryErrors:
    """Compare two versions of the same words in time order: ``truth`` carries the true
    speakers, ``assigned`` the hypothesis speakers (through ``mapping``, hypothesis -> truth
    label; an unmapped speaker is always wrong). Only words within ``window_s`` of a change of
    true speaker count."""
    changes = [0.5 * (a.end + b.start) for a, b in zip(truth, truth[1:]) if a.speaker != b.speaker]
    errors = total = 0
    for true, word in zip(truth, assigned):
        middle = 0.5 * (true.start + true.end)
        if any(abs(middle - c) <= window_s for c in changes):
            total += 1
            errors += mapping.get(word.speaker) != true.speaker
    return BoundaryErrors(errors, total)


def spoken_words(sentences: list[tuple[float, float, str, str]]):
    """Words at an even pace through each (start, end, speaker, text) sentence, with the true
    speaker: a transcript with exact sentence times and punctuation, no recogniser needed. Each
    token carries a leading space, as Whisper writes a word that starts a new word."""
    from transcription.types import Word

    words = []
    for start, end, speaker, text in sentences:
        tokens = text.split()
        step = (end - start) / max(len(tokens), 1)
        words += [Word(round(start + i * step, 3), round(start + (i + 0.9) * step, 3), " " + token, 1.0, speaker)
                  for i, token in enumerate(tokens)]
    return words


def stm_sentences(stm: Path) -> list[tuple[float, float, str, str]]:
    """(start, end, speaker, text) of each line of an STM transcript."""
    rows = [line.split(maxsplit=5) for line in Path(stm).read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[4]), r[2], r[5]) for r in rows]


def truth_sentences(truth_json: Path) -> list[tuple[float, float, str, str]]:
    return [(t["start"], t["end"], t["speaker"], t["text"]) for t in json.loads(Path(truth_json).read_text())["turns"]]


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
