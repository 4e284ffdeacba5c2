"""The ``Warehouse``: one DuckDB file, opened only for the moment it is read or written."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb
import pyarrow as pa

from analysis.types import CallAnalysis
from transcription.types import Word
from warehouse.connection import open_database
from warehouse.errors import WarehouseError
from warehouse.records import CallRecord, ProcessedCall, RunRecord, StoredCall
from warehouse.rows import as_utc, batch_rows
from warehouse.schema import check_intact, check_readable, migrate

if TYPE_CHECKING:  # a batch never builds a DataFrame: pandas loads when a query asks for one
    import pandas as pd

log = logging.getLogger(__name__)

CALL_TABLES = ("calls", "utterances", "words", "price_mentions", "call_metrics")
DEFAULT_LOCK_TIMEOUT_S = 30.0

CallResult = tuple[CallRecord, CallAnalysis | None, Sequence[Word]]
T = TypeVar("T")


class Warehouse:
    """Reads and writes the callytics DuckDB file at ``path``.

    Opening creates the file (its folder must exist), or reads an existing one end to end and
    reports damage before writing anything, then upgrades an older schema in place.
    No connection stays open between calls, so other processes can read whenever no write is
    in progress; ``batch()`` keeps one connection for a run of writes when speed matters more.
    A file held by another process is retried for up to ``lock_timeout_s`` seconds. Threads may
    share one instance: its operations take turns.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False,
                 lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.lock_timeout_s = lock_timeout_s
        self._held: duckdb.DuckDBPyConnection | None = None
        self._turn = threading.RLock()
        if read_only:
            with self._connection() as con:
                check_readable(con, self.path)
            return
        created = not self.path.exists()
        try:
            with self._connection() as con:
                if not created:
                    check_intact(con, self.path)
                migrate(con, self.path)
        except BaseException:
            if created:
                _remove_database_files(self.path)
            raise

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Warehouse({str(self.path)!r}, {mode})"

    @contextmanager
    def batch(self) -> Iterator["Warehouse"]:
        """Hold one connection (and the write lock) for every write inside the block."""
        with self._connection() as con:
            if self._held is not None:
                yield self
                return
            self._held = con
            try:
                yield self
            finally:
                self._held = None

    def write_call(self, record: CallRecord, analysis: CallAnalysis | None,
                   words: Sequence[Word] = ()) -> None:
        """Replace every row of ``record.call_id`` with these, in one transaction.

        A failed call (``status == 'failed'``) has no analysis and gets only its ``calls`` row.
        """
        self.write_calls([(record, analysis, words)])

    def write_calls(self, calls: Iterable[CallResult]) -> None:
        """Write several calls like ``write_call``, all in one transaction: all of them or none.

        Bulk loads and backfills use it; each call still replaces its own rows only.
        """
        calls = list(calls)
        seen: set[str] = set()
        for record, analysis, _ in calls:
            if (analysis is None) != (record.status == "failed"):
                raise ValueError(
                    f"call {record.call_id}: status {record.status!r} "
                    f"{'needs' if analysis is None else 'cannot have'} an analysis"
                )
            if record.call_id in seen:
                raise ValueError(f"call {record.call_id} appears twice in one write")
            seen.add(record.call_id)
        if not calls:
            return
        what = f"write call {calls[0][0].call_id}" if len(calls) == 1 else f"write {len(calls)} calls"
        tables = batch_rows(calls)
        self._transaction(what, lambda con: _replace_calls(con, tables))

    def start_run(self, run_id: str, started_at: datetime, archive: str | Path | None, *,
                  pipeline_version: str | None = None,
                  config: Mapping[str, object] | None = None) -> None:
        """Record a batch as ``running``; ``config`` is stored as JSON."""
        config_json = json.dumps(config, sort_keys=True, default=str) if config is not None else None
        self._transaction(f"start run {run_id}", lambda con: con.execute(
            "INSERT OR REPLACE INTO runs (run_id, started_at, status, archive, pipeline_version, config) "
            "VALUES (?, ?, 'running', ?, ?, ?)",
            [run_id, as_utc(started_at), None if archive is None else str(archive),
             pipeline_version, config_json],
        ))

    def finish_run(self, run_id: str, *, discovered: int, processed: int, skipped: int, failed: int,
                   audio_s: float, ended_at: datetime | None = None,
                   error: str | None = None) -> None:
        """Close a batch with its counts; ``error`` marks the whole batch ``failed``."""
        def update(con: duckdb.DuckDBPyConnection) -> None:
            found = con.execute(
                "UPDATE runs SET ended_at = coalesce(?, now()), status = ?, "
                "discovered = ?, processed = ?, skipped = ?, failed = ?, audio_s = ?, error = ? "
                "WHERE run_id = ? RETURNING run_id",
                [as_utc(ended_at), "failed" if error else "finished", discovered, processed,
                 skipped, failed, audio_s, error, run_id],
            ).fetchall()
            if not found:
                raise WarehouseError(f"run {run_id} was never started in {self.path}")
        self._transaction(f"finish run {run_id}", update)

    def fail_abandoned_runs(self, reason: str) -> None:
        """Close runs left ``running`` by a process that died. Only call this while holding the
        batch lock, when no other batch can be running."""
        self._transaction("close abandoned runs", lambda con: con.execute(
            "UPDATE runs SET status = 'failed', error = ? WHERE status = 'running'", [reason]))

    def processed_calls(self) -> dict[str, ProcessedCall]:
        """Every stored call: what an incremental batch compares to decide what to skip."""
        rows = self._read(lambda con: con.execute(
            "SELECT call_id, sha256, pipeline_version, status FROM calls"
        ).fetchall())
        return {call_id: ProcessedCall(sha, version, status) for call_id, sha, version, status in rows}

    def report_timezone(self) -> str:
        """The IANA time zone the views group calls into days and weeks in."""
        return self._read(lambda con: con.execute(
            "SELECT coalesce(any_value(report_timezone), 'UTC') FROM report_settings").fetchall()[0][0])

    def set_report_timezone(self, name: str) -> None:
        """Make every view put calls into days and weeks in the IANA time zone ``name``."""
        def check(con: duckdb.DuckDBPyConnection) -> None:
            try:
                con.execute("SELECT timezone(?, now())", [name])
            except duckdb.Error:
                raise WarehouseError(f"unknown time zone '{name}' (use an IANA name such as "
                                     "America/Los_Angeles)") from None
        self._set_report_setting("report_timezone", name, check)

    def set_min_outcome_calls(self, calls: int) -> None:
        """Below ``calls`` closed calls on either side, ``v_behaviour_outcomes`` gives no interval."""
        if calls < 1:
            raise WarehouseError(f"min_outcome_calls must be at least 1, not {calls}")
        self._set_report_setting("min_outcome_calls", calls)

    def _set_report_setting(self, column: str, value: object,
                            check: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
        def update(con: duckdb.DuckDBPyConnection) -> None:
            if check is not None:
                check(con)
            stored = con.execute(f"SELECT any_value({column}) FROM report_settings").fetchall()[0][0]
            if stored != value:
                con.execute(f"UPDATE report_settings SET {column} = ?, updated_at = now()", [value])
        self._transaction(f"set the report setting {column} to {value}", update)

    def recent_runs(self, limit: int | None = None) -> list[RunRecord]:
        """Batches, the latest first."""
        sql = f"SELECT {', '.join(RunRecord.columns())} FROM runs ORDER BY started_at DESC, run_id"
        return [RunRecord.from_row(row) for row in self._rows(sql, limit)]

    def stored_calls(self, *, status: str | None = None, limit: int | None = None) -> list[StoredCall]:
        """Calls (only those with ``status``, when given), the latest processed first."""
        columns = ", ".join(f.name for f in fields(CallRecord))
        where = "" if status is None else "WHERE status = ?"
        sql = (f"SELECT {columns}, source_location FROM stg_calls {where} "
               "ORDER BY processed_at DESC, call_id")
        return [StoredCall(CallRecord(**{k: v for k, v in row.items() if k != "source_location"}),
                           row["source_location"])
                for row in self._rows(sql, limit, [] if status is None else [status])]

    def _rows(self, sql: str, limit: int | None,
              params: Sequence[object] = ()) -> list[dict[str, object]]:
        if limit is not None:
            sql, params = f"{sql} LIMIT ?", [*params, limit]

        def run(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
            cursor = con.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        return self._read(run)

    def query(self, sql: str, params: Sequence[object] | None = None) -> pd.DataFrame:
        """Run one query and return its result; whatever it changes is rolled back."""
        def run(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
            try:
                return con.execute(sql, params).df()
            except duckdb.Error as exc:
                raise WarehouseError(f"query failed: {' '.join(str(exc).split())}") from None
        return self._read(run)

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._turn:
            if self._held is not None:
                yield self._held
                return
            con = open_database(self.path, read_only=self.read_only, lock_timeout_s=self.lock_timeout_s)
            try:
                yield con
            finally:
                con.close()

    def _read(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        with self._connection() as con:
            if not self.read_only:
                con.begin()
            try:
                return work(con)
            except duckdb.Error as exc:
                raise WarehouseError(f"cannot read {self.path}: {' '.join(str(exc).split())}") from None
            finally:
                if not self.read_only:
                    con.rollback()

    def _transaction(self, what: str, work: Callable[[duckdb.DuckDBPyConnection], object]) -> None:
        if self.read_only:
            raise WarehouseError(f"cannot {what}: {self.path} was opened read-only")
        with self._connection() as con:
            con.begin()
            try:
                work(con)
                con.commit()
            except duckdb.Error as exc:
                _rollback(con)
                raise WarehouseError(f"cannot {what} to {self.path}: {' '.join(str(exc).split())}") from None
            except BaseException:
                _rollback(con)
                raise


def _replace_calls(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pa.Table]) -> None:
    """Delete the stored rows of these calls, then bulk-insert the new ones.

    Every write puts a call's ``calls`` row and its other rows in one transaction, so a call
    without a ``calls`` row has no rows anywhere and new calls skip the deletes.
    """
    con.register("incoming_calls", tables["calls"].select(["call_id"]))
    try:
        stored = con.execute(
            "SELECT count(*) FROM calls WHERE call_id IN (SELECT call_id FROM incoming_calls)"
        ).fetchall()[0][0]
        if stored:
            for table in CALL_TABLES:
                con.execute(f"DELETE FROM {table} WHERE call_id IN (SELECT call_id FROM incoming_calls)")
    finally:
        _unregister(con, "incoming_calls")
    for table, rows in tables.items():
        con.register("incoming_rows", rows)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
        finally:
            _unregister(con, "incoming_rows")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is left of a failed transaction (a failed commit may have ended it)."""
    with suppress(duckdb.Error):
        con.rollback()


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered Arrow table; after a failed statement this fails too, and the first
    error is the one worth reporting."""
    with suppress(duckdb.Error):
        con.unregister(name)


def _remove_database_files(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
