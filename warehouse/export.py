"""Write every table and view to Parquet or CSV for BI tools, one file each, never half-written."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb

from warehouse.connection import open_database
from warehouse.errors import WarehouseError
from warehouse.safe_text import csv_formula_guard_sql
from warehouse.schema import check_readable
from warehouse.store import DEFAULT_LOCK_TIMEOUT_S

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("parquet", "csv")
_COPY_OPTIONS = {"parquet": "FORMAT parquet, COMPRESSION zstd", "csv": "FORMAT csv, HEADER"}


def export(db_path: str | Path, out_dir: str | Path, fmt: str = "parquet", *,
           lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S, unsafe_csv: bool = False) -> list[Path]:
    """Export every table and view of the warehouse at ``db_path`` to ``out_dir/<name>.<fmt>``.

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
    target = str(partial).replace("'", "''")
    try:
        columns = _guarded_columns(con, name) if guard_formulas else "*"
        con.execute(f"COPY (SELECT {columns} FROM \"{name}\") TO '{target}' ({_COPY_OPTIONS[fmt]})")
        os.replace(partial, final)
    except (duckdb.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise WarehouseError(f"cannot export {name} to {final}: {' '.join(str(exc).split())}") from None
    log.debug("exported %s to %s", name, final)
    return final


def _guarded_columns(con: duckdb.DuckDBPyConnection, name: str) -> str:
    described = con.execute(f'DESCRIBE SELECT * FROM "{name}"').fetchall()
    return ", ".join(csv_formula_guard_sql(column) if kind == "VARCHAR" else '"' + column.replace('"', '""') + '"'
                     for column, kind, *_ in described)
