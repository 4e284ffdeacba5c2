"""Fault injection: the nightly batch under kill -9, readers, a full disk, files replaced mid-run,
a damaged database and concurrent runs. Every fault ends with each call stored exactly once,
every ``runs`` row closed, one line on stderr and no process left behind.

The calls are short slices of an example call, so each run costs seconds, not minutes.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from processes import (
    REPO,
    assert_all_gone,
    callytics,
    callytics_env,
    descendants,
    rows,
    start_callytics,
    tiny_calls,
    try_rows,
    wait_for,
)

pytestmark = pytest.mark.slow

CALLS = 6
KILLED_RUNS = 20
SHIM = Path(__file__).resolve().parent / "fault_shim"
HOLD_READ_ONLY = """
import duckdb, sys, time
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    try:
        con = duckdb.connect(sys.argv[1], read_only=True)
        break
    except duckdb.IOException:
        time.sleep(0.05)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """One Prefect state folder for the module: its database is created once, not per run."""
    return callytics_env(PREFECT_HOME=str(tmp_path_factory.mktemp("prefect-home")))


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return tiny_calls(tmp_path_factory.mktemp("archive") / "calls", CALLS)[0].parent


@pytest.fixture(scope="module")
def processed(tmp_path_factory, archive, env) -> Path:
    """A database with every call of ``archive`` processed; tests work on copies."""
    db = tmp_path_factory.mktemp("processed") / "calls.duckdb"
    result = callytics("run", str(archive), "--db", str(db), cwd=db.parent, env=env)
    assert result.returncode == 0, result.stderr
    return db


def copy_of(db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, folder / db.name)
    return folder / db.name


def assert_consistent(db: Path) -> None:
    """Each call is all there or not there: its calls row, and for an ok call its metrics and
    utterances; nothing belongs to a call without a calls row."""
    assert rows(db, "SELECT count(*) - count(DISTINCT call_id) FROM calls") == [(0,)]
    assert rows(db, "SELECT count(*) FROM calls c LEFT JOIN call_metrics m USING (call_id) "
                    "WHERE (c.status = 'ok') <> (m.call_id IS NOT NULL)") == [(0,)]
    assert rows(db, "SELECT count(*) FROM calls c WHERE c.status = 'ok' AND NOT EXISTS "
                    "(SELECT 1 FROM utterances u WHERE u.call_id = c.call_id)") == [(0,)]
    for table in ("utterances", "words", "price_mentions", "call_metrics"):
        assert rows(db, f"SELECT count(*) FROM {table} WHERE call_id NOT IN (SELECT call_id FROM calls)") == [(0,)]


def assert_complete(db: Path) -> None:
    assert_consistent(db)
    assert rows(db, "SELECT count(*), count(*) FILTER (WHERE status = 'ok') FROM calls") == [(CALLS, CALLS)]
    assert rows(db, "SELECT count(*) FROM runs WHERE status = 'running'") == [(0,)]


def wait_until_running(db: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    wait_for(lambda: proc.poll() is not None or try_rows(db, "SELECT 1 FROM runs WHERE status = 'running'"),
             timeout, "the batch to record its start")
    assert proc.poll() is None, proc.stderr.read()


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callytics: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_kill_9_at_random_points_across_20_runs_then_a_rerun(tmp_path, archive, env):
    """A seeded schedule: before each run some calls change (so there is work to do) or the run
    reprocesses everything; each run is killed after a delay drawn from the length of a full
    run, landing in start-up, discovery, processing or writing."""
    work = tmp_path / "archive"
    shutil.copytree(archive, work)
    db = tmp_path / "calls.duckdb"
    started = time.monotonic()
    assert callytics("run", str(work), "--db", str(db), cwd=tmp_path, env=env).returncode == 0
    full_run_s = time.monotonic() - started
    rng = random.Random(20261127)
    killed = 0
    killed_mid_run: set[str] = set()
    for _ in range(KILLED_RUNS):
        for path in rng.sample(sorted(work.iterdir()), 2):
            with open(path, "ab") as handle:  # new content, same audio
                handle.write(rng.randbytes(2))
        reprocess = ["--reprocess"] if rng.random() < 0.3 else []
        before = {run_id for (run_id,) in rows(db, "SELECT run_id FROM runs")}
        proc = start_callytics("run", str(work), "--db", str(db), *reprocess, cwd=tmp_path, env=env,
                               stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.5, full_run_s))
        except subprocess.TimeoutExpired:
            children = descendants(proc.pid)
            proc.kill()
            proc.wait()
            killed += 1
            assert_all_gone(children)
            # A run killed after recording its start left its row 'running'; the next run closes it.
            killed_mid_run |= {run_id for (run_id,) in rows(db, "SELECT run_id FROM runs WHERE status = 'running'")
                               if run_id not in before}
        assert proc.returncode in (0, -signal.SIGKILL)
        assert_consistent(db)
    assert killed >= KILLED_RUNS // 2
    final = callytics("run", str(work), "--db", str(db), cwd=tmp_path, env=env)
    assert final.returncode == 0, final.stderr
    assert_complete(db)
    shas = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in work.iterdir()}
    assert dict(rows(db, "SELECT call_id, sha256 FROM calls")) == shas
    assert killed_mid_run, "no run was killed after recording its start"
    assert {run_id for (run_id,) in rows(db, "SELECT run_id FROM runs WHERE status = 'failed'")} == killed_mid_run


