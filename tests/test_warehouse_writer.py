"""Writer: one transaction per call, re-runs replace rows, failures and crashes keep the old state."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import warehouse_rows as rows
from warehouse import CallRecord, ProcessedCall, Warehouse, WarehouseError

REPO = Path(__file__).resolve().parents[1]
CALL_TABLES = ("calls", "utterances", "words", "price_mentions", "call_metrics")


def counts(wh: Warehouse, call_id: str) -> dict[str, int]:
    return {t: int(wh.query(f"SELECT count(*) AS n FROM {t} WHERE call_id = ?", [call_id])["n"][0])
            for t in CALL_TABLES}


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    return Warehouse(tmp_path / "calls.duckdb")


def test_a_call_lands_in_every_table(wh):
    call = rows.analysis(8)
    wh.write_call(rows.record("c1"), call, rows.words_of(call))

    assert counts(wh, "c1") == {"calls": 1, "utterances": 8, "words": len(rows.words_of(call)),
                                "price_mentions": 1, "call_metrics": 1}
    utt = wh.query("SELECT coalesce(label, 'NULL') AS label, cues FROM utterances "
                   "WHERE call_id = 'c1' ORDER BY idx")
    assert list(utt["label"][:3]) == ["other", "NULL", "discovery"]
    assert list(utt["cues"][2]) == ["walk me through"]
    kinds = wh.query("SELECT idx, push_kind, push_kind_confidence FROM utterances "
                     "WHERE call_id = 'c1' AND push_kind IS NOT NULL ORDER BY idx")
    assert list(kinds["idx"]) == [4, 5] and list(kinds["push_kind"]) == ["usage", "feature"]
    assert list(kinds["push_kind_confidence"]) == [0.85, 0.85]
    mention = wh.query("SELECT amount, currency, period, utterance_idx FROM price_mentions").iloc[0]
    assert (mention["amount"], mention["currency"], mention["period"], mention["utterance_idx"]) == (
        60.0, "USD", "month", 5)
    metrics = wh.query("SELECT * FROM call_metrics").iloc[0]
    assert metrics["seller_talk_ratio"] == pytest.approx(0.6)
    assert not metrics["price_before_discovery"] and not metrics.isna()["price_before_discovery"]
    assert (metrics["usage_turns"], metrics["feature_turns"], metrics["usage_share"]) == (1, 1, 0.5)
    assert not metrics["feature_before_discovery"] and not metrics.isna()["feature_before_discovery"]
    call_row = wh.query("SELECT * FROM calls").iloc[0]
    assert call_row["status"] == "ok" and call_row["seller_name"] == "Sam Seller"
    assert call_row["recorded_at"] == datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc)


def test_zone_aware_times_keep_their_instant(wh):
    berlin = timezone(timedelta(hours=1))
    record = rows.record("c1", recorded_at=datetime(2026, 3, 2, 9, 0, tzinfo=berlin))
    wh.write_call(record, rows.analysis(), [])
    stored = wh.query("SELECT recorded_at, typeof(recorded_at) AS type FROM calls").iloc[0]
    assert stored["type"] == "TIMESTAMP WITH TIME ZONE"
    assert stored["recorded_at"] == datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def test_rewriting_a_call_replaces_its_rows(wh):
    first = rows.analysis(12)
    wh.write_call(rows.record("c1"), first, rows.words_of(first))
    other = rows.analysis(6)
    wh.write_call(rows.record("c2"), other, rows.words_of(other))

    second = rows.analysis(3, seller_talk_ratio=0.25)
    wh.write_call(rows.record("c1", sha256="cd" * 32), second, rows.words_of(second))

    assert counts(wh, "c1") == {"calls": 1, "utterances": 3, "words": len(rows.words_of(second)),
                                "price_mentions": 0, "call_metrics": 1}
    assert counts(wh, "c2")["utterances"] == 6
    assert wh.query("SELECT seller_talk_ratio FROM call_metrics WHERE call_id = 'c1'").iloc[0, 0] == 0.25


def test_a_failed_call_keeps_only_its_calls_row(wh):
    call = rows.analysis()
    wh.write_call(rows.record("c1"), call, rows.words_of(call))
    wh.write_call(rows.failed_record("c1", error="cannot decode audio: invalid data"), None, [])

    assert counts(wh, "c1") == {"calls": 1, "utterances": 0, "words": 0, "price_mentions": 0,
                                "call_metrics": 0}
    failed = wh.query("SELECT status, error FROM v_calls").iloc[0]
    assert (failed["status"], failed["error"]) == ("failed", "cannot decode audio: invalid data")


def test_status_and_analysis_must_agree(wh):
    with pytest.raises(ValueError, match="needs an analysis"):
        wh.write_call(rows.record("c1"), None, [])
    with pytest.raises(ValueError, match="cannot have an analysis"):
        wh.write_call(rows.failed_record("c1"), rows.analysis(), [])
    with pytest.raises(ValueError, match="needs the error text"):
        CallRecord(call_id="c1", source_path="x.wav", status="failed")
    with pytest.raises(ValueError, match="status must be one of"):
        CallRecord(call_id="c1", source_path="x.wav", status="done")


def test_a_write_that_fails_midway_leaves_the_previous_rows(wh):
    good = rows.analysis(6)
    wh.write_call(rows.record("c1"), good, rows.words_of(good))
    bad = rows.analysis(6)
    broken = replace(bad, utterances=(*bad.utterances[:-1], replace(bad.utterances[-1], label="pitch")))

    with pytest.raises(WarehouseError, match="cannot write call c1"):
        wh.write_call(rows.record("c1", sha256="ff" * 32), broken, rows.words_of(broken))

    assert counts(wh, "c1") == {"calls": 1, "utterances": 6, "words": len(rows.words_of(good)),
                                "price_mentions": 1, "call_metrics": 1}
    assert wh.processed_calls()["c1"].sha256 == "ab" * 32


CRASH_MIDWAY = textwrap.dedent("""
    import os, sys
    sys.path[:0] = [sys.argv[2], sys.argv[3]]
    import warehouse_rows as rows
    from warehouse import Warehouse, store

    def die_after_deleting(con, tables):
        for table in store.CALL_TABLES:
            con.execute(f"DELETE FROM {table} WHERE call_id = 'c1'")
        os._exit(3)

    store._replace_calls = die_after_deleting
    call = rows.analysis(2)
    Warehouse(sys.argv[1]).write_call(rows.record("c1"), call, rows.words_of(call))
