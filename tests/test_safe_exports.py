"""Exports safe to open: CSV formulas defused (OWASP rule), bidi controls shown in the dashboard."""
from __future__ import annotations

import csv
import html

import duckdb
import pytest

import warehouse_rows as rows
from flows.cli import main
from test_warehouse_dashboard import CHROMIUM, chromium, needs_chromium
from warehouse import Warehouse, dashboard, export
from warehouse.safe_text import show_bidi_controls

HOSTILE = dict(
    call_id='=HYPERLINK("http://evil.example","x")',
    seller_name="+cmd|' /C calc'!A0",
    account="@SUM(A1)",
    outcome="-2+3",
    opportunity_id="\tOPP-1",
    seller_id="\rS1",
)
SPOOFED = "m3\u202egnp.exe"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("safe") / "calls.duckdb")
    wh.write_call(rows.record(**HOSTILE, role_confidence=-0.5), rows.analysis(), [])
    wh.write_call(rows.record("plain-call", seller_name="Dana Reyes", account="Brightlane"), rows.analysis(), [])
    return wh.path


def calls_csv(folder) -> dict[str, dict[str, str]]:
    with open(folder / "calls.csv", newline="") as handle:
        return {row["run_id"] + row["account"]: row for row in csv.DictReader(handle)}


def test_formula_cells_get_a_leading_quote(db, tmp_path):
    export(db, tmp_path, "csv")
    hostile, plain = (calls_csv(tmp_path)[key] for key in ("run-1'@SUM(A1)", "run-1Brightlane"))
    for column, value in HOSTILE.items():
        assert hostile[column] == "'" + value, column
    assert plain["call_id"] == "plain-call" and plain["seller_name"] == "Dana Reyes"


def test_numbers_stay_numbers_even_negative_ones(db, tmp_path):
    export(db, tmp_path, "csv")
    with duckdb.connect() as con:
        calls = str(tmp_path / "calls.csv")
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_csv(?))",
                                 [calls]).fetchall())
        lowest = con.execute("SELECT min(role_confidence) FROM read_csv(?)", [calls]).fetchone()[0]
    assert types["role_confidence"] == "DOUBLE" and types["sample_rate"] == "BIGINT"
    assert lowest == -0.5


def test_every_text_column_of_every_export_is_guarded(db, tmp_path):
    written = export(db, tmp_path, "csv")
    for path in written:
        with open(path, newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)


def test_unsafe_csv_writes_values_as_they_are(db, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--db", str(db), "--out", str(tmp_path), "--format", "csv", "--unsafe-csv"])
    assert exit_.value.code == 0
    hostile = calls_csv(tmp_path)["run-1@SUM(A1)"]
    assert all(hostile[column] == value for column, value in HOSTILE.items())


def test_parquet_keeps_the_values(db, tmp_path):
    export(db, tmp_path, "parquet")
    with duckdb.connect() as con:
        ids = {r[0] for r in con.execute("SELECT call_id FROM read_parquet(?)", [str(tmp_path / "calls.parquet")]).fetchall()}
    assert ids == {HOSTILE["call_id"], "plain-call"}


@pytest.mark.parametrize("control", list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
def test_every_bidi_control_is_named(control):
    assert show_bidi_controls(f"a{control}b") == f"a<U+{ord(control):04X}>b"


@pytest.fixture(scope="module")
def spoofed_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bidi")
    wh = Warehouse(folder / "calls.duckdb")
    wh.write_call(rows.record(SPOOFED, seller_name=f"Dana {SPOOFED}"),
                  rows.analysis(price_before_discovery=True, first_price_s=5.0), [])
    return dashboard(wh.path, folder / "report.html")


def test_the_dashboard_shows_bidi_controls_instead_of_obeying_them(spoofed_report):
    page = spoofed_report.read_text()
    assert "\u202e" not in page
    assert ">m3&lt;U+202E&gt;gnp.exe</a></td>" in page
    assert "Dana m3&lt;U+202E&gt;gnp.exe" in page  # the charts' data tables
    assert "Dana m3\\u003cU+202E\\u003egnp.exe" in page  # the chart labels (JSON in a script)


# Measures, in the browser, whether the characters of the call id cell are laid out left to
# right in the order they are stored (shown) or reordered (an override obeyed).
VISUAL_ORDER = """<script>
const link = [...document.querySelectorAll('td a')].find(a => a.textContent.includes('gnp.exe'));
const text = link.firstChild, xs = [];
for (let i = 0; i < text.length; i++) {
  const range = document.createRange(); range.setStart(text, i); range.setEnd(text, i + 1);
  const box = range.getBoundingClientRect(); if (box.width > 0) xs.push(box.left);
}
document.documentElement.dataset.visualOrder =
  xs.every((x, i) => i === 0 || x > xs[i - 1]) ? 'stored' : 'reordered';
</script></body>"""


def visual_order(page, tmp_path) -> str:
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", VISUAL_ORDER))
    dom = chromium(probe, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout.split('data-visual-order="')[1].split('"')[0]


@pytest.mark.slow
@needs_chromium
def test_chromium_lays_the_call_id_out_as_stored(spoofed_report, tmp_path):
    assert CHROMIUM is not None
    page = spoofed_report.read_text()
    assert visual_order(page, tmp_path) == "stored"
    # The same cell with the control character left in is reordered: the check can fail.
    obeyed = page.replace(html.escape("m3<U+202E>gnp.exe"), SPOOFED)
    (tmp_path / "obeyed").mkdir()
    assert visual_order(obeyed, tmp_path / "obeyed") == "reordered"
