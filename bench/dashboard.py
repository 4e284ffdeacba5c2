"""Dashboard export at archive scale (run on demand: ``python bench/dashboard.py [--calls 10000]``).

Writes ``--calls`` synthetic calls of 100 utterances (the calls of ``bench/warehouse.py``, spread
over a year, 50 sellers, won and lost) into a fresh warehouse, then times ``callytics dashboard``'s
parts in this process: the overview with its filtered in-memory copy of the views, the seller
scorecard, and the coaching page of every call; then a second export of the unchanged warehouse
(what a nightly export after a night without new calls costs) and an export filtered to one
seller and one month. Reports seconds, peak RSS and the size of what was written.
"""
from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse import Warehouse  # noqa: E402
import warehouse.dashboard as dashboard_module  # noqa: E402
from warehouse.dashboard import dashboard  # noqa: E402
from warehouse.filtered import CallFilter  # noqa: E402
from warehouse.connection import open_database  # noqa: E402

# bench/warehouse.py's calls; its file name is the package's, so it is loaded by path.
_spec = importlib.util.spec_from_file_location("bench_warehouse", Path(__file__).with_name("warehouse.py"))
_bench_warehouse = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench_warehouse)
synthetic_call = _bench_warehouse.synthetic_call

BATCH = 500


def build(path: Path, n: int) -> None:
    wh = Warehouse(path)
    for start in range(0, n, BATCH):
        calls = []
        for i in range(start, min(n, start + BATCH)):
            record, analysis, words = synthetic_call(i, with_words=False)
            record = replace(record, recorded_at=datetime(2026, 1, 5) + timedelta(hours=7 * i % 8760),
                             outcome=("won", "lost", None)[i % 3])
            calls.append((record, analysis, words))
        wh.write_calls(calls)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to build (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        db = folder / "calls.duckdb"
        t = time.perf_counter()
        build(db, args.calls)
        print(f"built {args.calls} calls in {time.perf_counter() - t:.1f} s")

        out = folder / "report" / "report.html"
        out.parent.mkdir()
        pages_s = []
        real_write_call_pages = dashboard_module.write_call_pages

        def timed_pages(*a, **k):
            t = time.perf_counter()
            n = real_write_call_pages(*a, **k)
            pages_s.append(time.perf_counter() - t)
            return n

        dashboard_module.write_call_pages = timed_pages
        for name, call_filter in (("first export", None), ("again, nothing changed", None),
                                  ("one seller, one month", CallFilter(since=datetime(2026, 3, 1).date(),
                                                                       until=datetime(2026, 3, 31).date(),
                                                                       sellers=("s7",)))):
            t = time.perf_counter()
            dashboard(db, out, call_filter=call_filter, audio=False)
            total = time.perf_counter() - t
            print(f"{name:24} total {total:7.2f} s  overview+scorecard {total - pages_s[-1]:6.2f} s  "
                  f"call pages {pages_s[-1]:7.2f} s  written {folder_size(out.parent) / 1e6:8.1f} MB")
        with open_database(db, read_only=True, lock_timeout_s=10) as con:
            n_pages = con.execute("SELECT count(*) FROM calls").fetchone()[0]
        print(f"{n_pages} calls; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
