"""A dashboard export re-renders only the call pages that changed, and keeps calls/ to the calls it shows."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import duckdb

import warehouse_rows as rows
from warehouse import dashboard
from warehouse.call_pages import INDEX_NAME
from warehouse.filtered import CallFilter
from warehouse.links import call_page_path

ALL_CALLS = {"a1", "a2", "a3", "b1", "b2", "z9"}


def pages(out) -> dict[str, int]:
    """Call id -> modification time (ns) of every page in calls/."""
    found = {}
    for call_id in ALL_CALLS:
        page = out.parent / call_page_path(call_id)
        if page.exists():
            found[call_id] = page.stat().st_mtime_ns
    return found


def test_a_second_export_of_an_unchanged_warehouse_rewrites_no_call_page(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    out = dashboard(wh.path, tmp_path / "report.html", audio=False)
    first = pages(out)
    assert set(first) == ALL_CALLS
    dashboard(wh.path, out, audio=False)
    assert pages(out) == first


def test_a_rewritten_call_gets_a_new_page_and_only_it(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    out = tmp_path / "report.html"
    dashboard(wh.path, out, audio=False)
    first = pages(out)
    call = rows.analysis(4)
    changed = replace(call.utterances[0], text="A brand new opening line.")
    call = replace(call, utterances=(changed,) + call.utterances[1:])
    wh.write_call(rows.record("a1", processed_at=datetime(2026, 3, 20, 2)), call, rows.words_of(call))
    dashboard(wh.path, out, audio=False)
    again = pages(out)
    assert {c for c in ALL_CALLS if again[c] != first[c]} == {"a1"}
    assert "A brand new opening line." in (out.parent / call_page_path("a1")).read_text()


def test_settings_that_change_every_page_rerender_every_page(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    out = tmp_path / "report.html"
    dashboard(wh.path, out, audio=False)
    first = pages(out)
    dashboard(wh.path, out, audio=True)  # the player (or why there is none) is on every page
    assert all(pages(out)[c] != first[c] for c in ALL_CALLS)


def test_a_filtered_export_keeps_only_its_calls_pages_and_a_deleted_call_loses_its_page(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    out = tmp_path / "report.html"
    dashboard(wh.path, out, audio=False)
    dashboard(wh.path, out, audio=False, call_filter=CallFilter(sellers=("s2",)))
    assert set(pages(out)) == {"b1", "b2"}
    with duckdb.connect(str(wh.path)) as con:
        for table in ("utterances", "words", "price_mentions", "call_metrics", "calls"):
            con.execute(f"DELETE FROM {table} WHERE call_id = 'b1'")
    dashboard(wh.path, out, audio=False, call_filter=CallFilter(since=date(2026, 3, 1)))
    assert set(pages(out)) == ALL_CALLS - {"b1"}


def test_a_missing_page_or_a_damaged_index_is_rendered_again(tmp_path):
    wh = rows.sample_warehouse(tmp_path / "calls.duckdb")
    out = tmp_path / "report.html"
    dashboard(wh.path, out, audio=False)
    (out.parent / call_page_path("a2")).unlink()
    first = pages(out)
    dashboard(wh.path, out, audio=False)
    assert set(pages(out)) == ALL_CALLS and pages(out)["a3"] == first["a3"]
    (out.parent / "calls" / INDEX_NAME).write_text("{not json")
    dashboard(wh.path, out, audio=False)
    assert all(pages(out)[c] != first[c] for c in first)
