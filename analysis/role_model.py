"""Per-utterance "said by the seller or by the buyer" model, and its calibrated speaker weights.

Features are the all-MiniLM-L6-v2 embedding of the normalised text (shared with the turn
classifier through the encoder's memo) plus the cue families of ``analysis.role_cues`` and
``analysis.cues``. A logistic-regression head, trained with balanced classes by
``analysis.train_roles`` on ``analysis/data/role_calls_train.txt``, gives each informative
utterance the log-odds that a seller said it. ``analysis.roles`` sums them per speaker and
combines them with introductions and vocabulary using the speaker weights fitted, on
out-of-fold scores, in the same training run; all of it lives in ``analysis/data/role_head.npz``.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.embedding import SentenceEncoder, load_encoder
from analysis.errors import AnalysisError
from analysis.heads import load_head, names
from analysis.cues import CueMatch
from analysis.role_cues import FEATURE_NAMES, is_uninformative, lexical_features
from analysis.text import normalize

log = logging.getLogger(__name__)

HEAD_PATH = Path(__file__).resolve().parent / "data" / "role_head.npz"
LEXICAL_WEIGHT = 0.5
SPEAKER_FEATURES = (
    "utterance_log_odds",            # sum over the speaker's utterances, each clipped
    "introduced_from_company",       # "this is Dana from Northwind" with Northwind configured
    "introduced_by_seller_name",     # "this is Dana", Dana a configured or manifest seller name
    "introduced_from_other_company", # "this is Mike from Acme Foods" while the company is Northwind
    "company_vocabulary",            # utterances naming the company or its products (at most 3)
    "addresses_seller_name",         # "thanks, Dana": talking to the seller, so not the seller
)
# The direction each feature may push a speaker's score (the fit keeps the sign: explainable).
SPEAKER_FEATURE_SIGNS = (1, 1, 1, -1, 1, -1)


@dataclass(frozen=True)
class UtteranceEvidence:
    """What one utterance says about its speaker's side."""

    log_odds: float  # seller vs buyer, clipped; 0 when uninformative
    informative: bool
    cues: tuple[CueMatch, ...]


def role_features(encoder: SentenceEncoder, texts: Sequence[str]) -> tuple[np.ndarray, list[list[CueMatch]]]:
    """Embedding plus cue features for informative texts (callers drop uninformative ones)."""
    lexical, cues = [], []
    for text in texts:
        vector, found = lexical_features(text)
        lexical.append(vector)
        cues.append(found)
    if not texts:
        return np.zeros((0, encoder.dim + len(FEATURE_NAMES)), dtype=np.float32), []
    embedded = encoder.encode([normalize(t) for t in texts])
    return np.hstack([embedded, LEXICAL_WEIGHT * np.stack(lexical)]), cues


@dataclass(frozen=True)
class SpeakerCalibration:
    """How speaker features become scores (log-odds between speakers) and a seller probability."""

    weights: np.ndarray  # over SPEAKER_FEATURES; w . features is a speaker's score
    side_slope: float  # P(on the seller's side) = sigmoid(side_slope * score + side_intercept)
    side_intercept: float

    def score(self, features: np.ndarray) -> float:
        return float(features @ self.weights)

    def side_probability(self, score: float) -> float:
        return sigmoid(self.side_slope * score + self.side_intercept)


class RoleModel:
    """Load once per process (``load_role_model``), then score utterances."""

    def __init__(self, head_path: Path = HEAD_PATH, encoder: SentenceEncoder | None = None) -> None:
        head = load_head(head_path, FEATURE_NAMES, "role model", "analysis.train_roles")
        if names(head["speaker_features"]) != SPEAKER_FEATURES:
            raise AnalysisError(f"{head_path}: trained on other speaker features; retrain the role model")
        self.weights = head["weights"].astype(np.float32)
        self.bias = float(head["bias"])
        self.clip = float(head["clip"])
        self.calibration = SpeakerCalibration(
            head["speaker_weights"].astype(np.float64), float(head["side_slope"]), float(head["side_intercept"])
        )
        self.encoder = encoder or load_encoder()

    def log_odds(self, matrix: np.ndarray) -> np.ndarray:
        """Clipped seller-vs-buyer log-odds of feature rows."""
        return np.clip(matrix @ self.weights + self.bias, -self.clip, self.clip)

    def evidence(self, texts: Sequence[str]) -> list[UtteranceEvidence]:
        informative = [i for i, t in enumerate(texts) if not is_uninformative(t)]
        matrix, cues = role_features(self.encoder, [texts[i] for i in informative])
        scores = dict(zip(informative, zip(self.log_odds(matrix).tolist(), cues)))
        return [
            UtteranceEvidence(scores[i][0], True, tuple(scores[i][1])) if i in scores
            else UtteranceEvidence(0.0, False, ())
            for i in range(len(texts))
        ]


def sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))


@lru_cache(maxsize=1)
def load_role_model() -> RoleModel:
    """The process-wide role model (head read once; the encoder is the shared one)."""
    return RoleModel()
