"""``callytics export``: every table and view as Parquet or CSV, swapped in atomically."""
from __future__ import annotations

import duckdb
import pytest

import warehouse_rows as rows
from flows.cli import main
from warehouse import WarehouseError, export

RELATIONS = {"calls", "utterances", "words", "price_mentions", "call_metrics", "runs", "schema_version",
             "report_settings", "stg_calls", "stg_first_price_mentions", "v_calls", "v_seller_weekly", "v_price_timing",
             "v_seller_scorecard", "v_call_behaviours", "v_behaviour_outcomes"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return rows.sample_warehouse(tmp_path_factory.mktemp("export") / "calls.duckdb").path


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_every_table_and_view_is_exported_whole(db, tmp_path, fmt):
    out = tmp_path / "exports"
    written = export(db, out, fmt)

    assert {p.name for p in written} == {f"{name}.{fmt}" for name in RELATIONS}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    with duckdb.connect(str(db), read_only=True) as con:
        for name in RELATIONS:
            exported = con.execute(f"SELECT count(*) FROM {reader}(?)", [str(out / f"{name}.{fmt}")]).fetchone()[0]
            assert exported == con.execute(f"SELECT count(*) FROM {name}").fetchone()[0], name


def test_parquet_keeps_types(db, tmp_path):
    export(db, tmp_path, "parquet")
    with duckdb.connect() as con:
        cues = con.execute("SELECT typeof(cues), typeof(price_mention) FROM read_parquet(?) LIMIT 1",
                           [str(tmp_path / "utterances.parquet")]).fetchone()
        weekly = con.execute("SELECT typeof(week_start) FROM read_parquet(?) LIMIT 1",
                             [str(tmp_path / "v_seller_weekly.parquet")]).fetchone()
    assert cues == ("VARCHAR[]", "BOOLEAN") and weekly == ("DATE",)


def test_a_new_export_replaces_the_old_files(db, tmp_path):
    (tmp_path / "calls.parquet").write_text("stale")
    export(db, tmp_path, "parquet")
    with duckdb.connect() as con:
        assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(tmp_path / "calls.parquet")]).fetchone()[0] == 6
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_failed_export_leaves_no_partial_file(db, tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "runs.parquet").mkdir()  # a folder where a file must go: the rename fails
    with pytest.raises(WarehouseError, match="cannot export runs"):
        export(db, out, "parquet")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_unknown_format_is_refused(db, tmp_path):
    with pytest.raises(WarehouseError, match="unknown export format 'xlsx'"):
        export(db, tmp_path, "xlsx")


def test_cli_export(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--db", str(db), "--out", str(tmp_path / "out"), "--format", "csv"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"wrote {len(RELATIONS)} csv files to {tmp_path / 'out'}"
    assert (tmp_path / "out" / "v_price_timing.csv").read_text().startswith("call_id,call_date,")


@pytest.mark.parametrize("setup, message", [
    (lambda tmp: tmp / "missing" / "calls.duckdb", "does not exist"),
    (lambda tmp: (tmp / "notes.duckdb").write_text("not a database") and tmp / "notes.duckdb",
     "is not a DuckDB database"),
])
def test_cli_bad_database_is_one_line_and_exit_1(tmp_path, capsys, setup, message):
    db = setup(tmp_path)
    for command in (["export", "--db", str(db), "--out", str(tmp_path / "out")],
                    ["dashboard", "--db", str(db), "--out", str(tmp_path / "report.html")]):
        with pytest.raises(SystemExit) as exit_:
            main(command)
        err = capsys.readouterr().err
        assert exit_.value.code == 1
        assert err.count("\n") == 1 and err.startswith("callytics: error: ") and message in err
        assert not (tmp_path / "out").exists() and not (tmp_path / "report.html").exists()


def test_cli_unwritable_output_is_one_line_and_exit_1(db, tmp_path, capsys):
    folder = rows.unwritable_folder(tmp_path)
    for command, message in ((["export", "--out", str(folder / "exports")], "cannot create export folder"),
                             (["dashboard", "--out", str(folder / "report.html")], "cannot write")):
        with pytest.raises(SystemExit) as exit_:
            main([command[0], "--db", str(db), *command[1:]])
        err = capsys.readouterr().err
        assert exit_.value.code == 1 and err.count("\n") == 1 and message in err, err
    assert not (folder / "exports").exists() and not (folder / "report.html").exists()