def run_while_a_reader_holds_the_file(archive: Path, db: Path, env: dict, hold_s: float) -> tuple[int, str]:
    """Start a batch; once it has recorded its start, another process opens the database
    read-only (which keeps the batch from writing) for ``hold_s`` seconds."""
    proc = start_callytics("run", str(archive), "--db", str(db), cwd=db.parent, env=env)
    wait_until_running(db, proc)
    reader = subprocess.Popen([sys.executable, "-c", HOLD_READ_ONLY, str(db), str(hold_s)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "held"
        _, stderr = proc.communicate(timeout=900)
    finally:
        reader.kill()
        reader.wait()
    return proc.returncode, stderr


def test_a_reader_holding_the_file_45_s_mid_run_loses_nothing(tmp_path, archive, env):
    db = tmp_path / "calls.duckdb"
    returncode, stderr = run_while_a_reader_holds_the_file(archive, db, env, 45)
    assert returncode == 0, stderr
    assert_complete(db)
    assert rows(db, "SELECT status, processed FROM runs") == [("finished", CALLS)]


def test_a_reader_outlasting_the_batch_leaves_its_results_for_the_next_run(tmp_path, archive, env):
    db = tmp_path / "calls.duckdb"
    impatient = dict(env, CALLYTICS_LOCK_TIMEOUT_S="3")
    returncode, stderr = run_while_a_reader_holds_the_file(archive, db, impatient, 600)
    assert returncode == 1
    line = one_error_line(stderr)
    assert "could not be written" in line and "the next run writes them" in line
    assert any(Path(f"{db}.spool").iterdir())
    rerun = callytics("run", str(archive), "--db", str(db), cwd=tmp_path, env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert_complete(db)
    assert not Path(f"{db}.spool").exists()
    first, second = rows(db, "SELECT status, processed, skipped FROM runs ORDER BY started_at")
    assert first[0] == "finished" and first[1] + second[1] == CALLS  # nothing processed twice
    assert second[2] == first[1]


@pytest.mark.parametrize("fill", ["CALLYTICS_TEST_FILL_WHEN_RUNNING", "CALLYTICS_TEST_FILL_AFTER_FIRST_CALL"])
def test_a_full_disk_mid_run_keeps_the_results_elsewhere_until_space_returns(tmp_path, processed, env, fill):
    """Simulated: the disk fills as soon as the batch records its start, or once it has written
    its first call; while the flag file exists, every write to the database folder fails with
    ENOSPC (tests/fault_shim). The real thing, on a small tmpfs, is the next test."""
    db = copy_of(processed, tmp_path / "db")
    archive = Path(rows(db, "SELECT archive FROM runs")[0][0])
    flag = tmp_path / "disk-is-full"
    full = dict(env, PYTHONPATH=f"{SHIM}{os.pathsep}{REPO}", CALLYTICS_TEST_DISK_FULL=str(flag),
                CALLYTICS_TEST_FULL_DIR=str(db.parent), CALLYTICS_LOCK_TIMEOUT_S="2",
                TMPDIR=str(tmp_path))
    first = callytics("run", str(archive), "--db", str(db), "--reprocess", cwd=tmp_path,
                      env=dict(full, **{fill: "1"}))
    assert flag.exists(), "the disk never filled"
    assert first.returncode == 1, first.stderr
    line = one_error_line(first.stderr)
    assert "No space left on device" in line and str(tmp_path) in line
    assert rows(db, "SELECT count(*) FROM runs WHERE status = 'running'") == [(1,)]
    assert_consistent(db)
    flag.unlink()
    rerun = callytics("run", str(archive), "--db", str(db), cwd=tmp_path, env=full)
    assert rerun.returncode == 0, rerun.stderr
    assert_complete(db)
    assert rows(db, "SELECT status, processed, skipped FROM runs ORDER BY started_at")[-2:] == [
        ("finished", CALLS, 0), ("finished", 0, CALLS)]


def _can_mount_tmpfs() -> bool:
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
         "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True).returncode == 0


FULL_DISK_SCENARIO = """
set -e
mount -t tmpfs -o size=16m tmpfs "$DB_DIR"
cp "$SOURCE_DB" "$DB_DIR/calls.duckdb"
python -m flows run "$ARCHIVE" --db "$DB_DIR/calls.duckdb" --reprocess > /dev/null 2> "$OUT/first.err" &
run=$!
python - "$DB_DIR/calls.duckdb" <<'WAIT'
import duckdb, sys, time
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    try:
        with duckdb.connect(sys.argv[1], read_only=True) as con:
            if con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchall()[0][0]:
                break
    except duckdb.Error:
        pass
    time.sleep(0.2)
else:
    sys.exit("the batch never recorded its start")
WAIT
dd if=/dev/zero of="$DB_DIR/filler" bs=64k 2> /dev/null || true
set +e
wait $run
echo $? > "$OUT/first.rc"
set -e
rm "$DB_DIR/filler"
python -m flows run "$ARCHIVE" --db "$DB_DIR/calls.duckdb" > /dev/null 2> "$OUT/second.err" || echo failed > "$OUT/second.rc"
cp "$DB_DIR/calls.duckdb" "$OUT/after.duckdb"
"""


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="no user namespaces to mount a small tmpfs in")
def test_a_really_full_tmpfs_mid_run(tmp_path, processed, env):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "db").mkdir()
    archive = rows(processed, "SELECT archive FROM runs")[0][0]
    scenario = dict(env, DB_DIR=str(tmp_path / "db"), SOURCE_DB=str(processed), ARCHIVE=archive,
                    OUT=str(out), CALLYTICS_LOCK_TIMEOUT_S="2", TMPDIR=str(tmp_path),
                    PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", FULL_DISK_SCENARIO],
                   env=scenario, check=True, timeout=1800, cwd=tmp_path)
    assert (out / "first.rc").read_text().strip() == "1"
    line = one_error_line((out / "first.err").read_text())
    assert "No space left on device" in line or "could not be written" in line
    assert not (out / "second.rc").exists(), (out / "second.err").read_text()
    assert_complete(out / "after.duckdb")


def test_a_file_replaced_mid_run_is_stored_with_the_hash_of_what_was_analysed(tmp_path, archive, env):
    work = tmp_path / "archive"
    shutil.copytree(archive, work)
    last = sorted(work.iterdir())[-1]
    longer = tiny_calls(tmp_path / "longer", 1, seconds=7.0, start=25.0)[0]
    versions = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (last, longer)}
    db = tmp_path / "calls.duckdb"
    proc = start_callytics("run", str(work), "--db", str(db), cwd=tmp_path, env=env)
    wait_for(lambda: proc.poll() is not None or try_rows(db, "SELECT 1 FROM calls"), 600,
             "the first call to be stored")
    os.replace(longer, last)
    _, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr
    [(sha, duration)] = rows(db, f"SELECT sha256, duration_s FROM calls WHERE call_id = '{last.name}'")
    assert sha in versions
    analysed = versions[sha]
    assert duration == pytest.approx(7.0 if analysed == longer else 4.0, abs=0.1)


