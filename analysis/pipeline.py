"""``analyze_call``: utterances in, roles, labels, price mentions and metrics out."""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

from analysis.classifier import TurnClassifier, TurnLabel, load_classifier
from analysis.config import AnalysisConfig
from analysis.errors import AnalysisError
from analysis.metrics import compute_metrics
from analysis.price import PriceHit, load_price_detector
from analysis.questions import is_question
from analysis.roles import assign_roles
from analysis.types import SELLER, CallAnalysis, LabelledUtterance, PriceMention, RoleAssignment
from transcription.types import Utterance

log = logging.getLogger(__name__)


def analyze_call(
    utterances: Sequence[Utterance],
    *,
    duration_s: float,
    config: AnalysisConfig | None = None,
    seller_speaker: str | None = None,
    voice_similarity: Mapping[str, float] | None = None,
) -> CallAnalysis:
    """Analyse one call.

    ``seller_speaker``: the speaker label of a known seller channel (stereo). ``voice_similarity``:
    speaker -> similarity to the enrolled seller voice. Without either, roles come from the
    transcript. Utterances are renumbered in time order (``idx``).
    """
    config = config or AnalysisConfig()
    _check(utterances, duration_s)
    ordered = sorted(utterances, key=lambda u: (u.start, u.end))
    roles = assign_roles(ordered, config, seller_speaker=seller_speaker, voice_similarity=voice_similarity)
    prices = load_price_detector().detect_turns(
        [u.text for u in ordered], [u.speaker for u in ordered], _price_roles(ordered, roles)
    )
    turn_labels = _label_sellers_only(ordered, roles, load_classifier(), config, prices)
    labelled = []
    mentions = []
    for idx, (utt, turn) in enumerate(zip(ordered, turn_labels)):
        role = roles.role_of(utt.speaker)
        is_seller = role == SELLER
        labelled.append(
            LabelledUtterance(
                idx=idx,
                speaker=utt.speaker,
                role=role,
                start=utt.start,
                end=utt.end,
                text=utt.text,
                label=turn.label if is_seller else None,
                label_confidence=round(turn.confidence, 4) if is_seller else None,
                cues=turn.cues if is_seller else (),
                is_question=turn.is_question,
                price_mention=turn.price_mention,
                words=tuple(utt.words),
                push_kind=turn.push_kind if is_seller else None,
                push_kind_confidence=(
                    round(turn.push_kind_confidence, 4) if is_seller and turn.push_kind is not None else None
                ),
            )
        )
        if turn.price is not None:
            mentions.append(
                PriceMention(
                    utterance_idx=idx,
                    start=utt.start,
                    speaker=utt.speaker,
                    role=role,
                    text=utt.text,
                    cue=turn.price.cue,
                    kind=turn.price.kind,
                    amount=turn.price.amount,
                    amount_high=turn.price.amount_high,
                    currency=turn.price.currency,
                    period=turn.price.period,
                    unit=turn.price.unit,
                )
            )
    metrics = compute_metrics(
        labelled, mentions, duration_s=duration_s, monologue_break_s=config.monologue_break_s
    )
    log.debug("analysed %d utterances: roles %s (%s)", len(labelled), roles.roles, roles.method)
    return CallAnalysis(tuple(labelled), roles, tuple(mentions), metrics)


def _label_sellers_only(
    ordered: Sequence[Utterance],
    roles: RoleAssignment,
    classifier: TurnClassifier,
    config: AnalysisConfig,
    prices: Sequence[PriceHit | None],
) -> list[TurnLabel]:
    """Only seller text goes through the turn model; buyers need question and price."""
    seller_idx = [i for i, u in enumerate(ordered) if roles.role_of(u.speaker) == SELLER]
    seller_labels = dict(zip(seller_idx, classifier.classify(
        [ordered[i].text for i in seller_idx], config.vocabulary, [prices[i] for i in seller_idx]
    )))
    return [
        seller_labels.get(i) or TurnLabel(u.text, "other", 0.0, (), is_question(u.text), prices[i])
        for i, u in enumerate(ordered)
    ]


def _price_roles(ordered: Sequence[Utterance], roles: RoleAssignment) -> list[str | None]:
    """Who says each utterance, for the price detector: unknown when the roles are uncertain."""
    if roles.uncertain:
        return [None] * len(ordered)
    return [roles.role_of(u.speaker) for u in ordered]


def _check(utterances: Sequence[Utterance], duration_s: float) -> None:
    if not math.isfinite(duration_s) or duration_s < 0:
        raise AnalysisError(f"call duration must be a non-negative number of seconds, got {duration_s!r}")
    for i, u in enumerate(utterances):
        if not (math.isfinite(u.start) and math.isfinite(u.end)) or u.end < u.start:
            raise AnalysisError(f"utterance {i} has bad times: start {u.start!r}, end {u.end!r}")
