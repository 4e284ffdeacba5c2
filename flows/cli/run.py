"""``callytics run``, ``serve`` and ``demo``: the nightly batch from the command line."""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from flows.cli.app import ConfigOption, JsonOption, QuietOption, RedactPiiOption, app, command_settings, fail
from flows.cli.choices import Device, Diarization
from flows.config import Settings, load_settings
from flows.lock import run_lock
from flows.logs import LIBRARY_LOGGERS
from flows.storage import is_url, open_store

EXAMPLE_ARCHIVE = Path(__file__).resolve().parents[2] / "examples" / "archive"

DbOption = typer.Option(None, "--db", help="DuckDB file to write (default: the db setting, callytics.duckdb).")
WorkersOption = typer.Option(None, "--workers", help="Worker processes, each loading the models once.")
AsrOption = typer.Option(None, "--asr-model", help="faster-whisper model name or folder (default: bundled tiny.en).")
DiarizationOption = typer.Option(None, "--diarization", help="Who-spoke-when backend (default: the diarization setting, auto).")
DeviceOption = typer.Option(None, "--device", help="Where models run (auto: the GPU when one works).")
DaskOption = typer.Option(None, "--dask-address", help="Run per-call work on this Dask scheduler, e.g. tcp://host:8786.")
VerboseOption = typer.Option(False, "--verbose", "-v", help="Show Prefect's own logs.")


def _quiet_prefect(verbose: bool) -> None:
    """Progress and the summary are the CLI's output; failures reach the user as one line from
    ``main``, so Prefect's own run logs, callytics' warnings (they still reach the run's log in
    Prefect) and tracebacks stay out unless ``--verbose``."""
    if verbose:
        return
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    import prefect  # noqa: F401  (configures logging on import; then we lower the rest)

    for name, level in (("", logging.ERROR), ("EventsWorker", logging.ERROR),
                        ("distributed", logging.CRITICAL), ("uvicorn", logging.CRITICAL)):
        logging.getLogger(name).setLevel(level)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).propagate = False


