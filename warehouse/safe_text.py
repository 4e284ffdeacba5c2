"""Text from the data made safe to show and to open: bidi controls shown, formulas defused.

A call id, manifest field or transcript can carry characters that a viewer obeys instead of
showing: a right-to-left override makes ``m3<U+202E>gnp.exe`` display as "m3exe.png", and a
CSV cell starting with ``=`` runs as a formula in a spreadsheet.
"""
from __future__ import annotations

import re
from html import escape

__all__ = ["BIDI_CONTROLS", "FORMULA_PREFIXES", "csv_formula_guard_sql", "html_text", "show_bidi_controls"]

# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069), the LRM/RLM marks and ALM.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# OWASP's CSV-injection rule: cells starting with these are prefixed with a single quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def show_bidi_controls(text: str) -> str:
    """Each bidi control character replaced by its visible name, e.g. ``<U+202E>``."""
    return _BIDI.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text)


def html_text(text: object, quote: bool = True) -> str:
    """``text`` escaped for HTML, with bidi controls shown instead of obeyed."""
    return escape(show_bidi_controls(str(text)), quote=quote)


def csv_formula_guard_sql(column: str) -> str:
    """SQL for a VARCHAR column whose values starting like a formula get a leading single quote."""
    quoted = '"' + column.replace('"', '""') + '"'
    return (f"CASE WHEN regexp_matches({quoted}, '^[=+\\-@\\t\\r]') THEN '''' || {quoted} "
            f"ELSE {quoted} END AS {quoted}")
