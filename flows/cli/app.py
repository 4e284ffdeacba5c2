"""The ``callytics`` Typer app and its entry point. Commands live in sibling modules."""
from __future__ import annotations

import logging
import sys

import click
import typer

from analysis.errors import AnalysisError
from flows.config import ConfigError
from transcription import cuda
from transcription.errors import TranscriptionError
from warehouse.errors import WarehouseError

app = typer.Typer(
    name="callytics",
    help="Sales-call analytics: who led with needs or product, and when price first came up.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
    FileNotFoundError,
    PermissionError,
    IsADirectoryError,
)


def fail(message: str, code: int = 1) -> None:
    """Print one line on stderr and exit: the only way a command reports bad input."""
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
    try:
        code = command.main(args=argv, prog_name="callytics", standalone_mode=False)
    except (click.exceptions.Abort, typer.Abort):
        fail("aborted", 130)
    except USAGE_ERRORS as exc:
        exc.show()
        raise SystemExit(exc.exit_code)
    except USER_ERRORS as exc:
        fail(_one_line(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    raise SystemExit(code if isinstance(code, int) else 0)


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    return " ".join(text.split())
