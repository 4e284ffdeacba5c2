"""Every SQL query in warehouse/README.md runs against a sample warehouse, so the docs cannot rot."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import warehouse_rows as rows

README = Path(__file__).resolve().parents[1] / "warehouse" / "README.md"
QUERIES = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.S)
DOCUMENTED_RELATIONS = ("calls", "utterances", "words", "price_mentions", "call_metrics", "runs",
                        "schema_version", "stg_calls", "stg_first_price_mentions", "v_calls",
                        "v_seller_weekly", "v_price_timing", "v_seller_scorecard",
                        "v_call_behaviours", "v_behaviour_outcomes")


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    return rows.sample_warehouse(tmp_path_factory.mktemp("docs") / "calls.duckdb")


def test_the_readme_documents_at_least_ten_queries():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("sql", QUERIES, ids=[f"query{i + 1}" for i in range(len(QUERIES))])
def test_documented_query_runs(wh, sql):
    result = wh.query(sql)
    assert len(result.columns) > 0


def test_every_column_is_documented(wh):
    text = README.read_text()
    for relation in DOCUMENTED_RELATIONS:
        assert f"`{relation}`" in text, relation
        if relation in ("stg_first_price_mentions", "v_calls"):
            continue  # documented as "the columns of" other relations
        for column in wh.query(f"SELECT * FROM {relation} LIMIT 0").columns:
            if relation == "stg_calls" and column in set(wh.query("SELECT * FROM calls LIMIT 0").columns):
                continue
            assert f"`{column}`" in text, f"{relation}.{column} is not documented"
