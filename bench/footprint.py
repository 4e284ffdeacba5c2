"""Start-up cost and resident memory of a fresh process (run on demand: ``python bench/footprint.py``).

Measures, each in fresh subprocesses of this checkout:

1. import time of the CLI (``import flows.cli``), median of ``--repeat`` runs;
2. memory held once the default models are loaded, before the first call: the models
   ``callytics run`` loads with default settings (ASR, channel and embedded diarizers) plus the
   turn classifier, as VmRSS; and whether torch was imported on the way;
3. ``callytics classify`` of ``--lines`` distinct lines from stdin, process start to exit, in
   utterances per second (target >= 300), median of ``--repeat`` runs; also its CPU seconds and
   the rate they would give on an idle machine with this many cores (``cpu_bound``).

The machine is usually shared: compare checkouts in the same run, as ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_CLI = """
import sys, time
t = time.perf_counter()
import flows.cli
print(time.perf_counter() - t, 'torch' in sys.modules)
"""

LOAD_MODELS = """
import re, sys
from flows.config import Settings
from flows.process import processor_for
from analysis import load_classifier
processor_for(Settings())
load_classifier()
status = open('/proc/self/status').read()
rss = int(re.search(r'VmRSS:\\s+(\\d+)', status).group(1)) / 1024
print(rss, 'torch' in sys.modules)
"""


def python(code: str, stdin: str | None = None) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], env=env, input=stdin, capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return done.stdout


def classify_lines(n: int) -> str:
    sys.path.insert(0, str(ROOT))
    from analysis.labelled_data import load_labelled

    rows = load_labelled()
    # Distinct texts: repeats would hit the encoder's memo and flatter the number.
    return "\n".join(rows[i % len(rows)].text + ("" if i < len(rows) else f" ({i // len(rows)})")
                     for i in range(n)) + "\n"


def classify_seconds(lines: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ``callytics classify`` process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flows", "classify"], env=env, input=lines, text=True,
                   stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()

    imports = [python(IMPORT_CLI).split() for _ in range(args.repeat)]
    rss, torch_loaded = python(LOAD_MODELS).split()
    lines = classify_lines(args.lines)
    runs = [classify_seconds(lines) for _ in range(args.repeat)]
    classify, classify_cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
    cores = os.cpu_count() or 1
    print(json.dumps({
        "checkout": str(ROOT),
        "cli_import_s": round(statistics.median(float(s) for s, _ in imports), 3),
        "cli_import_loads_torch": imports[0][1] == "True",
        "rss_before_first_call_mb": round(float(rss)),
        "models_load_torch": torch_loaded == "True",
        "classify_lines": args.lines,
        "classify_s": round(classify, 2),
        "classify_utterances_per_s": round(args.lines / classify, 1),
        "classify_cpu_s": round(classify_cpu, 2),
        "classify_utterances_per_s_cpu_bound": round(args.lines / max(classify_cpu / cores, 1e-9), 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }, indent=2))


if __name__ == "__main__":
    main()
