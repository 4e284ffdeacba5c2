"""The ``callytics`` Typer app and its entry point. Commands live in sibling modules."""
from __future__ import annotations

import sys

import click
import typer

from analysis.errors import AnalysisError
from flows.config import ConfigError
from transcription.errors import TranscriptionError
from warehouse.errors import WarehouseError

app = typer.Typer(
    name="callytics",
    help="Sales-call analytics: who led with needs or product, and when price first came up.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="callytics", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted", 130)
    except click.ClickException as exc:
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
