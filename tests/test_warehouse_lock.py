"""Locking: the writer holds the file only while writing, waits a bounded time for another holder."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import warehouse_rows as rows
from warehouse import Warehouse, WarehouseError

pytestmark = pytest.mark.slow  # starts processes

HOLD = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(float(sys.argv[2]))")
READ = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('SELECT count(*) FROM v_calls').fetchone()[0])")


def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    wh = Warehouse(tmp_path / "calls.duckdb", lock_timeout_s=0.5)
    wh.write_call(rows.record("c1"), rows.analysis(), [])
    return wh


def test_a_held_lock_fails_after_the_timeout_with_one_line_naming_the_holder(wh):
    holder = hold_lock(wh.path, 60)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseError) as error:
            wh.write_call(rows.record("c2"), rows.analysis(), [])
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    message = str(error.value)
    assert message == f"database {wh.path} is locked by another process (PID {holder.pid}); gave up after 0.5 s"
    assert 0.5 <= waited < 5
    assert wh.processed_calls().keys() == {"c1"}


def test_the_writer_waits_for_a_short_lived_holder(wh):
    patient = Warehouse(wh.path, lock_timeout_s=60)
    holder = hold_lock(wh.path, 1.0)
    try:
        patient.write_call(rows.record("c2"), rows.analysis(), [])
    finally:
        holder.wait()
    assert patient.processed_calls().keys() == {"c1", "c2"}


def test_other_processes_read_while_no_batch_writes(wh):
    readers = [subprocess.Popen([sys.executable, "-c", READ, str(wh.path)], stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [reader.communicate(timeout=60)[0].strip() for reader in readers]
    assert outputs == ["1", "1"]
    assert all(reader.returncode == 0 for reader in readers)


def test_a_batch_holds_the_lock_until_it_ends(wh):
    with wh.batch():
        wh.write_call(rows.record("c2"), rows.analysis(), [])
        blocked = subprocess.run([sys.executable, "-c", READ, str(wh.path)], capture_output=True, text=True,
                                 timeout=60)
        assert blocked.returncode != 0 and "Could not set lock" in blocked.stderr
    after = subprocess.run([sys.executable, "-c", READ, str(wh.path)], capture_output=True, text=True,
                           timeout=60)
    assert after.stdout.strip() == "2"
