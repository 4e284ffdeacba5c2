"""The calls a dashboard shows: a date range, sellers and teams, copied with the views into memory.

Every reporting view then answers for the chosen calls only, with the same SQL as the warehouse
file: the dashboard never restates a view's logic to filter it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError
from warehouse.schema import migrate

# The tables the views read; utterances and words stay in the file.
_COPIED_WITH_CALLS = ("call_metrics", "price_mentions")


@dataclass(frozen=True)
class CallFilter:
    """Calls whose local day (``call_date``) is in [since, until] and whose seller (``seller_key``)
    and team are among the given ones; an empty field does not filter."""

    since: date | None = None
    until: date | None = None
    sellers: tuple[str, ...] = field(default=())
    teams: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise WarehouseError(f"--since {self.since} is after --until {self.until}")

    def describe(self) -> str:
        """The filter in words, for the page; empty when it keeps every call."""
        parts = []
        if self.since or self.until:
            parts.append(f"calls from {self.since or 'the first'} to {self.until or 'the last'}")
        if self.sellers:
            parts.append(f"seller {', '.join(self.sellers)}")
        if self.teams:
            parts.append(f"team {', '.join(self.teams)}")
        return "; ".join(parts)

    def where(self) -> tuple[str, list[object]]:
        """A condition on ``stg_calls`` and its parameters."""
        conditions, values = ["true"], []
        if self.since:
            conditions.append("call_date >= ?")
            values.append(self.since)
        if self.until:
            conditions.append("call_date <= ?")
            values.append(self.until)
        for column, wanted in (("seller_key", self.sellers), ("team", self.teams)):
            if wanted:
                conditions.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                values.extend(wanted)
        return " AND ".join(conditions), values


def filtered_copy(db_path: Path, call_filter: CallFilter, *,
                  min_outcome_calls: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the calls of ``call_filter`` and every view.

    The caller has checked that ``db_path`` is a readable warehouse of this version; it is
    attached read-only. ``min_outcome_calls`` overrides the stored setting.
    """
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        migrate(con, Path(":memory:"))  # before the source is attached: it looks at every catalog
        con.execute(f"ATTACH '{str(db_path).replace(chr(39), chr(39) * 2)}' AS source (READ_ONLY)")
        _check_known(con, call_filter)
        where, values = call_filter.where()
        con.execute(f"INSERT INTO calls BY NAME SELECT * FROM source.main.calls WHERE call_id IN "
                    f"(SELECT call_id FROM source.main.stg_calls WHERE {where})", values)
        for table in _COPIED_WITH_CALLS:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM source.main.{table} "
                        f"WHERE call_id IN (SELECT call_id FROM calls)")
        con.execute("INSERT INTO runs BY NAME SELECT * FROM source.main.runs")
        con.execute("DELETE FROM report_settings")
        con.execute("INSERT INTO report_settings BY NAME SELECT * FROM source.main.report_settings")
        if min_outcome_calls is not None:
            con.execute("UPDATE report_settings SET min_outcome_calls = ?", [min_outcome_calls])
        con.execute("DETACH source")
    except BaseException:
        con.close()
        raise
    return con


def _check_known(con: duckdb.DuckDBPyConnection, call_filter: CallFilter) -> None:
    """A seller or team no call has is a typo, not an empty dashboard."""
    for column, wanted, what in (("seller_key", call_filter.sellers, "seller"), ("team", call_filter.teams, "team")):
        if not wanted:
            continue
        known = {value for (value,) in con.execute(
            f"SELECT DISTINCT {column} FROM source.main.stg_calls WHERE {column} IS NOT NULL").fetchall()}
        unknown = [value for value in wanted if value not in known]
        if unknown:
            hint = ", ".join(sorted(known)[:10]) or "none"
            raise WarehouseError(f"no call has {what} {', '.join(unknown)} (known: {hint})")