""")


@pytest.mark.slow
def test_a_process_killed_midway_leaves_the_previous_rows(wh):
    good = rows.analysis(6)
    wh.write_call(rows.record("c1"), good, rows.words_of(good))
    before = counts(wh, "c1")

    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_MIDWAY, str(wh.path), str(REPO), str(REPO / "tests")],
        capture_output=True, text=True, timeout=120,
    )

    assert crashed.returncode == 3, crashed.stderr
    assert counts(wh, "c1") == before


def test_runs_record_each_batch(wh):
    started = datetime(2026, 3, 3, 2, 0)
    wh.start_run("run-1", started, "/archive", pipeline_version="0.1.0", config={"model": "tiny.en"})
    assert wh.query("SELECT status FROM runs").iloc[0, 0] == "running"
    wh.finish_run("run-1", discovered=10, processed=7, skipped=2, failed=1, audio_s=3600.0,
                  ended_at=started + timedelta(minutes=30))

    run = wh.query("SELECT * FROM runs").iloc[0]
    assert (run["status"], run["discovered"], run["processed"], run["skipped"], run["failed"]) == (
        "finished", 10, 7, 2, 1)
    assert run["audio_s"] == 3600.0 and run["config"] == '{"model": "tiny.en"}'
    assert run["ended_at"] - run["started_at"] == timedelta(minutes=30)

    wh.start_run("run-2", started, "/archive")
    wh.finish_run("run-2", discovered=0, processed=0, skipped=0, failed=0, audio_s=0.0,
                  error="archive not mounted")
    assert wh.query("SELECT status, error FROM runs WHERE run_id = 'run-2'").iloc[0].tolist() == [
        "failed", "archive not mounted"]
    with pytest.raises(WarehouseError, match="run run-9 was never started"):
        wh.finish_run("run-9", discovered=0, processed=0, skipped=0, failed=0, audio_s=0.0)


def test_processed_calls_drive_incremental_skips(wh):
    assert wh.processed_calls() == {}
    call = rows.analysis()
    wh.write_call(rows.record("c1"), call, [])
    wh.write_call(rows.failed_record("c2"), None, [])
    assert wh.processed_calls() == {
        "c1": ProcessedCall("ab" * 32, "0.1.0", "ok"),
        "c2": ProcessedCall(None, None, "failed"),
    }


def test_batch_writes_through_one_connection_with_the_same_result(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    with wh.batch():
        for i in range(5):
            call = rows.analysis(4)
            wh.write_call(rows.record(f"c{i}"), call, rows.words_of(call))
        wh.write_call(rows.record("c0"), rows.analysis(2), [])
        assert wh.query("SELECT count(*) AS n FROM calls")["n"][0] == 5
    assert wh.query("SELECT count(*) AS n FROM utterances")["n"][0] == 4 * 4 + 2


def test_a_read_only_warehouse_refuses_writes(tmp_path):
    Warehouse(tmp_path / "calls.duckdb")
    reader = Warehouse(tmp_path / "calls.duckdb", read_only=True)
    with pytest.raises(WarehouseError, match="opened read-only"):
        reader.write_call(rows.record("c1"), rows.analysis(), [])
    with pytest.raises(WarehouseError, match="query failed"):
        reader.query("DELETE FROM calls")


def test_write_calls_writes_many_calls_in_one_transaction(wh):
    wh.write_call(rows.record("c1"), rows.analysis(12), [])
    batch = [(rows.record(f"c{i}"), rows.analysis(3), []) for i in range(1, 4)]
    wh.write_calls([*batch, (rows.failed_record("c9"), None, [])])
    assert [counts(wh, f"c{i}")["utterances"] for i in range(1, 4)] == [3, 3, 3]
    assert wh.processed_calls()["c9"].status == "failed"

    broken = rows.analysis(3)
    broken = replace(broken, utterances=(replace(broken.utterances[0], label="pitch"), *broken.utterances[1:]))
    with pytest.raises(WarehouseError, match="cannot write 2 calls"):
        wh.write_calls([(rows.record("c5"), rows.analysis(3), []), (rows.record("c6"), broken, [])])
    assert "c5" not in wh.processed_calls()
    with pytest.raises(ValueError, match="c2 appears twice"):
        wh.write_calls([(rows.record("c2"), rows.analysis(), []), (rows.record("c2"), rows.analysis(), [])])


def test_query_never_changes_the_database(wh):
    wh.write_call(rows.record("c1"), rows.analysis(), [])
    wh.query("DELETE FROM calls")
    assert wh.processed_calls().keys() == {"c1"}


def test_threads_can_share_one_warehouse(wh):
    from concurrent.futures import ThreadPoolExecutor

    def write_batch() -> None:
        with wh.batch():
            for i in range(6):
                wh.write_call(rows.record(f"b{i}"), rows.analysis(3), [])

    def write(i: int) -> None:
        wh.write_call(rows.record(f"t{i}"), rows.analysis(3), [])
        assert f"t{i}" in wh.processed_calls()

    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(write_batch), *(pool.submit(write, i) for i in range(8))]
        for job in jobs:
            job.result()
    assert len(wh.processed_calls()) == 14