def test_a_damaged_database_is_reported_and_left_as_it_was(tmp_path, processed, archive, env):
    db = copy_of(processed, tmp_path / "db")
    [(block, size)] = rows(db, "SELECT any_value(block_id), any_value(block_size) "
                               "FROM pragma_storage_info('utterances'), pragma_database_size() "
                               "WHERE block_id >= 0")
    offset = 3 * 4096 + block * size + 1000  # past the three header blocks, inside the table's block
    data = bytearray(db.read_bytes())
    data[offset:offset + 256] = random.Random(3).randbytes(256)
    db.write_bytes(bytes(data))
    result = callytics("run", str(archive), "--db", str(db), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "is damaged" in one_error_line(result.stderr)
    assert db.read_bytes() == bytes(data)
    assert not Path(f"{db}.wal").exists()


def test_concurrent_runs_through_different_paths_take_turns(tmp_path, archive, env):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    db = real / "calls.duckdb"
    first = start_callytics("run", str(archive), "--db", str(db), cwd=tmp_path, env=env)
    wait_until_running(db, first)
    for other in (tmp_path / "alias" / "calls.duckdb", real / ".." / "real" / "calls.duckdb"):
        refused = callytics("run", str(archive), "--db", str(other), cwd=tmp_path, env=env, timeout=120)
        assert refused.returncode == 1
        assert "another callytics run" in one_error_line(refused.stderr)
    _, stderr = first.communicate(timeout=900)
    assert first.returncode == 0, stderr
    assert_complete(db)
    assert rows(db, "SELECT count(*) FROM runs") == [(1,)]


@pytest.mark.parametrize("signum,code,word", [(signal.SIGTERM, 143, "terminated"),
                                              (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_sigint_close_the_run_and_leave_no_process(tmp_path, processed, env, signum, code, word):
    db = copy_of(processed, tmp_path / "db")
    archive = rows(db, "SELECT archive FROM runs")[0][0]
    proc = start_callytics("run", archive, "--db", str(db), "--reprocess", cwd=tmp_path, env=env)
    wait_until_running(db, proc)
    children = descendants(proc.pid)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == code
    assert one_error_line(stderr) == f"callytics: error: {word}"
    assert_all_gone(children)
    assert_consistent(db)
    [(status, error)] = rows(db, "SELECT status, error FROM runs ORDER BY started_at DESC LIMIT 1")
    assert (status, error) == ("failed", "interrupted")
