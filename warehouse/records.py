"""The rows the pipeline hands to the warehouse that analysis does not produce."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, NamedTuple

CALL_STATUSES = ("ok", "failed")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CallRecord:
    """One ``calls`` row: where the audio came from, its manifest fields and how it was processed.

    ``status`` is ``ok`` or ``failed``; a failed call carries the error text and no analysis.
    ``roles_uncertain``: the seller was found with less than the configured confidence.
    Timestamps may be zone-aware or naive (taken as UTC); they are stored as TIMESTAMPTZ.
    """

    call_id: str
    source_path: str
    status: str = "ok"
    error: str | None = None
    sha256: str | None = None
    duration_s: float | None = None
    channels: int | None = None
    sample_rate: int | None = None
    recorded_at: datetime | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    team: str | None = None
    account: str | None = None
    opportunity_id: str | None = None
    outcome: str | None = None
    seller_channel: str | None = None
    num_speakers: int | None = None
    language: str | None = None
    asr_model: str | None = None
    diarization_backend: str | None = None
    classifier: str | None = None
    role_method: str | None = None
    role_confidence: float | None = None
    roles_uncertain: bool | None = None
    pii_redacted: bool | None = None
    pii_redactions: int | None = None
    pipeline_version: str | None = None
    processed_at: datetime = field(default_factory=utc_now)
    run_id: str | None = None

    def __post_init__(self) -> None:
        if not self.call_id:
            raise ValueError("CallRecord.call_id must not be empty")
        if self.status not in CALL_STATUSES:
            raise ValueError(f"CallRecord.status must be one of {CALL_STATUSES}, not {self.status!r}")
        if self.status == "failed" and not self.error:
            raise ValueError(f"failed call {self.call_id} needs the error text")

    def serialize(self) -> dict[str, Any]:
        return _json_values(asdict(self))


@dataclass(frozen=True)
class StoredCall:
    """A ``calls`` row read back, with where its recording is: the archive root of the run that
    wrote it joined with ``source_path`` (``stg_calls.source_location``; NULL without that run)."""

    record: CallRecord
    source_location: str | None

    def serialize(self) -> dict[str, Any]:
        return self.record.serialize() | {"source_location": self.source_location}


@dataclass(frozen=True)
class RunRecord:
    """One ``runs`` row: a batch, its counts and the settings it ran with (``config``)."""

    run_id: str
    started_at: datetime
    status: str
    ended_at: datetime | None = None
    archive: str | None = None
    pipeline_version: str | None = None
    discovered: int | None = None
    processed: int | None = None
    skipped: int | None = None
    failed: int | None = None
    audio_s: float | None = None
    error: str | None = None
    config: dict[str, Any] | None = None

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "RunRecord":
        config = row.get("config")
        return cls(**(row | {"config": json.loads(config) if config else None}))

    def serialize(self) -> dict[str, Any]:
        return _json_values(asdict(self))


def _json_values(values: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as ISO 8601 text with their offset; everything else is JSON already."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


class ProcessedCall(NamedTuple):
    """What the incremental skip needs to know about a call already in the warehouse."""

    sha256: str | None
    pipeline_version: str | None
    status: str
