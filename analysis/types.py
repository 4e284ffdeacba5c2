"""Typed results of the analysis stage: the contract between ``analysis/`` and ``warehouse/``."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from transcription.types import Word

SELLER = "seller"
BUYER = "buyer"
LABELS = ("discovery", "product_push", "other")
PUSH_KINDS = ("usage", "feature")


@dataclass(frozen=True)
class RoleAssignment:
    """Which speaker is the seller. ``roles`` maps speaker -> ``seller`` | ``buyer``.

    ``confidence``: for ``transcript``, the calibrated probability that the split is right; for
    ``voice``, the similarity to the enrolled voice; 1.0 for ``channel``. ``uncertain``: the
    transcript left it below the configured threshold. ``evidence``: one line per speaker.
    """

    roles: dict[str, str]
    method: str
    confidence: float
    uncertain: bool = False
    evidence: tuple[str, ...] = ()

    def role_of(self, speaker: str) -> str | None:
        return self.roles.get(speaker)


@dataclass(frozen=True)
class LabelledUtterance:
    """An utterance with its role, label and push kind (seller only), question and price flags."""

    idx: int
    speaker: str
    role: str | None
    start: float
    end: float
    text: str
    label: str | None
    label_confidence: float | None
    cues: tuple[str, ...]
    is_question: bool
    price_mention: bool
    words: tuple[Word, ...] = ()
    push_kind: str | None = None
    push_kind_confidence: float | None = None

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class PriceMention:
    """One utterance that talks about what the buyer would pay.

    ``kind``: ask, quote, discount or current_spend (``analysis.price.PRICE_KINDS``). ``amount``
    (the low end of a range, ``amount_high`` its top), ``currency`` (ISO 4217), ``period``
    (``analysis.amounts.PERIODS``) and ``unit`` (seat, user, truck...) when said.
    """

    utterance_idx: int
    start: float
    speaker: str
    role: str | None
    text: str
    cue: str | None
    kind: str
    amount: float | None = None
    amount_high: float | None = None
    currency: str | None = None
    period: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class CallMetrics:
    """One ``call_metrics`` row (defined in docs/metrics.md). Seconds from recording start; NULL as None."""

    duration_s: float
    speech_s: float
    n_speakers: int
    seller_talk_s: float
    buyer_talk_s: float
    seller_talk_ratio: float | None
    seller_turns: int
    buyer_turns: int
    discovery_turns: int
    product_push_turns: int
    other_turns: int
    discovery_share: float | None
    seller_questions: int
    buyer_questions: int
    longest_seller_monologue_s: float | None
    longest_buyer_story_s: float | None
    interactivity: float | None
    patience_s: float | None
    first_discovery_s: float | None
    first_product_push_s: float | None
    pitch_before_discovery: bool | None
    first_price_s: float | None
    first_price_frac: float | None
    first_price_by: str | None
    price_mentions: int
    price_before_discovery: bool | None
    seller_wpm: float | None
    first_price_kind: str | None
    usage_turns: int
    feature_turns: int
    usage_share: float | None
    feature_before_discovery: bool | None

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def serialize(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CallAnalysis:
    """Everything analysis knows about one call."""

    utterances: tuple[LabelledUtterance, ...]
    roles: RoleAssignment
    price_mentions: tuple[PriceMention, ...]
    metrics: CallMetrics