@app.command()
def run(
    archive: str = typer.Argument(..., help="Folder or URL (s3://bucket/prefix, gs://..., az://...) of call recordings, optionally with manifest.csv."),
    db: Optional[Path] = DbOption,
    workers: Optional[int] = WorkersOption,
    asr_model: Optional[str] = AsrOption,
    diarization: Optional[Diarization] = DiarizationOption,
    device: Optional[Device] = DeviceOption,
    dask_address: Optional[str] = DaskOption,
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Process at most N new calls."),
    reprocess: bool = typer.Option(False, "--reprocess", help="Recompute calls already processed."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any call failed."),
    redact_pii: Optional[bool] = RedactPiiOption,
    config: Optional[Path] = ConfigOption,
    verbose: bool = VerboseOption,
    quiet: bool = QuietOption,
    as_json: bool = JsonOption,
) -> None:
    """Process every new or changed call in ARCHIVE into the DuckDB file, now.

    Prints a summary table (--json: the summary as one JSON object; --quiet: nothing but
    warnings and failed calls, on stderr)."""
    settings = command_settings(config, db=db, workers=workers, asr_model=asr_model,
                                diarization=diarization, device=device, dask_address=dask_address,
                                redact_pii=redact_pii)
    summary = _run(archive, settings, limit=limit, reprocess=reprocess, verbose=verbose,
                   output="json" if as_json else "quiet" if quiet else "table")
    if strict and summary.failed:
        raise SystemExit(1)


@app.command()
def serve(
    archive: str = typer.Argument(..., help="Folder or URL of call recordings to process on the schedule."),
    cron: str = typer.Option("0 2 * * *", "--cron", help="When to run (cron syntax)."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="IANA time zone of the cron, e.g. Europe/Berlin."),
    port: int = typer.Option(4200, "--port", help="Port of the Prefect UI and API this command serves (without PREFECT_API_URL)."),
    db: Optional[Path] = DbOption,
    workers: Optional[int] = WorkersOption,
    asr_model: Optional[str] = AsrOption,
    diarization: Optional[Diarization] = DiarizationOption,
    device: Optional[Device] = DeviceOption,
    dask_address: Optional[str] = DaskOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Run the batch on a schedule until stopped, with the Prefect UI at http://127.0.0.1:PORT.

    Without PREFECT_API_URL it serves Prefect's API, UI and scheduler itself, keeping their state
    in the prefect_home setting (default: a 'prefect' folder beside the database); with it, it
    registers the schedule on that server."""
    settings = command_settings(config, db=db, workers=workers, asr_model=asr_model,
                                diarization=diarization, device=device, dask_address=dask_address)
    archive = _check_archive(archive)
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.nightly import nightly
    from flows.server import prefect_api

    try:
        if timezone is not None:
            ZoneInfo(timezone)
        schedule = Cron(cron, timezone=timezone)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        fail(f"bad schedule --cron '{cron}' --timezone '{timezone}': {str(exc).splitlines()[0]}")
    home = settings.prefect_home or Path(os.path.realpath(settings.db)).parent / "prefect"
    with prefect_api(ui=True, home=home, port=port) as api:
        where = f"state in {api.home}" if api.served_here else "configured by PREFECT_API_URL"
        typer.echo(f"Prefect UI: {api.url} ({where})", err=True)
        typer.echo(f"Processing {archive} into {settings.db} on '{cron}'"
                   f"{f' ({timezone})' if timezone else ''}; Ctrl+C stops.", err=True)
        nightly.serve(
            name="callytics-nightly",
            schedules=[schedule],
            parameters={"archive": archive,
                        "settings": settings.to_dict() | {"db": os.path.realpath(settings.db)}},
            # One batch at a time: a run that comes due while one is going is cancelled.
            global_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            print_starting_message=False,
        )


@app.command()
def demo(
    out: Path = typer.Option(Path("demo"), "--out", help="Folder for the demo database and report."),
    verbose: bool = VerboseOption,
) -> None:
    """Run the pipeline on the bundled example archive into a fresh database and write a report."""
    if not EXAMPLE_ARCHIVE.is_dir():
        fail(f"example archive not found at {EXAMPLE_ARCHIVE} (run from a source checkout)")
    out.mkdir(parents=True, exist_ok=True)
    db = out / "callytics.duckdb"
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    settings = load_settings().with_overrides(db=db)
    _run(EXAMPLE_ARCHIVE, settings, verbose=verbose)
    from warehouse import Warehouse, dashboard

    calls = Warehouse(db, read_only=True).query(
        "SELECT call_id, seller_name, outcome, round(duration_s, 1) AS duration_s, "
        "round(seller_talk_ratio, 2) AS talk_ratio, round(discovery_share, 2) AS discovery_share, "
        "pitch_before_discovery, round(first_price_s, 1) AS first_price_s, first_price_by "
        "FROM v_calls ORDER BY call_id"
    )
    _print_frame("v_calls", calls)
    report = dashboard(db, out / "report.html")
    from warehouse.scorecard import scorecard_path

    typer.echo(f"\nDatabase: {db}\nDashboard: {report}\nSeller scorecard: {scorecard_path(report)}")


def _check_archive(archive: str | Path) -> str:
    """The archive as the flow gets it (a local folder made absolute); fails fast when unusable."""
    archive = str(archive) if is_url(str(archive)) else os.path.abspath(archive)
    open_store(archive)
    return archive


def _run(archive: str | Path, settings: Settings, *, limit=None, reprocess=False, verbose=False,
         output="table"):
    archive = _check_archive(archive)
    with run_lock(settings.db):
        pass  # fail fast, before Prefect starts; the flow takes the lock for real
    _quiet_prefect(verbose)
    from flows.nightly import run_batch

    summary = run_batch(archive, settings, limit=limit, reprocess=reprocess,
                        show_progress=sys.stderr.isatty() and output == "table")
    for problem in summary.problems:
        typer.echo(f"warning: {problem}", err=True)
    if output == "json":
        typer.echo(json.dumps(summary.serialize(), ensure_ascii=False))
    elif output == "quiet":
        for call_id, error in summary.failures:
            typer.echo(f"failed: {call_id}: {error}", err=True)
    else:
        _print_summary(summary)
    return summary


def _print_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"callytics run {summary.run_id}")
    for column in ("discovered", "processed", "skipped", "failed", "audio h", "wall s"):
        table.add_column(column, justify="right")
    table.add_row(str(summary.discovered), str(summary.processed), str(summary.skipped),
                  str(summary.failed), f"{summary.audio_s / 3600:.2f}", f"{summary.wall_s:.1f}")
    console = Console(width=max(100, shutil.get_terminal_size().columns))
    console.print(table)
    for call_id, error in summary.failures:
        typer.echo(f"failed: {call_id}: {error}")


def _print_frame(title: str, frame) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*["" if v is None or v != v else str(v) for v in row])
    Console(width=max(140, shutil.get_terminal_size().columns)).print(table)
