"""The labelled seller utterances that train and score the turn classifier."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.types import LABELS

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASET_PATH = DATA_DIR / "seller_utterances.jsonl"
FOREIGN_PATH = DATA_DIR / "foreign_utterances.jsonl"
FOREIGN_BLIND_PATH = DATA_DIR / "foreign_blind_utterances.jsonl"
FOREIGN_FRESH_PATH = DATA_DIR / "foreign_fresh_utterances.jsonl"
FOREIGN_SETS = {"foreign": FOREIGN_PATH, "foreign2": FOREIGN_BLIND_PATH, "foreign3": FOREIGN_FRESH_PATH}


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str
    industry: str
    split: str


def load_labelled(path: Path = DATASET_PATH, split: str | None = None) -> list[LabelledText]:
    """Rows of a JSONL file (text, label, industry, split), optionally one split only."""
    rows = []
    for line in path.read_text().splitlines():
        if line.strip():
            d = json.loads(line)
            row = LabelledText(d["text"], d["label"], d["industry"], d["split"])
            if row.label not in LABELS:
                raise ValueError(f"{path}: unknown label {row.label!r}")
            if split is None or row.split == split:
                rows.append(row)
    return rows


@dataclass(frozen=True)
class Score:
    n: int
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]


def score(truth: Sequence[str], predicted: Sequence[str]) -> Score:
    """Accuracy and macro-F1 over the three labels."""
    f1s = {}
    for label in LABELS:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted))
        f1s[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(t == p for t, p in zip(truth, predicted)) / len(truth) if truth else 0.0
    return Score(len(truth), accuracy, sum(f1s.values()) / len(f1s), f1s)
