"""The nightly batch end to end through the CLI: incremental, failure-isolated, crash-safe."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import require_tool
from flows.lock import run_lock

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "archive"
CALLS = {
    "2026-W47/2026-11-20_kestrel.wav": "nw-2026-11-20-kestrel",
    "2026-W48/2026-11-24_meridian.flac": "nw-2026-11-24-meridian",
}


def callytics(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def make_archive(root: Path) -> Path:
    archive = root / "archive"
    lines = ["path,call_id,seller_id,seller_name,outcome,seller_channel,num_speakers,recorded_at"]
    for rel, call_id in CALLS.items():
        target = archive / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / rel, target)
        channel = "right" if rel.endswith(".flac") else ""
        lines.append(f"{rel},{call_id},S02,Marcus Lee,won,{channel},2,2026-11-20T10:00:00")
    lines.append("missing/gone.wav,gone,S02,Marcus Lee,lost,,,2026-11-20")
    lines.append("bad/empty.wav,empty,S02,Marcus Lee,lost,sideways,nine,someday")
    (archive / "manifest.csv").write_text("\n".join(lines) + "\n")
    (archive / "bad").mkdir()
    (archive / "bad" / "empty.wav").write_bytes(b"")
    (archive / "bad" / "notes.mp3").write_text("not audio at all\n" * 100)
    (archive / "bad" / "cut.flac").write_bytes((EXAMPLES / next(iter(CALLS))).read_bytes()[:64])
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                    "anullsrc=r=16000:cl=mono", "-t", "5", str(archive / "bad" / "silent.wav")],
                   check=True)
    # Noise on which Whisper hears "you", and a recording of just "thank you": not calls.
    subprocess.run([require_tool("sox"), "-R", "-n", "-r", "16000", "-c", "1",
                    str(archive / "bad" / "noise.wav"), "synth", "30", "pinknoise", "vol", "0.5"],
                   check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-ss", "2.86", "-t", "0.55", "-i",
                    str(EXAMPLES / "2026-W47/2026-11-20_kestrel.wav"), str(archive / "bad" / "thanks.wav")],
                   check=True)
    return archive


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("nightly")
    archive = make_archive(root)
    db = root / "calls.duckdb"
    result = callytics("run", str(archive), "--db", str(db), cwd=root)
    return root, archive, db, result


def test_first_run_processes_good_calls_and_records_bad_ones(first_run):
    _, _, db, result = first_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    status = dict(rows(db, "SELECT call_id, status FROM calls"))
    assert status == {
        "nw-2026-11-20-kestrel": "ok", "nw-2026-11-24-meridian": "ok",
        "empty": "failed", "bad/notes.mp3": "failed", "bad/cut.flac": "failed",
        "bad/silent.wav": "failed", "bad/noise.wav": "failed", "bad/thanks.wav": "failed",
    }
    errors = dict(rows(db, "SELECT call_id, error FROM calls WHERE status = 'failed'"))
    assert "empty" in errors["empty"]
    for noise in ("bad/silent.wav", "bad/noise.wav", "bad/thanks.wav"):
        assert errors[noise].startswith("no usable speech"), errors[noise]
    assert "manifest row for missing/gone.wav: file not found" in result.stderr
    assert "4 failed" in result.stdout or "failed: empty" in result.stdout


def test_stereo_call_uses_channels_and_seller_channel(first_run):
    _, _, db, _ = first_run
    [(backend, role_method)] = rows(
        db, "SELECT diarization_backend, role_method FROM calls "
            "WHERE call_id = 'nw-2026-11-24-meridian'")
    assert backend == "channels"
    assert "channel" in role_method
    [(n_speakers, ratio, first_price_by)] = rows(
        db, "SELECT n_speakers, seller_talk_ratio, first_price_by FROM v_calls "
            "WHERE call_id = 'nw-2026-11-24-meridian'")
    assert n_speakers == 2 and 0.3 < ratio < 0.8 and first_price_by == "buyer"


def test_roles_uncertain_is_recorded_with_the_role_method(first_run):
    _, _, db, _ = first_run
    recorded = {call_id: (method, confidence, uncertain) for call_id, method, confidence, uncertain in rows(
        db, "SELECT call_id, role_method, role_confidence, roles_uncertain FROM calls")}
    assert recorded["nw-2026-11-24-meridian"] == ("channel", 1.0, False)
    method, confidence, uncertain = recorded["nw-2026-11-20-kestrel"]
    assert method == "transcript" and uncertain == (confidence < 0.8)
    assert recorded["bad/silent.wav"] == (None, None, None)


def own_copy(first_run, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The first run's archive and database copied for one test, so tests that run the batch
    again or change files do not change what the others see (in any order)."""
    _, archive, db, _ = first_run
    shutil.copytree(archive, tmp_path / "archive")
    for stored in (db, Path(f"{db}.wal")):
        if stored.exists():
            shutil.copy(stored, tmp_path / stored.name)
    return tmp_path, tmp_path / "archive", tmp_path / db.name


def test_second_run_skips_everything(first_run, tmp_path):
    root, archive, db = own_copy(first_run, tmp_path)
    before = rows(db, "SELECT count(*) FROM utterances")[0][0]
    result = callytics("run", str(archive), "--db", str(db), cwd=root)
    assert result.returncode == 0, result.stderr
    [(processed, skipped, failed)] = rows(
        db, "SELECT processed, skipped, failed FROM runs ORDER BY started_at DESC LIMIT 1")
    assert (processed, skipped, failed) == (0, 8, 0)
    assert rows(db, "SELECT count(*) FROM utterances")[0][0] == before


