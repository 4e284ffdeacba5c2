"""TIMESTAMPTZ everywhere, days and weeks in the report time zone, and migration 008's conversion."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import duckdb
import pytest

import warehouse_rows as rows
from flows.config import ConfigError, Settings
from flows.process import local_time
from warehouse import Warehouse, WarehouseError, schema

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def wh(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    call = rows.analysis()
    # Sunday 29 November 2026, 5 pm Pacific: already Monday 30 November (a new ISO week) in UTC.
    wh.write_call(rows.record("evening", recorded_at=datetime(2026, 11, 29, 17, 0, tzinfo=PACIFIC)),
                  call, rows.words_of(call))
    return wh


def days(wh):
    return wh.query("SELECT call_date, iso_week, week_start, call_at_local FROM stg_calls").iloc[0]


def test_days_and_weeks_are_utc_by_default(wh):
    assert wh.report_timezone() == "UTC"
    row = days(wh)
    assert (str(row["call_date"].date()), row["iso_week"], str(row["week_start"].date())) == (
        "2026-11-30", "2026-W49", "2026-11-30")
    assert row["call_at_local"] == datetime(2026, 11, 30, 1, 0)


def test_a_5pm_pacific_call_lands_on_its_local_day_and_week(wh):
    wh.set_report_timezone("America/Los_Angeles")
    row = days(wh)
    assert (str(row["call_date"].date()), row["iso_week"], str(row["week_start"].date())) == (
        "2026-11-29", "2026-W48", "2026-11-23")
    assert row["call_at_local"] == datetime(2026, 11, 29, 17, 0)
    weekly = wh.query("SELECT iso_week, calls FROM v_seller_weekly")
    assert list(weekly["iso_week"]) == ["2026-W48"]
    assert wh.query("SELECT call_date FROM v_price_timing")["call_date"].astype(str).tolist() == ["2026-11-29"]
    # The instant itself is unchanged: stored UTC, shown with its zone.
    assert wh.query("SELECT recorded_at FROM calls")["recorded_at"][0] == datetime(
        2026, 11, 30, 1, 0, tzinfo=timezone.utc)


def test_plain_sql_readers_see_the_same_days_whatever_their_session_zone(wh):
    wh.set_report_timezone("America/Los_Angeles")
    for session_zone in ("Asia/Tokyo", "UTC", "America/New_York"):
        with duckdb.connect(str(wh.path), read_only=True) as con:
            con.execute(f"SET TimeZone = '{session_zone}'")
            assert str(con.execute("SELECT call_date FROM v_calls").fetchone()[0]) == "2026-11-29"


def test_an_unknown_time_zone_is_refused_and_changes_nothing(wh):
    with pytest.raises(WarehouseError, match="unknown time zone 'Mars/Olympus'"):
        wh.set_report_timezone("Mars/Olympus")
    assert wh.report_timezone() == "UTC"
    with pytest.raises(ConfigError, match="report_timezone 'Mars/Olympus' is not a time zone"):
        Settings(report_timezone="Mars/Olympus")


def test_manifest_times_without_an_offset_are_report_local():
    settings = Settings(report_timezone="America/Los_Angeles")
    assert local_time(datetime(2026, 11, 29, 17, 0), settings) == datetime(2026, 11, 29, 17, 0, tzinfo=PACIFIC)
    aware = datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc)
    assert local_time(aware, settings) is aware and local_time(None, settings) is None


def test_migration_008_reads_stored_naive_times_as_utc_whatever_the_session_zone(tmp_path):
    db = tmp_path / "calls.duckdb"
    with duckdb.connect(str(db)) as con:
        schema.migrate(con, db, upto=7)
        con.execute("INSERT INTO calls (call_id, source_path, status, recorded_at, processed_at, run_id) VALUES "
                    "('old', '/srv/calls/2026-W48/old.wav', 'ok', TIMESTAMP '2026-11-30 01:00', "
                    "TIMESTAMP '2026-12-01 02:00', 'r1'), "
                    "('elsewhere', '/mnt/other/x.wav', 'ok', NULL, TIMESTAMP '2026-12-01 02:00', 'r1')")
        con.execute("INSERT INTO runs (run_id, started_at, ended_at, status, archive) VALUES "
                    "('r1', TIMESTAMP '2026-12-01 02:00', TIMESTAMP '2026-12-01 02:30', 'finished', '/srv/calls/')")
        con.execute("SET TimeZone = 'Asia/Tokyo'")
        schema.migrate(con, db)
    wh = Warehouse(db, read_only=True)
    calls = wh.query("SELECT call_id, recorded_at, processed_at, source_path, source_location "
                     "FROM stg_calls ORDER BY call_id").set_index("call_id")
    assert calls.loc["old", "recorded_at"] == datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)
    assert calls.loc["old", "processed_at"] == datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    assert calls.loc["old", "source_path"] == "2026-W48/old.wav"
    assert calls.loc["old", "source_location"] == "/srv/calls/2026-W48/old.wav"
    assert calls.loc["elsewhere", "source_path"] == "/mnt/other/x.wav"  # not under the archive: kept
    run = wh.recent_runs()[0]
    assert run.ended_at - run.started_at == (datetime(2026, 12, 1, 2, 30) - datetime(2026, 12, 1, 2, 0))
    assert run.started_at == datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    types = wh.query("SELECT DISTINCT data_type FROM duckdb_columns() WHERE column_name IN "
                     "('recorded_at', 'processed_at', 'started_at', 'ended_at', 'applied_at', 'updated_at') "
                     "AND table_name IN (SELECT table_name FROM duckdb_tables())")
    assert list(types["data_type"]) == ["TIMESTAMP WITH TIME ZONE"]
