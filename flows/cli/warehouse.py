"""``callytics export``, ``dashboard``, ``runs`` and ``calls``: read the warehouse, publish it for
BI tools and people, and see what the batches did. Each opens the database read-only: the
``--db`` flag, else the ``db`` setting of the config file or ``CALLYTICS_DB``."""
from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import typer

from flows.cli.app import ConfigOption, JsonOption, QuietOption, ReadDbOption, app, command_settings
from flows.cli.choices import ExportFormat


@app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", help="Folder for the exported files."),
    fmt: ExportFormat = typer.Option(
        ExportFormat.parquet, "--format",
        help="parquet or csv: one file per table and view; duckdb: one database file that "
             "DuckDB 1.x (and the BI tools bundling it) can open."),
    unsafe_csv: bool = typer.Option(
        False, "--unsafe-csv",
        help="Write CSV text cells that start with = + - @ as they are (by default they get a "
             "leading ' so spreadsheets do not run them as formulas)."),
    db: Optional[Path] = ReadDbOption,
    config: Optional[Path] = ConfigOption,
    quiet: bool = QuietOption,
) -> None:
    """Write every table and view to OUT; each file is swapped in atomically."""
    from warehouse import export

    settings = command_settings(config, db=db)
    written = export(settings.db, out, fmt.value, unsafe_csv=unsafe_csv,
                     lock_timeout_s=settings.lock_timeout_s)
    if not quiet:
        what = f"{len(written)} {fmt.value} files" if fmt != ExportFormat.duckdb else "a DuckDB 1.x database"
        typer.echo(f"wrote {what} to {out}")


@app.command("dashboard")
def dashboard_command(
    out: Path = typer.Option(Path("report.html"), "--out",
                             help="HTML file of the overview; the seller scorecard goes beside it (NAME-scorecard.html)."),
    since: Optional[datetime] = typer.Option(None, "--since", formats=["%Y-%m-%d"], metavar="DATE",
                                             help="Only calls on or after this day (report_timezone)."),
    until: Optional[datetime] = typer.Option(None, "--until", formats=["%Y-%m-%d"], metavar="DATE",
                                             help="Only calls on or before this day (report_timezone)."),
    seller: list[str] = typer.Option([], "--seller", metavar="ID", help="Only this seller's calls (seller_id; repeatable)."),
    team: list[str] = typer.Option([], "--team", metavar="TEAM", help="Only this team's calls (manifest team; repeatable)."),
    no_audio: bool = typer.Option(
        False, "--no-audio", help="Leave the recording player out of the call pages (calls/ beside OUT)."),
    db: Optional[Path] = ReadDbOption,
    config: Optional[Path] = ConfigOption,
    quiet: bool = QuietOption,
) -> None:
    """Write the overview, the seller scorecard and a coaching page per call (in calls/ beside
    OUT): self-contained HTML pages that open offline."""
    from warehouse import dashboard
    from warehouse.filtered import CallFilter

    settings = command_settings(config, db=db)
    call_filter = CallFilter(since=since and since.date(), until=until and until.date(),
                             sellers=tuple(seller), teams=tuple(team))
    written = dashboard(settings.db, out, call_filter=call_filter, targets=settings.scorecard_targets,
                        min_outcome_calls=settings.min_outcome_calls, audio=not no_audio,
                        lock_timeout_s=settings.lock_timeout_s)
    if not quiet:
        typer.echo(f"wrote {written}")


@app.command("runs")
def runs_command(
    limit: int = typer.Option(10, "--limit", min=1, help="Show the N latest batches."),
    as_json: bool = JsonOption,
    db: Optional[Path] = ReadDbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """List the latest batches: when, how long, what they processed, and why one failed."""
    warehouse = _open(config, db)
    runs = warehouse.recent_runs(limit)
    if as_json:
        typer.echo(json.dumps([run.serialize() for run in runs], ensure_ascii=False))
        return
    zone = ZoneInfo(warehouse.report_timezone())
    rows = [(run.run_id, _when(run.started_at, zone), _took(run.started_at, run.ended_at),
             run.status, run.discovered, run.processed, run.skipped, run.failed,
             None if run.audio_s is None else f"{run.audio_s / 3600:.2f}", run.error)
            for run in runs]
    _table(f"batches ({zone.key})", ("run", "started", "took", "status", "found", "processed",
                                     "skipped", "failed", "audio h", "error"), rows)


@app.command("calls")
def calls_command(
    failed: bool = typer.Option(False, "--failed", help="Only calls that failed, with their errors."),
    limit: int = typer.Option(50, "--limit", min=1, help="Show the N latest processed calls."),
    as_json: bool = JsonOption,
    db: Optional[Path] = ReadDbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """List the latest processed calls (--failed: the ones that failed and why)."""
    warehouse = _open(config, db)
    calls = warehouse.stored_calls(status="failed" if failed else None, limit=limit)
    if as_json:
        typer.echo(json.dumps([call.serialize() for call in calls], ensure_ascii=False))
        return
    zone = ZoneInfo(warehouse.report_timezone())
    if failed:
        rows = [(c.record.call_id, _when(c.record.processed_at, zone), c.source_location or c.record.source_path,
                 c.record.error) for c in calls]
        _table(f"failed calls ({zone.key})", ("call", "processed", "file", "error"), rows)
        return
    rows = [(c.record.call_id, c.record.status, _when(c.record.recorded_at, zone),
             c.record.seller_name or c.record.seller_id,
             None if c.record.duration_s is None else f"{c.record.duration_s / 60:.1f}",
             _when(c.record.processed_at, zone), c.record.error) for c in calls]
    _table(f"calls ({zone.key})", ("call", "status", "recorded", "seller", "min", "processed", "error"), rows)


def _open(config: Path | None, db: Path | None):
    from warehouse import Warehouse

    settings = command_settings(config, db=db)
    return Warehouse(settings.db, read_only=True, lock_timeout_s=settings.lock_timeout_s)


def _when(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def _took(started: datetime, ended: datetime | None) -> str | None:
    if ended is None:
        return None
    seconds = int((ended - started).total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    from rich.console import Console
    from rich.table import Table

    from warehouse.safe_text import show_bidi_controls

    if not rows:
        typer.echo(f"{title}: none")
        return
    table = Table(title=title)
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if value is None else show_bidi_controls(str(value)) for value in row])
    Console(width=max(120, shutil.get_terminal_size().columns)).print(table)
