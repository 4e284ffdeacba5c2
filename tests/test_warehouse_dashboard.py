"""``callytics dashboard``: one offline HTML page, checked as text and in headless Chromium."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import warehouse_rows as rows
from flows.cli import main
from tests.conftest import missing_tool_reason
from warehouse import Warehouse, dashboard

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=missing_tool_reason("chromium"))
PALETTE_BLUE = (0x25, 0x63, 0xEB)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dashboard")
    wh = rows.sample_warehouse(folder / "calls.duckdb")
    return dashboard(wh.path, folder / "report.html")


def test_the_page_loads_nothing_from_outside(report):
    html = report.read_text()
    assert not re.search(r"""\bsrc\s*=""", html)
    assert all(href.startswith("calls/") for href in re.findall(r'\bhref\s*=\s*"([^"]*)"', html))
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_the_page_has_every_chart_and_the_price_first_table(report):
    html = report.read_text()
    assert html.count('<svg class="chart"') == 4
    for heading in ("Seller talk ratio vs discovery share", "When price first comes up",
                    "Weekly trends, whole team", "Weekly discovery share per seller",
                    "Calls where price came before discovery"):
        assert heading in html
    assert "won (n=1)" in html and "lost (n=2)" in html
    table = html.split("Calls where price came before discovery")[1]
    assert '<td><a href="calls/a2.html">a2</a></td>' in table and '<a href="calls/b1.html">b1</a>' in table
    assert ">a1</a>" not in table
    assert "<td>0:12</td>" in table and "<td>never</td>" in table


def test_text_from_the_data_is_escaped(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    wh.write_call(rows.record("x1", seller_name="<img src=x onerror=alert(1)>", seller_id=None),
                  rows.analysis(), [])
    html = dashboard(wh.path, tmp_path / "report.html").read_text()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_without_outcomes_the_price_chart_shows_all_calls(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    wh.write_call(rows.record("x1", outcome=None), rows.analysis(), [])
    html = dashboard(wh.path, tmp_path / "report.html").read_text()
    assert "all calls (n=1)" in html and "won (n=" not in html


def test_an_empty_warehouse_still_renders(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    html = dashboard(wh.path, tmp_path / "report.html").read_text()
    assert "no calls yet" in html and "No price mentions yet" in html
    assert html.count('<svg class="chart"') == 4


def test_cli_dashboard(report, tmp_path, capsys):
    out = tmp_path / "cli.html"
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(report.with_name("calls.duckdb")), "--out", str(out)])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"wrote {out}"
    assert out.read_text() == report.read_text()


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", *args,
         page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.slow
@needs_chromium
def test_console_check_catches_a_broken_page(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><script>notDefined();</script></body></html>")
    messages = console_messages(chromium(broken, tmp_path, "--dump-dom").stderr)
    assert any("Uncaught ReferenceError" in m for m in messages)


@pytest.mark.slow
@needs_chromium
def test_chromium_renders_every_chart_without_console_errors(report, tmp_path):
    loaded = chromium(report, tmp_path, "--dump-dom")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert console_messages(loaded.stderr) == []
    assert 'data-charts-rendered="4"' in loaded.stdout


@pytest.mark.slow
@needs_chromium
def test_screenshot_shows_the_charts(report, tmp_path):
    Image = pytest.importorskip("PIL.Image", reason=missing_tool_reason("Pillow (the dev extra)"))
    shot = tmp_path / "report.png"
    taken = chromium(report, tmp_path, "--hide-scrollbars", "--window-size=1400,1400", "--virtual-time-budget=2000",
                     f"--screenshot={shot}")
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1400, 1400)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text, axes, markers: not a blank page
    blue = sum(count for count, rgb in colours if all(abs(a - b) < 8 for a, b in zip(rgb, PALETTE_BLUE)))
    assert blue > 500  # the histogram bars and line markers drawn in the first palette colour


def test_calls_with_an_uncertain_seller_are_counted_and_left_out(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    call = rows.analysis(4, seller_talk_ratio=0.05, discovery_share=1.0)
    wh.write_call(rows.record("unsure", seller_id="s9", seller_name="Una Unsure", roles_uncertain=True),
                  call, rows.words_of(call))
    page = dashboard(tmp_path / "calls.duckdb", tmp_path / "report.html").read_text()
    assert '<b>1</b>seller uncertain (left out)' in page
    assert "Una Unsure" not in page
