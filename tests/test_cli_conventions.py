"""CLI conventions: --version, shell completion, choices as enums, settings for every command,
runs and calls as tables or JSON, --quiet, and every failure one line on stderr."""
from __future__ import annotations

import json
from importlib.metadata import version

import pytest

import warehouse_rows as rows
from flows.cli.choices import ExportFormat
from test_flow_cli import COMMANDS, run_cli
from warehouse import EXPORT_FORMATS


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return rows.sample_warehouse(tmp_path_factory.mktemp("cli") / "calls.duckdb").path


def test_version(capsys):
    assert run_cli(capsys, "--version") == (0, f"callytics {version('callytics')}\n", "")


def test_shell_completion_script_and_completions(capsys, monkeypatch):
    # Name the shell: detecting it reads the processes above the test, which differ between a
    # terminal, CI and a detached job (where detection fails and the script is refused).
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    code, out, err = run_cli(capsys, "--show-completion", "bash")
    assert code == 0 and "_CALLYTICS_COMPLETE=complete_bash" in out, err
    monkeypatch.setenv("_CALLYTICS_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "callytics ex")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert run_cli(capsys, )[1].split() == ["export"]
    monkeypatch.setenv("COMP_WORDS", "callytics export --format ")
    monkeypatch.setenv("COMP_CWORD", "3")
    assert run_cli(capsys)[1].split() == ["parquet", "csv", "duckdb"]


@pytest.mark.parametrize("command, option, choices", [
    ("transcribe", "--diarization", "auto|channels|embedded|pyannote"),
    ("transcribe", "--format", "text|json|rttm|srt|vtt"),
    ("transcribe", "--device", "auto|cpu|cuda"),
    ("transcribe", "--seller-channel", "left|right|0|1"),
    ("run", "--diarization", "auto|channels|embedded|pyannote"),
    ("export", "--format", "parquet|csv|duckdb"),
])
def test_choices_are_listed_and_other_values_are_usage_errors(capsys, monkeypatch, command, option, choices):
    monkeypatch.setenv("COLUMNS", "300")  # one help line per option
    _, help_text, _ = run_cli(capsys, command, "--help")
    [line] = [line for line in help_text.splitlines() if f" {option} " in line]
    assert f"<{choices}>" in line
    code, out, err = run_cli(capsys, command, "x", option, "nonsense")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"callytics: error: Invalid value for '{option}': 'nonsense'")
    assert f"(see 'callytics {command} --help')" in err


def test_export_formats_match_the_warehouse():
    assert tuple(f.value for f in ExportFormat) == EXPORT_FORMATS


@pytest.mark.parametrize("args", [("fly",), ("runs", "--limit", "0"), ("transcribe",), ("calls", "--bogus")])
def test_usage_errors_are_one_line_with_exit_2(capsys, args):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("callytics: error: ")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_cites_nothing_the_user_cannot_see(capsys, command):
    _, out, _ = run_cli(capsys, command, "--help")
    assert "SPEC" not in out and "planning" not in out


def test_readers_take_the_database_from_the_config_file(capsys, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLYTICS_DB", raising=False)
    (tmp_path / "callytics.toml").write_text(f'[callytics]\ndb = "{db}"\n')
    assert run_cli(capsys, "export", "--out", "exports") == (0, "wrote 16 parquet files to exports\n", "")
    assert run_cli(capsys, "dashboard", "--quiet") == (0, "", "")
    assert (tmp_path / "report.html").is_file()
    code, out, _ = run_cli(capsys, "runs", "--json")
    assert code == 0 and json.loads(out)[0]["run_id"] == "run-1"


def test_readers_take_the_database_from_the_environment(capsys, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLYTICS_DB", str(db))
    assert run_cli(capsys, "export", "-q", "--out", "exports", "--format", "csv") == (0, "", "")
    assert (tmp_path / "exports" / "v_calls.csv").is_file()
    monkeypatch.setenv("CALLYTICS_DB", str(tmp_path / "absent.duckdb"))
    code, out, err = run_cli(capsys, "calls")
    assert code == 1 and err == f"callytics: error: database {tmp_path / 'absent.duckdb'} does not exist\n"


def test_runs_as_a_table_and_as_json(capsys, db):
    code, out, _ = run_cli(capsys, "runs", "--db", str(db))
    assert code == 0 and "batches (UTC)" in out and "run-1" in out and "30m00s" in out
    code, out, err = run_cli(capsys, "runs", "--db", str(db), "--json")
    [run] = json.loads(out)
    assert code == 0 and err == ""
    assert run | {"config": None} == {
        "run_id": "run-1", "started_at": "2026-03-12T02:00:00+00:00", "ended_at": "2026-03-12T02:30:00+00:00",
        "status": "finished", "archive": "/archive", "pipeline_version": None, "discovered": 6, "processed": 5,
        "skipped": 0, "failed": 1, "audio_s": 600.0, "error": None, "config": None}


def test_failed_calls_with_their_errors_and_files(capsys, db):
    code, out, _ = run_cli(capsys, "calls", "--failed", "--db", str(db))
    assert code == 0 and "z9" in out and "cannot decode audio" in out and "/archive/z9.mp3" in out
    assert "a1" not in out
    code, out, _ = run_cli(capsys, "calls", "--failed", "--db", str(db), "--json")
    [call] = json.loads(out)
    assert (call["call_id"], call["status"], call["error"], call["source_path"], call["source_location"]) == (
        "z9", "failed", "cannot decode audio", "z9.mp3", "/archive/z9.mp3")
    assert call["processed_at"] == "2026-03-03T02:00:00+00:00"


def test_all_calls_latest_first(capsys, db):
    code, out, _ = run_cli(capsys, "calls", "--db", str(db), "--json", "--limit", "3")
    calls = json.loads(out)
    assert code == 0 and len(calls) == 3
    assert [c["processed_at"] for c in calls] == sorted((c["processed_at"] for c in calls), reverse=True)
    code, out, _ = run_cli(capsys, "calls", "--db", str(db))
    assert all(call_id in out for call_id in ("a1", "a2", "a3", "b1", "b2", "z9"))


def test_a_bad_setting_in_the_config_file_is_one_line(capsys, db, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('device = "tpu"\n')
    code, _, err = run_cli(capsys, "calls", "--db", str(db), "--config", str(config))
    assert code == 1 and err == "callytics: error: device must be one of auto, cpu, cuda, not 'tpu'\n"


@pytest.mark.slow  # loads the sentence encoder
def test_classify_takes_the_product_names_from_the_config_file(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[callytics]\nproduct_names = ["Stockwise"]\n')
    text = "Stockwise syncs every warehouse overnight."
    code, out, _ = run_cli(capsys, "classify", text, "--config", str(config))
    assert code == 0 and "Stockwise" in json.loads(out)["cues"]
    code, out, _ = run_cli(capsys, "classify", text)
    assert code == 0 and "Stockwise" not in json.loads(out)["cues"]
