"""Numbered SQL migrations under ``sql/`` and the views under ``sql/views/``.

``sql/NNN_name.sql`` files run in order, each recorded in ``schema_version``; all pending ones and
the view definitions run in one transaction, so a failed upgrade leaves the file as it was.
Views hold no data: every read-write open recreates them from the files of the running version,
and sets the table, view and column comments that ``warehouse/README.md`` documents.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.comments import apply_comments
from warehouse.errors import WarehouseError

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).parent / "sql"
_MIGRATION_NAME = re.compile(r"^(\d{3})_(\w+)\.sql$")

_CREATE_SCHEMA_VERSION = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT (now()::TIMESTAMP)
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    found = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), path.read_text()))
    return found


def view_definitions() -> list[str]:
    """View DDL, layered: staging files sort before reporting files."""
    return [path.read_text() for path in sorted((SQL_DIR / "views").glob("*.sql"))]


def latest_version() -> int:
    return migrations()[-1].version


SCHEMA_VERSION = latest_version()


def stored_version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The schema version recorded in the file; 0 for an empty database."""
    tables = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
    ).fetchall()}
    if "schema_version" not in tables:
        if tables:
            raise WarehouseError(f"{path} is a DuckDB database but not a callytics warehouse")
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def refuse_newer(version: int, path: Path) -> None:
    if version > latest_version():
        raise WarehouseError(
            f"database {path} has schema version {version}, newer than this callytics "
            f"(version {latest_version()}); upgrade callytics to open it"
        )


def check_readable(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A read-only reader cannot migrate: the file must already be at this version."""
    version = stored_version(con, path)
    refuse_newer(version, path)
    if version < latest_version():
        raise WarehouseError(
            f"database {path} has schema version {version}, older than this callytics "
            f"(version {latest_version()}); open it once for writing (e.g. run a batch) to upgrade it"
        )


def check_intact(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Read every stored value, and reach into every primary-key index, so a damaged file is
    reported before anything is written to it: DuckDB verifies a block's checksum whenever it
    loads the block. Needs a read-write connection (an index is only read when a row is
    inserted); every probe is rolled back, so the file is left as it was."""
    tables = con.execute(
        "SELECT table_name, bool_or(constraint_type = 'PRIMARY KEY') "
        "FROM duckdb_tables() LEFT JOIN duckdb_constraints() USING (schema_name, table_name) "
        "WHERE schema_name = 'main' GROUP BY table_name ORDER BY table_name"
    ).fetchall()
    for table, has_key in tables:
        con.begin()
        try:
            con.execute(f'SELECT count(*), max(hash(COLUMNS(*))) FROM "{table}"').fetchall()
            if has_key:
                con.execute(f'INSERT INTO "{table}" SELECT * FROM "{table}"')
        except duckdb.ConstraintException:
            pass  # every row is already there: the index was read, as intended
        except duckdb.Error as exc:
            raise WarehouseError(f"database {path} is damaged: {' '.join(str(exc).split())}") from None
        finally:
            con.rollback()


def migrate(con: duckdb.DuckDBPyConnection, path: Path, *, upto: int | None = None) -> list[int]:
    """Apply pending migrations up to ``upto`` (default: all) and refresh the views.

    Returns the versions applied. Views are created only at the latest version, since they name
    columns of every migration.
    """
    latest = latest_version()
    upto = latest if upto is None else upto
    con.begin()
    try:
        version = stored_version(con, path)
        refuse_newer(version, path)
        con.execute(_CREATE_SCHEMA_VERSION)
        _drop_views(con)
        applied = []
        for migration in migrations():
            if version < migration.version <= upto:
                con.execute(migration.sql)
                con.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                    [migration.version, migration.name],
                )
                applied.append(migration.version)
        if upto == latest:
            for ddl in view_definitions():
                con.execute(ddl)
            apply_comments(con)
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        raise WarehouseError(f"cannot upgrade database {path}: {str(exc).splitlines()[0]}") from None
    except BaseException:
        con.rollback()
        raise
    if applied:
        log.info("database %s migrated to schema version(s) %s", path, applied)
    return applied


def _drop_views(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every view so migrations can alter the tables below them; ``migrate`` recreates them."""
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall()
    for (name,) in views:
        con.execute(f'DROP VIEW IF EXISTS "{name}"')
