"""Seller-turn classifier: discovery / product_push / other, with confidence and cue phrases.

Every ``product_push`` also gets its push kind (``usage`` / ``feature``) from ``analysis.push_kind``.

Features are the all-MiniLM-L6-v2 sentence embedding of the normalised text plus the lexical cue
families of ``analysis.cues`` (question form, price, leading questions...). A multinomial
logistic-regression head, trained offline by ``analysis.train_classifier`` on
``analysis/data/seller_utterances.jsonl``, is stored in ``analysis/data/turn_head.npz``.
Deterministic and offline.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.config import AnalysisConfig
from analysis.cues import FEATURE_NAMES, CueMatch, feature_vector, find_cues, is_acknowledgement
from analysis.embedding import SentenceEncoder, load_encoder
from analysis.heads import load_head, names
from analysis.price import PriceHit, load_price_detector
from analysis.push_kind import PushKindHead
from analysis.questions import is_question
from analysis.text import normalize

log = logging.getLogger(__name__)

HEAD_PATH = Path(__file__).resolve().parent / "data" / "turn_head.npz"
LEXICAL_WEIGHT = 0.5
ACKNOWLEDGEMENT_CONFIDENCE = 0.95
PRONOUN_FAMILIES = frozenset({"we_our", "you_your"})  # features only: too thin to show as evidence


@dataclass(frozen=True)
class TurnLabel:
    """The label of one utterance, and the evidence for it."""

    text: str
    label: str
    confidence: float
    cues: tuple[str, ...]
    is_question: bool
    price: PriceHit | None
    push_kind: str | None = None
    push_kind_confidence: float | None = None

    @property
    def price_mention(self) -> bool:
        return self.price is not None

    def serialize(self) -> dict:
        price = self.price
        return {
            "text": self.text,
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "cues": list(self.cues),
            "price_mention": self.price_mention,
            "price_kind": price.kind if price else None,
            "price_amount": price.amount if price else None,
            "price_amount_high": price.amount_high if price else None,
            "price_currency": price.currency if price else None,
            "price_period": price.period if price else None,
            "price_unit": price.unit if price else None,
            "is_question": self.is_question,
            "push_kind": self.push_kind,
            "push_kind_confidence": None if self.push_kind_confidence is None else round(self.push_kind_confidence, 4),
        }


@dataclass(frozen=True)
class TurnFeatures:
    """Everything computed from one text before the head: reused by training and inference."""

    matrix: np.ndarray
    cues: list[list[CueMatch]]
    questions: list[bool]
    prices: list[PriceHit | None]


def extract_features(
    encoder: SentenceEncoder,
    texts: Sequence[str],
    prices: Sequence[PriceHit | None],
    vocabulary: Sequence[str] = (),
    embed: Sequence[bool] | None = None,
) -> TurnFeatures:
    """Embedding plus cue features; rows with ``embed[i]`` False keep a zero embedding.
    ``prices`` are the price detector's hits for the same texts."""
    cues = [find_cues(t, vocabulary) for t in texts]
    questions = [is_question(t) for t in texts]
    prices = list(prices)
    lexical = np.stack(
        [feature_vector(t, c, q, p) for t, c, q, p in zip(texts, cues, questions, prices)]
    ) if texts else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    chosen = [i for i in range(len(texts)) if embed is None or embed[i]]
    embedded = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    if chosen:
        embedded[chosen] = encoder.encode([normalize(texts[i]) for i in chosen])
    return TurnFeatures(np.hstack([embedded, LEXICAL_WEIGHT * lexical]), cues, questions, prices)


class TurnClassifier:
    """Load once per process (``load_classifier``), then ``classify`` batches of texts."""

    def __init__(self, head_path: Path = HEAD_PATH, encoder: SentenceEncoder | None = None) -> None:
        head = load_head(head_path, FEATURE_NAMES, "turn classifier", "analysis.train_classifier")
        self.labels = names(head["labels"])
        self.weights = head["weights"].astype(np.float32)
        self.bias = head["bias"].astype(np.float32)
        self.encoder = encoder or load_encoder()
        self.push_head = PushKindHead(encoder=self.encoder)

    def classify(
        self, texts: Sequence[str], vocabulary: Sequence[str] = (), prices: Sequence[PriceHit | None] | None = None
    ) -> list[TurnLabel]:
        """Label each text; ``prices`` (the price detector's hits, read in the call's context)
        are detected here, text by text, when not given."""
        texts = [str(t) for t in texts]
        if not texts:
            return []
        if prices is None:
            prices = load_price_detector().detect(texts)
        acks = [is_acknowledgement(t) for t in texts]
        feats = extract_features(self.encoder, texts, prices, vocabulary, embed=[not a for a in acks])
        probs = _softmax(feats.matrix @ self.weights.T + self.bias)
        out = []
        for i, text in enumerate(texts):
            k = int(np.argmax(probs[i]))
            label, confidence = self.labels[k], float(probs[i, k])
            if acks[i]:  # backchannels are "other" by definition; the model is not asked
                label, confidence = "other", ACKNOWLEDGEMENT_CONFIDENCE
            cues = tuple(
                dict.fromkeys(c.phrase for c in feats.cues[i] if c.label == label and c.family not in PRONOUN_FAMILIES)
            )
            if label == "product_push" and feats.prices[i] is not None:
                cues += (feats.prices[i].cue,)
            out.append(TurnLabel(text, label, confidence, cues, feats.questions[i], feats.prices[i]))
        return self._with_push_kinds(out)

    def _with_push_kinds(self, turns: list[TurnLabel]) -> list[TurnLabel]:
        """Each ``product_push`` gets its push kind; its cue phrases join the label's."""
        pitches = [i for i, t in enumerate(turns) if t.label == "product_push"]
        for i, kind in zip(pitches, self.push_head.classify([turns[i].text for i in pitches])):
            turns[i] = replace(
                turns[i], push_kind=kind.kind, push_kind_confidence=kind.confidence,
                cues=tuple(dict.fromkeys(turns[i].cues + kind.cues)),
            )
        return turns


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def load_classifier() -> TurnClassifier:
    """The process-wide classifier (encoder and head loaded once)."""
    return TurnClassifier()


def classify_text(
    texts: Sequence[str], config: AnalysisConfig | None = None, role: str | None = None
) -> list[TurnLabel]:
    """Label each text as a seller utterance (the ``classify`` command); ``role``: who says the
    texts, for the price detector ("seller", "buyer"; None when unknown)."""
    vocabulary = (config or AnalysisConfig()).vocabulary
    prices = load_price_detector().detect_turns(texts, None, [role] * len(texts)) if role else None
    return load_classifier().classify(texts, vocabulary, prices)
