"""Table and column comments (``COMMENT ON``) from ``warehouse/README.md``, the one description
of the schema: what a reader sees in ``duckdb_columns()``, DBeaver or a BI tool is what the
README says.

The README documents each relation under a heading ``### `name`: what one row is`` followed by a
table whose first column names one or more columns (`` `a`, `b` ``) and whose last column says
what they mean. A view that passes columns through (``v_calls``) takes their comments from the
relations it is built on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

README = Path(__file__).resolve().parent / "README.md"

# Views whose columns come from other relations, searched in this order.
PASSED_THROUGH = {
    "stg_calls": ("calls",),
    "stg_first_price_mentions": ("price_mentions",),
    "v_calls": ("stg_calls", "call_metrics"),
}

_HEADING = re.compile(r"^### `(\w+)`(?:\s*\((?:staging)\))?(?::\s*(.+))?$")
_NAME = re.compile(r"`(\w+)`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass
class RelationDoc:
    """What the README says about one table or view."""

    description: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def documentation() -> dict[str, RelationDoc]:
    """Every documented relation, with the comments for it and its columns (plain text)."""
    return parse_readme(README.read_text(encoding="utf-8"))


def parse_readme(text: str) -> dict[str, RelationDoc]:
    docs: dict[str, RelationDoc] = {}
    current: RelationDoc | None = None
    in_table = False
    for line in text.splitlines():
        if line.startswith("#"):
            heading = _HEADING.match(line.strip())
            current = None
            in_table = False
            if heading:
                current = docs.setdefault(heading.group(1), RelationDoc())
                current.description = plain(heading.group(2)) if heading.group(2) else None
            continue
        if current is None:
            continue
        cells = _cells(line)
        if cells is None:
            in_table = False
            continue
        if cells[0] == "column":
            in_table = True
            continue
        if in_table and not set(cells[0]) <= set("-: "):
            for name in _NAME.findall(cells[0]):
                current.columns[name] = plain(cells[-1])
    for view, sources in PASSED_THROUGH.items():
        own = docs.setdefault(view, RelationDoc())
        for source in sources:
            for name, comment in docs.get(source, RelationDoc()).columns.items():
                own.columns.setdefault(name, comment)
    return docs


def plain(markdown: str) -> str:
    """Markdown inline text as plain text: no backticks, emphasis or link targets."""
    text = _LINK.sub(r"\1", markdown)
    return " ".join(text.replace("`", "").replace("**", "").split())


def wanted_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str | None], str]:
    """``(kind, relation, column or None) -> comment`` for every documented relation and column
    this database has; ``kind`` is ``TABLE`` or ``VIEW``."""
    return _wanted(stored_comments(con))


def apply_comments(con: duckdb.DuckDBPyConnection) -> int:
    """Set every documented comment that differs from the stored one; returns how many."""
    stored = stored_comments(con)
    changed = 0
    for (kind, relation, column), comment in _wanted(stored).items():
        if stored[(kind, relation, column)] == comment:
            continue
        target = f'{kind} "{relation}"' if column is None else f'COLUMN "{relation}"."{column}"'
        con.execute(f"COMMENT ON {target} IS '{comment.replace(chr(39), chr(39) * 2)}'")
        changed += 1
    return changed


def stored_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str | None], str | None]:
    rows = con.execute("""
        SELECT 'TABLE', table_name, NULL, comment FROM duckdb_tables()
        WHERE schema_name = 'main' AND database_name = current_database() AND NOT internal
        UNION ALL
        SELECT 'VIEW', view_name, NULL, comment FROM duckdb_views()
        WHERE schema_name = 'main' AND database_name = current_database() AND NOT internal
        UNION ALL
        SELECT CASE WHEN v.view_name IS NULL THEN 'TABLE' ELSE 'VIEW' END, c.table_name, c.column_name,
               c.comment
        FROM duckdb_columns() AS c
        LEFT JOIN duckdb_views() AS v
          ON v.database_name = c.database_name AND v.schema_name = c.schema_name
         AND v.view_name = c.table_name
        WHERE c.schema_name = 'main' AND c.database_name = current_database() AND NOT c.internal
    """).fetchall()
    return {(kind, relation, column): comment for kind, relation, column, comment in rows}


def _wanted(objects) -> dict[tuple[str, str, str | None], str]:
    docs = documentation()
    wanted = {}
    for kind, relation, column in objects:
        doc = docs.get(relation)
        comment = None if doc is None else doc.description if column is None else doc.columns.get(column)
        if comment:
            wanted[(kind, relation, column)] = comment
    return wanted


def _cells(line: str) -> list[str] | None:
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")):
        return None
    return [cell.strip() for cell in line[1:-1].split("|")]
