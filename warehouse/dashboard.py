"""``dashboard``: one self-contained HTML page of sales-ops charts, readable offline."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.coaching import write_call_pages
from warehouse.connection import open_database
from warehouse.errors import WarehouseError
from warehouse.links import call_page_href
from warehouse.safe_text import html_text as escape
from warehouse.schema import check_readable
from warehouse.store import DEFAULT_LOCK_TIMEOUT_S
from warehouse.svg import Point, Series, empty_chart, grouped_histogram, line_chart, scatter

log = logging.getLogger(__name__)

PRICE_FRACTION_BINS = 10
TOP_SELLERS_PER_TREND = 6
PRICE_FIRST_ROWS = 200

# Calls whose seller was found with low confidence (roles_uncertain) stay out of every number
# that depends on who the seller is; the summary counts them.
_CERTAIN = "status = 'ok' AND roles_uncertain IS NOT TRUE"
_SUMMARY_SQL = f"""
SELECT
    count(*) FILTER (WHERE status = 'ok') AS calls,
    count(*) FILTER (WHERE status = 'failed') AS failed_calls,
    count(*) FILTER (WHERE status = 'ok' AND roles_uncertain) AS roles_uncertain_calls,
    count(DISTINCT seller_key) FILTER (WHERE status = 'ok') AS sellers,
    min(call_date) FILTER (WHERE status = 'ok') AS first_day,
    max(call_date) FILTER (WHERE status = 'ok') AS last_day,
    avg(seller_talk_ratio) FILTER (WHERE {_CERTAIN}) AS talk_ratio,
    avg(discovery_share) FILTER (WHERE {_CERTAIN}) AS discovery_share,
    avg(CASE WHEN price_before_discovery THEN 1.0 ELSE 0.0 END) FILTER (WHERE {_CERTAIN})
        AS price_before_discovery_share
FROM v_calls
"""
_SELLERS_SQL = f"""
SELECT seller_key, arg_max(seller_label, call_at) AS seller_name, count(*) AS calls,
       avg(seller_talk_ratio) AS talk_ratio, avg(discovery_share) AS discovery_share
FROM v_calls WHERE {_CERTAIN}
GROUP BY seller_key ORDER BY calls DESC, seller_key
"""
_PRICE_FRACTIONS_SQL = """
SELECT first_price_frac, outcome_class FROM v_price_timing WHERE first_price_frac IS NOT NULL
"""
_TEAM_WEEKLY_SQL = f"""
SELECT iso_week, avg(seller_talk_ratio) AS talk_ratio, avg(discovery_share) AS discovery_share,
       avg(CASE WHEN price_before_discovery THEN 1.0 ELSE 0.0 END) AS price_before_discovery_share
FROM v_calls WHERE {_CERTAIN}
GROUP BY iso_week ORDER BY iso_week
"""
_SELLER_WEEKLY_SQL = """
SELECT seller_id, seller_name, iso_week, calls - roles_uncertain_calls AS calls, mean_discovery_share
FROM v_seller_weekly WHERE calls > roles_uncertain_calls
"""
_PRICE_FIRST_SQL = f"""
SELECT call_id, call_date, seller_name, account, outcome, first_price_s, first_price_by,
       first_discovery_s, first_price_text
FROM v_price_timing WHERE price_before_discovery AND roles_uncertain IS NOT TRUE
ORDER BY call_date DESC, call_id LIMIT {PRICE_FIRST_ROWS}
"""

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111827; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
.meta { color: #6b7280; margin-bottom: 16px; }
.kpis { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.kpi { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 14px; }
.kpi b { display: block; font-size: 20px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
section { border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px; }
svg .axis { stroke: #374151; } svg .grid { stroke: #e5e7eb; }
svg text { font: 11px system-ui, sans-serif; fill: #374151; }
svg .title { font-size: 12px; } svg .empty { font-size: 14px; fill: #9ca3af; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f9fafb; }
"""
# Blocks every network fetch: the page must render from this file alone.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
# Records how many charts rendered, so a headless browser check can read it from the DOM.
_RENDER_MARKER = ("<script>document.documentElement.dataset.chartsRendered = "
                  "String(document.querySelectorAll('svg.chart').length);</script>")


def dashboard(db_path: str | Path, out_html: str | Path, *, audio: bool = True,
              lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> Path:
    """Write the dashboard for the warehouse at ``db_path`` to ``out_html`` (atomically), and each
    call's coaching page beside it (``audio``: with a player for local recordings)."""
    db_path, out_html = Path(db_path), Path(out_html)
    if not out_html.parent.is_dir():
        raise WarehouseError(f"cannot write {out_html}: folder {out_html.parent} does not exist")
    con = open_database(db_path, read_only=True, lock_timeout_s=lock_timeout_s)
    try:
        check_readable(con, db_path)
        page = render(con, title=f"callytics: {db_path.name}")
        write_call_pages(con, out_html, audio=audio)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot read {db_path}: {' '.join(str(exc).split())}") from None
    finally:
        con.close()
    partial = out_html.with_name(f".{out_html.name}.{os.getpid()}.partial")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, out_html)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise WarehouseError(f"cannot write {out_html}: {exc.strerror}") from None
    log.info("dashboard written to %s", out_html)
    return out_html


