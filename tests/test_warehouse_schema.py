"""Schema: the documented tables, migrations that upgrade in place, clear refusals for bad files."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse_rows as rows
from analysis.types import CallMetrics
from warehouse import SCHEMA_VERSION, Warehouse, WarehouseError
from warehouse import schema

TABLES = {"calls", "utterances", "words", "price_mentions", "call_metrics", "runs", "schema_version",
          "report_settings"}
VIEWS = {"v_calls", "v_seller_weekly", "v_price_timing", "v_seller_scorecard", "v_call_behaviours",
         "v_behaviour_outcomes"}


def columns(db: Path, table: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
        ).fetchall()]


def test_new_database_has_every_table_and_view(tmp_path):
    db = tmp_path / "calls.duckdb"
    Warehouse(db)
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
    assert tables == TABLES
    assert VIEWS <= views
    assert versions == [m.version for m in schema.migrations()]
    assert versions == sorted(set(versions)) and versions[-1] == SCHEMA_VERSION


def test_columns_are_the_documented_ones(tmp_path):
    db = tmp_path / "calls.duckdb"
    Warehouse(db)
    assert columns(db, "call_metrics") == ["call_id", *CallMetrics.columns()]
    assert columns(db, "utterances")[:11] == [
        "call_id", "idx", "speaker", "role", "start_s", "end_s", "text", "label", "label_confidence",
        "is_question", "price_mention"]
    assert {"cues", "push_kind", "push_kind_confidence"} <= set(columns(db, "utterances"))
    assert columns(db, "words") == ["call_id", "idx", "start_s", "end_s", "word", "probability", "speaker"]
    v_calls = columns(db, "v_calls")
    assert set(CallMetrics.columns()) <= set(v_calls) and "status" in v_calls


def make_version_1(db: Path) -> None:
    """A database as the first release left it, with one call in it."""
    with duckdb.connect(str(db)) as con:
        schema.migrate(con, db, upto=1)
        con.execute("INSERT INTO calls (call_id, source_path, status, processed_at) "
                    "VALUES ('old', 'old.wav', 'ok', TIMESTAMP '2026-01-05 10:00')")
        con.execute("INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text, is_question, "
                    "price_mention) VALUES ('old', 0, 'A', 0, 1, 'hello', false, false)")


def test_opening_an_older_database_upgrades_it_and_keeps_its_data(tmp_path):
    db = tmp_path / "calls.duckdb"
    make_version_1(db)
    assert "cues" not in columns(db, "utterances")

    wh = Warehouse(db)

    versions = wh.query("SELECT version, name FROM schema_version ORDER BY version")
    assert list(versions["version"]) == [m.version for m in schema.migrations()]
    old = wh.query("SELECT text, cues FROM utterances WHERE call_id = 'old'")
    assert list(old["text"]) == ["hello"] and old["cues"].isna().all()
    assert wh.query("SELECT roles_uncertain FROM v_calls WHERE call_id = 'old'")["roles_uncertain"].isna().all()
    assert wh.query("SELECT push_kind FROM utterances WHERE call_id = 'old'")["push_kind"].isna().all()
    call = rows.analysis()
    wh.write_call(rows.record("new"), call, rows.words_of(call))
    assert wh.query("SELECT count(*) AS n FROM v_calls")["n"][0] == 2


def test_read_only_reader_refuses_an_older_database(tmp_path):
    db = tmp_path / "calls.duckdb"
    make_version_1(db)
    with pytest.raises(WarehouseError, match="older than this callytics.*open it once for writing"):
        Warehouse(db, read_only=True)


def test_newer_database_is_refused_and_left_untouched(tmp_path):
    db = tmp_path / "calls.duckdb"
    Warehouse(db)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO schema_version VALUES (?, 'from_the_future', now()::TIMESTAMP)",
                    [SCHEMA_VERSION + 1])
    before = db.read_bytes()
    for read_only in (False, True):
        with pytest.raises(WarehouseError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
            Warehouse(db, read_only=read_only)
    assert db.read_bytes() == before


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "calls.duckdb"
    Warehouse(db)
    broken = schema.Migration(SCHEMA_VERSION + 1, "broken", "ALTER TABLE calls ADD COLUMN x INTEGER; SELEC oops;")
    shipped = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: [*shipped, broken])
    with pytest.raises(WarehouseError, match="cannot upgrade database"):
        Warehouse(db)
    monkeypatch.undo()
    assert "x" not in columns(db, "calls")
    wh = Warehouse(db, read_only=True)
    assert wh.query("SELECT max(version) AS v FROM schema_version")["v"][0] == SCHEMA_VERSION
    assert len(wh.query("SELECT * FROM v_seller_weekly").columns) > 0


def test_missing_folder_is_one_clear_error_and_creates_nothing(tmp_path):
    db = tmp_path / "nowhere" / "calls.duckdb"
    with pytest.raises(WarehouseError, match="folder .*nowhere does not exist"):
        Warehouse(db)
    assert not db.parent.exists()


def test_a_file_that_is_not_duckdb_is_refused_and_kept(tmp_path):
    db = tmp_path / "calls.duckdb"
    db.write_text("path,call_id\nx.wav,1\n" * 200)
    before = db.read_bytes()
    with pytest.raises(WarehouseError, match="is not a DuckDB database"):
        Warehouse(db)
    assert db.read_bytes() == before


def test_a_duckdb_file_of_another_application_is_refused(tmp_path):
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(WarehouseError, match="not a callytics warehouse"):
        Warehouse(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] == 1


def test_a_read_only_location_is_one_clear_error(tmp_path):
    folder = rows.unwritable_folder(tmp_path)
    db = folder / "calls.duckdb"
    with pytest.raises(WarehouseError, match="permission denied"):
        Warehouse(db)
    assert not db.exists()


def test_missing_database_for_reading_is_one_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="does not exist"):
        Warehouse(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()
