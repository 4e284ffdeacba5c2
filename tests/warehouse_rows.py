"""Hand-built warehouse rows for the warehouse tests: records, analyses and words of fake calls."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from analysis.types import CallAnalysis, CallMetrics, LabelledUtterance, PriceMention, RoleAssignment
from transcription.types import Word
from warehouse import CallRecord, Warehouse

SCRIPT = (  # speaker, role, text, label, push kind, is question, mentions price
    ("spk_seller", "seller", "Thanks for making time today.", "other", None, False, False),
    ("spk_buyer", "buyer", "Sure, happy to.", None, None, False, False),
    ("spk_seller", "seller", "Walk me through how you plan inventory today?", "discovery", None, True, False),
    ("spk_buyer", "buyer", "Mostly spreadsheets, and we keep running out of stock.", None, None, False, False),
    ("spk_seller", "seller", "So your planners would just reorder what the alerts flag.", "product_push", "usage",
     False, False),
    ("spk_seller", "seller", "It is sixty dollars a seat per month.", "product_push", "feature", False, True),
)


def record(call_id: str = "call-1", **overrides) -> CallRecord:
    fields = dict(
        call_id=call_id,
        source_path=f"2026/03/{call_id}.wav",
        sha256="ab" * 32,
        duration_s=120.0,
        channels=1,
        sample_rate=16000,
        recorded_at=datetime(2026, 3, 2, 15, 30),
        seller_id="s1",
        seller_name="Sam Seller",
        account="Acme",
        opportunity_id="opp-1",
        outcome="won",
        asr_model="tiny.en",
        diarization_backend="pyannote",
        role_method="questions",
        role_confidence=0.9,
        roles_uncertain=False,
        pipeline_version="0.1.0",
        processed_at=datetime(2026, 3, 3, 2, 0),
        run_id="run-1",
    )
    fields.update(overrides)
    return CallRecord(**fields)


def failed_record(call_id: str = "call-bad", error: str = "cannot decode audio") -> CallRecord:
    return CallRecord(call_id=call_id, source_path=f"{call_id}.mp3", status="failed", error=error,
                      processed_at=datetime(2026, 3, 3, 2, 0), run_id="run-1")


def metrics(**overrides) -> CallMetrics:
    fields = dict(
        duration_s=120.0, speech_s=100.0, n_speakers=2, seller_talk_s=60.0, buyer_talk_s=40.0,
        seller_talk_ratio=0.6, seller_turns=4, buyer_turns=2, discovery_turns=1, product_push_turns=2,
        other_turns=1, discovery_share=1 / 3, seller_questions=1, buyer_questions=0,
        longest_seller_monologue_s=20.0, longest_buyer_story_s=15.0, interactivity=3.0, patience_s=0.8,
        first_discovery_s=10.0, first_product_push_s=40.0, pitch_before_discovery=False,
        first_price_s=60.0, first_price_frac=0.5, first_price_by="seller", price_mentions=1,
        first_price_kind="quote", price_before_discovery=False, seller_wpm=150.0, usage_turns=1, feature_turns=1,
        usage_share=0.5, feature_before_discovery=False,
    )
    fields.update(overrides)
    return CallMetrics(**fields)


def analysis(n_utterances: int = len(SCRIPT), **metric_overrides) -> CallAnalysis:
    """A call of ``n_utterances`` turns cycling through SCRIPT, 10 s apart, with one price mention."""
    utterances = []
    mentions = []
    for i in range(n_utterances):
        speaker, role, text, label, push_kind, question, price = SCRIPT[i % len(SCRIPT)]
        start = 10.0 * i
        words = tuple(Word(start + 0.3 * k, start + 0.3 * k + 0.25, w, 0.9, speaker)
                      for k, w in enumerate(text.split()))
        utterances.append(LabelledUtterance(
            idx=i, speaker=speaker, role=role, start=start, end=start + 8.0, text=text, label=label,
            label_confidence=None if label is None else 0.8,
            cues=("walk me through",) if label == "discovery" else (),
            is_question=question, price_mention=price, words=words,
            push_kind=push_kind, push_kind_confidence=None if push_kind is None else 0.85,
        ))
        if price:
            mentions.append(PriceMention(utterance_idx=i, start=start, speaker=speaker, role=role,
                                         text=text, cue="sixty dollars", kind="quote", amount=60.0, currency="USD",
                                         period="month", unit="seat"))
    return CallAnalysis(
        utterances=tuple(utterances),
        roles=RoleAssignment({"spk_seller": "seller", "spk_buyer": "buyer"}, "questions", 0.9),
        price_mentions=tuple(mentions),
        metrics=metrics(**metric_overrides),
    )


def words_of(call: CallAnalysis) -> list[Word]:
    return [w for u in call.utterances for w in u.words]


def sample_warehouse(path) -> Warehouse:
    """Two sellers over two ISO weeks, won and lost deals, price early and late, one failed call.

    Usage shares: a1 0.5, a2 0.0 (a feature pitch before discovery), a3 1.0, b1 none (no pitch), b2 0.25.
    """
    wh = Warehouse(path)
    calls = [
        # call_id, seller, day, outcome, talk ratio, discovery share, price s, price by, first discovery s
        ("a1", ("s1", "Sam Seller"), datetime(2026, 3, 2, 10), "won", 0.5, 0.6, 90.0, "seller", 10.0),
        ("a2", ("s1", "Sam Seller"), datetime(2026, 3, 4, 10), "lost", 0.7, 0.2, 12.0, "seller", 30.0),
        ("a3", ("s1", "Sam Seller"), datetime(2026, 3, 10, 10), "Closed Won", 0.4, 0.8, None, None, 5.0),
        ("b1", ("s2", "Ria Rep"), datetime(2026, 3, 3, 9), "lost", 0.8, 0.0, 6.0, "buyer", None),
        ("b2", ("s2", "Ria Rep"), datetime(2026, 3, 11, 9), None, 0.6, 0.5, 60.0, "seller", 20.0),
    ]
    usage = {"a1": (1, 1), "a2": (0, 2), "a3": (2, 0), "b1": (0, 0), "b2": (1, 3)}
    for call_id, (seller_id, seller_name), day, outcome, talk, share, price_s, price_by, discovery_s in calls:
        price_before = None if price_s is None else (discovery_s is None or price_s < discovery_s)
        usage_turns, feature_turns = usage[call_id]
        call = analysis(
            6 if price_s is not None else 4,
            usage_turns=usage_turns, feature_turns=feature_turns,
            usage_share=usage_turns / (usage_turns + feature_turns) if usage_turns + feature_turns else None,
            feature_before_discovery=call_id == "a2",
            seller_talk_ratio=talk, discovery_share=share, first_price_s=price_s,
            first_price_frac=None if price_s is None else price_s / 120.0, first_price_by=price_by,
            first_discovery_s=discovery_s, price_before_discovery=price_before,
            pitch_before_discovery=discovery_s is None, price_mentions=0 if price_s is None else 1,
        )
        if price_s is not None:
            mention = call.price_mentions[0]
            call = CallAnalysis(call.utterances, call.roles,
                                (replace(mention, start=price_s, role=price_by),), call.metrics)
        wh.write_call(record(call_id, seller_id=seller_id, seller_name=seller_name, recorded_at=day,
                             outcome=outcome), call, words_of(call))
    wh.write_call(failed_record("z9"), None, [])
    wh.start_run("run-1", datetime(2026, 3, 12, 2), "/archive")
    wh.finish_run("run-1", discovered=6, processed=5, skipped=0, failed=1, audio_s=600.0,
                  ended_at=datetime(2026, 3, 12, 2, 30))
    return wh


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in; root ignores modes, so it tries sysfs."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys")):
        probe = candidate / "callytics-probe"
        try:
            probe.touch()
        except OSError:
            return candidate
        probe.unlink()
    pytest.skip("no folder here refuses new files (running as root?)")
