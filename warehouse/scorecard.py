"""The "Seller scorecard" page: ``v_seller_scorecard`` per seller over the chosen calls, each
figure marked against its target band, the team medians, charts against the bands, the month by
month rows, and the calls whose seller was uncertain."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from warehouse.charts import COLOURS, Chart, embed_script, safe_labels, spec, vega_bundle
from warehouse.filtered import CallFilter
from warehouse.html import SORT_SCRIPT, Cell, Column, call_columns, missing, navigation, page, plain, section, \
    table, text_cell
from warehouse.safe_text import html_text as escape
from warehouse.targets import TargetBands

ALL_SELLERS = "all sellers"
_CARD_SQL = "SELECT * FROM v_seller_scorecard WHERE period = '{period}' ORDER BY calls DESC, seller_name, seller_id"
_MONTHS_SQL = "SELECT * FROM v_seller_scorecard WHERE period <> 'all' ORDER BY period DESC, calls DESC, seller_name"
_UNCERTAIN_SQL = """
SELECT call_id, call_date, seller_label AS seller_name, role_method, role_confidence
FROM v_calls WHERE status = 'ok' AND roles_uncertain
ORDER BY call_date DESC, call_id
"""


@dataclass(frozen=True)
class Metric:
    """A scorecard column of ``v_seller_scorecard`` and how to show it."""

    column: str
    heading: str
    show: Callable[[float], str]
    charted: bool = False


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


METRICS = (
    Metric("talk_ratio", "talk ratio", _percent, charted=True),
    Metric("discovery_share", "discovery share", _percent, charted=True),
    Metric("usage_share", "usage share", _percent, charted=True),
    Metric("pitch_first_rate", "pitch first", _percent),
    Metric("seller_price_first_rate", "seller raised price first", _percent),
    Metric("questions_per_call", "questions per call", lambda v: f"{v:.1f}", charted=True),
    Metric("longest_monologue_s", "longest monologue", _minutes),
    Metric("win_rate", "win rate", _percent),
)


def scorecard_path(overview: Path) -> Path:
    """Where the scorecard of the overview page ``overview`` is written: beside it."""
    return overview.with_name(f"{overview.stem}-scorecard{overview.suffix or '.html'}")


def render_scorecard(con: duckdb.DuckDBPyConnection, *, title: str, call_filter: CallFilter,
                     overview: str, targets: TargetBands) -> str:
    card = con.execute(_CARD_SQL.format(period="all")).df()
    months = con.execute(_MONTHS_SQL).df()
    uncertain = con.execute(_UNCERTAIN_SQL).df()
    medians = team_medians(card)
    charts = [_metric_chart(card, metric, targets, medians) for metric in METRICS if metric.charted]
    chart_sections = "".join(section(f"{m.heading.capitalize()} per seller", c.html(),
                                     note=_band_note(m, targets))
                             for m, c in zip([m for m in METRICS if m.charted], charts))
    period = (f"{card['first_day'].min():%Y-%m-%d} to {card['last_day'].max():%Y-%m-%d}" if len(card)
              else "no calls yet")
    body = f"""<h1>Seller scorecard</h1>
<div class="meta">{escape(title)}: {escape(period)}</div>
{navigation(overview, scorecard_path(Path(overview)).name, call_filter.describe())}
{section("Sellers", scorecard_table(card, medians, targets), note=_table_note(targets))}
{section("Team medians", _medians_table(medians, targets))}
<div class="grid">
{chart_sections}</div>
{section("Month by month", _months_table(months, targets))}
{section("Calls with an uncertain seller", _uncertain_table(uncertain),
         note="Left out of every figure that depends on who the seller is; check them by hand.")}"""
    return page(f"Seller scorecard: {title}", body, scripts=(SORT_SCRIPT, vega_bundle(), embed_script(charts)))


def team_medians(card: pd.DataFrame) -> pd.DataFrame:
    """The median seller's figure per team, and over all sellers (first row)."""
    columns = ["calls", "roles_uncertain_calls", "closed_calls", *(m.column for m in METRICS)]
    overall = card[columns].median(numeric_only=True).to_frame().T.assign(team=ALL_SELLERS, sellers=len(card))
    if card.empty or card["team"].isna().all():
        return overall
    teams = card.assign(team=card["team"].fillna("(no team)")).groupby("team")
    per_team = teams[columns].median(numeric_only=True).assign(sellers=teams.size()).reset_index()
    return pd.concat([overall, per_team], ignore_index=True)


def scorecard_table(card: pd.DataFrame, medians: pd.DataFrame, targets: TargetBands) -> str:
    overall = medians.iloc[[0]].assign(seller_name="team median", seller_id="", team="")
    band_row = pd.DataFrame([{"seller_name": "target", "seller_id": "", "team": "",
                              **{m.column: targets.bands.get(m.column, "") for m in METRICS}}])
    columns = [
        Column("seller", lambda r: text_cell(r["seller_name"])),
        Column("team", lambda r: text_cell(r["team"])),
        Column("calls", lambda r: _count(r["calls"]), numeric=True),
        Column("seller uncertain", _uncertain_cell, numeric=True),
        *(Column(m.heading, _metric_cell(m, targets), numeric=True) for m in METRICS),
        Column("closed", lambda r: _count(r["closed_calls"]), numeric=True),
    ]
    return table(card, columns, sortable=True, summary_rows=pd.concat([overall, band_row], ignore_index=True),
                 empty="No calls in this period.")


