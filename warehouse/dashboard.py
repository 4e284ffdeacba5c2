"""``dashboard``: the overview page and the seller scorecard beside it, self-contained HTML that
opens offline in any browser.

The pages read an in-memory copy of the chosen calls (``warehouse.filtered``), so every view
answers for the filtered calls with the warehouse's own SQL.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from warehouse.charts import COLOURS, HEIGHT, METRIC_COLOURS, OUTCOME_COLOURS, Chart, embed_script, safe_labels, \
    scale, spec, vega_bundle
from warehouse.call_pages import write_call_pages
from warehouse.connection import open_database
from warehouse.errors import WarehouseError
from warehouse.filtered import CallFilter, filtered_copy
from warehouse.html import Column, call_columns, clock, navigation, page, percent, section, table, text_cell, \
    write_atomically
from warehouse.outcomes import behaviour_outcomes, minimum_calls, outcomes_chart, outcomes_note
from warehouse.safe_text import html_text as escape
from warehouse.schema import check_readable
from warehouse.scorecard import render_scorecard, scorecard_path
from warehouse.store import DEFAULT_LOCK_TIMEOUT_S
from warehouse.targets import TargetBands

log = logging.getLogger(__name__)

PRICE_FRACTION_BINS = 10
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
    count(*) FILTER (WHERE status = 'ok' AND outcome_class = 'won') AS won_calls,
    count(*) FILTER (WHERE status = 'ok' AND outcome_class = 'lost') AS lost_calls,
    min(call_date) FILTER (WHERE status = 'ok') AS first_day,
    max(call_date) FILTER (WHERE status = 'ok') AS last_day,
    avg(seller_talk_ratio) FILTER (WHERE {_CERTAIN}) AS talk_ratio,
    avg(discovery_share) FILTER (WHERE {_CERTAIN}) AS discovery_share,
    avg(CASE WHEN price_before_discovery THEN 1.0 ELSE 0.0 END) FILTER (WHERE {_CERTAIN})
        AS price_before_discovery_share
FROM v_calls
"""
_SELLERS_SQL = """
SELECT seller_id, seller_name, calls - roles_uncertain_calls AS calls, talk_ratio, discovery_share
FROM v_seller_scorecard
WHERE period = 'all' AND talk_ratio IS NOT NULL AND discovery_share IS NOT NULL
ORDER BY calls DESC, seller_id
"""
_PRICE_FRACTIONS_SQL = """
SELECT first_price_frac, coalesce(outcome_class, 'other') AS outcome_class
FROM v_price_timing WHERE first_price_frac IS NOT NULL
"""
_TEAM_WEEKLY_SQL = f"""
SELECT iso_week, count(*) AS calls,
       avg(seller_talk_ratio) AS "seller talk ratio", avg(discovery_share) AS "discovery share",
       avg(usage_share) AS "usage share",
       avg(CASE WHEN price_before_discovery THEN 1.0 ELSE 0.0 END) AS "price before discovery"
FROM v_calls WHERE {_CERTAIN}
GROUP BY iso_week ORDER BY iso_week
"""
_SELLER_WEEKLY_SQL = """
SELECT seller_id, seller_name, iso_week, calls - roles_uncertain_calls AS calls, mean_discovery_share
FROM v_seller_weekly WHERE calls > roles_uncertain_calls AND mean_discovery_share IS NOT NULL
ORDER BY seller_name, seller_id, iso_week
"""
_PRICE_FIRST_SQL = f"""
SELECT call_id, call_date, seller_name, account, outcome, first_price_s, first_price_by,
       first_discovery_s, first_price_text
FROM v_price_timing WHERE price_before_discovery AND roles_uncertain IS NOT TRUE
ORDER BY call_date DESC, call_id LIMIT {PRICE_FIRST_ROWS}
"""


