"""The ``callytics`` Typer app and its entry point. Commands live in sibling modules."""
from __future__ import annotations

import logging
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click
import typer

from analysis.errors import AnalysisError
from flows.config import ConfigError, Settings, load_settings
from flows.stopping import STOP_REPORTS, Terminated, stop_signal, stop_signals
from transcription import cuda
from transcription.errors import TranscriptionError
from warehouse.errors import WarehouseError

app = typer.Typer(
    name="callytics",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        try:
            number = version("callytics")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        typer.echo(f"callytics {number}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                      help="Print the version and exit."),
) -> None:
    """Sales-call analytics: who led with needs or product, and when price first came up.

    Settings: ./callytics.toml (or --config), then CALLYTICS_<SETTING> variables, then flags.
    """

# Typer 0.29 vendors its own click: its usage errors are not ``click.ClickException``s.
USAGE_ERRORS: tuple[type[Exception], ...] = (
    click.ClickException,
    *(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"),
)

USER_ERRORS: tuple[type[Exception], ...] = (
    TranscriptionError,
    AnalysisError,
    WarehouseError,
    ConfigError,
    OSError,
)


ConfigOption = typer.Option(None, "--config", help="TOML settings file (default: $CALLYTICS_CONFIG or ./callytics.toml).")
ReadDbOption = typer.Option(None, "--db", help="The callytics DuckDB file, opened read-only (default: the db setting).")
QuietOption = typer.Option(False, "--quiet", "-q", help="Print nothing but warnings and errors.")
JsonOption = typer.Option(False, "--json", help="Print the result as JSON on stdout, nothing else.")

RedactPiiOption = typer.Option(
    None, "--redact-pii/--no-redact-pii",
    help="Replace card, bank, id, phone and email values with placeholders such as [CARD] "
         "before anything is written (default: on, setting redact_pii).",
)


def command_settings(config: Path | None = None, **flags) -> Settings:
    """Defaults, then the config file, then ``CALLYTICS_*`` variables, then the given flags."""
    return load_settings(config).with_overrides(**flags)


INTERRUPTED = 130


def fail(message: str, code: int = 1) -> None:
    """Print one line on stderr and exit: the only way a command reports bad input. A command
    stopped by a signal reports that instead, whatever failed on the way out."""
    signum = stop_signal()
    if signum is not None:
        message, code = STOP_REPORTS[signum]
    typer.echo(f"callytics: error: {message}", err=True)
    raise SystemExit(code)


def _show_device_warnings() -> None:
    """A model that falls back from the GPU to the CPU says so, as one line on stderr, whatever
    the rest of the logging is set to."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("callytics: warning: %(message)s"))
    device_log = cuda.logger
    device_log.handlers[:] = [handler]
    device_log.setLevel(logging.WARNING)
    device_log.propagate = False


def main(argv: list[str] | None = None) -> None:
    _show_device_warnings()
    command = typer.main.get_command(app)
    with stop_signals():
        try:
            code = command.main(args=argv, prog_name="callytics", standalone_mode=False)
        except (click.exceptions.Abort, typer.Abort, Terminated):
            fail("aborted", INTERRUPTED)  # fail() names the stop signal when one arrived
        except USAGE_ERRORS as exc:
            fail(_usage_line(exc), exc.exit_code)
        except SystemExit as exc:  # a library that caught the signal may exit on its own
            if exc.code not in (0, None):
                _fail_if_stopped()
            raise
        except Exception as exc:  # also a signal that a library turned into another error: fail() says so
            if isinstance(exc, USER_ERRORS):
                fail(_one_line(exc))
            # a bug, still reported as one line: no input may print a traceback
            fail(f"unexpected {type(exc).__name__}: {_one_line(exc)}")
    _fail_if_stopped()
    if code == INTERRUPTED:  # Typer turns Ctrl+C into this exit code
        fail("interrupted", INTERRUPTED)
    raise SystemExit(code if isinstance(code, int) else 0)


def _fail_if_stopped() -> None:
    signum = stop_signal()
    if signum is not None:
        fail(*STOP_REPORTS[signum])


def _usage_line(exc: click.ClickException) -> str:
    """A usage error as one line, pointing to the help of the command that was mistyped."""
    context = getattr(exc, "ctx", None)
    hint = f" (see '{context.command_path} --help')" if context is not None else ""
    # Typer 0.29 reports a bad choice through pydantic, which adds this prefix.
    return _one_line_text(exc.format_message().replace("Value error, ", "")) + hint


def _one_line_text(text: str) -> str:
    return " ".join(text.split())


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    return _one_line_text(text)