def _metric_cell(metric: Metric, targets: TargetBands) -> Callable[[dict], Cell]:
    def cell(row: dict) -> Cell:
        value = row.get(metric.column)
        if isinstance(value, tuple):  # the target row
            return Cell(escape(f"{metric.show(value[0])} to {metric.show(value[1])}"))
        if isinstance(value, str):  # the target row, no band
            return Cell(escape(value))
        if missing(value):
            return Cell("n/a")
        value = float(value)
        position = targets.position(metric.column, value)
        if not position:
            return Cell(escape(metric.show(value)), value)
        low, high = targets.band(metric.column)
        where = "above" if position > 0 else "below"
        glyph = "\u25b2" if position > 0 else "\u25bc"
        tip = f"{where} the target {metric.show(low)} to {metric.show(high)}"
        return Cell(f'<span title="{escape(tip)}">{escape(metric.show(value))} '
                    f'<span class="mark" aria-label="{escape(tip)}">{glyph}</span></span>', value, "off")
    return cell


def _uncertain_cell(row: dict) -> Cell:
    count = row.get("roles_uncertain_calls")
    if missing(count) or int(count) == 0:
        return Cell("0" if not missing(count) else "", 0)
    return Cell(f'<span class="mark" title="calls left out of the seller figures">\u26a0 {int(count)}</span>',
                int(count))


def _count(value: object) -> Cell:
    return Cell(escape(plain(value if missing(value) else round(float(value), 1)).removesuffix(".0")),
                None if missing(value) else float(value))


def _medians_table(medians: pd.DataFrame, targets: TargetBands) -> str:
    columns = [
        Column("team", lambda r: text_cell(r["team"])),
        Column("sellers", lambda r: _count(r["sellers"]), numeric=True),
        Column("calls (median seller)", lambda r: _count(r["calls"]), numeric=True),
        *(Column(m.heading, _metric_cell(m, targets), numeric=True) for m in METRICS),
    ]
    return table(medians, columns, empty="No sellers.")


def _months_table(months: pd.DataFrame, targets: TargetBands) -> str:
    columns = [
        Column("month", lambda r: text_cell(r["period"])),
        Column("seller", lambda r: text_cell(r["seller_name"])),
        Column("team", lambda r: text_cell(r["team"])),
        Column("calls", lambda r: _count(r["calls"]), numeric=True),
        Column("seller uncertain", _uncertain_cell, numeric=True),
        *(Column(m.heading, _metric_cell(m, targets), numeric=True) for m in METRICS),
    ]
    return table(months, columns, sortable=True, empty="No calls in this period.")


def _uncertain_table(calls: pd.DataFrame) -> str:
    return table(calls, [
        *call_columns(),
        Column("seller found by", lambda r: text_cell(r["role_method"])),
        Column("confidence", lambda r: text_cell("" if missing(r["role_confidence"])
                                                 else f"{r['role_confidence']:.2f}"), numeric=True),
    ], empty="None: every call's seller was identified with confidence.")


def _metric_chart(card: pd.DataFrame, metric: Metric, targets: TargetBands, medians: pd.DataFrame) -> Chart:
    """One dot per seller on the metric's axis, over the shaded target band, with the median."""
    data = safe_labels(card[["seller_name", "seller_id", metric.column, "calls"]].dropna(subset=[metric.column]))
    low, high = targets.band(metric.column)
    top = max(1.0, high) if metric.column != "questions_per_call" else max(high, float(data[metric.column].max())
                                                                            if len(data) else high) * 1.1
    x_scale = alt.Scale(domain=[0, top])
    axis = alt.Axis(format="%") if metric.show is _percent else alt.Axis()
    band = alt.Chart(pd.DataFrame({"low": [low], "high": [high]})).mark_rect(
        color=COLOURS["target band"], opacity=0.35).encode(x=alt.X("low:Q", scale=x_scale), x2="high:Q")
    median = medians[metric.column].iloc[0] if len(medians) else None
    layers = [band]
    if not missing(median):
        layers.append(alt.Chart(pd.DataFrame({"median": [float(median)]})).mark_rule(
            color="#6b7280", strokeDash=[4, 3]).encode(x=alt.X("median:Q", scale=x_scale)))
    layers.append(alt.Chart(data).mark_circle(color=COLOURS["data point"], size=80).encode(
        x=alt.X(f"{metric.column}:Q", scale=x_scale, axis=axis, title=metric.heading),
        y=alt.Y("seller_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=160)),
        tooltip=["seller_name:N", "calls:Q", alt.Tooltip(f"{metric.column}:Q", format=".2f")]))
    chart = alt.layer(*layers).properties(height=max(60, 26 * max(1, len(data))))
    rows = table(data, [Column("seller", lambda r: text_cell(r["seller_name"])),
                        Column(metric.heading, _metric_cell(metric, targets), numeric=True),
                        Column("calls", lambda r: _count(r["calls"]), numeric=True)],
                 empty="No seller has this figure yet.")
    return Chart(f"scorecard-{metric.column}", f"{metric.heading} per seller against the target band",
                 spec(chart), rows)


def _band_note(metric: Metric, targets: TargetBands) -> str:
    low, high = targets.band(metric.column)
    return (f"Shaded: the target, {metric.show(low)} to {metric.show(high)}; dashed line: the team median.")


def _table_note(targets: TargetBands) -> str:
    return ("Over the chosen calls. \u25b2 above and \u25bc below the target band (bold on grey; the "
            "target row shows each band). Click a heading to sort. Figures from talk ratio to longest "
            "monologue leave out calls with an uncertain seller (\u26a0, listed below); win rate is "
            "won / (won + lost).")
