"""A damaged database file is reported before anything is written to it."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import warehouse_rows as rows
from warehouse import Warehouse, WarehouseError


@pytest.fixture(scope="module")
def healthy(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("healthy") / "calls.duckdb"
    wh = Warehouse(path)
    wh.write_calls((rows.record(f"c{i}"), rows.analysis(), []) for i in range(30))
    return path.read_bytes()


def damaged_copies(healthy: bytes, count: int):
    """The file with 64 random bytes at ``count`` places spread over it (past the header)."""
    rng = random.Random(5)
    step = (len(healthy) - 12_288) // count
    for offset in range(12_288 + step // 2, len(healthy) - 64, step):
        data = bytearray(healthy)
        data[offset:offset + 64] = rng.randbytes(64)
        yield offset, bytes(data)


def test_the_healthy_file_opens_and_is_not_rewritten_by_the_check(tmp_path, healthy):
    path = tmp_path / "calls.duckdb"
    path.write_bytes(healthy)
    assert len(Warehouse(path).processed_calls()) == 30


def test_damage_anywhere_is_reported_before_the_file_changes(tmp_path, healthy):
    path = tmp_path / "calls.duckdb"
    reported = 0
    for offset, data in damaged_copies(healthy, 24):
        path.write_bytes(data)
        Path(f"{path}.wal").unlink(missing_ok=True)
        try:
            wh = Warehouse(path)
        except WarehouseError as error:
            reported += 1
            assert path.read_bytes() == data, f"damage at {offset} was reported after a write"
            assert "\n" not in str(error) and str(path) in str(error)
            continue
        # Damage the check did not see must be harmless: every read and write still works.
        wh.processed_calls()
        wh.write_call(rows.record("new"), rows.analysis(), [])
        assert wh.query("SELECT count(*) AS n FROM utterances WHERE call_id = 'new'").n[0] > 0
    assert reported >= 12  # most of the file is table data and index blocks


def test_garbage_that_is_not_duckdb_is_refused_untouched(tmp_path):
    path = tmp_path / "calls.duckdb"
    garbage = random.Random(1).randbytes(300_000)
    path.write_bytes(garbage)
    with pytest.raises(WarehouseError, match="not a DuckDB database"):
        Warehouse(path)
    assert path.read_bytes() == garbage
