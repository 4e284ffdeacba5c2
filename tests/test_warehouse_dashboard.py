"""``callytics dashboard``: the overview page, checked as text and in headless Chromium (which also
loads the scorecard: no console errors, no network request, charts that fit 420 px)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

import warehouse_rows as rows
from flows.cli import main
from tests.conftest import missing_tool_reason
from warehouse import Warehouse, dashboard
from warehouse.charts import COLOURS, VEGA_LITE_VERSION
from warehouse.scorecard import scorecard_path

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=missing_tool_reason("chromium"))
OVERVIEW_CHARTS = 5
SCORECARD_CHARTS = 4


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dashboard")
    wh = rows.sample_warehouse(folder / "calls.duckdb")
    return dashboard(wh.path, folder / "report.html")


def specs(page: str) -> dict[str, dict]:
    """The Vega-Lite specs a page draws, by placeholder id."""
    return json.loads(re.search(r"var specs = (\{.*?\});\n", page, flags=re.S).group(1))


def without_scripts(page: str) -> str:
    return re.sub(r"<script>.*?</script>", "", page, flags=re.S)


def test_the_page_loads_nothing_from_outside(report):
    for page in (report.read_text(), scorecard_path(report).read_text()):
        markup = without_scripts(page)
        assert not re.search(r"""\bsrc\s*=""", markup)
        assert all(not re.match(r"[a-z]+:", href) for href in re.findall(r'href="([^"]*)"', markup))
        assert "Content-Security-Policy" in page and "default-src 'none'" in page and "unsafe-eval" not in page
        assert "<script src" not in page and "vegaEmbed" in page


def test_the_overview_has_every_chart_with_a_data_table_and_the_price_first_table(report):
    html = report.read_text()
    assert html.count('class="vis"') == OVERVIEW_CHARTS == len(specs(html))
    assert html.count("<summary>Data table</summary>") == OVERVIEW_CHARTS
    for heading in ("Seller talk ratio vs discovery share", "When price first comes up",
                    "Weekly trends, whole team", "Weekly discovery share per seller", "Won versus lost",
                    "Calls where price came before discovery"):
        assert f"<h2>{heading}</h2>" in html
    table = html.split("Calls where price came before discovery</h2>")[1]
    assert '<a href="calls/a2.html">a2</a>' in table and '<a href="calls/b1.html">b1</a>' in table
    assert ">a1</a>" not in table
    assert ">0:12</td>" in table and ">never</td>" in table


def test_the_price_position_table_counts_calls_by_outcome(report):
    html = report.read_text()
    data = html.split('id="chart-price-position"')[1].split("</details>")[0]
    # b1 (lost) at 5% of the call, a2 (lost) at 10%, a1 (won) at 75%, b2 (open) at 50%
    assert re.search(r"0-10%</td><td[^>]*>0</td><td[^>]*>1</td><td[^>]*>0</td>", data)
    assert re.search(r"10-20%</td><td[^>]*>0</td><td[^>]*>1</td><td[^>]*>0</td>", data)
    assert re.search(r"70-80%</td><td[^>]*>1</td><td[^>]*>0</td><td[^>]*>0</td>", data)
    assert re.search(r"50-60%</td><td[^>]*>0</td><td[^>]*>0</td><td[^>]*>1</td>", data)


def test_specs_are_of_the_vendored_vega_lite_version(report):
    for spec in specs(report.read_text()).values():
        assert spec["$schema"].endswith(f"/v{VEGA_LITE_VERSION}.json")


def test_every_colour_means_one_thing_on_both_pages(report):
    """A colour in a scale's range always stands for the same domain value; sellers are never
    told apart by colour."""
    meaning = defaultdict(set)

    def visit(node):
        if isinstance(node, dict):
            colour = node.get("color")
            if isinstance(colour, dict) and "scale" in colour:
                scale = colour["scale"]
                if "range" in scale:
                    for name, value in zip(scale["domain"], scale["range"]):
                        meaning[value.upper()].add(name)
                assert "seller" not in colour.get("field", "")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for page in (report, scorecard_path(report)):
        visit(specs(page.read_text()))
    assert meaning and all(len(names) == 1 for names in meaning.values()), dict(meaning)
    for colour, (name,) in meaning.items():
        assert COLOURS[name].upper() == colour
    assert len(set(COLOURS.values())) == len(COLOURS)
    # Marks drawn in a fixed colour use the palette too, or the neutral grey of reference lines.
    for page in (report, scorecard_path(report)):
        fixed = set(re.findall(r'"color":\s*"(#[0-9a-fA-F]{6})"', json.dumps(specs(page.read_text()))))
        assert fixed and fixed <= set(COLOURS.values()) | {"#6b7280"}, fixed


def test_the_seller_trend_keeps_every_seller(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    wh.write_calls([(rows.record(f"c{i}", seller_id=f"s{i}", seller_name=f"Seller {i}",
                                 recorded_at=datetime(2026, 3, 2 + i % 5, 10)), rows.analysis(4), [])
                    for i in range(9)])
    html = dashboard(wh.path, tmp_path / "report.html").read_text()
    trend = specs(html)["chart-seller-trend"]
    names = {row["seller"] for dataset in trend["datasets"].values() for row in dataset}
    assert names == {f"Seller {i}" for i in range(9)}
    table = html.split('id="chart-seller-trend"')[1].split("</details>")[0]
    assert all(f">Seller {i}</td>" in table for i in range(9))


def test_text_from_the_data_is_escaped(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    hostile = "<img src=x onerror=alert(1)></script><!--"
    wh.write_call(rows.record("x1", seller_name=hostile, seller_id=None), rows.analysis(), [])
    for page in (dashboard(wh.path, tmp_path / "report.html"), tmp_path / "report-scorecard.html"):
        html = page.read_text()
        embedded = re.search(r"var specs = (\{.*?\});\n", html, flags=re.S).group(1)
        assert "<img" not in without_scripts(html) and "<" not in embedded and "</script><!--" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert any(row.get("seller_name") == hostile for spec in specs(html).values()
                   for dataset in spec.get("datasets", {}).values() for row in dataset)


def test_an_empty_warehouse_still_renders(tmp_path):
    wh = Warehouse(tmp_path / "calls.duckdb")
    html = dashboard(wh.path, tmp_path / "report.html").read_text()
    assert "no calls yet" in html and "No price mentions yet" in html
    assert html.count('class="vis"') == OVERVIEW_CHARTS
    assert html.count("not enough calls") >= 8
    assert "Seller scorecard" in (tmp_path / "report-scorecard.html").read_text()


def test_cli_dashboard(report, tmp_path, capsys):
    out = tmp_path / "cli.html"
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(report.with_name("calls.duckdb")), "--out", str(out)])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"wrote {out}"
    assert out.read_text() == report.read_text().replace("report-scorecard.html", "cli-scorecard.html").replace(
        "href=\"report.html\"", "href=\"cli.html\"")
    assert (tmp_path / "cli-scorecard.html").is_file()


def test_calls_with_an_uncertain_seller_are_counted_and_left_out(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    call = rows.analysis(4, seller_talk_ratio=0.05, discovery_share=1.0)
    wh.write_call(rows.record("unsure", seller_id="s9", seller_name="Una Unsure", roles_uncertain=True),
                  call, rows.words_of(call))
    page = dashboard(tmp_path / "calls.duckdb", tmp_path / "report.html").read_text()
    assert "<b>1</b>seller uncertain (left out)" in page
    assert "Una Unsure" not in page


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", *args,
         page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def network_requests(net_log: Path) -> list[str]:
    """Every URL the page asked for, from the browser's NetLog (the browser's own update and
    clock checks have no initiating origin), except the page's own file."""
    text = net_log.read_text().rstrip()
    log = json.loads(text if text.endswith("}") else text.rstrip(",") + "]}")  # a log cut short at exit
    started = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = {event["params"].get("url", "") for event in log["events"]
            if event["type"] == started and event["params"].get("initiator") != "not an origin"}
    return sorted(url for url in urls if url and not url.startswith("file://"))


