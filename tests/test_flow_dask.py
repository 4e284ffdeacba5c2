"""Scale-out: per-call work on an existing Dask cluster, results written by the flow."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_flow_run import EXAMPLES, callytics, rows

pytestmark = pytest.mark.slow


def test_run_on_a_two_worker_dask_cluster(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    repo = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("PYTHONPATH", str(repo))  # worker processes import this checkout
    archive = tmp_path / "archive"
    archive.mkdir()
    for name in ("2026-W47/2026-11-20_kestrel.wav", "2026-W47/2026-11-18_cobalt.mp3"):
        shutil.copy(EXAMPLES / name, archive / Path(name).name)
    db = tmp_path / "calls.duckdb"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        result = callytics("run", str(archive), "--db", str(db), "--dask-address",
                           cluster.scheduler_address, cwd=tmp_path)
        calls_per_worker = client.run(_calls_processed_in_this_process)
    assert result.returncode == 0, result.stderr
    assert len(calls_per_worker) == 2
    assert sum(calls_per_worker.values()) == 2, calls_per_worker  # both calls ran on the workers
    assert rows(db, "SELECT status, count(*) FROM calls GROUP BY ALL") == [("ok", 2)]
    assert rows(db, "SELECT count(DISTINCT call_id) FROM call_metrics") == [(2,)]


def _calls_processed_in_this_process() -> int:
    """How many calls this Dask worker processed: each ``process_call`` asks ``processor_for``."""
    import sys

    process = sys.modules.get("flows.process")
    if process is None:
        return 0
    info = process._cached_processor.cache_info()
    return info.hits + info.misses


def test_unreachable_dask_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "3s")
    (tmp_path / "a.wav").write_bytes(b"")
    result = callytics("run", str(tmp_path), "--db", str(tmp_path / "x.duckdb"),
                       "--dask-address", "tcp://127.0.0.1:9", cwd=tmp_path, timeout=300)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callytics: error:"), result.stderr
