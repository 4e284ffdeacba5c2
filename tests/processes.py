"""Helpers for tests that run ``callytics`` as a separate process and watch what it leaves behind."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil

from conftest import require_tool

REPO = Path(__file__).resolve().parents[1]
KESTREL = REPO / "examples" / "archive" / "2026-W47" / "2026-11-20_kestrel.wav"


def callytics_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("PREFECT_API_URL", None)
    env.update(extra)
    return env


def callytics(*args: str, cwd: Path, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=cwd, env=env or callytics_env(),
                          capture_output=True, text=True, timeout=timeout)


def start_callytics(*args: str, cwd: Path, env: dict | None = None, **popen) -> subprocess.Popen:
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-m", "flows", *args], cwd=cwd, env=env or callytics_env(),
                            text=True, **popen)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def try_rows(db: Path, sql: str) -> list[tuple] | None:
    """``rows``, or None while the file is missing or a writer holds it."""
    try:
        return rows(db, sql) if db.exists() else None
    except duckdb.Error:
        return None


def wait_for(condition: Callable[[], object], timeout: float, what: str, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def assert_all_gone(processes: list[psutil.Process], timeout: float = 15) -> None:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        process.kill()
    assert not alive, f"left running: {[(p.pid, p.name()) for p in alive]}"


def tiny_calls(folder: Path, count: int, *, seconds: float = 4.0, start: float = 1.0) -> list[Path]:
    """``count`` short recordings with speech, each a different slice of an example call."""
    ffmpeg = require_tool("ffmpeg")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"call{i:02d}.wav"
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-ss", str(start + i * seconds), "-t",
                        str(seconds), "-i", str(KESTREL), "-ac", "1", "-ar", "16000", str(path)],
                       check=True)
        paths.append(path)
    return paths
