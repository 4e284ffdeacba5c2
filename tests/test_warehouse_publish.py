"""``callytics export --format duckdb``: a database copy that DuckDB 1.x opens, checked with real
DuckDB 1.0, 1.1 and 1.5 releases (installed from PyPI into the pytest cache)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import warehouse_rows as rows
from conftest import MISSING_TOOL
from warehouse import DUCKDB_STORAGE_VERSION, WarehouseError, export

DUCKDB_1X = ("1.0.0", "1.1.3", "1.5.6")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    wh = rows.sample_warehouse(tmp_path_factory.mktemp("publish") / "calls.duckdb")
    wh.set_report_timezone("America/Los_Angeles")
    return wh.path


def relations(con, database: str) -> dict[str, int]:
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal", [database, database]
    ).fetchall()
    return {name: con.execute(f'SELECT count(*) FROM "{database}".main."{name}"').fetchone()[0] for (name,) in names}


def test_the_copy_has_every_table_view_row_and_comment_in_1x_storage(source, tmp_path):
    [published] = export(source, tmp_path, "duckdb")
    assert published == tmp_path / "calls.duckdb" and sorted(p.name for p in tmp_path.iterdir()) == ["calls.duckdb"]
    con = duckdb.connect()
    con.execute(f"ATTACH '{source}' AS source (READ_ONLY)")
    con.execute(f"ATTACH '{published}' AS published (READ_ONLY)")
    assert relations(con, "published") == relations(con, "source")
    assert len(relations(con, "published")) == 16
    tags = dict(con.execute("SELECT database_name, tags['storage_version'] FROM duckdb_databases() "
                            "WHERE database_name IN ('source', 'published')").fetchall())
    assert tags["published"].startswith(DUCKDB_STORAGE_VERSION) and tags["source"] != tags["published"]
    comments = {db: con.execute("SELECT count(comment) FROM duckdb_columns() WHERE database_name = ?",
                                [db]).fetchone()[0] for db in ("source", "published")}
    assert comments["published"] == comments["source"] > 150
    same = con.execute("SELECT count(*) FROM (SELECT * FROM source.v_calls EXCEPT SELECT * FROM published.v_calls)")
    assert same.fetchone()[0] == 0
    assert con.execute("SELECT call_date FROM published.v_calls WHERE call_id = 'a1'").fetchone()[0].isoformat() == "2026-03-02"


def test_a_new_copy_replaces_the_old_one_and_a_failed_one_leaves_nothing(source, tmp_path):
    (tmp_path / "calls.duckdb").write_text("last night's copy")
    export(source, tmp_path, "duckdb")
    with duckdb.connect(str(tmp_path / "calls.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == 6
    blocked = tmp_path / "blocked"
    (blocked / "calls.duckdb").mkdir(parents=True)  # a folder where the file must go
    with pytest.raises(WarehouseError, match="cannot export to"):
        export(source, blocked, "duckdb")
    assert [p.name for p in blocked.iterdir()] == ["calls.duckdb"]


@pytest.fixture(scope="session")
def duckdb_1x(request):
    """Folders holding DuckDB 1.x releases, installed from PyPI once into the pytest cache."""
    folders = {}
    for release in DUCKDB_1X:
        folder = Path(request.config.cache.mkdir(f"duckdb-{release}"))
        if not (folder / "duckdb").is_dir():
            done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                                   "--target", str(folder), f"duckdb=={release}"],
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.skip(f"{MISSING_TOOL}: duckdb {release} from PyPI ({done.stderr.strip()[-200:]})")
        folders[release] = folder
    return folders


READER = textwrap.dedent("""
    import json, sys, duckdb
    published, exports, original = sys.argv[1:]
    out = {"version": duckdb.__version__}
    con = duckdb.connect(published, read_only=True)
    names = [n for (n,) in con.execute("SELECT table_name FROM duckdb_tables() UNION ALL "
                                       "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    out["relations"] = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    out["comments"] = con.execute("SELECT count(comment) FROM duckdb_columns()").fetchone()[0]
    out["call_date"] = str(con.execute("SELECT call_date FROM v_calls WHERE call_id = 'a1'").fetchone()[0])
    out["parquet"] = {n: con.execute(f"SELECT count(*) FROM read_parquet('{exports}/{n}.parquet')").fetchone()[0]
                      for n in names}
    out["csv"] = con.execute(f"SELECT count(*) FROM read_csv('{exports}/v_calls.csv')").fetchone()[0]
    try:
        duckdb.connect(original, read_only=True)
        out["original"] = "opened"
    except duckdb.Error as exc:
        out["original"] = str(exc).splitlines()[0]
    print(json.dumps(out))
""")


@pytest.mark.slow  # installs DuckDB releases and starts a process per release
@pytest.mark.parametrize("release", DUCKDB_1X)
def test_duckdb_1x_opens_the_copy_and_reads_the_exports(source, duckdb_1x, tmp_path, release):
    export(source, tmp_path / "published", "duckdb")
    export(source, tmp_path / "files", "parquet")
    export(source, tmp_path / "files", "csv")
    done = subprocess.run(
        [sys.executable, "-c", READER, str(tmp_path / "published" / "calls.duckdb"), str(tmp_path / "files"),
         str(source)],
        env=dict(os.environ, PYTHONPATH=str(duckdb_1x[release])), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    with duckdb.connect(str(source), read_only=True) as con:
        expected = relations(con, "calls")
    assert seen["version"].lstrip("v") == release
    assert seen["relations"] == expected and seen["parquet"] == expected
    assert seen["csv"] == expected["v_calls"] and seen["comments"] > 150
    assert seen["call_date"] == "2026-03-02"
    assert seen["original"] != "opened"  # why the copy exists: 1.x cannot read the 2.x file
