"""The rows the pipeline hands to the warehouse that analysis does not produce."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple

CALL_STATUSES = ("ok", "failed")


def utc_now() -> datetime:
    """Naive UTC ``datetime``: the warehouse stores every timestamp as UTC without a zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class CallRecord:
    """One ``calls`` row: where the audio came from, its manifest fields and how it was processed.

    ``status`` is ``ok`` or ``failed``; a failed call carries the error text and no analysis.
    ``roles_uncertain``: the seller was found with less than the configured confidence.
    Timestamps may be naive (taken as UTC) or zone-aware (converted to UTC).
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


class ProcessedCall(NamedTuple):
    """What the incremental skip needs to know about a call already in the warehouse."""

    sha256: str | None
    pipeline_version: str | None
    status: str
