"""Find the recordings in a call archive and join them with ``manifest.csv``."""
from __future__ import annotations

import csv
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from flows.config import ConfigError, parse_channel
from transcription.audio import AUDIO_EXTENSIONS

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.csv"
MANIFEST_FIELDS = (
    "call_id", "recorded_at", "seller_id", "seller_name", "account", "opportunity_id",
    "outcome", "seller_channel", "num_speakers",
)


class ArchiveError(ConfigError):
    """The archive folder or its manifest cannot be used at all."""


@dataclass(frozen=True)
class CallSource:
    """One recording to process: where it is and what the manifest says about it."""

    call_id: str
    path: Path
    relative_path: str
    recorded_at: datetime | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    account: str | None = None
    opportunity_id: str | None = None
    outcome: str | None = None
    seller_channel: int | None = None
    num_speakers: int | None = None


@dataclass(frozen=True)
class Discovery:
    """The result of walking an archive: calls to consider plus manifest problems to report."""

    calls: tuple[CallSource, ...]
    problems: tuple[str, ...] = field(default=())


def discover_calls(archive: Path) -> Discovery:
    """Every supported audio file under ``archive`` (recursive, sorted), manifest rows joined."""
    archive = Path(archive)
    if not archive.is_dir():
        raise ArchiveError(f"archive {archive} is not a folder")
    files = sorted(
        p for p in archive.rglob("*")
        if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file() and not _hidden(p, archive)
    )
    rows, problems = _read_manifest(archive / MANIFEST_NAME)
    calls: list[CallSource] = []
    seen_ids: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(archive).as_posix()
        row = rows.pop(rel, {})
        source, row_problems = _call_source(path, rel, row)
        problems.extend(row_problems)
        if source.call_id in seen_ids:
            problems.append(
                f"{rel}: call_id '{source.call_id}' already used by {seen_ids[source.call_id]}; "
                "using the path instead"
            )
            source = CallSource(**{**source.__dict__, "call_id": rel})
        seen_ids[source.call_id] = rel
        calls.append(source)
    for rel in sorted(rows):
        problems.append(f"manifest row for {rel}: file not found in the archive")
    return Discovery(calls=tuple(calls), problems=tuple(problems))


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _read_manifest(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    if not path.is_file():
        return {}, []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "path" not in reader.fieldnames:
                raise ArchiveError(f"{path} has no 'path' column")
            rows: dict[str, dict[str, str]] = {}
            problems: list[str] = []
            for line, row in enumerate(reader, start=2):
                rel = (row.get("path") or "").strip()
                if not rel:
                    problems.append(f"{path.name} line {line}: empty path, row ignored")
                    continue
                rel = PurePosixPath(rel.replace("\\", "/")).as_posix().removeprefix("./")
                if rel in rows:
                    problems.append(f"{path.name} line {line}: {rel} listed twice, first row kept")
                    continue
                rows[rel] = {k: (v or "").strip() for k, v in row.items() if k}
            return rows, problems
    except UnicodeDecodeError:
        raise ArchiveError(f"{path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise ArchiveError(f"{path} is not valid CSV: {exc}") from None


def _call_source(path: Path, rel: str, row: dict[str, str]) -> tuple[CallSource, list[str]]:
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
    return CallSource(call_id=str(call_id), path=path, relative_path=rel, **values), problems
