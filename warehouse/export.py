"""Publish the warehouse for BI tools: every table and view as Parquet or CSV files, or one DuckDB
file that DuckDB 1.x can open; each file is written under a temporary name and renamed into place.

The warehouse file itself is in the storage format of the DuckDB that writes it (2.x), which
DuckDB 1.x and the BI tools that bundle it cannot open. The ``duckdb`` export writes a copy in
storage version 1.0.0: the same tables, columns, types, views and comments, with the data of the
tables; it leaves out primary keys and constraints, because DuckDB 1.0 cannot read the index of
a primary key written by 2.x (a reader does not need them).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb

from warehouse.comments import apply_comments
from warehouse.connection import open_database
from warehouse.errors import WarehouseError
from warehouse.safe_text import csv_formula_guard_sql
from warehouse.schema import check_readable, view_definitions
from warehouse.store import DEFAULT_LOCK_TIMEOUT_S

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("parquet", "csv", "duckdb")
DUCKDB_STORAGE_VERSION = "v1.0.0"  # readable by every DuckDB from 1.0 on
_COPY_OPTIONS = {"parquet": "FORMAT parquet, COMPRESSION zstd", "csv": "FORMAT csv, HEADER"}


def export(db_path: str | Path, out_dir: str | Path, fmt: str = "parquet", *,
           lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S, unsafe_csv: bool = False) -> list[Path]:
    """Export every table and view of the warehouse at ``db_path`` to ``out_dir/<name>.<fmt>``,
    or, for ``duckdb``, all of them to one file ``out_dir/<database name>.duckdb`` in DuckDB 1.x
    storage.

    Each file is written under a hidden temporary name and renamed into place, so a reader sees
    either the previous export or the new one. Returns the files written, tables first.
    In CSV, text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
    leading single quote so spreadsheets show them instead of running them as formulas
    (``unsafe_csv`` writes them as they are); numbers stay numbers.
    """
    if fmt not in EXPORT_FORMATS:
        raise WarehouseError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    db_path, out_dir = Path(db_path), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise WarehouseError(f"export folder {out_dir} is a file")
    con = open_database(db_path, read_only=True, lock_timeout_s=lock_timeout_s)
    try:
        check_readable(con, db_path)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create export folder {out_dir}: {exc.strerror}") from None
        if fmt == "duckdb":
            return [_export_database(db_path, out_dir / f"{db_path.stem}.duckdb")]
        guard = fmt == "csv" and not unsafe_csv
        return [_export_relation(con, name, out_dir, fmt, guard) for name in _relations(con)]
    finally:
        con.close()


def _relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
    ).fetchall()
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
        "ORDER BY view_name"
    ).fetchall()
    return [name for (name,) in tables + views]


def _export_relation(con: duckdb.DuckDBPyConnection, name: str, out_dir: Path, fmt: str,
                     guard_formulas: bool) -> Path:
    final = out_dir / f"{name}.{fmt}"
    partial = out_dir / f".{name}.{fmt}.{os.getpid()}.partial"
    try:
        columns = _guarded_columns(con, name) if guard_formulas else "*"
        con.execute(f"COPY (SELECT {columns} FROM \"{name}\") TO '{_sql_text(partial)}' ({_COPY_OPTIONS[fmt]})")
        os.replace(partial, final)
    except (duckdb.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise WarehouseError(f"cannot export {name} to {final}: {' '.join(str(exc).split())}") from None
    log.debug("exported %s to %s", name, final)
    return final


def _export_database(db_path: Path, final: Path) -> Path:
    """Tables copied with their data, views recreated from this version's view files, comments.

    The caller holds ``db_path`` open read-only; a second, in-memory connection attaches it
    read-only beside the new file (a read-only connection cannot create one)."""
    partial = final.with_name(f".{final.name}.{os.getpid()}.partial")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_text(db_path)}' AS source (READ_ONLY)")
        tables = [name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'source' "
            "AND schema_name = 'main' ORDER BY table_name").fetchall()]
        con.execute(f"ATTACH '{_sql_text(partial)}' AS published "
                    f"(STORAGE_VERSION '{DUCKDB_STORAGE_VERSION}')")
        con.execute("USE published")
        for table in tables:
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM source.main."{table}"')
        for ddl in view_definitions():
            con.execute(ddl)
        apply_comments(con)
        con.close()
        os.replace(partial, final)
    except (duckdb.Error, OSError) as exc:
        con.close()
        for leftover in (partial, Path(f"{partial}.wal")):
            leftover.unlink(missing_ok=True)
        raise WarehouseError(f"cannot export to {final}: {' '.join(str(exc).split())}") from None
    log.debug("exported the database to %s", final)
    return final


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _guarded_columns(con: duckdb.DuckDBPyConnection, name: str) -> str:
    described = con.execute(f'DESCRIBE SELECT * FROM "{name}"').fetchall()
    return ", ".join(csv_formula_guard_sql(column) if kind == "VARCHAR" else '"' + column.replace('"', '""') + '"'
                     for column, kind, *_ in described)
