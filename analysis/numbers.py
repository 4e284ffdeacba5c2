"""Numbers in transcripts, in digits ("$25,000", "25k", "1.5m") or words ("twenty five thousand",
"a hundred and twenty k", "one forty nine"), found as spans of a token list."""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {"thousand": 1e3, "k": 1e3, "grand": 1e3, "million": 1e6, "mil": 1e6, "m": 1e6,
          "billion": 1e9, "bn": 1e9}
_DIGITS = re.compile(r"^([$£€])?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?([km]|bn)?$")


@dataclass(frozen=True)
class Number:
    """A number spanning ``tokens[start:end]``; ``symbol`` is a leading currency sign if any."""

    value: float
    start: int
    end: int
    symbol: str | None = None
    scaled: bool = False


def split_tokens(text: str) -> list[str]:
    """Whitespace tokens of normalised text, hyphenated number words split ("twenty-five")."""
    out: list[str] = []
    for tok in text.split():
        parts = tok.split("-")
        if len(parts) > 1 and all(p in UNITS or p in TENS for p in parts):
            out.extend(parts)
        else:
            out.append(tok)
    return out


def find_numbers(toks: list[str]) -> list[Number]:
    """Every number in ``toks``, left to right, with its token span."""
    found: list[Number] = []
    i = 0
    while i < len(toks):
        number = _digit_number(toks, i) or _word_number(toks, i)
        if number is None:
            i += 1
            continue
        found.append(number)
        i = number.end
    return found


def _digit_number(toks: list[str], i: int) -> Number | None:
    tok = toks[i]
    symbol = None
    if tok in {"$", "£", "€"} and i + 1 < len(toks):
        symbol, tok, i = tok, toks[i + 1], i + 1
        start = i - 1
    else:
        start = i
    m = _DIGITS.match(tok)
    if not m:
        return None
    value = float(m.group(2).replace(",", "") + ("." + m.group(3) if m.group(3) else ""))
    end, scaled = i + 1, False
    if m.group(4):
        value *= SCALES[m.group(4)]
        scaled = True
    elif end < len(toks) and toks[end] in SCALES:
        value *= SCALES[toks[end]]
        end, scaled = end + 1, True
    return Number(value, start, end, symbol or m.group(1), scaled)


def _word_number(toks: list[str], i: int) -> Number | None:
    """Spoken numbers, including prices said as digit pairs ("one forty nine" = 149)."""
    total, current, j, last = 0.0, 0.0, i, None
    decimals: str | None = None
    scaled = False
    while j < len(toks):
        tok = toks[j]
        if decimals is not None:
            if tok in UNITS and UNITS[tok] < 10:
                decimals += str(UNITS[tok])
                j += 1
                continue
            break
        if tok in UNITS:
            value = UNITS[tok]
            if last == "tens" and value < 10:
                current += value
            elif last in {"unit", "tens", "teen"}:
                if value < 10 or current >= 100:
                    break
                current = current * 100 + value
            else:
                current += value
            last = "unit" if value < 10 else "teen"
        elif tok in TENS:
            if last in {"unit", "teen", "tens"} and current % 100:
                if current >= 100:
                    break
                current = current * 100 + TENS[tok]
            else:
                current += TENS[tok]
            last = "tens"
        elif tok == "hundred" and last is not None or tok == "hundred" and _a_before(toks, i, j):
            current = (current or 1) * 100
            last = "hundred"
        elif tok in SCALES and (last is not None or _a_before(toks, i, j)) and tok not in {"m", "bn"}:
            if tok in {"k", "grand"} and last is None:
                break
            total += (current or 1) * SCALES[tok]
            current, last, scaled = 0.0, "scale", True
        elif tok == "and" and last in {"hundred", "scale"} and j + 1 < len(toks) and (
            toks[j + 1] in UNITS or toks[j + 1] in TENS
        ):
            pass
        elif tok == "a" and j == i and j + 1 < len(toks) and toks[j + 1] in {"hundred", "thousand", "million"}:
            pass
        elif tok == "point" and last in {"unit", "teen", "tens"} and j + 1 < len(toks) and toks[j + 1] in UNITS:
            decimals = ""
        else:
            break
        j += 1
    if last is None:
        return None
    value = total + current
    if decimals:
        value = float(f"{int(value)}.{decimals}")
    return Number(value, i, j, None, scaled)


def _a_before(toks: list[str], start: int, j: int) -> bool:
    return j == start + 1 and toks[start] == "a"
