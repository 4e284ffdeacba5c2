"""Turn one call's results into Arrow tables, one per warehouse table, ready for bulk insert."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import date, datetime, timezone

import pyarrow as pa

from analysis.types import CallAnalysis, CallMetrics
from transcription.types import Word
from warehouse.records import CallRecord

_ARROW_TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}


def _arrow_type(annotation: str) -> pa.DataType:
    """Arrow type for a dataclass field annotated like ``float | None`` (annotations are strings)."""
    base = annotation.split("|")[0].strip()
    if base.startswith("datetime"):
        return pa.timestamp("us", tz="UTC")
    return _ARROW_TYPES[base]


CALLS_SCHEMA = pa.schema([(f.name, _arrow_type(f.type)) for f in fields(CallRecord)])
METRICS_SCHEMA = pa.schema(
    [("call_id", pa.string())] + [(f.name, _arrow_type(f.type)) for f in fields(CallMetrics)]
)
UTTERANCES_SCHEMA = pa.schema([
    ("call_id", pa.string()),
    ("idx", pa.int32()),
    ("speaker", pa.string()),
    ("role", pa.string()),
    ("start_s", pa.float64()),
    ("end_s", pa.float64()),
    ("text", pa.string()),
    ("label", pa.string()),
    ("label_confidence", pa.float64()),
    ("cues", pa.list_(pa.string())),
    ("is_question", pa.bool_()),
    ("price_mention", pa.bool_()),
    ("push_kind", pa.string()),
    ("push_kind_confidence", pa.float64()),
])
WORDS_SCHEMA = pa.schema([
    ("call_id", pa.string()),
    ("idx", pa.int32()),
    ("start_s", pa.float64()),
    ("end_s", pa.float64()),
    ("word", pa.string()),
    ("probability", pa.float64()),
    ("speaker", pa.string()),
])
PRICE_MENTIONS_SCHEMA = pa.schema([
    ("call_id", pa.string()),
    ("idx", pa.int32()),
    ("utterance_idx", pa.int32()),
    ("start_s", pa.float64()),
    ("speaker", pa.string()),
    ("role", pa.string()),
    ("text", pa.string()),
    ("cue", pa.string()),
    ("kind", pa.string()),
    ("amount", pa.float64()),
    ("amount_high", pa.float64()),
    ("currency", pa.string()),
    ("period", pa.string()),
    ("unit", pa.string()),
])


def as_utc(value: datetime | date | None) -> datetime | None:
    """The instant as a UTC datetime; naive values are taken as UTC, a bare date means midnight."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def batch_rows(calls: Sequence[tuple[CallRecord, CallAnalysis | None, Sequence[Word]]]) -> dict[str, pa.Table]:
    """The rows of several calls, one Arrow table per warehouse table."""
    per_table: dict[str, list[pa.Table]] = {}
    for record, analysis, words in calls:
        for table, rows in call_rows(record, analysis, words).items():
            per_table.setdefault(table, []).append(rows)
    return {table: pa.concat_tables(parts) for table, parts in per_table.items()}


def call_rows(record: CallRecord, analysis: CallAnalysis | None, words: Sequence[Word]) -> dict[str, pa.Table]:
    """Every table's rows for one call, keyed by table name."""
    call = asdict(record)
    call["recorded_at"] = as_utc(record.recorded_at)
    call["processed_at"] = as_utc(record.processed_at)
    tables = {"calls": pa.Table.from_pylist([call], schema=CALLS_SCHEMA)}
    if analysis is None:
        return tables
    call_id = record.call_id
    tables["utterances"] = pa.table({
        "call_id": [call_id] * len(analysis.utterances),
        "idx": [u.idx for u in analysis.utterances],
        "speaker": [u.speaker for u in analysis.utterances],
        "role": [u.role for u in analysis.utterances],
        "start_s": [u.start for u in analysis.utterances],
        "end_s": [u.end for u in analysis.utterances],
        "text": [u.text for u in analysis.utterances],
        "label": [u.label for u in analysis.utterances],
        "label_confidence": [u.label_confidence for u in analysis.utterances],
        "cues": [list(u.cues) for u in analysis.utterances],
        "is_question": [u.is_question for u in analysis.utterances],
        "price_mention": [u.price_mention for u in analysis.utterances],
        "push_kind": [u.push_kind for u in analysis.utterances],
        "push_kind_confidence": [u.push_kind_confidence for u in analysis.utterances],
    }, schema=UTTERANCES_SCHEMA)
    tables["words"] = pa.table({
        "call_id": [call_id] * len(words),
        "idx": list(range(len(words))),
        "start_s": [w.start for w in words],
        "end_s": [w.end for w in words],
        "word": [w.text for w in words],
        "probability": [w.probability for w in words],
        "speaker": [w.speaker for w in words],
    }, schema=WORDS_SCHEMA)
    mentions = analysis.price_mentions
    tables["price_mentions"] = pa.table({
        "call_id": [call_id] * len(mentions),
        "idx": list(range(len(mentions))),
        "utterance_idx": [m.utterance_idx for m in mentions],
        "start_s": [m.start for m in mentions],
        "speaker": [m.speaker for m in mentions],
        "role": [m.role for m in mentions],
        "text": [m.text for m in mentions],
        "cue": [m.cue for m in mentions],
        "kind": [m.kind for m in mentions],
        "amount": [m.amount for m in mentions],
        "amount_high": [m.amount_high for m in mentions],
        "currency": [m.currency for m in mentions],
        "period": [m.period for m in mentions],
        "unit": [m.unit for m in mentions],
    }, schema=PRICE_MENTIONS_SCHEMA)
    metrics = {"call_id": call_id, **analysis.metrics.serialize()}
    tables["call_metrics"] = pa.Table.from_pylist([metrics], schema=METRICS_SCHEMA)
    return tables
