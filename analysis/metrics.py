"""Per-call metrics, as docs/metrics.md defines them.

Conventions behind those definitions: talk time by role is the sum of that role's utterance
durations; a monologue (story) is the time from the start of a run of seller (buyer) utterances to
the end of its last one, where the run ends at an utterance of the other side lasting at least
``monologue_break_s``; ``patience_s`` averages, over every buyer utterance directly followed by a
seller utterance, the gap from the buyer's end to the seller's start (overlap counts 0). Metrics
about the seller are NULL when no seller was found. "X before discovery" means X happened and
started strictly before the first seller discovery utterance, or X happened and there was none.
"""
from __future__ import annotations

from collections.abc import Sequence

from analysis.text import word_count
from analysis.types import BUYER, LABELS, PUSH_KINDS, SELLER, CallMetrics, LabelledUtterance, PriceMention
from transcription.types import whole_words


def compute_metrics(
    utterances: Sequence[LabelledUtterance],
    price_mentions: Sequence[PriceMention],
    *,
    duration_s: float,
    monologue_break_s: float = 1.0,
) -> CallMetrics:
    utts = sorted(utterances, key=lambda u: (u.start, u.end, u.idx))
    seller = [u for u in utts if u.role == SELLER]
    buyer = [u for u in utts if u.role == BUYER]
    has_seller = bool(seller)
    speech_s = union_length([(u.start, u.end) for u in utts])
    seller_talk = sum(u.duration for u in seller)
    buyer_talk = sum(u.duration for u in buyer)
    counts = {label: sum(u.label == label for u in seller) for label in LABELS}
    pitched = counts["discovery"] + counts["product_push"]
    pitches = [u for u in seller if u.label == "product_push"]
    kinds = {kind: sum(u.push_kind == kind for u in pitches) for kind in PUSH_KINDS}
    kinded = kinds["usage"] + kinds["feature"]
    first_discovery = _first_start(u for u in seller if u.label == "discovery")
    first_push = _first_start(pitches)
    first_feature = _first_start(u for u in pitches if u.push_kind == "feature")
    first_price = min(price_mentions, key=lambda p: (p.start, p.utterance_idx), default=None)
    seller_words = sum(len(whole_words(u.words)) if u.words else word_count(u.text) for u in seller)
    return CallMetrics(
        duration_s=float(duration_s),
        speech_s=speech_s,
        n_speakers=len({u.speaker for u in utts}),
        seller_talk_s=seller_talk,
        buyer_talk_s=buyer_talk,
        seller_talk_ratio=seller_talk / (seller_talk + buyer_talk) if seller_talk + buyer_talk > 0 else None,
        seller_turns=len(seller),
        buyer_turns=len(buyer),
        discovery_turns=counts["discovery"],
        product_push_turns=counts["product_push"],
        other_turns=counts["other"],
        discovery_share=counts["discovery"] / pitched if pitched else None,
        seller_questions=sum(u.is_question for u in seller),
        buyer_questions=sum(u.is_question for u in buyer),
        longest_seller_monologue_s=longest_run(utts, SELLER, monologue_break_s),
        longest_buyer_story_s=longest_run(utts, BUYER, monologue_break_s),
        interactivity=speaker_changes(utts) / (speech_s / 60.0) if speech_s > 0 else None,
        patience_s=patience(utts),
        first_discovery_s=first_discovery,
        first_product_push_s=first_push,
        pitch_before_discovery=_before(first_push, first_discovery) if has_seller else None,
        first_price_s=first_price.start if first_price else None,
        first_price_frac=first_price.start / duration_s if first_price and duration_s > 0 else None,
        first_price_by=first_price.role if first_price else None,
        price_mentions=len(price_mentions),
        price_before_discovery=_before(first_price.start if first_price else None, first_discovery) if has_seller else None,
        seller_wpm=seller_words / (seller_talk / 60.0) if seller_talk > 0 else None,
        first_price_kind=first_price.kind if first_price else None,
        usage_turns=kinds["usage"],
        feature_turns=kinds["feature"],
        usage_share=kinds["usage"] / kinded if kinded else None,
        feature_before_discovery=_before(first_feature, first_discovery) if has_seller else None,
    )


def union_length(intervals: Sequence[tuple[float, float]]) -> float:
    """Total length covered by the intervals (overlaps counted once)."""
    total, cur_start, cur_end = 0.0, None, None
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if cur_end is None or start > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def longest_run(utts: Sequence[LabelledUtterance], role: str, break_s: float) -> float | None:
    """Longest stretch of ``role`` speech not broken by another speaker's utterance of ``break_s`` or more."""
    span = longest_run_span(utts, role, break_s)
    return None if span is None else span[1] - span[0]


def longest_run_span(utts: Sequence[LabelledUtterance], role: str, break_s: float) -> tuple[float, float] | None:
    """Start and end of ``longest_run`` (the earliest of equally long ones); ``utts`` in time order."""
    best: tuple[float, float] | None = None
    run_start: float | None = None
    run_end = 0.0
    for u in utts:
        if u.role == role:
            if run_start is None:
                run_start, run_end = u.start, u.end
            else:
                run_end = max(run_end, u.end)
            if best is None or run_end - run_start > best[1] - best[0]:
                best = (run_start, run_end)
        elif u.duration >= break_s and u.role is not None:
            run_start = None
    return best


def speaker_changes(utts: Sequence[LabelledUtterance]) -> int:
    return sum(a.speaker != b.speaker for a, b in zip(utts, utts[1:]))


def patience(utts: Sequence[LabelledUtterance]) -> float | None:
    gaps = [
        max(0.0, nxt.start - cur.end)
        for cur, nxt in zip(utts, utts[1:])
        if cur.role == BUYER and nxt.role == SELLER
    ]
    return sum(gaps) / len(gaps) if gaps else None


def _first_start(utts) -> float | None:
    return min((u.start for u in utts), default=None)


def _before(first: float | None, first_discovery: float | None) -> bool:
    """It happened, and before any seller discovery (or with no discovery at all)."""
    return first is not None and (first_discovery is None or first < first_discovery)