def test_replaced_file_is_reprocessed_and_deleted_file_keeps_history(first_run, tmp_path):
    root, archive, db = own_copy(first_run, tmp_path)
    (archive / "bad" / "notes.mp3").unlink()
    shutil.copy(EXAMPLES / "2026-W47/2026-11-20_kestrel.wav", archive / "bad" / "silent.wav")
    (archive / "bad" / "new.wav").write_bytes(b"RIFF" + bytes(100))
    result = callytics("run", str(archive), "--db", str(db), "--strict", cwd=root)
    assert result.returncode == 1, result.stderr  # --strict: new.wav failed
    [(processed, skipped, failed)] = rows(
        db, "SELECT processed, skipped, failed FROM runs ORDER BY started_at DESC LIMIT 1")
    assert (processed, skipped, failed) == (1, 6, 1)  # unchanged bad files are not retried
    status = dict(rows(db, "SELECT call_id, status FROM calls"))
    assert status["bad/silent.wav"] == "ok"
    assert status["bad/notes.mp3"] == "failed"  # history kept
    assert rows(db, "SELECT count(*) FROM calls WHERE call_id = 'bad/silent.wav'")[0][0] == 1


def test_second_concurrent_run_refuses(first_run):
    root, archive, db, _ = first_run
    with run_lock(db):
        result = callytics("run", str(archive), "--db", str(db), cwd=root)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("callytics: error: another callytics run")
    assert len(result.stderr.strip().splitlines()) == 1


def test_kill_9_mid_run_then_rerun_processes_each_call_once(tmp_path):
    archive = tmp_path / "archive"
    for i in range(3):
        target = archive / f"call{i}.wav"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / "2026-W47/2026-11-20_kestrel.wav", target)
        with open(target, "ab") as handle:  # distinct content, same audio
            handle.write(bytes([i]))
    db = tmp_path / "calls.duckdb"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen([sys.executable, "-m", "flows", "run", str(archive), "--db", str(db)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists() and _count_ok(db) >= 1:
            break
        time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    result = callytics("run", str(archive), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT count(*), count(DISTINCT call_id) FROM calls") == [(3, 3)]
    assert rows(db, "SELECT count(*) FROM calls WHERE status = 'ok'") == [(3,)]
    dupes = rows(db, "SELECT call_id, idx, count(*) FROM utterances GROUP BY ALL HAVING count(*) > 1")
    assert dupes == []
    assert rows(db, "SELECT count(DISTINCT call_id) FROM call_metrics") == [(3,)]
    assert rows(db, "SELECT status, coalesce(error, '') LIKE 'interrupted%' FROM runs ORDER BY started_at") == [
        ("failed", True), ("finished", False)]


def _count_ok(db: Path) -> int:
    try:
        return rows(db, "SELECT count(*) FROM calls WHERE status = 'ok'")[0][0]
    except duckdb.Error:
        return 0  # the writer holds the file right now


def test_bad_arguments_are_one_line(tmp_path):
    result = callytics("run", str(tmp_path / "nope"), "--db", str(tmp_path / "x.duckdb"),
                       cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"callytics: error: archive {tmp_path / 'nope'} is not a folder"
    result = callytics("run", str(tmp_path), "--diarization", "magic", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Invalid value for '--diarization': 'magic' is not one of" in result.stderr


def test_calls_name_their_classifier_and_their_file_relative_to_the_archive(first_run):
    _, archive, db, _ = first_run
    stored = {call_id: rest for call_id, *rest in rows(
        db, "SELECT call_id, source_path, source_location, classifier FROM stg_calls")}
    path, location, classifier = stored["nw-2026-11-24-meridian"]
    assert path == "2026-W48/2026-11-24_meridian.flac"
    assert location == f"{archive.resolve()}/{path}" and Path(location).is_file()
    assert classifier.startswith("all-MiniLM-L6-v2+heads.") and len(classifier.split(".")[-1]) == 8
    assert stored["nw-2026-11-20-kestrel"][2] == classifier
    assert stored["bad/notes.mp3"][:2] == ["bad/notes.mp3", f"{archive.resolve()}/bad/notes.mp3"]
    assert stored["bad/notes.mp3"][2] is None  # never labelled


def test_json_summary_is_the_only_output_and_quiet_prints_only_problems(first_run, tmp_path):
    root, archive, db = own_copy(first_run, tmp_path)
    (archive / "bad" / "notes.mp3").write_text("still not audio\n" * 100)
    result = callytics("run", str(archive), "--db", str(db), "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["discovered"], summary["processed"], summary["failed"], summary["skipped"]) == (8, 0, 1, 7)
    assert summary["failures"][0]["call_id"] == "bad/notes.mp3" and summary["failures"][0]["error"]
    assert summary["db"] == str(db) and summary["run_id"] in {r[0] for r in rows(db, "SELECT run_id FROM runs")}
    assert "manifest row for missing/gone.wav" in " ".join(summary["problems"])
    result = callytics("run", str(archive), "--db", str(db), "--quiet", "--reprocess", "--limit", "1",
                       cwd=root)
    assert result.returncode == 0 and result.stdout == ""
    assert "warning: manifest row for missing/gone.wav" in result.stderr
