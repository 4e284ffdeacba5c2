"""The closed sets of values the command line takes, as enums: ``--help`` lists them and any
other value is a usage error (exit 2) before a command starts."""
from __future__ import annotations

from enum import StrEnum

from flows.config import DEVICES
from transcription.diarization.factory import BACKENDS
from transcription.formats import FORMATS


def _choices(name: str, values: tuple[str, ...]) -> type[StrEnum]:
    return StrEnum(name, {value: value for value in values})


Diarization = _choices("Diarization", BACKENDS)
Device = _choices("Device", DEVICES)
TranscriptFormat = _choices("TranscriptFormat", FORMATS)
SpeakerRole = _choices("SpeakerRole", ("unknown", "seller", "buyer"))
SellerChannel = _choices("SellerChannel", ("left", "right", "0", "1"))
# warehouse.export.EXPORT_FORMATS, spelled out so --help does not import DuckDB (a test checks).
ExportFormat = _choices("ExportFormat", ("parquet", "csv", "duckdb"))

