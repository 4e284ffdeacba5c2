"""CLI surface: every command has --help; bad schedules and settings are one line and exit 1."""
from __future__ import annotations

import pytest
import typer

from flows.cli import app, main

COMMANDS = sorted(typer.main.get_command(app).commands)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys, command):
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0 and "Usage" in out


def test_commands_cover_the_spec():
    assert {"run", "serve", "transcribe", "classify", "analyze", "export", "dashboard",
            "demo"} <= set(COMMANDS)


@pytest.mark.slow  # imports Prefect (seconds)
@pytest.mark.parametrize("args,message", [
    (("--cron", "every night"), "bad schedule --cron 'every night'"),
    (("--cron", "0 2 * * *", "--timezone", "Mars/Olympus"), "bad schedule"),
])
def test_serve_rejects_bad_schedules(capsys, tmp_path, args, message):
    code, _, err = run_cli(capsys, "serve", str(tmp_path), "--db", str(tmp_path / "x.duckdb"), *args)
    assert code == 1
    assert err.startswith(f"callytics: error: {message}") and err.count("\n") == 1


def test_serve_needs_an_archive_folder(capsys, tmp_path):
    code, _, err = run_cli(capsys, "serve", str(tmp_path / "nope"))
    assert code == 1 and "is not a folder" in err


def test_bad_config_file_is_one_line(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("workers = 'lots'\n")
    code, _, err = run_cli(capsys, "run", str(tmp_path), "--config", str(cfg))
    assert code == 1 and err == "callytics: error: setting workers has an invalid value 'lots'\n"


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys, "fly")
    assert code == 2 and "No such command" in err
