"""The "Seller scorecard" page: one row per seller, marks against the target bands, team medians,
sortable tables, and the calls whose seller was uncertain, linked."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

import warehouse_rows as rows
from warehouse import dashboard
from warehouse.links import call_page_href, call_page_path
from warehouse.scorecard import scorecard_path
from warehouse.targets import DEFAULT_TARGETS, TargetBands


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = rows.sample_warehouse(tmp_path_factory.mktemp("scorecard") / "calls.duckdb")
    call = rows.analysis(4, seller_talk_ratio=0.05)
    wh.write_call(rows.record("unsure/1", seller_id="s1", seller_name="Sam Seller", roles_uncertain=True,
                              role_method="transcript", role_confidence=0.61, recorded_at=datetime(2026, 3, 12, 9)),
                  call, [])
    return wh


@pytest.fixture(scope="module")
def card(warehouse) -> str:
    return scorecard_path(dashboard(warehouse.path, warehouse.path.with_name("report.html"))).read_text()


def sellers_table(page: str) -> str:
    return page.split("<h2>Sellers</h2>")[1].split("</table>")[0]


def row_of(table: str, first_cell: str) -> str:
    return re.search(rf"<tr[^>]*><td[^>]*>{re.escape(first_cell)}</td>.*?</tr>", table).group(0)


def test_the_page_is_titled_and_linked_from_the_overview(card, warehouse):
    assert "<h1>Seller scorecard</h1>" in card
    overview = warehouse.path.with_name("report.html").read_text()
    assert '<a href="report-scorecard.html">Seller scorecard</a>' in overview
    assert '<a href="report.html">Overview</a>' in card


def test_scorecard_path_sits_beside_the_overview():
    assert scorecard_path(Path("/x/report.html")) == Path("/x/report-scorecard.html")
    assert scorecard_path(Path("week 12.htm")) == Path("week 12-scorecard.htm")


def test_one_row_per_seller_with_the_views_figures(card):
    table = sellers_table(card)
    sam, ria = row_of(table, "Sam Seller"), row_of(table, "Ria Rep")
    # Sam: 4 calls, 1 with an uncertain seller (left out of the talk ratio: a1-a3 only, but not out
    # of the win rate: the outcome does not depend on who the seller is), 3 won of 4 closed.
    assert re.search(r">4</td>.*\u26a0 1.*>53%</td>", sam)
    assert ">75%</td>" in sam
    # Ria: talk ratio 70% is above the default 40-60% band, discovery share 25% below 50-100%.
    assert re.search(r'class="num off"[^>]*>.*?70% .*?\u25b2', ria)
    assert re.search(r'class="num off"[^>]*>.*?25% .*?\u25bc', ria)
    assert ">0%</td>" in ria  # win rate: b1 lost, b2 open


def test_team_median_and_target_rows_stay_last(card):
    table = sellers_table(card)
    summaries = re.findall(r'<tr class="summary"><td[^>]*>([^<]*)</td>', table)
    assert summaries == ["team median", "target"]
    assert table.rindex("Ria Rep") < table.index('class="summary"')
    target = row_of(table, "target")
    assert ">40% to 60%</td>" in target and ">11.0 to 14.0</td>" in target and ">0:00 to 2:30</td>" in target


def test_tables_are_sortable_without_network(card):
    assert '<table class="sortable">' in card and "querySelectorAll('table.sortable')" in card
    numeric = re.findall(r'<td class="num[^"]*" data-sort="([^"]*)"', sellers_table(card))
    assert len(numeric) > 10 and all(isinstance(float(value), float) for value in numeric)  # sort as numbers


def test_uncertain_calls_are_counted_and_linked(card, warehouse):
    section = card.split("<h2>Calls with an uncertain seller</h2>")[1].split("</section>")[0]
    assert f'<a href="{call_page_href("unsure/1")}">unsure/1</a>' in section
    assert (Path(warehouse.path).parent / call_page_path("unsure/1")).is_file()
    assert ">transcript</td>" in section and ">0.61</td>" in section


def test_configured_targets_change_the_marks(warehouse, tmp_path):
    out = dashboard(warehouse.path, tmp_path / "report.html", targets={"talk_ratio": (0.65, 0.75)})
    table = sellers_table(scorecard_path(out).read_text())
    assert re.search(r'class="num off"[^>]*>.*?53% .*?\u25bc', row_of(table, "Sam Seller"))
    assert ">70%</td>" in row_of(table, "Ria Rep")  # now inside the band: unmarked
    assert ">65% to 75%</td>" in row_of(table, "target")


def test_teams_get_their_own_medians(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    wh.write_calls([(rows.record(f"t{i}", seller_id=f"e{i}", seller_name=f"East {i}", team="East"),
                     rows.analysis(4, seller_talk_ratio=0.3 + 0.1 * i), []) for i in range(3)])
    page = scorecard_path(dashboard(wh.path, tmp_path / "report.html")).read_text()
    medians = page.split("<h2>Team medians</h2>")[1].split("</table>")[0]
    assert re.findall(r"<tr><td[^>]*>([^<]*)</td>", medians) == ["all sellers", "(no team)", "East"]
    assert ">40%</td>" in row_of(medians, "East")  # median of 30%, 40%, 50%
    assert ">East</td>" in row_of(sellers_table(page), "East 0")


def test_month_by_month_rows(card):
    months = card.split("<h2>Month by month</h2>")[1].split("</table>")[0]
    assert len(re.findall(r">2026-03</td>", months)) == 2


def test_target_bands_reject_unknown_metrics_and_fill_defaults():
    bands = TargetBands.from_mapping({"talk_ratio": (0.3, 0.5)})
    assert bands.band("talk_ratio") == (0.3, 0.5) and bands.band("usage_share") == DEFAULT_TARGETS["usage_share"]
    assert [bands.position("talk_ratio", v) for v in (0.2, 0.4, 0.6, None)] == [-1, 0, 1, None]
    with pytest.raises(ValueError, match="no scorecard metric colour"):
        TargetBands.from_mapping({"colour": (0, 1)})
