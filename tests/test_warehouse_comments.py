"""COMMENT ON every table, view and column, taken from warehouse/README.md (the one description)."""
from __future__ import annotations

import re

import duckdb
import pytest

from warehouse import Warehouse, comments
from warehouse.comments import parse_readme, plain

README_TEXT = comments.README.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("comments") / "calls.duckdb"
    Warehouse(path)
    return path


def catalog(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_table_view_and_column_has_a_comment(db):
    relations = catalog(db, "SELECT table_name, comment FROM duckdb_tables() UNION ALL "
                            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal")
    columns = catalog(db, "SELECT c.table_name, c.column_name, c.comment FROM duckdb_columns() AS c "
                          "WHERE c.table_name IN (SELECT table_name FROM duckdb_tables() UNION ALL "
                          "SELECT view_name FROM duckdb_views() WHERE NOT internal)")
    assert len(relations) >= 13 and len(columns) > 150
    assert [name for name, comment in relations if not comment] == []
    assert [f"{t}.{c}" for t, c, comment in columns if not comment] == []


def test_comments_are_the_readme_rows(db):
    """The README row of each table column, read here line by line, is its comment."""
    stored = {(t, c): comment for t, c, comment in catalog(
        db, "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE table_name IN (SELECT table_name FROM duckdb_tables())")}
    sections = re.split(r"^### ", README_TEXT, flags=re.M)
    checked = 0
    for (table, column), comment in stored.items():
        [section] = [s for s in sections if s.startswith(f"`{table}`")]
        [row] = [line for line in section.splitlines()
                 if line.startswith("|") and f"`{column}`" in line.split("|")[1]]
        assert comment == plain(row.strip("|").split("|")[-1]), (table, column)
        checked += 1
    assert checked == len(stored) > 100
    assert stored[("calls", "sha256")] == "content hash of the audio file; a changed hash re-processes the call"


def test_every_documented_table_column_exists(db):
    actual = {(t, c) for t, c in catalog(db, "SELECT table_name, column_name FROM duckdb_columns()")}
    tables = {t for (t,) in catalog(db, "SELECT table_name FROM duckdb_tables()")}
    documented = {(t, c) for t, doc in parse_readme(README_TEXT).items() if t in tables for c in doc.columns}
    assert documented - actual == set()


def test_view_columns_passed_through_take_their_source_comment(db):
    [(comment,)] = catalog(db, "SELECT comment FROM duckdb_columns() "
                               "WHERE table_name = 'v_calls' AND column_name = 'seller_wpm'")
    [(source,)] = catalog(db, "SELECT comment FROM duckdb_columns() "
                              "WHERE table_name = 'call_metrics' AND column_name = 'seller_wpm'")
    assert comment == source == "seller words per minute of seller speech"


def test_an_edited_readme_reaches_the_comments_on_the_next_open(tmp_path, monkeypatch):
    db = tmp_path / "calls.duckdb"
    Warehouse(db)
    edited = tmp_path / "README.md"
    edited.write_text(README_TEXT.replace(
        "| `sha256` | VARCHAR | content hash of the audio file; a changed hash re-processes the call |",
        "| `sha256` | VARCHAR | SHA-256 of the [recording](x.md)'s `bytes` |"))
    monkeypatch.setattr(comments, "README", edited)
    comments.documentation.cache_clear()
    try:
        Warehouse(db)
    finally:
        comments.documentation.cache_clear()
    assert catalog(db, "SELECT comment FROM duckdb_columns() WHERE table_name = 'calls' "
                       "AND column_name = 'sha256'") == [("SHA-256 of the recording's bytes",)]


def test_an_unchanged_database_gets_no_new_comments(db):
    with duckdb.connect(str(db)) as con:
        assert comments.apply_comments(con) == 0
