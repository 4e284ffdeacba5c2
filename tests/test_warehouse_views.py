"""Reporting views: the numbers sales-ops read, checked against hand-computed values."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

import warehouse_rows as rows


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    return rows.sample_warehouse(tmp_path_factory.mktemp("views") / "calls.duckdb")


def test_v_calls_has_one_row_per_call_with_metrics_and_failures(wh):
    calls = wh.query("SELECT call_id, status, seller_key, outcome_class, iso_week, seller_talk_ratio "
                     "FROM v_calls ORDER BY call_id").set_index("call_id")
    assert list(calls.index) == ["a1", "a2", "a3", "b1", "b2", "z9"]
    assert calls.loc["z9", "status"] == "failed" and calls["seller_talk_ratio"].isna()["z9"]
    assert calls.loc["a3", "outcome_class"] == "won"
    assert calls["outcome_class"].isna()["b2"]
    assert calls.loc["a1", "iso_week"] == "2026-W10" and calls.loc["a3", "iso_week"] == "2026-W11"
    assert calls.loc["z9", "seller_key"] == "(unknown)"


def test_v_seller_weekly_aggregates_per_seller_and_iso_week(wh):
    weekly = wh.query("SELECT * FROM v_seller_weekly ORDER BY seller_id, iso_week")
    keyed = weekly.set_index(["seller_id", "iso_week"])
    assert list(keyed.index) == [("s1", "2026-W10"), ("s1", "2026-W11"), ("s2", "2026-W10"), ("s2", "2026-W11")]

    sam = keyed.loc[("s1", "2026-W10")]
    assert sam["seller_name"] == "Sam Seller"
    assert (sam["calls"], sam["won_calls"], sam["lost_calls"], sam["calls_with_price"]) == (2, 1, 1, 2)
    assert sam["mean_seller_talk_ratio"] == pytest.approx(0.6)
    assert sam["mean_discovery_share"] == pytest.approx(0.4)
    assert sam["price_before_discovery_share"] == pytest.approx(0.5)
    assert sam["mean_usage_share"] == pytest.approx(0.25)
    assert sam["feature_before_discovery_share"] == pytest.approx(0.5)
    assert sam["median_first_price_frac"] == pytest.approx((0.75 + 0.1) / 2)
    assert str(sam["week_start"].date()) == "2026-03-02"

    quiet = keyed.loc[("s1", "2026-W11")]
    assert (quiet["calls"], quiet["calls_with_price"], quiet["price_before_discovery_share"]) == (1, 0, 0.0)
    assert quiet[["median_first_price_frac"]].isna().all()
    assert (quiet["mean_usage_share"], quiet["feature_before_discovery_share"]) == (1.0, 0.0)

    ria = keyed.loc[("s2", "2026-W10")]
    assert ria["price_before_discovery_share"] == 1.0 and ria["pitch_before_discovery_share"] == 1.0
    assert ria["median_first_price_frac"] == pytest.approx(0.05)
    assert ria[["mean_usage_share"]].isna().all(), "a week without pitches has no usage share"


def test_v_price_timing_has_the_first_mention_of_each_call_that_mentions_price(wh):
    timing = wh.query("SELECT * FROM v_price_timing ORDER BY call_id").set_index("call_id")
    assert list(timing.index) == ["a1", "a2", "b1", "b2"]
    assert dict(timing["price_phase"]) == {"a1": "late", "a2": "before_discovery", "b1": "before_discovery",
                                           "b2": "middle"}
    assert timing.loc["b1", "first_price_by"] == "buyer"
    assert timing.loc["a2", "price_after_discovery_s"] == pytest.approx(12.0 - 30.0)
    assert timing.loc["a1", "first_price_text"] == "It is sixty dollars a seat per month."
    assert timing.loc["a1", "first_price_amount"] == 60.0


def test_calls_with_uncertain_roles_are_counted_but_kept_out_of_seller_metrics(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    call = rows.analysis(4, seller_talk_ratio=0.05, discovery_share=1.0, pitch_before_discovery=True,
                         first_price_s=None, first_price_frac=None, first_price_by=None, price_mentions=0)
    wh.write_call(rows.record("a4", recorded_at=rows.datetime(2026, 3, 5, 10), outcome="won", role_method="transcript",
                              role_confidence=0.55, roles_uncertain=True), call, rows.words_of(call))

    flagged = wh.query("SELECT call_id FROM v_calls WHERE roles_uncertain")
    assert list(flagged["call_id"]) == ["a4"]
    sam = wh.query("SELECT * FROM v_seller_weekly WHERE seller_id = 's1' AND iso_week = '2026-W10'").iloc[0]
    assert (sam["calls"], sam["roles_uncertain_calls"], sam["won_calls"]) == (3, 1, 2)
    assert sam["mean_seller_talk_ratio"] == pytest.approx(0.6)
    assert sam["mean_discovery_share"] == pytest.approx(0.4)
    assert sam["pitch_before_discovery_share"] == pytest.approx(0.0)
    assert sam["call_minutes"] == pytest.approx(6.0)


def test_v_seller_scorecard_has_a_row_per_seller_and_month_and_one_over_all_calls(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    call = rows.analysis(4, seller_talk_ratio=0.05, seller_questions=40)
    wh.write_call(rows.record("a4", seller_id="s1", seller_name="Sam Seller", team="East", outcome="lost",
                              recorded_at=datetime(2026, 4, 1, 10), roles_uncertain=True), call, [])
    card = wh.query("SELECT * FROM v_seller_scorecard ORDER BY seller_id, period").set_index(["seller_id", "period"])
    assert list(card.index) == [("s1", "2026-03"), ("s1", "2026-04"), ("s1", "all"), ("s2", "2026-03"), ("s2", "all")]
    sam = card.loc[("s1", "all")]
    assert (sam["calls"], sam["roles_uncertain_calls"], sam["closed_calls"], sam["won_calls"]) == (4, 1, 4, 2)
    assert sam["win_rate"] == 0.5 and sam["team"] == "East"
    assert abs(sam["talk_ratio"] - (0.5 + 0.7 + 0.4) / 3) < 1e-9  # the uncertain call's 0.05 left out
    assert sam["questions_per_call"] == 1 and sam["first_day"].isoformat()[:10] == "2026-03-02"
    assert sam["seller_price_first_rate"] == 1.0  # a3 has no price mention: not in the rate
    april = card.loc[("s1", "2026-04")]
    assert april["calls"] == 1 and april["talk_ratio"] != april["talk_ratio"]  # NaN: no certain call
    ria = card.loc[("s2", "all")]
    assert ria["pitch_first_rate"] == 0.5 and ria["seller_price_first_rate"] == 0.5 and pd.isna(ria["team"])
    assert ria["win_rate"] == 0.0 and ria["closed_calls"] == 1
