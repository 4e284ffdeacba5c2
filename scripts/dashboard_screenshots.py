"""Take the dashboard screenshots in docs/: the demo's overview and scorecard at 420 and 1400 px,
and won versus lost on a made-up warehouse of 160 closed calls (the example archive has too few
calls for an interval).

    callytics demo --out /tmp/demo
    python scripts/dashboard_screenshots.py /tmp/demo

Needs chromium and Pillow (the dev extra); run from the repository root.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import warehouse_rows as rows  # noqa: E402  (the tests' hand-built calls)
from warehouse import Warehouse  # noqa: E402
from warehouse.charts import embed_script, vega_bundle  # noqa: E402
from warehouse.filtered import CallFilter, filtered_copy  # noqa: E402
from warehouse.html import page, section  # noqa: E402
from warehouse.outcomes import behaviour_outcomes, minimum_calls, outcomes_chart, outcomes_note  # noqa: E402
from warehouse.scorecard import scorecard_path  # noqa: E402

DOCS = ROOT / "docs"
WIDTHS = (420, 1400)
TALLEST = 7000
WHITE = (255, 255, 255)


def screenshot(url: str, out: Path, width: int, height: int = TALLEST) -> None:
    """The page at ``width``, cut below its last non-white row."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        "--virtual-time-budget=10000", f"--screenshot={out}", url],
                       check=True, capture_output=True, timeout=300)
    image = Image.open(out).convert("RGB")
    background = Image.new("RGB", image.size, WHITE)
    box = ImageChops.difference(image, background).getbbox()
    bottom = min(image.height, (box[3] if box else image.height) + 16)
    image.crop((0, 0, width, bottom)).save(out, optimize=True)


def outcomes_warehouse(folder: Path) -> Path:
    """A page with won versus lost (chart and table) over 160 made-up closed calls of six sellers."""
    random.seed(12)
    wh = Warehouse(folder / "calls.duckdb")
    calls = []
    for i in range(160):
        seller = i % 6
        pitch_first = random.random() < 0.3 + 0.08 * seller
        talk = min(0.9, max(0.2, random.gauss(0.5 + 0.04 * seller, 0.1)))
        usage = random.random()
        won = random.random() < (0.25 if pitch_first else 0.55) + 0.1 * (usage - 0.5)
        price_s = random.choice([None, 20.0, 60.0, 100.0])
        first_discovery = 5.0 if not pitch_first else 50.0
        calls.append((
            rows.record(f"call-{i:03d}", seller_id=f"S{seller}", seller_name=f"Seller {seller + 1}",
                        team="East" if seller < 3 else "West", outcome="won" if won else "lost",
                        recorded_at=datetime(2026, 9, 1) + timedelta(hours=13 * i)),
            rows.analysis(4, pitch_before_discovery=pitch_first, seller_talk_ratio=talk, usage_share=usage,
                          discovery_share=random.random(), seller_questions=random.randint(2, 16),
                          first_discovery_s=first_discovery, first_price_s=price_s,
                          first_price_frac=None if price_s is None else price_s / 120,
                          first_price_by=None if price_s is None else random.choice(["seller", "buyer"]),
                          price_before_discovery=None if price_s is None else price_s < first_discovery,
                          feature_before_discovery=pitch_first and random.random() < 0.7),
            []))
    wh.write_calls(calls)
    con = filtered_copy(wh.path, CallFilter())
    try:
        minimum = minimum_calls(con)
        chart = outcomes_chart(behaviour_outcomes(con), minimum)
    finally:
        con.close()
    out = folder / "outcomes.html"
    out.write_text(page("Won versus lost", section("Won versus lost", chart.html(), note=outcomes_note(minimum))
                        + "<script>document.querySelector('details').open = true;</script>",
                        scripts=(vega_bundle(), embed_script([chart]))))
    return out


def main(demo: Path) -> None:
    overview = demo / "report.html"
    for width in WIDTHS:
        screenshot(overview.as_uri(), DOCS / f"dashboard-overview-{width}.png", width)
        screenshot(scorecard_path(overview).as_uri(), DOCS / f"dashboard-scorecard-{width}.png", width)
    with tempfile.TemporaryDirectory() as folder:
        page = outcomes_warehouse(Path(folder))
        screenshot(page.as_uri(), DOCS / "dashboard-outcomes-1400.png", 1400, 1200)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
