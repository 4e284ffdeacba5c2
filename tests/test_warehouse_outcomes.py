"""``v_behaviour_outcomes``: win rate with and without each behaviour, the difference and its 95%
Newcombe interval, checked against the published examples and statsmodels."""
from __future__ import annotations

from datetime import datetime, timedelta
from math import isclose

import pytest

import warehouse_rows as rows
from warehouse import Warehouse

# Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10 (score interval for the
# difference, no continuity correction): x1/n1 - x2/n2 -> (low, high).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
]


def warehouse_with(tmp_path, won_with: int, n_with: int, won_without: int, n_without: int, *,
                   min_calls: int = 1, extra=()) -> Warehouse:
    """Closed calls where the seller pitched before discovery (``with``) or not, plus ``extra``
    (record overrides, metric overrides) calls."""
    wh = Warehouse(tmp_path / "calls.duckdb")
    wh.set_min_outcome_calls(min_calls)
    calls = []
    groups = ((True, won_with, n_with), (False, won_without, n_without))
    for pitch_first, won, n in groups:
        for i in range(n):
            calls.append(({"outcome": "won" if i < won else "lost"},
                          {"pitch_before_discovery": pitch_first}))
    calls.extend(extra)
    batch = []
    for i, (record, metrics) in enumerate(calls):
        call = rows.analysis(4, **metrics)
        batch.append((rows.record(f"c{i:03d}", recorded_at=datetime(2026, 3, 2) + timedelta(hours=i), **record),
                      call, []))
    wh.write_calls(batch)
    return wh


def outcome(wh: Warehouse, behaviour: str = "pitch_before_discovery") -> dict:
    frame = wh.query(f"SELECT * FROM v_behaviour_outcomes WHERE behaviour = '{behaviour}'")
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


@pytest.mark.parametrize("counts,published", NEWCOMBE_TABLE_II, ids=[str(c) for c, _ in NEWCOMBE_TABLE_II])
def test_interval_matches_newcombes_published_examples(tmp_path, counts, published):
    row = outcome(warehouse_with(tmp_path, *counts))
    x1, n1, x2, n2 = counts
    assert (row["n_with"], row["won_with"], row["n_without"], row["won_without"]) == (n1, x1, n2, x2)
    assert isclose(row["win_rate_with"], x1 / n1) and isclose(row["win_rate_without"], x2 / n2)
    assert isclose(row["diff"], x1 / n1 - x2 / n2)
    assert round(row["diff_low"], 4) == published[0] and round(row["diff_high"], 4) == published[1]
    assert row["enough_calls"]


@pytest.mark.parametrize("counts", [(0, 12, 7, 15), (12, 12, 0, 11), (3, 14, 3, 14), (1, 3, 2, 2)])
def test_interval_matches_statsmodels(tmp_path, counts):
    proportion = pytest.importorskip("statsmodels.stats.proportion", reason="statsmodels (dev extra)")
    low, high = proportion.confint_proportions_2indep(*counts, method="newcomb", compare="diff")
    row = outcome(warehouse_with(tmp_path, *counts))
    assert isclose(row["diff_low"], low, abs_tol=1e-9) and isclose(row["diff_high"], high, abs_tol=1e-9)


def test_below_the_minimum_the_bounds_are_null_and_flagged(tmp_path):
    wh = warehouse_with(tmp_path, 5, 9, 4, 10, min_calls=10)
    row = outcome(wh)
    assert not row["enough_calls"] and row["n_with"] == 9
    assert row["diff_low"] != row["diff_low"] and row["diff_high"] != row["diff_high"]  # NaN: NULL
    assert isclose(row["diff"], 5 / 9 - 4 / 10)
    wh.set_min_outcome_calls(9)
    assert outcome(wh)["enough_calls"]


def test_only_closed_calls_with_certain_roles_count(tmp_path):
    extra = [({"outcome": "open"}, {"pitch_before_discovery": True}),
             ({"outcome": None}, {"pitch_before_discovery": True}),
             ({"outcome": "won", "roles_uncertain": True}, {"pitch_before_discovery": True}),
             ({"outcome": "Closed Lost"}, {"pitch_before_discovery": True})]
    row = outcome(warehouse_with(tmp_path, 2, 3, 1, 2, extra=extra))
    assert (row["n_with"], row["won_with"], row["n_without"]) == (4, 2, 2)


def test_every_behaviour_has_a_row_even_without_calls(tmp_path):
    frame = Warehouse(tmp_path / "calls.duckdb").query("SELECT * FROM v_behaviour_outcomes")
    assert list(frame["behaviour"]) == [
        "pitch_before_discovery", "price_before_discovery", "seller_raised_price_first",
        "feature_before_discovery", "usage_share_above_median", "talk_ratio_above_65pct",
        "discovery_share_above_median", "seller_questions_above_median"]
    assert (frame["n_with"] == 0).all() and (frame["n_without"] == 0).all()
    assert not frame["enough_calls"].any() and frame["description"].str.len().min() > 10


def test_above_median_and_price_behaviours(tmp_path):
    extra = [({"outcome": "won"}, {"usage_share": 0.9, "seller_talk_ratio": 0.5, "first_price_by": "buyer"}),
             ({"outcome": "won"}, {"usage_share": 0.8, "seller_talk_ratio": 0.7, "first_price_by": None,
                                   "price_before_discovery": None}),
             ({"outcome": "lost"}, {"usage_share": 0.1, "seller_talk_ratio": 0.9, "first_price_by": "seller",
                                    "price_before_discovery": True}),
             ({"outcome": "lost"}, {"usage_share": None, "seller_talk_ratio": 0.66}),
             ({"outcome": "lost"}, {"usage_share": 0.5, "seller_talk_ratio": 0.2})]
    wh = warehouse_with(tmp_path, 0, 0, 0, 0, extra=extra)
    usage = outcome(wh, "usage_share_above_median")  # median of 0.9, 0.8, 0.1, 0.5 is 0.65
    assert (usage["n_with"], usage["won_with"], usage["n_without"], usage["won_without"]) == (2, 2, 2, 0)
    talk = outcome(wh, "talk_ratio_above_65pct")
    assert (talk["n_with"], talk["won_with"], talk["n_without"], talk["won_without"]) == (3, 1, 2, 1)
    seller_first = outcome(wh, "seller_raised_price_first")  # metrics() default: seller raised it
    assert (seller_first["n_with"], seller_first["n_without"]) == (3, 2)
    price_first = outcome(wh, "price_before_discovery")
    assert (price_first["n_with"], price_first["won_with"], price_first["n_without"]) == (1, 0, 4)
