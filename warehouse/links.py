"""Where the dashboard writes each call's coaching page, relative to the dashboard file.

Every place the dashboard shows a call id links there, so the file name must be safe for any
call id (slashes, spaces, bidi controls, non-ASCII): the id percent-encoded, like a URL path
segment. That name holds ``%`` signs, so a link to it encodes them once more (``%25``).
"""
from __future__ import annotations

from urllib.parse import quote

CALL_PAGES_DIR = "calls"


def call_page_path(call_id: str) -> str:
    """The coaching page's file, relative to the dashboard's folder (``/``-separated)."""
    return f"{CALL_PAGES_DIR}/{quote(call_id, safe='')}.html"


def call_page_href(call_id: str) -> str:
    """The link to the coaching page of ``call_id``, relative to the dashboard's folder."""
    return quote(call_page_path(call_id))
