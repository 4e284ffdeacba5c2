"""Start-up cost of the CLI (run on demand: ``python bench/cli_startup.py [--baseline DIR]``).

Times fresh ``callytics`` processes: ``--version``, ``--help`` and ``classify`` of ``--n`` seller
lines on standard input (the labelled set, cycled), reporting the median wall time and the
median CPU time (user + system of the child, which a busy machine distorts less than wall time)
and, for ``classify``, utterances per second including start-up (target: at least 300 on
1,000 lines). With ``--baseline DIR`` (another checkout, e.g. main) both run alternately,
``--repeat`` times each, and ratios this/baseline are printed.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seller_lines(n: int) -> str:
    sys.path.insert(0, str(ROOT))
    from analysis.labelled_data import load_labelled

    texts = [row.text for row in load_labelled()]
    return "\n".join(itertools.islice(itertools.cycle(texts), n)) + "\n"


def one_run(checkout: Path, args: list[str], stdin: Path | None) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m flows ARGS`` in ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        subprocess.run([sys.executable, "-m", "flows", *args], stdin=source, stdout=subprocess.DEVNULL,
                       env=env, cwd=checkout, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with (e.g. /work/main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=1000, help="lines for classify")
    args = parser.parse_args()
    checkouts = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "lines.txt"
        lines.write_text(seller_lines(args.n), encoding="utf-8")
        commands = {"--version": (["--version"], None), "--help": (["--help"], None),
                    "classify": (["classify"], lines)}
        for checkout in checkouts.values():  # OS caches, the sentence encoder's export
            one_run(checkout, ["classify", "warm up"], None)
        times = {(c, name): [] for c in checkouts for name in commands}
        for _ in range(args.repeat):
            for name, (argv, stdin) in commands.items():
                for checkout_name, checkout in checkouts.items():
                    times[checkout_name, name].append(one_run(checkout, argv, stdin))
    report: dict = {}
    for (checkout_name, name), runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        row = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
        if name == "classify":
            row["utterances_per_s"] = round(args.n / wall, 1)
        report.setdefault(checkout_name, {})[name] = row
    if args.baseline:
        report["ratio_this_over_baseline"] = {
            name: {key: round(report["this"][name][key] / max(report["baseline"][name][key], 1e-9), 2)
                   for key in ("wall_s", "cpu_s")}
            for name in commands}
    report["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
