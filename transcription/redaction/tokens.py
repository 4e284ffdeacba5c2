"""Digits as a recogniser writes or a speaker says them: "4532,", "(415)", "oh eight", "double five".

A *digit item* is one or more consecutive tokens that stand for a string of digits. Runs of
adjacent items ("4532, 1488, 0343, 6467", "four one five five five five") are what the
detectors classify as card, phone, account or id numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"zero": 0, "oh": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
         "six": 6, "seven": 7, "eight": 8, "nine": 9}
TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
REPEATS = {"double": 2, "triple": 3}
# Said between the groups of a number without ending it.
SEPARATORS = frozenset({"-", "–", "dash", "hyphen", "slash", "/"})
# Punctuation a recogniser attaches to a word; "(" ")" "+" "$" stay, they carry meaning.
EDGE_PUNCTUATION = ".,;:!?\"'“”‘’…"
_NUMERAL = re.compile(r"^\+?\(?\d[\d,.\-/()]*$")
CURRENCY_SYMBOLS = "$£€"
# An amount as people write one: "$30", "$30,000", "£7.50". A currency sign before anything else
# ("$4,532,0151,1283,0366": a card number the recogniser took for money) is not an amount.
_AMOUNT = re.compile(r"^[$£€](?:\d{1,3}(?:,\d{3}){0,3}|\d{1,9})(?:\.\d+)?$")


def is_amount(token: str) -> bool:
    """A currency sign and a plausible written amount."""
    return bool(_AMOUNT.match(token))


@dataclass(frozen=True)
class DigitItem:
    """Tokens ``first``..``last`` (inclusive) say ``digits``."""

    first: int
    last: int
    digits: str
    plus: bool = False   # "+44 ..." (international phone number)
    slash: bool = False  # "08/27", "3/15/2026": a date, never an account or phone number


def core(token: str) -> str:
    """The token without the punctuation a recogniser attaches to its edges."""
    return token.strip().strip(EDGE_PUNCTUATION)


def digit_item(tokens: list[str], i: int) -> DigitItem | None:
    """The digit item that starts at ``tokens[i]``, or None."""
    word = core(tokens[i])
    if word[:1] in CURRENCY_SYMBOLS and not is_amount(word):
        word = word[1:]
    if _NUMERAL.match(word):
        return DigitItem(i, i, re.sub(r"\D", "", word), plus=word.startswith("+"), slash="/" in word)
    lower = word.lower()
    nxt = core(tokens[i + 1]).lower() if i + 1 < len(tokens) else ""
    if lower in REPEATS and nxt in UNITS:
        return DigitItem(i, i + 1, str(UNITS[nxt]) * REPEATS[lower])
    if lower in ("zero", "oh", "nought"):
        return DigitItem(i, i, "0")
    return _cardinal(tokens, i)


def _cardinal(tokens: list[str], i: int) -> DigitItem | None:
    """A number said as words, read greedily while the words can still be one number:
    "seven hundred thirty one" is 731; "four fifteen" is 4 then 15; "twenty twenty six" is 20, 26."""
    total, group, last, end = 0, 0, None, None
    j = i
    while j < len(tokens):
        parts = core(tokens[j]).lower().split("-")
        if len(parts) > 1 and not all(p in UNITS or p in TEENS or p in TENS for p in parts):
            break
        if len(parts) > 1 and not (len(parts) == 2 and parts[0] in TENS and parts[1] in UNITS):
            if last is not None:  # "four-one-five" is its own item
                break
            return DigitItem(i, j, "".join(str(UNITS.get(p, TEENS.get(p, TENS.get(p)))) for p in parts))
        step = _cardinal_step(parts, group, last)
        if step is None:
            if parts == ["and"] and last in ("hundred", "thousand"):
                j += 1
                continue
            break
        value, last, scale = step
        if scale == 1000:
            total, group = (total + group) * 1000, 0
        elif scale == 100:
            group *= 100
        else:
            group += value
        end = j
        j += 1
    if end is None:
        return None
    return DigitItem(i, end, str(total + group))


def _cardinal_step(parts: list[str], group: int, last: str | None) -> tuple[int, str, int] | None:
    """(value, kind, scale) of the next word if it continues the number so far, else None."""
    if len(parts) == 2:
        return (TENS[parts[0]] + UNITS[parts[1]], "unit", 0) if last in (None, "hundred", "thousand") else None
    word = parts[0]
    if word in UNITS and word not in ("zero", "oh", "nought"):
        return (UNITS[word], "unit", 0) if last in (None, "tens", "hundred", "thousand") else None
    if word in TEENS:
        return (TEENS[word], "teen", 0) if last in (None, "hundred", "thousand") else None
    if word in TENS:
        return (TENS[word], "tens", 0) if last in (None, "hundred", "thousand") else None
    if word == "hundred" and last in ("unit", "teen") and group < 100:
        return 0, "hundred", 100
    if word == "thousand" and last in ("unit", "teen", "tens", "hundred") and group < 1000:
        return 0, "thousand", 1000
    return None