def load(page: Path, tmp_path: Path, width: int = 1400) -> tuple[subprocess.CompletedProcess, list[str]]:
    net_log = tmp_path / f"{page.stem}-{width}.netlog.json"
    loaded = chromium(page, tmp_path, "--dump-dom", "--virtual-time-budget=10000", f"--window-size={width},2000",
                      f"--log-net-log={net_log}", "--net-log-capture-mode=Everything")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    return loaded, network_requests(net_log)


@pytest.mark.slow
@needs_chromium
def test_the_checks_catch_a_broken_page_and_a_request(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png">'
                      "<script>notDefined();</script></body></html>")
    loaded, requests = load(broken, tmp_path)
    assert any("Uncaught ReferenceError" in m for m in console_messages(loaded.stderr))
    assert requests == ["http://127.0.0.1:9/pixel.png"]


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("width", [600, 1400])  # --dump-dom lays a page out no narrower than 500 px
def test_chromium_draws_both_pages_offline_without_console_errors(report, tmp_path, width):
    for page, charts in ((report, OVERVIEW_CHARTS), (scorecard_path(report), SCORECARD_CHARTS)):
        loaded, requests = load(page, tmp_path, width)
        assert console_messages(loaded.stderr) == []
        assert requests == []
        assert f'data-charts-rendered="{charts}"' in loaded.stdout
        drawn = [int(w) for w in re.findall(r'<svg[^>]*class="marks"[^>]*width="(\d+)"', loaded.stdout)]
        assert len(drawn) == charts and all(width / 3 < w <= width - 2 * 16 for w in drawn), drawn


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("width", [420, 1400])
def test_screenshots_show_the_charts_in_their_colours(report, tmp_path, width):
    Image = pytest.importorskip("PIL.Image", reason=missing_tool_reason("Pillow (the dev extra)"))
    shot = tmp_path / "report.png"
    taken = chromium(report, tmp_path, "--hide-scrollbars", f"--window-size={width},2600",
                     "--virtual-time-budget=10000", f"--screenshot={shot}")
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, 2600)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text, axes, marks: not a blank page

    def pixels(name: str) -> int:
        rgb = tuple(int(COLOURS[name][i:i + 2], 16) for i in (1, 3, 5))
        return sum(count for count, seen in colours if all(abs(a - b) < 8 for a, b in zip(seen, rgb)))

    assert pixels("won") > 300 and pixels("lost") > 300  # the price-position bars
    assert pixels("discovery share") > 100  # the team trend's line


@pytest.mark.parametrize("name,version,marker", [
    ("vega.min.js", "6.2.0", 'version="6.2.0"'),
    ("vega-lite.min.js", VEGA_LITE_VERSION, f'"{VEGA_LITE_VERSION}"'),
    ("vega-embed.min.js", "7.0.2", "7.0.2"),
])
def test_the_vendored_scripts_are_the_documented_versions(name, version, marker):
    from warehouse.charts import VENDOR

    assert marker in (VENDOR / name).read_text()
    assert f"| `{name}` |" in (VENDOR / "README.md").read_text() and f"| {version} |" in (VENDOR / "README.md").read_text()
    assert (VENDOR / name.replace(".min.js", ".LICENSE")).read_text().startswith("Copyright (c)")
