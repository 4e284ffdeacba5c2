"""The batch's one writer: every finished call reaches the database, even when another process
holds the file for a while or its disk is full for a moment.

A call that cannot be written at once is kept in memory and in a spool folder beside the
database (``<db>.spool/``, or the temp folder when that disk is full as well), and retried after
each next call and at the end of the batch. What a batch still could not write stays in the
spool, with the closing of its ``runs`` row; the next batch writes both first, skipping any
call that was stored again in between.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from flows.process import CallOutcome
from warehouse import Warehouse, WarehouseError

logger = logging.getLogger(__name__)

ATTEMPT_WAIT_S = 1.0  # how long a write waits for the file while calls are still being processed
RETRY_PAUSE_S = 1.0


@dataclass(frozen=True)
class RunTotals:
    """The counts that close a ``runs`` row."""

    discovered: int
    processed: int
    skipped: int
    failed: int
    audio_s: float


class BatchWriter:
    def __init__(self, warehouse: Warehouse, run_id: str):
        self.warehouse = warehouse
        self.run_id = run_id
        self.last_error: str | None = None
        self._pending: list[tuple[CallOutcome, Path | None]] = []
        self._spooled = 0
        real = os.path.realpath(warehouse.path)
        self.spools = (
            Path(f"{real}.spool"),
            Path(tempfile.gettempdir()) / f"callytics-{hashlib.sha256(real.encode()).hexdigest()[:12]}.spool",
        )

    @property
    def pending(self) -> int:
        """Finished calls not yet in the database."""
        return len(self._pending)

    def kept_where(self) -> str:
        """Where the unwritten calls wait, for the message that reports them."""
        on_disk = sum(1 for _, path in self._pending if path is not None)
        if on_disk == len(self._pending):
            return f"kept in {self._pending[0][1].parent}; the next run writes them" if on_disk else ""
        return (f"{len(self._pending) - on_disk} of them could not be saved anywhere "
                f"({self.last_error}) and are lost")

    def recover(self) -> list[str]:
        """Write what earlier batches left in the spool; returns one line per thing done."""
        entries = sorted((p for spool in self.spools if spool.is_dir() for p in spool.iterdir()),
                         key=lambda p: p.name)
        outcomes, messages = self._load_outcomes([p for p in entries if p.suffix == ".pickle"])
        if outcomes:
            stored = self._stored_at([o.record.call_id for o, _ in outcomes])
            fresh = [(o, p) for o, p in outcomes
                     if stored.get(o.record.call_id) is None or _utc(stored[o.record.call_id]) < _utc(o.record.processed_at)]
            self.warehouse.write_calls((o.record, o.analysis, o.words) for o, _ in fresh)
            for _, path in outcomes:
                path.unlink()
            messages.append(f"wrote {len(fresh)} finished call(s) an earlier run could not write"
                            + (f" ({len(outcomes) - len(fresh)} since reprocessed)" if len(fresh) < len(outcomes) else ""))
        for path in (p for p in entries if p.name.endswith(".closing.json")):
            closing = json.loads(path.read_text())
            self.warehouse.finish_run(closing["run_id"], ended_at=datetime.fromisoformat(closing["ended_at"]),
                                      error=closing["error"], **closing["totals"])
            path.unlink()
            messages.append(f"closed run {closing['run_id']}, which could not record its end")
        for spool in self.spools:
            if spool.is_dir() and not any(spool.iterdir()):
                spool.rmdir()
        return messages

    def add(self, outcome: CallOutcome) -> None:
        """Write ``outcome`` now, together with anything still pending, or keep it for later."""
        self._pending.append((outcome, None))
        self._write_pending(ATTEMPT_WAIT_S)

    def flush(self, wait_s: float) -> bool:
        """Retry the pending calls for up to ``wait_s`` seconds; True once all are written."""
        deadline = time.monotonic() + wait_s
        while self._pending and not self._write_pending(max(deadline - time.monotonic(), 0.0)):
            if time.monotonic() >= deadline:
                break
            time.sleep(RETRY_PAUSE_S)
        return not self._pending

    def close_run(self, totals: RunTotals, *, wait_s: float, error: str | None = None) -> bool:
        """Record the end of the batch, or spool it for the next run when the file is unavailable."""
        ended_at = datetime.now(timezone.utc)
        try:
            with self._waiting(wait_s):
                self.warehouse.finish_run(self.run_id, ended_at=ended_at, error=error, **asdict(totals))
            return True
        except WarehouseError as exc:
            self.last_error = str(exc)
        closing = {"run_id": self.run_id, "ended_at": ended_at.isoformat(), "error": error,
                   "totals": asdict(totals)}
        self._save(f"{self.run_id}.closing.json", json.dumps(closing).encode())
        return False

    def _write_pending(self, wait_s: float) -> bool:
        try:
            with self._waiting(wait_s):
                self.warehouse.write_calls((o.record, o.analysis, o.words) for o, _ in self._pending)
        except WarehouseError as exc:
            self.last_error = str(exc)
            self._pending = [(o, path or self._spool(o)) for o, path in self._pending]
            return False
        for _, path in self._pending:
            if path is not None:
                path.unlink(missing_ok=True)
        self._pending.clear()
        return True

    def _spool(self, outcome: CallOutcome) -> Path | None:
        self._spooled += 1
        return self._save(f"{self.run_id}-{self._spooled:06d}.pickle", pickle.dumps(outcome))

    def _save(self, name: str, data: bytes) -> Path | None:
        """Write ``data`` into the first spool folder that takes it (atomically)."""
        for spool in self.spools:
            target = spool / name
            partial = spool / f".{name}.partial"
            try:
                spool.mkdir(exist_ok=True)
                with open(partial, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(partial, target)
                return target
            except OSError as exc:
                with suppress(OSError):
                    partial.unlink(missing_ok=True)
                logger.warning("cannot spool to %s: %s", spool, exc.strerror or exc)
        return None

    def _load_outcomes(self, paths: list[Path]) -> tuple[list[tuple[CallOutcome, Path]], list[str]]:
        loaded: list[tuple[CallOutcome, Path]] = []
        messages: list[str] = []
        for path in paths:
            try:
                outcome = pickle.loads(path.read_bytes())
                if not isinstance(outcome, CallOutcome):
                    raise TypeError(type(outcome).__name__)
            except Exception as exc:  # written by another callytics version, or damaged
                path.rename(path.with_suffix(".unreadable"))
                messages.append(f"spooled result {path} cannot be read ({exc}); set aside")
                continue
            loaded.append((outcome, path))
        return loaded, messages

    def _stored_at(self, call_ids: list[str]) -> dict[str, datetime]:
        frame = self.warehouse.query(
            "SELECT call_id, processed_at FROM calls WHERE list_contains(?, call_id)", [call_ids])
        return {row.call_id: row.processed_at.to_pydatetime() for row in frame.itertuples()}

    @contextmanager
    def _waiting(self, seconds: float) -> Iterator[None]:
        saved = self.warehouse.lock_timeout_s
        self.warehouse.lock_timeout_s = seconds
        try:
            yield
        finally:
            self.warehouse.lock_timeout_s = saved


def _utc(moment: datetime) -> datetime:
    """An aware UTC time; a naive one (a spool written before TIMESTAMPTZ) is UTC already."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
