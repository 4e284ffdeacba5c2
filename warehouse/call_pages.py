"""The coaching pages a dashboard export writes: one per exported call, in ``calls/`` beside it.

A nightly export re-renders only what changed. ``calls/.pages.json`` keeps, per page written, a
fingerprint of everything the page shows: the call's ``v_calls`` row (its ``processed_at`` moves
whenever the pipeline rewrites the call's utterances and price mentions), the recording link, the
way back to the overview, and the page's template and code. A page whose fingerprint is unchanged
and whose file is still there is left alone; pages of calls no longer exported (deleted, or outside
the dashboard's filter) are removed.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from analysis.types import LabelledUtterance, PriceMention
from warehouse.coaching import Recording, recording, relative_url, render_call_page
from warehouse.html import write_atomically
from warehouse.links import CALL_PAGES_DIR, call_page_path

log = logging.getLogger(__name__)

INDEX_NAME = ".pages.json"
CALLS_PER_QUERY = 200

_CALLS_SQL = "SELECT * FROM v_calls ORDER BY call_id"
_UTTERANCES_SQL = """
SELECT call_id, idx, speaker, role, start_s, end_s, text, label, label_confidence, cues, is_question,
       price_mention, push_kind, push_kind_confidence
FROM utterances WHERE call_id IN (SELECT unnest($ids)) ORDER BY call_id, start_s, end_s, idx
"""
_PRICES_SQL = """
SELECT call_id, utterance_idx, start_s, speaker, role, text, cue, kind, amount, amount_high,
       currency, period, unit
FROM price_mentions WHERE call_id IN (SELECT unnest($ids)) ORDER BY call_id, start_s, idx
"""


@dataclass(frozen=True)
class CallPages:
    """What an export did to the call pages."""

    written: int
    unchanged: int
    removed: int


def write_call_pages(con: duckdb.DuckDBPyConnection, dashboard_html: Path, *,
                     call_ids: Collection[str] | None = None, audio: bool = True) -> CallPages:
    """Bring ``calls/`` beside ``dashboard_html`` up to date with the calls in ``call_ids``
    (default: every call of the warehouse ``con`` reads)."""
    folder = dashboard_html.parent / CALL_PAGES_DIR
    index_path = folder / INDEX_NAME
    before = _read_index(index_path)
    calls = [c for c in _records(con.execute(_CALLS_SQL)) if call_ids is None or c["call_id"] in call_ids]
    overview_href = relative_url(dashboard_html, folder)
    code = _page_code()
    pages = []
    for call in calls:
        page = dashboard_html.parent / call_page_path(call["call_id"])
        source = recording(call.get("source_location"), page.parent, audio=audio)
        pages.append((call, source, page, _fingerprint(call, source, overview_href, code)))
    after = {call["call_id"]: fingerprint for call, _, _, fingerprint in pages}
    stale = [(call, source, page) for call, source, page, fingerprint in pages
             if before.get(call["call_id"]) != fingerprint or not page.is_file()]
    try:
        for start in range(0, len(stale), CALLS_PER_QUERY):
            batch = stale[start:start + CALLS_PER_QUERY]
            ids = [call["call_id"] for call, _, _ in batch]
            utterances = _grouped(_records(con.execute(_UTTERANCES_SQL, {"ids": ids})))
            prices = _grouped(_records(con.execute(_PRICES_SQL, {"ids": ids})))
            for call, source, page in batch:
                html = render_call_page(
                    call, [_utterance(u) for u in utterances.get(call["call_id"], [])],
                    [_price_mention(p) for p in prices.get(call["call_id"], [])],
                    recording=source, overview_href=overview_href,
                )
                write_atomically(page, html)
                before[call["call_id"]] = after[call["call_id"]]
    finally:
        # Pages written so far are recorded even when a later one fails, so the next export skips them.
        current = {call_id: fingerprint for call_id, fingerprint in before.items() if after.get(call_id) == fingerprint}
        removed = _remove_pages(dashboard_html.parent, set(before) - set(after))
        if calls or index_path.exists():
            write_atomically(index_path, json.dumps(current, sort_keys=True))
    result = CallPages(written=len(stale), unchanged=len(calls) - len(stale), removed=removed)
    log.info("call pages in %s: %d written, %d unchanged, %d removed", folder, result.written, result.unchanged,
             result.removed)
    return result


def _fingerprint(call: dict, source: Recording, overview_href: str, code: str) -> str:
    shown = json.dumps([call, source.src, source.missing_because, overview_href, code], sort_keys=True, default=str)
    return hashlib.sha256(shown.encode()).hexdigest()


def _page_code() -> str:
    """The template and the code that render a page: a new version re-renders every page."""
    parts = [resources.files("warehouse").joinpath("call_page.html").read_bytes()]
    parts += [resources.files("warehouse").joinpath(name).read_bytes() for name in ("coaching.py", "safe_text.py")]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _read_index(path: Path) -> dict[str, str]:
    """The fingerprints of the pages written before; an unreadable index re-renders every page."""
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in index.items()} if isinstance(index, dict) else {}


def _remove_pages(dashboard_folder: Path, call_ids: set[str]) -> int:
    removed = 0
    for call_id in call_ids:
        try:
            (dashboard_folder / call_page_path(call_id)).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _utterance(row: dict) -> LabelledUtterance:
    return LabelledUtterance(
        idx=row["idx"], speaker=row["speaker"], role=row["role"], start=row["start_s"], end=row["end_s"],
        text=row["text"], label=row["label"], label_confidence=row["label_confidence"],
        cues=tuple(row["cues"] if row["cues"] is not None else ()), is_question=bool(row["is_question"]),
        price_mention=bool(row["price_mention"]), push_kind=row["push_kind"],
        push_kind_confidence=row["push_kind_confidence"],
    )


def _price_mention(row: dict) -> PriceMention:
    return PriceMention(
        utterance_idx=row["utterance_idx"], start=row["start_s"], speaker=row["speaker"], role=row["role"],
        text=row["text"], cue=row["cue"], kind=row["kind"], amount=row["amount"], amount_high=row["amount_high"],
        currency=row["currency"], period=row["period"], unit=row["unit"],
    )


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _grouped(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["call_id"], []).append(row)
    return grouped
