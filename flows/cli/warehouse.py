"""``callytics export`` and ``callytics dashboard``: publish the warehouse for BI tools and people."""
from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from flows.cli.app import app


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


@app.command("export")
def export_command(
    db: Path = typer.Option(..., "--db", help="The callytics DuckDB file (opened read-only)."),
    out: Path = typer.Option(..., "--out", help="Folder for one file per table and view."),
    fmt: ExportFormat = typer.Option(ExportFormat.parquet, "--format", help="File format."),
    unsafe_csv: bool = typer.Option(
        False, "--unsafe-csv",
        help="Write CSV text cells that start with = + - @ as they are (by default they get a "
             "leading ' so spreadsheets do not run them as formulas)."),
) -> None:
    """Write every table and view to OUT as Parquet or CSV; each file is swapped in atomically."""
    from warehouse import export

    written = export(db, out, fmt.value, unsafe_csv=unsafe_csv)
    typer.echo(f"wrote {len(written)} {fmt.value} files to {out}")


@app.command("dashboard")
def dashboard_command(
    db: Path = typer.Option(..., "--db", help="The callytics DuckDB file (opened read-only)."),
    out: Path = typer.Option(Path("report.html"), "--out", help="HTML file to write."),
) -> None:
    """Write one self-contained HTML page of charts; it opens offline in any browser."""
    from warehouse import dashboard

    typer.echo(f"wrote {dashboard(db, out)}")