def render(con: duckdb.DuckDBPyConnection, *, title: str) -> str:
    summary = con.execute(_SUMMARY_SQL).df().iloc[0]
    sections = [
        _section("Seller talk ratio vs discovery share", _seller_scatter(con.execute(_SELLERS_SQL).df())),
        _section("When price first comes up", _price_histogram(con.execute(_PRICE_FRACTIONS_SQL).df())),
        _section("Weekly trends, whole team", _team_trend(con.execute(_TEAM_WEEKLY_SQL).df())),
        _section("Weekly discovery share per seller", _seller_trend(con.execute(_SELLER_WEEKLY_SQL).df())),
    ]
    price_first = con.execute(_PRICE_FIRST_SQL).df()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<title>{escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{escape(title)}</h1>
{_summary(summary)}
<div class="charts">
{''.join(sections)}
</div>
<section>
<h2>Calls where price came before discovery</h2>
{_price_first_table(price_first)}
</section>
{_RENDER_MARKER}
</body>
</html>
"""


def _summary(row: pd.Series) -> str:
    calls = int(row["calls"])
    period = (f"{row['first_day']:%Y-%m-%d} to {row['last_day']:%Y-%m-%d}" if calls else "no calls yet")
    kpis = [
        ("calls", f"{calls}"),
        ("failed calls", f"{int(row['failed_calls'])}"),
        ("seller uncertain (left out)", f"{int(row['roles_uncertain_calls'])}"),
        ("sellers", f"{int(row['sellers'])}"),
        ("mean seller talk ratio", _percent(row["talk_ratio"])),
        ("mean discovery share", _percent(row["discovery_share"])),
        ("price before discovery", _percent(row["price_before_discovery_share"])),
    ]
    cells = "".join(f'<div class="kpi"><b>{value}</b>{escape(name)}</div>' for name, value in kpis)
    return f'<div class="meta">{escape(period)}</div>\n<div class="kpis">{cells}</div>'


def _section(heading: str, chart: str) -> str:
    return f"<section>\n<h2>{escape(heading)}</h2>\n{chart}\n</section>\n"


def _seller_scatter(sellers: pd.DataFrame) -> str:
    label = "per-seller talk ratio vs discovery share"
    sellers = sellers.dropna(subset=["talk_ratio", "discovery_share"])
    if sellers.empty:
        return empty_chart(label, "No calls with talk ratio and discovery share yet")
    points = [Point(r.talk_ratio, r.discovery_share, r.seller_name, r.calls) for r in sellers.itertuples()]
    return scatter(label, points, "mean seller talk ratio", "mean discovery share")


def _price_histogram(fractions: pd.DataFrame) -> str:
    label = "distribution of first price mention, as a fraction of the call"
    if fractions.empty:
        return empty_chart(label, "No price mentions yet")
    known = fractions[fractions["outcome_class"].isin(["won", "lost"])]
    groups = [("won", known[known["outcome_class"] == "won"]), ("lost", known[known["outcome_class"] == "lost"])]
    groups = [(name, rows) for name, rows in groups if not rows.empty] or [("all calls", fractions)]
    series = []
    for name, rows in groups:
        scaled = rows["first_price_frac"].clip(0, 1) * PRICE_FRACTION_BINS
        bins = scaled.astype(int).clip(upper=PRICE_FRACTION_BINS - 1)
        counts = bins.value_counts().reindex(range(PRICE_FRACTION_BINS), fill_value=0)
        series.append(Series(f"{name} (n={len(rows)})", list(counts / len(rows))))
    return grouped_histogram(label, series, PRICE_FRACTION_BINS, "first price mention (fraction of call)",
                             "share of calls")


def _team_trend(weekly: pd.DataFrame) -> str:
    label = "weekly team trends"
    if weekly.empty:
        return empty_chart(label, "No weeks with calls yet")
    series = [Series(name, _values(weekly[column])) for name, column in (
        ("seller talk ratio", "talk_ratio"),
        ("discovery share", "discovery_share"),
        ("price before discovery", "price_before_discovery_share"),
    )]
    return line_chart(label, list(weekly["iso_week"]), series, "ISO week", "mean over calls")


def _seller_trend(weekly: pd.DataFrame) -> str:
    """The busiest sellers, in the scatter's order (most calls first) so colours match."""
    label = "weekly discovery share per seller"
    if weekly.empty:
        return empty_chart(label, "No weeks with calls yet")
    weeks = sorted(weekly["iso_week"].unique())
    totals = weekly.groupby("seller_id")["calls"].sum().reset_index()
    busiest = totals.sort_values(["calls", "seller_id"], ascending=[False, True])["seller_id"]
    series = []
    for seller_id in busiest[:TOP_SELLERS_PER_TREND]:
        rows = weekly[weekly["seller_id"] == seller_id].set_index("iso_week")
        share = rows["mean_discovery_share"].reindex(weeks)
        series.append(Series(str(rows["seller_name"].iloc[-1]), _values(share)))
    return line_chart(label, weeks, series, "ISO week", "mean discovery share")


def _price_first_table(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "<p>No call brought up price before discovery.</p>"
    header = ("call", "date", "seller", "account", "outcome", "first price at", "raised by",
              "first discovery at", "what was said")
    body = []
    for r in rows.itertuples():
        cells = (r.call_id, f"{r.call_date:%Y-%m-%d}", r.seller_name, r.account, r.outcome,
                 _clock(r.first_price_s), r.first_price_by, _clock(r.first_discovery_s), r.first_price_text)
        link = f'<td><a href="{escape(call_page_href(r.call_id))}">{escape(r.call_id)}</a></td>'
        body.append("<tr>" + link + "".join(f"<td>{escape(_text(c))}</td>" for c in cells[1:]) + "</tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def _values(column: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in column]


def _percent(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.0%}"


def _clock(seconds: object) -> str:
    if seconds is None or pd.isna(seconds):
        return "never"
    minutes, rest = divmod(int(round(float(seconds))), 60)
    return f"{minutes}:{rest:02d}"


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
