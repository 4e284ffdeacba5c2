"""Won versus lost: ``v_behaviour_outcomes`` as a chart of differences with intervals and a table."""
from __future__ import annotations

import altair as alt
import duckdb
import pandas as pd

from warehouse.charts import COLOURS, HEIGHT, Chart, spec
from warehouse.html import Cell, Column, missing, percent, plain, table, text_cell
from warehouse.safe_text import html_text as escape

NOT_ENOUGH = "not enough calls"


def behaviour_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM v_behaviour_outcomes").df()


def minimum_calls(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT coalesce(any_value(min_outcome_calls), 10) FROM report_settings").fetchall()[0][0])


def outcomes_chart(rows: pd.DataFrame, minimum: int) -> Chart:
    """Each behaviour's difference in win rate with its 95% interval; "not enough calls" where
    either side has fewer than ``minimum`` closed calls."""
    data = rows[["behaviour", "description", "diff", "diff_low", "diff_high", "enough_calls", "n_with",
                 "n_without"]].copy()
    data["name"] = data["behaviour"].map(short_name)
    data["shown"] = data["diff"].where(data["enough_calls"])
    data["label"] = data["enough_calls"].map(lambda enough: "" if enough else NOT_ENOUGH)
    y = alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=200))
    x_scale = alt.Scale(domain=[-1, 1])
    base = alt.Chart(data)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#6b7280").encode(x=alt.X("x:Q", scale=x_scale))
    bars = base.mark_rule(color=COLOURS["data point"], strokeWidth=2).encode(
        y=y, x=alt.X("diff_low:Q", scale=x_scale, axis=alt.Axis(format="+%"),
                     title="win rate with minus without (95% interval)"),
        x2="diff_high:Q")
    points = base.mark_point(filled=True, size=70, color=COLOURS["data point"]).encode(
        y=y, x=alt.X("shown:Q", scale=x_scale),
        tooltip=[alt.Tooltip("description:N", title="behaviour"), alt.Tooltip("diff:Q", format="+.0%"),
                 alt.Tooltip("diff_low:Q", format="+.0%", title="low"),
                 alt.Tooltip("diff_high:Q", format="+.0%", title="high"),
                 alt.Tooltip("n_with:Q", title="calls with"), alt.Tooltip("n_without:Q", title="calls without")])
    missing_label = base.mark_text(color=COLOURS[NOT_ENOUGH], align="center").encode(
        y=y, x=alt.datum(0), text="label:N")
    chart = alt.layer(zero, bars, points, missing_label).properties(
        height=max(HEIGHT // 2, 30 * len(data)))
    label = (f"difference in win rate with and without each behaviour, with 95% intervals; "
             f"at least {minimum} closed calls on each side")
    return Chart("behaviour-outcomes", label, spec(chart), outcomes_table(rows))


def short_name(behaviour: str) -> str:
    """``talk_ratio_above_65pct`` -> "talk ratio above 65%": a label short enough for a phone."""
    return behaviour.replace("_", " ").replace("65pct", "65%")


def outcomes_table(rows: pd.DataFrame) -> str:
    return table(rows, [
        Column("behaviour", lambda r: text_cell(short_name(r["behaviour"]))),
        Column("what it means", lambda r: text_cell(r["description"])),
        Column("calls with", lambda r: _count(r["n_with"]), numeric=True),
        Column("win rate with", lambda r: _rate(r["win_rate_with"]), numeric=True),
        Column("calls without", lambda r: _count(r["n_without"]), numeric=True),
        Column("win rate without", lambda r: _rate(r["win_rate_without"]), numeric=True),
        Column("difference (95% interval)", _difference, numeric=True),
    ], empty="No behaviours.")


def _difference(row: dict) -> Cell:
    if not row["enough_calls"]:
        return Cell(escape(NOT_ENOUGH), None)
    text = f"{row['diff']:+.0%} ({row['diff_low']:+.0%} to {row['diff_high']:+.0%})"
    return Cell(escape(text), float(row["diff"]))


def _rate(value: object) -> Cell:
    return Cell(escape(percent(value)), None if missing(value) else float(value))


def _count(value: object) -> Cell:
    return Cell(escape(plain(value)), None if missing(value) else int(value))


def outcomes_note(minimum: int) -> str:
    return (f"Closed calls (won or lost) with a certain seller. The interval is Newcombe's hybrid "
            f"score interval for a difference of two proportions; below {minimum} calls on either "
            f"side it is not shown. A difference is an association in these calls, not proof that "
            f"the behaviour causes the outcome.")
