"""The dashboard's HTML pieces: the page shell with its Content-Security-Policy, tables, formats.

Every value from the database goes through ``safe_text.html_text``; call ids link to their
coaching pages (``warehouse.links``).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from warehouse.errors import WarehouseError
from warehouse.links import call_page_href
from warehouse.safe_text import html_text as escape

# Blocks every network fetch: a page renders from its own file alone.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 16px; max-width: 1400px;
       color: #111827; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
nav { margin-bottom: 8px; } nav a { margin-right: 12px; }
.meta { color: #4b5563; margin-bottom: 12px; }
.kpis { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 16px; }
.kpi { border: 1px solid #e5e7eb; border-radius: 6px; padding: 6px 12px; }
.kpi b { display: block; font-size: 20px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 16px;
        margin-bottom: 16px; }
section { border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px; min-width: 0; margin-bottom: 16px; }
.grid section { margin-bottom: 0; }
.vis { width: 100%; min-height: 120px; }
.note { color: #4b5563; font-size: 13px; margin: 4px 0 8px; }
details { margin-top: 8px; } summary { cursor: pointer; color: #1f2937; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; } td.num { white-space: nowrap; }
th { background: #f9fafb; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer;
            color: inherit; text-align: inherit; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }
th[aria-sort=descending] button::after { content: " \\25BC"; }
tr.summary td { border-top: 2px solid #9ca3af; font-style: italic; }
tr.summary + tr.summary td { border-top: 1px solid #e5e7eb; }
td.off { font-weight: 700; background: #eceff3; }
.mark { font-weight: 700; }
"""

# Click a column heading of a .sortable table to sort by it (again: the other way); cells sort
# by their data-sort value. Rows marked .summary stay at the bottom. Without script the table
# keeps the order it was written in.
SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('thead th').forEach(function (th, column) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(button);
    button.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('thead th').forEach(function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.classList.contains('summary'); });
      var key = function (row) {
        var cell = row.cells[column];
        var value = cell.getAttribute('data-sort');
        if (value === null) { value = cell.textContent; }
        var number = parseFloat(value);
        return value === '' ? null : (isNaN(number) ? value.toLowerCase() : number);
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === y) { return 0; }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        return (x < y ? -1 : 1) * (ascending ? 1 : -1);
      });
      var summaries = Array.prototype.slice.call(body.querySelectorAll('tr.summary'));
      rows.concat(summaries).forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


@dataclass(frozen=True)
class Column:
    """One table column: heading, how a row's cell reads, and whether it is a number."""

    heading: str
    cell: Callable[[object], "Cell"]
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    """Cell content as safe HTML, the value it sorts by, and a CSS class."""

    html: str
    sort: object = None
    css: str = ""


def text_cell(value: object) -> Cell:
    text = plain(value)
    return Cell(escape(text), text)


def call_cell(call_id: object) -> Cell:
    """A call id linked to its coaching page."""
    text = plain(call_id)
    return Cell(f'<a href="{escape(call_page_href(text))}">{escape(text)}</a>', text)


def call_columns() -> list[Column]:
    """How every list of calls starts: the call (linked to its page), its day and its seller."""
    return [
        Column("call", lambda r: call_cell(r["call_id"])),
        Column("date", lambda r: text_cell(f"{r['call_date']:%Y-%m-%d}")),
        Column("seller", lambda r: text_cell(r["seller_name"])),
    ]


def table(rows: pd.DataFrame, columns: Sequence[Column], *, sortable: bool = False,
          summary_rows: pd.DataFrame | None = None, empty: str = "No calls.") -> str:
    """An HTML table of ``rows``; ``summary_rows`` (medians, targets) come last and stay there."""
    if rows.empty:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f'<th{_num(c)} scope="col">{escape(c.heading)}</th>' for c in columns)
    body = [_row(r, columns, "") for r in rows.to_dict("records")]
    if summary_rows is not None:
        body.extend(_row(r, columns, ' class="summary"') for r in summary_rows.to_dict("records"))
    css = ' class="sortable"' if sortable else ""
    return (f'<div class="scroll"><table{css}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(body) + "\n</tbody>\n</table></div>")


def _row(row: dict, columns: Sequence[Column], attributes: str) -> str:
    cells = []
    for column in columns:
        cell = column.cell(row)
        sort = "" if cell.sort is None else f' data-sort="{escape(cell.sort)}"'
        classes = " ".join(c for c in ("num" if column.numeric else "", cell.css) if c)
        css = f' class="{classes}"' if classes else ""
        cells.append(f"<td{css}{sort}>{cell.html}</td>")
    return f"<tr{attributes}>{''.join(cells)}</tr>"


def _num(column: Column) -> str:
    return ' class="num"' if column.numeric else ""


def _number(value: object) -> object:
    return None if missing(value) else float(value)


def missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def plain(value: object) -> str:
    return "" if missing(value) else str(value)


def percent(value: object) -> str:
    return "n/a" if missing(value) else f"{float(value):.0%}"


def clock(seconds: object) -> str:
    """Seconds as m:ss; ``never`` when missing."""
    if missing(seconds):
        return "never"
    minutes, rest = divmod(int(round(float(seconds))), 60)
    return f"{minutes}:{rest:02d}"


def page(title: str, body: str, *, scripts: Sequence[str] = ()) -> str:
    """A whole HTML page that loads nothing from outside; ``scripts`` run at the end of body."""
    tail = "".join(f"<script>{script}</script>\n" for script in scripts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
{body}
{tail}</body>
</html>
"""


def navigation(overview: str, scorecard: str, shown: str) -> str:
    """Links between the overview and the scorecard, and what both are filtered to (``shown``)."""
    scope = f'<div class="meta">Filtered: {escape(shown)}</div>' if shown else ""
    return (f'<nav><a href="{escape(overview)}">Overview</a>'
            f'<a href="{escape(scorecard)}">Seller scorecard</a></nav>{scope}')


def section(heading: str, content: str, *, note: str = "") -> str:
    """A titled box; its id is the heading in lower case with dashes (``#won-versus-lost``)."""
    hint = f'<p class="note">{escape(note)}</p>\n' if note else ""
    anchor = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
    return f'<section id="{anchor}">\n<h2>{escape(heading)}</h2>\n{hint}{content}\n</section>\n'


def write_atomically(path: Path, text: str) -> None:
    """Write a page (creating its folder) so a reader sees the old file or the new one, never half."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise WarehouseError(f"cannot write {path}: {exc.strerror}") from None
