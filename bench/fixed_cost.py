"""Fixed cost of one batch (run on demand: ``python bench/fixed_cost.py [--baseline DIR]``).

Runs ``callytics run`` on an archive of one short example call into a fresh database, in a
fresh process, and splits its wall time into:

- head: process start to the moment the call's processing began (``calls.processed_at``):
  imports, the Prefect API, model loading, discovery and hashing;
- tail: the run's close in the database (``runs.ended_at``) to process exit: the summary
  artifact, delivering logs to the API, stopping it, interpreter exit;
- call: what lies between;
- cpu: user + system time of the process (less distorted by a busy machine than wall time).

With ``--baseline DIR`` (another checkout, e.g. main) both are run alternately, ``--repeat``
times each, and the medians are compared as ratios: the machine is usually shared.
Set ``PREFECT_API_URL`` to measure against a long-lived Prefect server instead of the one a
batch serves itself.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALL = ROOT / "examples" / "archive" / "2026-W48" / "2026-11-24_meridian.flac"


def one_run(checkout: Path, archive: Path, db: Path) -> dict[str, float]:
    import duckdb

    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(checkout))
    started = datetime.now(timezone.utc)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flows", "run", str(archive), "--db", str(db), "--quiet"],
                   env=env, check=True, cwd=checkout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    exited = datetime.now(timezone.utc)
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        first = con.execute("SELECT min(processed_at) FROM calls").fetchone()[0]
        ended = con.execute("SELECT max(ended_at) FROM runs").fetchone()[0]
    first, ended = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (first, ended))
    head = (first - started).total_seconds()
    tail = (exited - ended).total_seconds()
    return {"wall_s": wall, "head_s": head, "tail_s": tail, "call_s": wall - head - tail, "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with (e.g. /work/main)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    checkouts = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        archive.mkdir()
        shutil.copy(CALL, archive / CALL.name)
        for checkout in checkouts.values():  # Prefect's database, OS caches, compiled modules
            one_run(checkout, archive, Path(tmp) / "warm.duckdb")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
        for _ in range(args.repeat):
            for name, checkout in checkouts.items():
                results[name].append(one_run(checkout, archive, Path(tmp) / f"{name}.duckdb"))
    report = {name: {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
              for name, runs in results.items()}
    if args.baseline:
        report["ratio_this_over_baseline"] = {
            key: round(report["this"][key] / max(report["baseline"][key], 1e-9), 2) for key in report["this"]}
    report["prefect_api_url"] = os.environ.get("PREFECT_API_URL")
    report["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
