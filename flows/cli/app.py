"""The ``callytics`` Typer app and its entry point. Commands live in sibling modules."""
from __future__ import annotations

import signal

import click
import typer

from analysis.errors import AnalysisError
from flows.config import ConfigError, load_settings
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
    OSError,
)


RedactPiiOption = typer.Option(
    None, "--redact-pii/--no-redact-pii",
    help="Replace card, bank, id, phone and email values with placeholders such as [CARD] "
         "before anything is written (default: on, setting redact_pii).",
)


def redact_pii_setting(flag: bool | None) -> bool:
    """The ``--redact-pii`` flag, else the config file and ``CALLYTICS_REDACT_PII``, else on."""
    return load_settings().with_overrides(redact_pii=flag).redact_pii


INTERRUPTED = 130


class Terminated(BaseException):
    """SIGTERM arrived: the command stops as on Ctrl+C (a batch records itself interrupted)."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def fail(message: str, code: int = 1) -> None:
    """Print one line on stderr and exit: the only way a command reports bad input."""
    typer.echo(f"callytics: error: {message}", err=True)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        code = command.main(args=argv, prog_name="callytics", standalone_mode=False)
    except (click.exceptions.Abort, typer.Abort):
        fail("aborted", INTERRUPTED)
    except USAGE_ERRORS as exc:
        exc.show()
        raise SystemExit(exc.exit_code)
    except USER_ERRORS as exc:
        fail(_one_line(exc))
    except Terminated:
        fail("terminated", 143)
    except Exception as exc:  # a bug, still reported as one line: no input may print a traceback
        fail(f"unexpected {type(exc).__name__}: {_one_line(exc)}")
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code == INTERRUPTED:  # Typer turns Ctrl+C into this exit code
        fail("interrupted", INTERRUPTED)
    raise SystemExit(code if isinstance(code, int) else 0)


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    return " ".join(text.split())
