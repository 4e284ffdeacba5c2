"""Where the dashboard writes each call's coaching page, relative to the dashboard file.

Every place the dashboard shows a call id links there, so the file name must be safe for any
call id (slashes, spaces, bidi controls, non-ASCII): percent-encoded, like a URL path segment.
"""
from __future__ import annotations

from urllib.parse import quote

CALL_PAGES_DIR = "calls"


def call_page_href(call_id: str) -> str:
    """The coaching page of ``call_id``, relative to the dashboard's folder."""
    return f"{CALL_PAGES_DIR}/{quote(call_id, safe='')}.html"
