"""Warehouse speed: per-call writes and the weekly seller view at scale.

    python bench/warehouse.py [--dir FOLDER]

1. Write 100 calls of 100 utterances (10,000 utterances, plus their words, price mentions and
   metrics): a transaction and connection per call (the nightly default), a transaction per call
   on one connection (``batch()``), all calls in one ``write_calls`` transaction, and a row-by-row
   ``executemany`` baseline (a transaction per call) in the same run.
2. Bulk-load 100,000 synthetic calls and time ``SELECT * FROM v_seller_weekly``.

Targets: (1) well under 1 s for the batch, (2) under 1 s. fsync cost depends on the disk: pass a
``--dir`` on the disk the warehouse will live on.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.types import CallAnalysis, CallMetrics, LabelledUtterance, PriceMention, RoleAssignment  # noqa: E402
from transcription.types import Word  # noqa: E402
from warehouse import CallRecord, Warehouse  # noqa: E402
from warehouse.rows import CALLS_SCHEMA, METRICS_SCHEMA, call_rows  # noqa: E402

CALLS = 100
UTTERANCES_PER_CALL = 100
WORDS_PER_UTTERANCE = 8
BIG_CALLS = 100_000
SELLERS = 50
LABELS = ("discovery", "product_push", "other")


def synthetic_call(i: int, *, with_words: bool) -> tuple[CallRecord, CallAnalysis, list[Word]]:
    utterances, words = [], []
    for k in range(UTTERANCES_PER_CALL):
        seller = k % 2 == 0
        speaker = "SPEAKER_00" if seller else "SPEAKER_01"
        start = 6.0 * k
        utterance_words = tuple(
            Word(start + 0.4 * w, start + 0.4 * w + 0.3, f"word{w}", 0.9, speaker)
            for w in range(WORDS_PER_UTTERANCE)
        ) if with_words else ()
        words.extend(utterance_words)
        utterances.append(LabelledUtterance(
            idx=k, speaker=speaker, role="seller" if seller else "buyer", start=start, end=start + 5.0,
            text=f"utterance {k} of call {i} with some ordinary words in it",
            label=LABELS[k % 3] if seller else None, label_confidence=0.8 if seller else None,
            cues=("tell me about",) if seller and k % 3 == 0 else (), is_question=k % 4 == 0,
            price_mention=k == 40, words=utterance_words,
        ))
    metrics = CallMetrics(**{f.name: _metric_value(f.type) for f in fields(CallMetrics)})
    mention = PriceMention(40, 240.0, "SPEAKER_00", "seller", utterances[40].text, "pricing", "quote",
                           amount=25000.0, currency="USD", period="year")
    analysis = CallAnalysis(tuple(utterances), RoleAssignment({"SPEAKER_00": "seller", "SPEAKER_01": "buyer"},
                                                              "questions", 0.8), (mention,), metrics)
    record = CallRecord(call_id=f"call-{i:05d}", source_path=f"archive/call-{i:05d}.wav", sha256="0" * 64,
                        duration_s=600.0, seller_id=f"s{i % SELLERS}", recorded_at=datetime(2026, 1, 5),
                        pipeline_version="bench")
    return record, analysis, words


def _metric_value(annotation: str):
    """A plausible value for a ``CallMetrics`` field annotated like ``float | None``."""
    return {"int": 2, "bool": False, "str": "seller"}.get(annotation.split("|")[0].strip(), 0.5)


def time_writes(folder: Path, calls, mode: str) -> float:
    wh = Warehouse(folder / f"writes-{mode}-{len(calls[0][2])}.duckdb")
    started = time.perf_counter()
    if mode == "write_calls":
        wh.write_calls(calls)
    elif mode == "batch":
        with wh.batch():
            for record, analysis, words in calls:
                wh.write_call(record, analysis, words)
    else:
        for record, analysis, words in calls:
            wh.write_call(record, analysis, words)
    elapsed = time.perf_counter() - started
    assert wh.query("SELECT count(*) AS n FROM utterances")["n"][0] == CALLS * UTTERANCES_PER_CALL
    return elapsed


def time_executemany(folder: Path, calls) -> float:
    """Baseline: the same rows, one transaction per call, inserted row by row."""
    path = folder / f"writes-executemany-{len(calls[0][2])}.duckdb"
    Warehouse(path)
    con = duckdb.connect(str(path))
    started = time.perf_counter()
    for record, analysis, words in calls:
        tables = call_rows(record, analysis, words)
        con.begin()
        for table in ("calls", "utterances", "words", "price_mentions", "call_metrics"):
            con.execute(f"DELETE FROM {table} WHERE call_id = ?", [record.call_id])
        for table, rows in tables.items():
            if rows.num_rows == 0:
                continue
            columns = rows.column_names
            con.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [list(row.values()) for row in rows.to_pylist()],
            )
        con.commit()
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def load_big_warehouse(path: Path) -> None:
    Warehouse(path)
    rng = np.random.default_rng(7)
    n = BIG_CALLS
    ids = [f"call-{i:06d}" for i in range(n)]
    days = rng.integers(0, 365, n)
    recorded = [datetime(2025, 1, 1) + timedelta(days=int(d), hours=10) for d in days]
    calls = pa.table({
        "call_id": ids, "source_path": [f"{c}.wav" for c in ids], "status": ["ok"] * n,
        "duration_s": rng.uniform(300, 3600, n), "recorded_at": pa.array(recorded, pa.timestamp("us")),
        "seller_id": [f"s{i % SELLERS}" for i in range(n)], "seller_name": [f"Seller {i % SELLERS}" for i in range(n)],
        "outcome": rng.choice(["won", "lost", None], n).tolist(),
        "processed_at": pa.array([datetime(2026, 1, 1)] * n, pa.timestamp("us")),
    }).cast(pa.schema([CALLS_SCHEMA.field(name) for name in (
        "call_id", "source_path", "status", "duration_s", "recorded_at", "seller_id", "seller_name",
        "outcome", "processed_at")]))
    price_s = rng.uniform(0, 1800, n)
    metrics = {name: rng.uniform(0, 1, n) for name in ("seller_talk_ratio", "discovery_share", "first_price_frac")}
    metrics.update(call_id=ids, first_price_s=price_s, price_before_discovery=rng.random(n) < 0.3,
                   pitch_before_discovery=rng.random(n) < 0.4)
    metrics_table = pa.table(metrics).cast(pa.schema([METRICS_SCHEMA.field(name) for name in metrics]))
    with duckdb.connect(str(path)) as con:
        con.register("big_calls", calls)
        con.execute("INSERT INTO calls BY NAME SELECT * FROM big_calls")
        con.register("big_metrics", metrics_table)
        con.execute("INSERT INTO call_metrics BY NAME SELECT * FROM big_metrics")


def time_seller_weekly(path: Path, repeats: int = 5) -> tuple[float, float, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            rows = con.execute("SELECT * FROM v_seller_weekly").df()
            timings.append(time.perf_counter() - started)
    return timings[0], statistics.median(timings[1:]), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="folder for the benchmark databases (default: a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"duckdb {duckdb.__version__}, databases in {folder}")
        for with_words in (False, True):
            calls = [synthetic_call(i, with_words=with_words) for i in range(CALLS)]
            n_words = sum(len(c[2]) for c in calls)
            print(f"\n{CALLS} calls, {CALLS * UTTERANCES_PER_CALL} utterances, {n_words} words:")
            timings = {mode: time_writes(folder, calls, mode) for mode in ("per-call", "batch", "write_calls")}
            print(f"  write_call, connection per call     : {timings['per-call']:6.3f} s")
            print(f"  write_call inside batch()           : {timings['batch']:6.3f} s")
            print(f"  write_calls, one transaction        : {timings['write_calls']:6.3f} s")
            if not with_words:
                baseline = time_executemany(folder, calls)
                print(f"  executemany, transaction per call   : {baseline:6.3f} s  "
                      f"({baseline / timings['batch']:.1f}x batch(), "
                      f"{baseline / timings['write_calls']:.0f}x write_calls)")
        big = folder / "big.duckdb"
        started = time.perf_counter()
        load_big_warehouse(big)
        print(f"\nloaded {BIG_CALLS} synthetic calls in {time.perf_counter() - started:.2f} s")
        first, median, n_rows = time_seller_weekly(big)
        print(f"SELECT * FROM v_seller_weekly -> {n_rows} rows: first {first:.3f} s, median {median:.3f} s")


if __name__ == "__main__":
    main()