def dashboard(db_path: str | Path, out_html: str | Path, *, call_filter: CallFilter | None = None,
              targets: Mapping[str, tuple[float, float]] | None = None, min_outcome_calls: int | None = None,
              audio: bool = True, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> Path:
    """Write the overview of the warehouse at ``db_path`` to ``out_html``, the seller scorecard
    beside it (``scorecard_path``), each atomically, and each call's coaching page beside them
    (``audio``: with a player for local recordings); returns ``out_html``.

    ``call_filter`` chooses the calls (default: all), ``targets`` the scorecard's target bands
    (metric -> (low, high); default ``targets.DEFAULT_TARGETS``), ``min_outcome_calls`` the
    smallest group won versus lost gives an interval for (default: the stored setting).
    """
    db_path, out_html = Path(db_path), Path(out_html)
    call_filter = call_filter or CallFilter()
    if not out_html.parent.is_dir():
        raise WarehouseError(f"cannot write {out_html}: folder {out_html.parent} does not exist")
    con = open_database(db_path, read_only=True, lock_timeout_s=lock_timeout_s)
    try:
        check_readable(con, db_path)
        chosen = filtered_copy(db_path, call_filter, min_outcome_calls=min_outcome_calls)
        try:
            title = f"callytics: {db_path.name}"
            bands = TargetBands.from_mapping(targets)
            pages = {
                out_html: render(chosen, title=title, call_filter=call_filter, out_html=out_html, targets=bands),
                scorecard_path(out_html): render_scorecard(chosen, title=title, call_filter=call_filter,
                                                           overview=out_html.name, targets=bands),
            }
            exported = {call_id for (call_id,) in chosen.execute("SELECT call_id FROM calls").fetchall()}
        finally:
            chosen.close()
        write_call_pages(con, out_html, call_ids=exported, audio=audio)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot read {db_path}: {' '.join(str(exc).split())}") from None
    finally:
        con.close()
    for path, html in pages.items():
        write_atomically(path, html)
    log.info("dashboard written to %s", out_html)
    return out_html


def render(con: duckdb.DuckDBPyConnection, *, title: str, call_filter: CallFilter | None = None,
           out_html: Path = Path("report.html"), targets: TargetBands | None = None) -> str:
    """The overview page of the calls in ``con``."""
    call_filter = call_filter or CallFilter()
    summary = con.execute(_SUMMARY_SQL).df().iloc[0]
    minimum = minimum_calls(con)
    outcomes = behaviour_outcomes(con)
    talk_band = (targets or TargetBands.from_mapping(None)).band("talk_ratio")
    charts = [
        _seller_scatter(con.execute(_SELLERS_SQL).df(), talk_band),
        _price_histogram(con.execute(_PRICE_FRACTIONS_SQL).df()),
        _team_trend(con.execute(_TEAM_WEEKLY_SQL).df()),
        _seller_trend(con.execute(_SELLER_WEEKLY_SQL).df()),
    ]
    won_lost = outcomes_chart(outcomes, minimum)
    headings = ("Seller talk ratio vs discovery share", "When price first comes up", "Weekly trends, whole team",
                "Weekly discovery share per seller")
    notes = (f"One dot per seller, sized by calls; the shaded strip is the talk-ratio target "
             f"({talk_band[0]:.0%} to {talk_band[1]:.0%}).",
             "Where in the call price was first mentioned, by outcome.",
             "Means over the week's calls with a certain seller.",
             "Every seller, one row each; darker is more discovery.")
    sections = "".join(section(h, c.html(), note=n) for h, c, n in zip(headings, charts, notes))
    body = f"""<h1>{escape(title)}</h1>
{navigation(out_html.name, scorecard_path(out_html).name, call_filter.describe())}
{_summary(summary)}
<div class="grid">
{sections}</div>
{section("Won versus lost", won_lost.html(), note=outcomes_note(minimum))}
{section("Calls where price came before discovery", _price_first_table(con.execute(_PRICE_FIRST_SQL).df()))}"""
    return page(title, body, scripts=(vega_bundle(), embed_script([*charts, won_lost])))


def _summary(row: pd.Series) -> str:
    calls = int(row["calls"])
    period = (f"{row['first_day']:%Y-%m-%d} to {row['last_day']:%Y-%m-%d}" if calls else "no calls yet")
    kpis = [
        ("calls", f"{calls}"),
        ("failed calls", f"{int(row['failed_calls'])}"),
        ("seller uncertain (left out)", f"{int(row['roles_uncertain_calls'])}"),
        ("sellers", f"{int(row['sellers'])}"),
        ("won / lost", f"{int(row['won_calls'])} / {int(row['lost_calls'])}"),
        ("mean seller talk ratio", percent(row["talk_ratio"])),
        ("mean discovery share", percent(row["discovery_share"])),
        ("price before discovery", percent(row["price_before_discovery_share"])),
    ]
    cells = "".join(f'<div class="kpi"><b>{escape(value)}</b>{escape(name)}</div>' for name, value in kpis)
    return f'<div class="meta">{escape(period)}</div>\n<div class="kpis">{cells}</div>'


def _seller_scatter(sellers: pd.DataFrame, talk_band: tuple[float, float]) -> Chart:
    sellers = safe_labels(sellers)
    axis = alt.Axis(format="%")
    x = alt.X("talk_ratio:Q", scale=alt.Scale(domain=[0, 1]), axis=axis, title="mean seller talk ratio")
    y = alt.Y("discovery_share:Q", scale=alt.Scale(domain=[0, 1]), axis=axis, title="mean discovery share")
    band = alt.Chart(pd.DataFrame({"low": [talk_band[0]], "high": [talk_band[1]]})).mark_rect(
        color=COLOURS["target band"], opacity=0.35).encode(x=alt.X("low:Q", scale=alt.Scale(domain=[0, 1])),
                                                            x2="high:Q")
    points = alt.Chart(sellers).mark_circle(color=COLOURS["data point"], opacity=0.75).encode(
        x=x, y=y, size=alt.Size("calls:Q", legend=None, scale=alt.Scale(range=[40, 400])),
        tooltip=["seller_name:N", "calls:Q", alt.Tooltip("talk_ratio:Q", format=".0%"),
                 alt.Tooltip("discovery_share:Q", format=".0%")])
    labels = points.mark_text(align="left", dx=9, dy=-6, fontSize=11, color=COLOURS["data point"]).encode(
        text="seller_name:N", size=alt.value(11))
    chart = alt.layer(band, points, labels).properties(height=HEIGHT)
    data = table(sellers, [
        Column("seller", lambda r: text_cell(r["seller_name"])),
        Column("calls", lambda r: text_cell(r["calls"]), numeric=True),
        Column("mean talk ratio", lambda r: text_cell(percent(r["talk_ratio"])), numeric=True),
        Column("mean discovery share", lambda r: text_cell(percent(r["discovery_share"])), numeric=True),
    ], empty="No calls with talk ratio and discovery share yet.")
    return Chart("seller-scatter", "per-seller talk ratio vs discovery share", spec(chart), data)


def _price_histogram(fractions: pd.DataFrame) -> Chart:
    fractions = fractions.assign(
        outcome=fractions["outcome_class"].where(fractions["outcome_class"].isin(["won", "lost"]), "open"),
        bin=(fractions["first_price_frac"].clip(0, 1) * PRICE_FRACTION_BINS).astype(int).clip(
            upper=PRICE_FRACTION_BINS - 1))
    counts = (fractions.groupby(["bin", "outcome"]).size().unstack(fill_value=0)
              .reindex(index=range(PRICE_FRACTION_BINS), columns=list(OUTCOME_COLOURS), fill_value=0))
    step = 100 // PRICE_FRACTION_BINS
    counts["part"] = [f"{b * step}-{(b + 1) * step}%" for b in counts.index]
    long = counts.melt(id_vars="part", value_vars=list(OUTCOME_COLOURS), var_name="outcome", value_name="calls")
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("part:N", sort=list(counts["part"]), title="first price mention (part of the call)",
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("calls:Q", title="calls", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("outcome:N", scale=scale(OUTCOME_COLOURS), title="outcome",
                        legend=alt.Legend(orient="top")),
        tooltip=["part:N", "outcome:N", "calls:Q"],
    ).properties(height=HEIGHT)
    data = table(counts, [Column("part of the call", lambda r: text_cell(r["part"]))] + [
        Column(f"{name} calls", lambda r, name=name: text_cell(r[name]), numeric=True) for name in OUTCOME_COLOURS
    ]) if len(fractions) else "<p>No price mentions yet.</p>"
    return Chart("price-position", "distribution of the first price mention over the call, by outcome",
                 spec(chart), data)


def _team_trend(weekly: pd.DataFrame) -> Chart:
    long = weekly.melt(id_vars=["iso_week", "calls"], value_vars=list(METRIC_COLOURS), var_name="metric",
                       value_name="value").dropna(subset=["value"])
    line = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("iso_week:O", title="ISO week", axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="mean over calls"),
        color=alt.Color("metric:N", scale=scale(METRIC_COLOURS), title=None,
                        legend=alt.Legend(orient="top", columns=2)),
        tooltip=["iso_week:O", "metric:N", alt.Tooltip("value:Q", format=".0%"), "calls:Q"],
    ).properties(height=HEIGHT)
    data = table(weekly, [Column("ISO week", lambda r: text_cell(r["iso_week"])),
                          Column("calls", lambda r: text_cell(r["calls"]), numeric=True)] + [
        Column(name, lambda r, name=name: text_cell(percent(r[name])), numeric=True) for name in METRIC_COLOURS
    ], empty="No weeks with calls yet.")
    return Chart("team-trend", "weekly team trends", spec(line), data)


def _seller_trend(weekly: pd.DataFrame) -> Chart:
    """Every seller gets a row of weekly cells, however many sellers there are."""
    weekly = safe_labels(weekly)
    shared_name = weekly.groupby("seller_name")["seller_id"].transform("nunique") > 1
    weekly["seller"] = weekly["seller_name"].where(~shared_name, weekly["seller_name"] + " (" + weekly["seller_id"] + ")")
    cells = alt.Chart(weekly).mark_rect().encode(
        x=alt.X("iso_week:O", title="ISO week", axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("seller:N", title=None, axis=alt.Axis(labelLimit=160)),
        color=alt.Color("mean_discovery_share:Q", title="discovery share",
                        scale=alt.Scale(scheme="oranges", domain=[0, 1]), legend=alt.Legend(format="%", orient="top")),
        tooltip=["seller:N", "iso_week:O", "calls:Q", alt.Tooltip("mean_discovery_share:Q", format=".0%")],
    )
    labels = cells.mark_text(fontSize=10).encode(
        text=alt.Text("mean_discovery_share:Q", format=".0%"),
        color=alt.condition("datum.mean_discovery_share > 0.6", alt.value("white"), alt.value("black")))
    rows = max(1, weekly["seller"].nunique())
    chart = alt.layer(cells, labels).properties(height=max(60, 28 * rows))
    data = table(weekly, [
        Column("seller", lambda r: text_cell(r["seller"])),
        Column("ISO week", lambda r: text_cell(r["iso_week"])),
        Column("calls", lambda r: text_cell(r["calls"]), numeric=True),
        Column("mean discovery share", lambda r: text_cell(percent(r["mean_discovery_share"])), numeric=True),
    ], empty="No weeks with calls yet.")
    return Chart("seller-trend", "weekly discovery share per seller", spec(chart), data)


def _price_first_table(rows: pd.DataFrame) -> str:
    return table(rows, [
        *call_columns(),
        Column("account", lambda r: text_cell(r["account"])),
        Column("outcome", lambda r: text_cell(r["outcome"])),
        Column("first price at", lambda r: text_cell(clock(r["first_price_s"])), numeric=True),
        Column("raised by", lambda r: text_cell(r["first_price_by"])),
        Column("first discovery at", lambda r: text_cell(clock(r["first_discovery_s"])), numeric=True),
        Column("what was said", lambda r: text_cell(r["first_price_text"])),
    ], empty="No call brought up price before discovery.")
