"""Find the recordings in a call archive and join them with ``manifest.csv``.

Every call gets a call_id no other call of the archive has: the manifest's, else the file's
path; a path that is already another file's manifest call_id gets a suffix made from its path.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Iterator

from flows.config import ConfigError, parse_channel
from flows.storage import ArchiveError, Recording, location_of, open_store
from transcription.audio import AUDIO_EXTENSIONS

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.csv"
MANIFEST_FIELDS = (
    "call_id", "recorded_at", "seller_id", "seller_name", "account", "opportunity_id",
    "outcome", "seller_channel", "num_speakers", "team",
)


@dataclass(frozen=True)
class CallSource:
    """One recording to process: where it is and what the manifest says about it."""

    call_id: str
    archive: str
    relative_path: str
    recorded_at: datetime | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    account: str | None = None
    opportunity_id: str | None = None
    outcome: str | None = None
    seller_channel: int | None = None
    num_speakers: int | None = None
    team: str | None = None

    @property
    def location(self) -> str:
        """The recording's path or URL (``stg_calls.source_location``; ``calls.source_path`` holds ``relative_path``)."""
        return location_of(self.archive, self.relative_path)


@dataclass(frozen=True)
class Discovery:
    """The result of walking an archive: calls to consider plus manifest problems to report."""

    calls: tuple[CallSource, ...]
    problems: tuple[str, ...] = field(default=())


def discover_calls(archive: str) -> Discovery:
    """Every supported audio file under ``archive`` (a folder or a URL; recursive, sorted), with
    its manifest row joined and a call_id unique within the archive."""
    archive = str(archive)
    store = open_store(archive)
    paths, problems = store.list_files()
    files = [rel for rel in paths if PurePosixPath(rel).suffix.lower() in AUDIO_EXTENSIONS]
    rows, manifest_problems = _read_manifest(store.read_bytes(MANIFEST_NAME), MANIFEST_NAME)
    problems.extend(manifest_problems)
    sources: dict[str, CallSource] = {}
    for rel in files:
        sources[rel], row_problems = _call_source(archive, rel, rows.pop(rel, {}))
        problems.extend(row_problems)
    problems.extend(_make_ids_unique(sources))
    for rel in sorted(rows):
        problems.append(f"manifest row for {rel}: file not found in the archive")
    return Discovery(calls=tuple(sources[rel] for rel in files), problems=tuple(problems))


def fingerprint(source: CallSource) -> str:
    """The sha256 of the recording's bytes, streamed (nothing is copied)."""
    return open_store(source.archive).fingerprint(source.relative_path)


@contextmanager
def fetch_recording(source: CallSource) -> Iterator[Recording]:
    """The recording as a local file to decode, with the sha256 of exactly those bytes."""
    with open_store(source.archive).fetch(source.relative_path) as recording:
        yield recording


def _make_ids_unique(sources: dict[str, CallSource]) -> list[str]:
    """Manifest call_ids are claimed first (the first file by path keeps a repeated one); then
    every other file takes its path, suffixed when that is already some call's id. The result
    does not depend on the order the files were listed in."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    from_path: list[str] = []
    for rel, source in sources.items():
        if source.call_id == rel:
            from_path.append(rel)
        elif source.call_id in owner:
            problems.append(f"{rel}: call_id '{source.call_id}' already used by "
                            f"{owner[source.call_id]}; using the path instead")
            from_path.append(rel)
        else:
            owner[source.call_id] = rel
    for rel in from_path:
        call_id = rel
        while call_id in owner:
            call_id = f"{rel}#{hashlib.sha256(call_id.encode()).hexdigest()[:8]}"
        if call_id != rel:
            problems.append(f"{rel}: its path is the call_id of {owner[rel]}; "
                            f"stored as call_id '{call_id}'")
        owner[call_id] = rel
        sources[rel] = CallSource(**{**sources[rel].__dict__, "call_id": call_id})
    return problems


def _read_manifest(data: bytes | None, name: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    if data is None:
        return {}, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError(f"{name} is not UTF-8 text") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or "path" not in reader.fieldnames:
            raise ArchiveError(f"{name} has no 'path' column")
        rows: dict[str, dict[str, str]] = {}
        problems: list[str] = []
        for line, row in enumerate(reader, start=2):
            rel = (row.get("path") or "").strip()
            if not rel:
                problems.append(f"{name} line {line}: empty path, row ignored")
                continue
            rel = PurePosixPath(rel.replace("\\", "/")).as_posix().removeprefix("./")
            if rel in rows:
                problems.append(f"{name} line {line}: {rel} listed twice, first row kept")
                continue
            rows[rel] = {k: (v or "").strip() for k, v in row.items() if k}
        return rows, problems
    except csv.Error as exc:
        raise ArchiveError(f"{name} is not valid CSV: {exc}") from None


def _call_source(archive: str, rel: str, row: dict[str, str]) -> tuple[CallSource, list[str]]:
    problems: list[str] = []
    values: dict[str, object] = {k: row.get(k) or None for k in MANIFEST_FIELDS}
    if values["recorded_at"]:
        try:
            values["recorded_at"] = datetime.fromisoformat(str(values["recorded_at"]))
        except ValueError:
            problems.append(f"{rel}: recorded_at '{values['recorded_at']}' is not a date, ignored")
            values["recorded_at"] = None
    try:
        values["seller_channel"] = parse_channel(values["seller_channel"])
    except ConfigError as exc:
        problems.append(f"{rel}: {exc}, ignored")
        values["seller_channel"] = None
    if values["num_speakers"]:
        try:
            count = int(str(values["num_speakers"]))
            if not 1 <= count <= 6:
                raise ValueError
            values["num_speakers"] = count
        except ValueError:
            problems.append(f"{rel}: num_speakers '{values['num_speakers']}' is not 1-6, ignored")
            values["num_speakers"] = None
    call_id = values.pop("call_id") or rel
    return CallSource(call_id=str(call_id), archive=archive, relative_path=rel, **values), problems
