"""docs/metrics.md defines every call_metrics column, and the product never sends readers to a
document it does not ship."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from analysis.types import CallMetrics
from warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
METRICS_DOC = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")


def defined_metrics() -> dict[str, str]:
    """Column -> definition, from the table under '## Per-call metrics'."""
    section = METRICS_DOC.split("## Per-call metrics", 1)[1].split("\n## ", 1)[0]
    defined = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and "`" in cells[0]:
            for name in re.findall(r"`(\w+)`", cells[0]):
                defined[name] = cells[1]
    return defined


def test_every_call_metrics_column_is_defined(tmp_path):
    Warehouse(tmp_path / "calls.duckdb")
    with duckdb.connect(str(tmp_path / "calls.duckdb"), read_only=True) as con:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'call_metrics'").fetchall()]
    defined = defined_metrics()
    missing = [c for c in [*columns, *CallMetrics.columns()] if c != "call_id" and not defined.get(c)]
    assert len(columns) > 25 and missing == []


@pytest.mark.parametrize("term", ["discovery", "product_push", "other", "usage", "feature", "ask", "quote",
                                  "discount", "current_spend", "[CARD]", "[PHONE]", "[EMAIL]", "roles_uncertain",
                                  "report_timezone"])
def test_labels_kinds_placeholders_and_settings_are_explained(term):
    assert term in METRICS_DOC


def test_nothing_points_to_an_outside_spec():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.splitlines():
        path = ROOT / name
        if path.suffix not in (".py", ".md", ".sql", ".toml", ".yml", ".yaml", ".txt") or name.startswith("tests/data"):
            continue
        if path.name == Path(__file__).name or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r'(?<!")\bSPEC\b(?!")|SPEC\.md|planning repo', text):
            offenders.append(name)
    assert offenders == []
