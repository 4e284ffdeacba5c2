"""examples/dbt: the sources.yml names real tables and columns, its tests hold on a sample
warehouse, and the example models run against the real schema."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import warehouse_rows as rows
from warehouse.comments import documentation

DBT = Path(__file__).resolve().parents[1] / "examples" / "dbt"
[SOURCE] = yaml.safe_load((DBT / "models" / "sources.yml").read_text())["sources"]
TABLES = {table["name"]: table for table in SOURCE["tables"]}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    return rows.sample_warehouse(tmp_path_factory.mktemp("dbt") / "calls.duckdb")


def columns_of(wh, relation: str) -> set[str]:
    return set(wh.query(f'SELECT * FROM "{relation}" LIMIT 0').columns)


def test_every_raw_table_is_a_source(wh):
    raw = set(wh.query("SELECT table_name FROM duckdb_tables()")["table_name"]) - {"schema_version"}
    assert raw - set(TABLES) == set()


def test_every_source_table_and_column_exists(wh):
    for name, table in TABLES.items():
        listed = {column["name"] for column in table.get("columns", [])}
        assert listed and listed <= columns_of(wh, name), name


def test_descriptions_are_the_readme_ones():
    docs = documentation()
    for name, table in TABLES.items():
        assert table["description"] == docs[name].description, name


def sql_of_test(relation: str, column: str, test) -> str:
    """The rows that fail one of dbt's generic tests, as dbt would select them."""
    if test == "unique":
        return f'SELECT "{column}" FROM "{relation}" GROUP BY 1 HAVING count(*) > 1'
    if test == "not_null":
        return f'SELECT * FROM "{relation}" WHERE "{column}" IS NULL'
    [(kind, spec)] = test.items()
    if kind == "accepted_values":
        values = ", ".join("'" + str(v) + "'" for v in spec["values"])
        return f'SELECT * FROM "{relation}" WHERE "{column}" IS NOT NULL AND "{column}" NOT IN ({values})'
    if kind == "relationships":
        target = re.fullmatch(r"source\('callytics', '(\w+)'\)", spec["to"]).group(1)
        return (f'SELECT * FROM "{relation}" AS child WHERE child."{column}" IS NOT NULL AND child."{column}" '
                f'NOT IN (SELECT "{spec["field"]}" FROM "{target}")')
    raise AssertionError(f"no SQL for dbt test {kind}")


def test_declared_tests_hold_on_a_sample_warehouse(wh):
    checked = 0
    for name, table in TABLES.items():
        for column in table.get("columns", []):
            for test in column.get("tests", []):
                failing = wh.query(sql_of_test(name, column["name"], test))
                assert failing.empty, (name, column["name"], test)
                checked += 1
    assert checked >= 20


def test_the_tests_can_fail(wh):
    assert not wh.query(sql_of_test("calls", "status", {"accepted_values": {"values": ["ok"]}})).empty
    assert not wh.query(sql_of_test("v_calls", "outcome_class", "not_null")).empty


def test_freshness_fields_exist(wh):
    assert SOURCE["loaded_at_field"] in columns_of(wh, "calls")
    for name, table in TABLES.items():
        if table.get("freshness", SOURCE["freshness"]) is not None:
            assert table.get("loaded_at_field", SOURCE["loaded_at_field"]) in columns_of(wh, name), name


@pytest.mark.parametrize("model", sorted(p.name for p in (DBT / "models").glob("*.sql")))
def test_example_models_run_against_the_schema(wh, model):
    sql = (DBT / "models" / model).read_text()
    plain = re.sub(r"\{\{\s*source\('callytics',\s*'(\w+)'\)\s*\}\}", r'"\1"', sql)
    assert "{{" not in plain
    assert len(wh.query(plain)) > 0
