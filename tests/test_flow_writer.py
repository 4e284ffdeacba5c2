"""The batch writer: finished calls survive a database another process holds, or a full disk, by
waiting in memory and in a spool the next run writes from."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import warehouse_rows as rows
from flows.process import CallOutcome
from flows.writer import BatchWriter, RunTotals
from test_warehouse_lock import hold_lock
from warehouse import Warehouse

pytestmark = pytest.mark.slow  # another process holds the database file

TOTALS = RunTotals(discovered=2, processed=2, skipped=0, failed=0, audio_s=240.0)


def outcome(call_id: str, processed_at: datetime = datetime(2026, 3, 3, 2, 0)) -> CallOutcome:
    return CallOutcome(record=rows.record(call_id, processed_at=processed_at), analysis=rows.analysis(),
                       words=())


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Warehouse:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    wh = Warehouse(tmp_path / "calls.duckdb", lock_timeout_s=5)
    wh.start_run("run-1", started_at=datetime.now(timezone.utc), archive="/calls")
    return wh


def stored(wh: Warehouse) -> list[str]:
    return sorted(wh.query("SELECT call_id FROM calls").call_id)


def test_calls_finished_while_another_process_holds_the_file_are_written_once_it_lets_go(warehouse):
    writer = BatchWriter(warehouse, "run-1")
    holder = hold_lock(warehouse.path, 4)
    writer.add(outcome("c1"))
    writer.add(outcome("c2"))
    assert writer.pending == 2
    assert len(list(writer.spools[0].iterdir())) == 2  # on disk, should this process die now
    assert writer.flush(wait_s=60)
    holder.wait()
    assert stored(warehouse) == ["c1", "c2"]
    assert writer.close_run(TOTALS, wait_s=5)
    assert not writer.spools[0].exists() or not any(writer.spools[0].iterdir())


def test_what_a_run_could_not_write_is_written_and_closed_by_the_next(warehouse):
    writer = BatchWriter(warehouse, "run-1")
    holder = hold_lock(warehouse.path, 60)
    try:
        writer.add(outcome("c1"))
        assert not writer.flush(wait_s=0.5)
        assert not writer.close_run(TOTALS, wait_s=0.5)
        assert "kept in" in writer.kept_where() and "next run" in writer.kept_where()
    finally:
        holder.kill()
        holder.wait()
    messages = BatchWriter(warehouse, "run-2").recover()
    assert stored(warehouse) == ["c1"]
    assert warehouse.query("SELECT status, processed FROM runs").values.tolist() == [["finished", 2]]
    assert any("wrote 1 finished call" in m for m in messages)
    assert any("closed run run-1" in m for m in messages)
    assert not writer.spools[0].exists()


def test_a_spooled_result_never_overwrites_a_newer_one(warehouse):
    old = BatchWriter(warehouse, "run-1")
    holder = hold_lock(warehouse.path, 60)
    try:
        old.add(outcome("c1", processed_at=datetime(2026, 3, 3, 2, 0)))
    finally:
        holder.kill()
        holder.wait()
    newer = rows.record("c1", processed_at=datetime(2026, 3, 3, 2, 0) + timedelta(days=1), run_id="run-9")
    warehouse.write_call(newer, rows.analysis(), [])
    messages = BatchWriter(warehouse, "run-2").recover()
    assert warehouse.query("SELECT run_id FROM calls").run_id.tolist() == ["run-9"]
    assert any("since reprocessed" in m for m in messages)


def test_a_full_spool_folder_falls_back_to_the_temp_folder(warehouse, tmp_path):
    (tmp_path / "calls.duckdb.spool").write_text("a file where the folder should be")
    writer = BatchWriter(warehouse, "run-1")
    holder = hold_lock(warehouse.path, 60)
    try:
        writer.add(outcome("c1"))
    finally:
        holder.kill()
        holder.wait()
    fallback = writer.spools[1]
    assert fallback.parent == tmp_path / "tmp" and len(list(fallback.iterdir())) == 1
    assert "kept in" in writer.kept_where() and str(fallback) in writer.kept_where()
    BatchWriter(warehouse, "run-2").recover()
    assert stored(warehouse) == ["c1"]


def test_an_unreadable_spool_file_is_set_aside_not_fatal(warehouse):
    writer = BatchWriter(warehouse, "run-2")
    writer.spools[0].mkdir()
    (writer.spools[0] / "run-1-000001.pickle").write_bytes(b"not a pickle")
    (writer.spools[0] / "run-1.closing.json").write_text(json.dumps({
        "run_id": "run-1", "ended_at": datetime.now(timezone.utc).isoformat(), "error": None,
        "totals": TOTALS.__dict__}))
    messages = writer.recover()
    assert any("cannot be read" in m for m in messages)
    assert (writer.spools[0] / "run-1-000001.unreadable").exists()
    assert warehouse.query("SELECT status FROM runs").status.tolist() == ["finished"]
