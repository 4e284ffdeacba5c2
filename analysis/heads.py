"""The stored logistic-regression heads (``analysis/data/*_head.npz``): one format for all of them.

Every head file holds ``weights``, ``bias``, the ``feature_names`` it was trained on and its
regularisation ``c``, plus whatever its model needs beside them (class names, a threshold, a
calibration). Loading refuses a missing file or one trained on other features, naming the
command that (re)trains it.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.errors import AnalysisError


def save_head(path: str | Path, *, weights: np.ndarray, bias: np.ndarray | float, feature_names: Sequence[str],
              c: float, **extra: np.ndarray) -> None:
    np.savez(path, weights=np.asarray(weights, np.float32), bias=np.asarray(bias, np.float32),
             feature_names=np.array(feature_names), c=np.float32(c), **extra)


def load_head(path: Path, feature_names: Sequence[str], what: str, trainer: str) -> dict[str, np.ndarray]:
    """The head's arrays by name; ``what`` names it in errors, ``trainer`` is the module that trains it."""
    if not path.is_file():
        raise AnalysisError(f"{path}: {what} weights missing; run python -m {trainer}")
    with np.load(path, allow_pickle=False) as stored:
        head = {name: stored[name] for name in stored.files}
    if names(head["feature_names"]) != tuple(feature_names):
        raise AnalysisError(f"{path}: {what} trained on other features; retrain with python -m {trainer}")
    return head


def names(array: np.ndarray) -> tuple[str, ...]:
    return tuple(str(x) for x in array)
