"""``callytics dashboard --since --until --seller --team``: every view on both pages answers for
the chosen calls only; typos are one clear line."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

import warehouse_rows as rows
from flows.cli import main
from warehouse import Warehouse, WarehouseError, dashboard
from warehouse.filtered import CallFilter, filtered_copy
from warehouse.scorecard import scorecard_path


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    wh = rows.sample_warehouse(tmp_path_factory.mktemp("filters") / "calls.duckdb")
    wh.write_calls([
        (rows.record("e1", seller_id="s3", seller_name="Eve East", team="East", outcome="lost",
                     recorded_at=datetime(2026, 3, 20, 1, 30, tzinfo=timezone.utc)), rows.analysis(4), []),
        (rows.record("e2", seller_id="s4", seller_name="Ed East", team="East", outcome="won",
                     recorded_at=datetime(2026, 3, 21, 12, tzinfo=timezone.utc)), rows.analysis(4), []),
    ])
    return wh


def chosen(wh: Warehouse, call_filter: CallFilter, sql: str = "SELECT call_id FROM v_calls ORDER BY call_id"):
    con = filtered_copy(wh.path, call_filter)
    try:
        return [row[0] for row in con.execute(sql).fetchall()]
    finally:
        con.close()


def test_no_filter_keeps_every_call(wh):
    assert chosen(wh, CallFilter()) == ["a1", "a2", "a3", "b1", "b2", "e1", "e2", "z9"]


def test_days_are_inclusive(wh):
    assert chosen(wh, CallFilter(since=date(2026, 3, 4), until=date(2026, 3, 11))) == ["a2", "a3", "b2"]


def test_days_are_those_of_the_report_timezone(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    wh.set_report_timezone("America/Los_Angeles")
    # 01:30 UTC on 20 March is the evening of 19 March in Los Angeles.
    wh.write_call(rows.record("late", recorded_at=datetime(2026, 3, 20, 1, 30, tzinfo=timezone.utc)),
                  rows.analysis(4), [])
    assert chosen(wh, CallFilter(until=date(2026, 3, 19))) == ["late"]
    assert chosen(wh, CallFilter(since=date(2026, 3, 20))) == []


def test_sellers_and_teams(wh):
    assert chosen(wh, CallFilter(sellers=("s2",))) == ["b1", "b2"]
    assert chosen(wh, CallFilter(sellers=("s2", "s3"))) == ["b1", "b2", "e1"]
    assert chosen(wh, CallFilter(teams=("East",))) == ["e1", "e2"]
    assert chosen(wh, CallFilter(teams=("East",), sellers=("s1",))) == []


def test_the_reporting_views_answer_for_the_chosen_calls(wh):
    east = CallFilter(teams=("East",))
    sellers = chosen(wh, east, "SELECT seller_id FROM v_seller_scorecard WHERE period = 'all' ORDER BY 1")
    assert sellers == ["s3", "s4"]
    assert chosen(wh, east, "SELECT n_with + n_without FROM v_behaviour_outcomes "
                            "WHERE behaviour = 'pitch_before_discovery'") == [2]
    assert chosen(wh, CallFilter(sellers=("s2",)), "SELECT count(*) FROM v_price_timing") == [2]


def test_the_minimum_for_an_interval_can_be_set_per_dashboard(wh):
    con = filtered_copy(wh.path, CallFilter(), min_outcome_calls=2)
    try:
        flags = dict(con.execute("SELECT behaviour, enough_calls FROM v_behaviour_outcomes").fetchall())
    finally:
        con.close()
    assert flags["price_before_discovery"]  # 2 of 6 closed calls with, 4 without
    assert not chosen(wh, CallFilter(), "SELECT bool_or(enough_calls) FROM v_behaviour_outcomes")[0]


def test_both_pages_show_the_filter_and_only_its_sellers(wh, tmp_path):
    out = dashboard(wh.path, tmp_path / "east.html", call_filter=CallFilter(teams=("East",)))
    for page in (out.read_text(), scorecard_path(out).read_text()):
        assert "Filtered: team East" in page
        assert "Eve East" in page and "Sam Seller" not in page and "Ria Rep" not in page


def test_an_unknown_seller_or_team_is_one_clear_error(wh, tmp_path):
    with pytest.raises(WarehouseError, match=r"no call has seller s7 \(known: .*s1, s2"):
        dashboard(wh.path, tmp_path / "report.html", call_filter=CallFilter(sellers=("s7",)))
    with pytest.raises(WarehouseError, match=r"no call has team West \(known: East\)"):
        dashboard(wh.path, tmp_path / "report.html", call_filter=CallFilter(teams=("West",)))
    assert not (tmp_path / "report.html").exists()


def test_cli_filters(wh, tmp_path, capsys):
    out = tmp_path / "march.html"
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(wh.path), "--out", str(out), "--since", "2026-03-03",
              "--until", "2026-03-10", "--seller", "s1", "--seller", "s2"])
    assert exit_.value.code == 0
    page = out.read_text()
    assert "Filtered: calls from 2026-03-03 to 2026-03-10; seller s1, s2" in page
    assert "2026-03-03 to 2026-03-10" in page and "Eve East" not in page
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(wh.path), "--out", str(out), "--since", "2026-03-10", "--until", "2026-03-03"])
    error = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and error == "callytics: error: --since 2026-03-10 is after --until 2026-03-03"
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(wh.path), "--out", str(out), "--since", "March"])
    assert exit_.value.code == 2 and "Traceback" not in capsys.readouterr().err
