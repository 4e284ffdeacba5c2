"""SIGTERM and Ctrl+C end a command as stopped, even when a library turns the signal into another error."""
from __future__ import annotations

import os
import signal
import time

import click
import pytest
import typer

from flows.cli import main
from flows.stopping import stop_signal


def command_that(action):
    @click.command()
    def command():
        action()
    return command


def signal_swallowed_by_a_library(signum: int):
    def action():
        try:
            os.kill(os.getpid(), signum)
        except BaseException as exc:  # what Prefect does around a task run
            raise RuntimeError("Execution was aborted by an interrupt signal.") from exc
    return action


def signal_ending_in_an_exit(signum: int):
    def action():
        try:
            os.kill(os.getpid(), signum)
        except BaseException:
            raise SystemExit(1)
    return action


def signal_in_a_finaliser(signum: int):
    class Finalised:
        def __del__(self):
            os.kill(os.getpid(), signum)

    def action():
        Finalised()
        for _ in range(2000):  # the command goes on after the finaliser, as a batch would
            time.sleep(0.001)
        raise AssertionError("the signal did not stop the command")
    return action


@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
@pytest.mark.parametrize("library", [signal_swallowed_by_a_library, signal_ending_in_an_exit, signal_in_a_finaliser])
def test_a_signal_turned_into_another_error_still_ends_the_command_as_stopped(monkeypatch, capsys, signum, code, word,
                                                                              library):
    monkeypatch.setattr(typer.main, "get_command", lambda app: command_that(library(signum)))
    before = signal.getsignal(signum)  # a background job started by a shell ignores SIGINT
    with pytest.raises(SystemExit) as stopped:
        main([])
    assert stopped.value.code == code
    assert capsys.readouterr().err.strip() == f"callytics: error: {word}"  # click writes a newline on Ctrl+C
    assert signal.getsignal(signum) == before


def test_an_error_without_a_signal_is_not_reported_as_stopped_and_a_new_command_starts_clean(monkeypatch, capsys):
    monkeypatch.setattr(typer.main, "get_command", lambda app: command_that(signal_swallowed_by_a_library(signal.SIGINT)))
    with pytest.raises(SystemExit):
        main([])
    capsys.readouterr()

    def fails():
        raise RuntimeError("boom")

    monkeypatch.setattr(typer.main, "get_command", lambda app: command_that(fails))
    with pytest.raises(SystemExit) as failed:
        main([])
    assert failed.value.code == 1 and stop_signal() is None
    assert capsys.readouterr().err == "callytics: error: unexpected RuntimeError: boom\n"
