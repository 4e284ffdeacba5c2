"""Money amounts in what people say and in what Whisper writes.

"$30,000", "€18,000", "£7.50", "thirty thousand dollars a year", "twelve k", "a quarter million",
"one fifty a seat", "one oh five a month", "between forty and sixty thousand", "thirty seven
pounds and eighty cents", "one point two million over the three-year term".

Written money is read by ``price-parser`` and runs of number words by ``text2num``. This module
adds only what neither covers: "a" for one, decimals said with "point", scale words after a
number ("1.2 million", "12 k", "ten grand"), fractions of a scale ("half a million"), prices said
as digit pairs ("one forty nine" = 149, "nineteen ninety nine" = 19.99) and with "oh" for zero,
ranges whose scale is said once, cents and pence, the currency said after the number, what the
amount is per (period and unit), and the number slips Whisper makes ("for the thousand dollars"
for "forty thousand dollars").
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from price_parser import Price
from text_to_num import text2num

PERIODS = ("year", "quarter", "month", "week", "day", "hour", "minute", "one_time", "term")
EVIDENCE = ("currency", "rate", "scaled", "bare")
"""How sure it is that a number is money, strongest first: a currency was named; it is per a
period or unit; it is a round sum said with a scale ("sixty thousand", "12k"); a plain number."""

CURRENCY_SIGNS = {
    "$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "a$": "AUD", "au$": "AUD",
    "c$": "CAD", "ca$": "CAD", "nz$": "NZD", "s$": "SGD", "hk$": "HKD", "r$": "BRL",
}
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR",
    "eur": "EUR", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP", "gbp": "GBP",
    "rupees": "INR", "rupee": "INR", "inr": "INR", "yen": "JPY", "francs": "CHF", "franc": "CHF",
    "chf": "CHF", "rand": "ZAR", "pesos": "MXN", "reais": "BRL", "dirhams": "AED", "yuan": "CNY",
    "kronor": "SEK", "krona": "SEK", "kroner": "NOK", "zloty": "PLN", "aud": "AUD", "cad": "CAD",
}
_DOLLAR_COUNTRIES = {"australian": "AUD", "canadian": "CAD", "singapore": "SGD", "kiwi": "NZD", "zealand": "NZD",
                     "hong": "HKD", "us": "USD", "american": "USD"}
_SUBUNITS = {"cents": 100, "cent": 100, "pence": 100, "p": 100}
_SCALES = {"thousand": 1e3, "k": 1e3, "grand": 1e3, "million": 1e6, "mil": 1e6, "m": 1e6, "mm": 1e6,
           "billion": 1e9, "bn": 1e9, "b": 1e9}
_DIGIT_SCALES = frozenset({"k", "m", "mm", "mil", "bn", "b"})  # only right after digits ("25k", "$1.5m")
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand million billion".split()
)
_DIGIT_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())} | {"oh": 0}
_PERIOD_WORDS = {
    "year": "year", "years": "year", "yr": "year", "annum": "year", "quarter": "quarter", "month": "month",
    "months": "month", "mo": "month", "week": "week", "weeks": "week", "day": "day", "days": "day",
    "hour": "hour", "hours": "hour", "hr": "hour", "minute": "minute", "minutes": "minute", "min": "minute",
}
_PERIOD_ADVERBS = {"annually": "year", "yearly": "year", "annual": "year", "pa": "year", "quarterly": "quarter",
                   "monthly": "month", "weekly": "week", "daily": "day", "hourly": "hour"}
_PER = frozenset({"a", "an", "per", "each", "every", "/"})
_CENTS_ENDINGS = frozenset({95.0, 99.0})
_FRACTIONS = (["and", "a", "half"], ["and", "a", "quarter"], ["and", "three", "quarters"])
_SMALL_UNITS = frozenset({"hour", "minute", "mile", "pound", "kilo", "kg", "litre", "liter", "gallon", "case", "unit", "piece",
                          "item", "box", "message", "call", "transaction", "click", "page", "scan", "sample", "test"})
# Units priced in dollars and cents even when the dollars are a single digit: "one twenty per order"
# is 1.20, where "one twenty per user" is 120.
_CENT_UNITS = frozenset({"mile", "pound", "lb", "kilo", "kg", "litre", "liter", "gallon", "order", "parcel", "package",
                         "label", "pick", "transaction", "message", "text", "click", "page", "scan", "piece", "item", "minute"})
# Words before a digit pair said at the end of a clause that make it a price ("a flat three fifty").
_PRICE_WORDS_BEFORE = frozenset({"flat", "fixed", "time", "off", "upfront", "costs", "cost", "charge", "charges", "pay",
                                 "paying", "price", "priced", "fee", "total"})
_FIGURE_LEAD_INS = frozenset({"is", "it's", "its", "that's", "thats", "was", "be", "of", "than", "to", "so", "only", "just",
                              "about", "around", "roughly", "do"})
_FIGURE_FOLLOWERS = frozenset({".", ",", "?", "!", ";", "and", "but", "so", "instead", "for", "in", "if", "then", "with",
                               "all", "altogether", "total", "now"})
_FIGURE_JUDGED = frozenset({"is", "sounds", "works", "seems"})
_PRICE_TERMS_AFTER = frozenset({"upfront", "flat", "each", "apiece", "installed", "fitted", "delivered", "plus", "including"})
_COMPOUND_UNITS = {("kilowatt", "hour"), ("megawatt", "hour"), ("square", "foot"), ("square", "feet"),
                   ("square", "metre"), ("square", "meter"), ("named", "user"), ("active", "user"),
                   ("full", "time"), ("cubic", "metre"), ("cubic", "meter")}
# Words that may follow an amount without making it a count of something ("fifty thousand FOR...").
_NOT_COUNTED = frozenset(
    "for to in on at with including includes plus up down all total flat upfront and or but is was "
    "would will could should sounds seems feels works is it's that's this that these those if before "
    "after over under tops max maximum minimum min ish so give or the then which because as we you they "
    "i he she our your their from by per a an each every what when where there here yet right okay "
    "ok now fixed list net gross more less off back instead rather than once were we're budgeted earmarked allocated approved range ballpark roughly about around including "
    "across through until since set spread split last next already "
    "excluding inclusive exclusive all-in installed fitted delivered apiece".split()
) | frozenset(_PERIOD_ADVERBS) | frozenset(_CURRENCY_WORDS) | frozenset(_SUBUNITS)
_ONE_TIME = re.compile(r"\b(?:one time|one off|once off|upfront|up front|set ?up fee|setup|installation|"
                       r"implementation fee|activation fee|onboarding fee|one payment|single payment|lump sum)\b")
_TERM = re.compile(r"\b(?:(?:over|across) (?:the )?(?:\w+ )?(?:year )?(?:term|contract|life of the contract|years)|"
                   r"(?:whole|entire|full) (?:term|contract)|total contract value|for the (?:\w+ )?years)\b")
_YEAR_PHRASE = re.compile(r"\b(?:(?:in|for) the (?:first |second |third )?year|(?:this|next|last) year|"
                          r"for the year|year one)\b")
_RANGE_WORDS = frozenset({"to", "and", "or", "-", "–"})
_TOKEN = re.compile(
    r"(?P<money>(?:[a-z]{1,2})?[$€£¥₹] ?\d+(?:,\d{3})*(?:\.\d+)?|\d+(?:,\d{3})*(?:\.\d+)? ?[€£])"
    r"|(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"|(?P<word>[a-z]+(?:'[a-z]+)?)"
    r"|(?P<punct>[.?!;:,%/\-–])"
)
_SLIPS = (
    # Whisper hears "forty" as "for the" before a scale; only where an amount of money follows.
    (re.compile(r"\b(around|about|roughly|be|is|at|only|just|under|over|maybe|like|paying|pay) for the "
                r"(?:(thousand|hundred|million) (dollars?|pounds?|euros?|bucks|a year|a month|per)|\$1,000\b)"),
     lambda m: f"{m[1]} forty {m[2]} {m[3]}" if m[2] else f"{m[1]} $40,000"),
    (re.compile(r"\bfourty\b"), lambda m: "forty"),
    # Older tools joined Whisper's tokens with spaces: "$30 ,000".
    (re.compile(r"(\d) ,(\d{3})\b"), lambda m: f"{m[1]},{m[2]}"),
)


@dataclass(frozen=True)
class Amount:
    """One amount of money. ``high`` is the top of a range ("between forty and sixty thousand")."""

    value: float
    currency: str | None = None
    period: str | None = None
    unit: str | None = None
    high: float | None = None
    evidence: str = "bare"
    text: str = ""
    final: bool = False  # the figure the sentence lands on: a total, or a new price said against the old


@dataclass(frozen=True)
class _Num:
    """A number over ``toks[start:end]``; ``scale`` is the scale word said with it (1e3 for
    "sixty thousand" or "12k", 100 for "three hundred"), None for plain digits."""

    value: float
    start: int
    end: int
    currency: str | None = None
    spoken: bool = False
    scale: float | None = None
    high: float | None = None


def find_amounts(text: str) -> list[Amount]:
    """Every number in ``text`` that can be money, in order; counts, percentages, years and
    multipliers ("fifty trucks", "8%", "2024", "three times") are left out."""
    toks = tokens(text)
    amounts = []
    for n in _combine(toks, _numbers(toks)):
        amount = _as_amount(toks, n)
        if amount is not None:
            amounts.append(replace(amount, final=True) if _said_as_final(toks, n, bool(amounts)) else amount)
    return amounts


_TOTAL_BEFORE = (("so",), ("that's",), ("thats",), ("that", "is"), ("which", "is"), ("making",), ("totalling",),
                 ("comes", "to"), ("total", "of"), ("all", "in"), ("altogether",), ("otherwise",))
_TOTAL_AFTER = (("in", "total"), ("all", "in"), ("altogether",), ("total",))
_COVERS = frozenset({"for", "across", "with"})
_PUNCTUATION = frozenset(".?!;:,")
_SUBJECTS = frozenset({"i", "we", "you", "they", "it", "he", "she", "there"})
_INSTEAD = (("instead",), ("rather", "than"))
_HEDGES = frozenset({"about", "around", "roughly", "just", "only", "then", "it's", "its", "like"})


def _said_as_final(toks: list[str], n: _Num, after_another: bool) -> bool:
    """A number said as the new price against the old ("nine hundred instead of a thousand"), or,
    after another, as their sum or outcome ("so fourteen hundred", "that's $98 a month in total")."""
    after = toks[n.end : n.end + 6]
    if any(tuple(after[i : i + len(w)]) == w for w in _INSTEAD for i in range(4)):
        return True
    if not after_another:
        return False
    start = n.start
    while start and toks[start - 1] in _HEDGES:
        start -= 1
    if any(_total_word_ends(toks, k) for k in [start] + _what_the_total_covers(toks, start)):
        return True
    return any(tuple(after[i : i + len(w)]) == w for w in _TOTAL_AFTER for i in range(len(after)))


def _total_word_ends(toks: list[str], k: int) -> bool:
    return any(tuple(toks[max(0, k - len(w)):k]) == w for w in _TOTAL_BEFORE)


def _what_the_total_covers(toks: list[str], start: int) -> list[int]:
    """Where a short phrase of what a total covers opens, right before the figure ("so for your
    twenty drivers two hundred and forty"): "for", "across" or "with" at most five words back,
    with no punctuation and no new clause ("so for the setup we charge...") between."""
    out = []
    for k in range(start - 1, max(-1, start - 7), -1):
        if toks[k] in _PUNCTUATION or toks[k] in _SUBJECTS:
            break
        if toks[k] in _COVERS:
            out.append(k)
    return out


def best_amount(amounts: list[Amount]) -> Amount | None:
    """The amount a price mention is about: the last one said as the figure it lands on (a total,
    "$49 a seat, so $98 a month in total"; a new price, "nine hundred instead of a thousand"),
    unless it is a bare number after a named currency that does not add up to more than it (a total
    over units does: "£29 a table, so with twelve tables three hundred and forty eight"); otherwise
    the first of the strongest evidence."""
    if not amounts:
        return None
    best = min(amounts, key=lambda a: EVIDENCE.index(a.evidence))
    finals = [a for a in amounts
              if a.final and (a.evidence != "bare" or best.evidence != "currency" or a.value > best.value)]
    return finals[-1] if finals else best


IN_CALL_SCALE_PERIODS = ("year", "term")
_SAID_SCALE = frozenset(_SCALES) | {"hundred"}


def in_call_scale(amount: Amount, earlier: Sequence[Amount]) -> Amount:
    """``amount`` read in the call's context: a bare amount below 1,000 per year (or per term),
    said with no currency and no scale word ("forty five for the first year"), is in thousands
    when the call's latest earlier amount of the same period is 1,000 or more and within ten
    times of the scaled value ("$48,000 a year" before it). Otherwise it stays as said
    ("around forty for the year" with no such amount before it is 40). ``earlier``: the amounts
    of the call's earlier price mentions, in time order, as read by this rule."""
    if (amount.currency is not None or amount.value >= 1000 or amount.period not in IN_CALL_SCALE_PERIODS
            or _SAID_SCALE.intersection(tokens(amount.text))):
        return amount
    same = [a.value for a in earlier if a.period == amount.period and a.value >= 1000]
    scaled = amount.value * 1000
    if not same or not same[-1] / 10 <= scaled <= same[-1] * 10:
        return amount
    return replace(amount, value=scaled, high=amount.high * 1000 if amount.high is not None else None)


WORD_HYPHEN = re.compile(r"(?<=[a-z0-9])-(?=[a-z])")
"""A hyphen inside a spoken phrase ("twenty-five", "a $25-a-month app"), read as a space."""


def tokens(text: str) -> list[str]:
    """Lowercase tokens: written money ("$30,000"), numbers, words, punctuation."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = WORD_HYPHEN.sub(" ", text)
    for pattern, repl in _SLIPS:
        text = pattern.sub(repl, text)
    return [m.group(0).replace(" ", "") for m in _TOKEN.finditer(text)]


def _numbers(toks: list[str]) -> list[_Num]:
    """Numbers with their token spans, scale words and decimals applied."""
    found: list[_Num] = []
    i = 0
    while i < len(toks):
        n = _written(toks, i) or _spoken(toks, i)
        if n is None:
            i += 1
            continue
        n = _scaled(toks, n)
        found.append(n)
        i = n.end
    return found


def _written(toks: list[str], i: int) -> _Num | None:
    tok = toks[i]
    if not tok[0].isdigit() and not any(s in tok for s in "$€£¥₹"):
        return None
    price = Price.fromstring(tok, decimal_separator=".")
    if price.amount is None:
        return None
    currency = CURRENCY_SIGNS.get((price.currency or "").lower()) if price.currency else None
    return _Num(float(price.amount), i, i + 1, currency=currency)


def _spoken(toks: list[str], i: int) -> _Num | None:
    """A run of number words ("a hundred and twenty thousand", "one point two", "one oh five")."""
    start = i
    if toks[i] == "a" and i + 1 < len(toks) and toks[i + 1] in _CURRENCY_WORDS:
        return _Num(1.0, i, i + 1, spoken=True)  # "a dollar forty": the cents join it in ``_with_cents``
    if toks[i] == "a" and i + 1 < len(toks) and toks[i + 1] in {"hundred", "thousand", "million", "billion"}:
        i += 1
    j = i
    while j < len(toks) and (toks[j] in _NUMBER_WORDS or toks[j] == "and" and j > i and j + 1 < len(toks)
                             and toks[j + 1] in _NUMBER_WORDS and toks[j - 1] in {"hundred", "thousand", "million"}):
        if j > i and toks[j : j + 2] in (["one", "time"], ["one", "off"]):
            break
        j += 1
    value, end = None, j
    while end > i:
        try:
            value = float(text2num(" ".join(toks[i:end]), "en"))
            break
        except ValueError:
            end -= 1
    if value is None:
        return _part_of_scale(toks, start)
    if end + 1 < len(toks) and toks[end] == "point" and toks[end + 1] in _DIGIT_WORDS:
        digits, k = "", end + 1
        while k < len(toks) and toks[k] in _DIGIT_WORDS:
            digits += str(_DIGIT_WORDS[toks[k]])
            k += 1
        value, end = float(f"{int(value)}.{digits}"), k
    elif end + 1 < len(toks) and toks[end] == "oh" and toks[end + 1] in _DIGIT_WORDS and value < 100:
        value, end = value * 100 + _DIGIT_WORDS[toks[end + 1]], end + 2  # "one oh five" = 105
    said = [_SCALES[t] if t in _SCALES else 100.0 for t in toks[i:end] if t in _SCALES or t == "hundred"]
    return _Num(value, start, end, spoken=True, scale=said[-1] if said else None)


def _part_of_scale(toks: list[str], i: int) -> _Num | None:
    """ "a quarter million", "half a million", "a quarter of a million", "a couple thousand"."""
    fraction = {"half": 0.5, "quarter": 0.25, "couple": 2.0}
    j = i + (toks[i] == "a")
    if j >= len(toks) or toks[j] not in fraction:
        return None
    k = j + 1
    while k < len(toks) and toks[k] in {"a", "of"}:
        k += 1
    if k < len(toks) and toks[k] in {"million", "billion", "thousand", "mil", "k", "grand"}:
        return _Num(fraction[toks[j]] * _SCALES[toks[k]], i, k + 1, spoken=True, scale=_SCALES[toks[k]])
    return None


def _scaled(toks: list[str], n: _Num) -> _Num:
    """ "1.2 million", "12 k", "ten grand", "two and a half million", "$30 thousand"."""
    end, value = n.end, n.value
    if toks[end : end + 3] == ["and", "a", "half"] and end + 3 < len(toks) and toks[end + 3] in _SCALES:
        value, end = value + 0.5, end + 3
    if end < len(toks) and toks[end] in _SCALES and (toks[end] not in _DIGIT_SCALES or not n.spoken or toks[end] in {"k", "mil"}):
        if value < 1000 or toks[end] in {"million", "billion"}:
            return _Num(value * _SCALES[toks[end]], n.start, end + 1, n.currency, n.spoken, _SCALES[toks[end]])
    return n if end == n.end else _Num(value, n.start, end, n.currency, n.spoken, n.scale)


def _combine(toks: list[str], nums: list[_Num]) -> list[_Num]:
    """Join neighbours that say one amount: ranges, digit-pair prices and cents."""
    out: list[_Num] = []
    i = 0
    while i < len(nums):
        n = nums[i]
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        if nxt is not None:
            joined = (_range(toks, n, nxt) or _digit_pair(toks, n, nxt) or _thousands_pair(toks, n, nxt)
                      or _with_cents(toks, n, nxt))
            if joined is not None:
                out.append(joined)
                i += 2
                continue
            if _spoken_year(n, nxt):
                i += 2
                continue
        out.append(_cents_only(toks, n))
        i += 1
    return out


def _range(toks: list[str], a: _Num, b: _Num) -> _Num | None:
    """ "between forty and sixty thousand", "40 to 60k", "$40,000-$60,000"."""
    gap = toks[a.end : b.start]
    if len(gap) != 1 or gap[0] not in _RANGE_WORDS:
        return None
    if gap[0] == "and" and (a.start == 0 or toks[a.start - 1] not in {"between", "from"}):
        return None
    low = a.value
    if b.scale and not a.scale and low * b.scale <= b.value:
        low *= b.scale
    if low >= b.value or not (b.scale or b.currency or a.currency or _money_follows(toks, b.end)):
        return None
    return _Num(low, a.start, b.end, a.currency or b.currency, a.spoken, b.scale, high=b.value)


def _digit_pair(toks: list[str], a: _Num, b: _Num) -> _Num | None:
    """Prices said in pairs: "one fifty a seat" = 150, "twenty six seventy a month" = 2670,
    "nineteen ninety nine a month" = 19.99, "twenty four fifty an hour" = 24.50, "one twenty per
    order" = 1.20, "a flat three fifty" = 350, and a yearly figure in thousands: "one eighty a
    year" = 180,000 (no one says a yearly price of 180 that way)."""
    if not (a.spoken and b.spoken and a.end == b.start and not a.scale and not b.scale):
        return None
    if not (a.value == int(a.value) and 1 <= a.value <= 99 and 10 <= b.value <= 99 and b.value == int(b.value)):
        return None
    if not (_money_follows(toks, b.end) or _priced_at_clause_end(toks, a.start, b.end)
            or a.value < 10 and _said_as_a_figure(toks, a.start, b.end)):
        return None
    value, scale = a.value * 100 + b.value, None
    if a.value >= 10 and (b.value in _CENTS_ENDINGS or _small_unit_follows(toks, b.end)):
        value = a.value + b.value / 100  # "nineteen ninety nine", "twenty four fifty an hour"
    elif a.value < 10 and _cent_unit_follows(toks, b.end):
        value = a.value + b.value / 100  # "one twenty per order"
    elif a.value < 10 and _per(toks, b.end) == ("year", None):
        value, scale = value * 1e3, 1e3  # "one eighty a year"
    return _Num(value, a.start, b.end, spoken=True, scale=scale)


def _spoken_year(a: _Num, b: _Num) -> bool:
    """ "by twenty thirty", "since nineteen ninety eight": a pair that no money follows."""
    return a.spoken and b.spoken and a.end == b.start and a.value in (19.0, 20.0) and 10 <= b.value <= 99 and not b.scale


def _cent_unit_follows(toks: list[str], i: int) -> bool:
    return i + 1 < len(toks) and toks[i] in _PER and _singular(toks[i + 1]) in _CENT_UNITS


def _priced_at_clause_end(toks: list[str], start: int, end: int) -> bool:
    """ "a flat three fifty", "a one-time one ninety-nine": a pair ending its clause after a price word."""
    ends = end >= len(toks) or toks[end] in {".", ",", "?", "!", ";", "and", "but", "so"}
    return ends and bool(_PRICE_WORDS_BEFORE & set(toks[max(0, start - 3) : start]))


def _said_as_a_figure(toks: list[str], start: int, end: int) -> bool:
    """ "it's one ninety instead of two twenty eight", "that's five seventy in the first month",
    "so three twelve for both sites": a pair said as what something is or comes to, not a time
    ("at two thirty") or a count before its noun ("three twelve hour shifts"); or opening the
    sentence as what is judged ("two sixty is fine")."""
    if start == 0:
        return end < len(toks) and toks[end] in _FIGURE_JUDGED
    return toks[start - 1] in _FIGURE_LEAD_INS and (end >= len(toks) or toks[end] in _FIGURE_FOLLOWERS)


def _thousands_pair(toks: list[str], a: _Num, b: _Num) -> _Num | None:
    """ "nine thousand seven eighty a month" = 9,780: thousands, then the hundreds said as a pair."""
    said = toks[a.start : a.end]
    if not (a.spoken and b.spoken and a.end == b.start and a.scale == 1e3 and len(said) >= 3 and said[-2] == "thousand"):
        return None
    digit = _DIGIT_WORDS.get(said[-1], 0)
    if not (1 <= digit <= 9 and 10 <= b.value <= 99 and not b.scale and _money_follows(toks, b.end)):
        return None
    return _Num(a.value - digit + digit * 100 + b.value, a.start, b.end, a.currency, True, 1e3)


def _small_unit_follows(toks: list[str], i: int) -> bool:
    """ "an hour", "per mile", "a kilo": units priced in dollars and cents, not in hundreds."""
    return i + 1 < len(toks) and toks[i] in _PER and toks[i + 1] in _SMALL_UNITS


def _with_cents(toks: list[str], a: _Num, b: _Num) -> _Num | None:
    """ "thirty seven pounds and eighty cents", "two pounds fifty", "sixty dollars fifty"."""
    if a.end >= len(toks) or toks[a.end] not in _CURRENCY_WORDS or b.value >= 100 or b.scale:
        return None
    gap = toks[a.end + 1 : b.start]
    said_cents = b.end < len(toks) and toks[b.end] in _SUBUNITS
    if gap not in ([], ["and"]) or (not said_cents and b.end < len(toks) and toks[b.end] not in _NOT_COUNTED | {".", ",", "?", "!"}):
        return None
    return _Num(a.value + b.value / 100, a.start, b.end + said_cents, _CURRENCY_WORDS[toks[a.end]], a.spoken, a.scale)


def _cents_only(toks: list[str], n: _Num) -> _Num:
    """ "nine point two cents" = 0.092."""
    after = toks[n.end] if n.end < len(toks) else ""
    if after in _SUBUNITS and n.currency is None and (after != "p" or not n.spoken):
        return _Num(n.value / _SUBUNITS[after], n.start, n.end + 1, None, n.spoken, n.scale)
    return n


def _money_follows(toks: list[str], i: int) -> bool:
    """A currency, a period, a priced unit or a price term right after position ``i``."""
    if i < len(toks) and (toks[i] in _CURRENCY_WORDS or toks[i] in _PERIOD_ADVERBS or toks[i] in _SUBUNITS
                          or toks[i] in _PRICE_TERMS_AFTER or toks[i : i + 2] in (["one", "time"], ["one", "off"])):
        return True
    return i + 1 < len(toks) and toks[i] in _PER and toks[i + 1].isalpha()


def _as_amount(toks: list[str], n: _Num) -> Amount | None:
    after = toks[n.end] if n.end < len(toks) else ""
    fraction = toks[n.end : n.end + 3] in _FRACTIONS  # "six and a half percent"
    if after in {"%", "percent", "times", "x", "o'clock", "am", "pm", "th", "st", "nd", "rd", ":"} or (
            fraction and toks[n.end + 3 : n.end + 4] in (["%"], ["percent"])):
        return None
    if n.start and toks[n.start - 1] == ":" or toks[n.end : n.end + 3] in (["in", "the", "morning"], ["in", "the", "afternoon"],
                                                                        ["in", "the", "evening"]):
        return None
    if after == "per" and toks[n.end + 1 : n.end + 2] == ["cent"]:
        return None
    currency, end = n.currency, n.end
    subunit = toks[n.end - 1] if n.end - 1 > n.start and toks[n.end - 1] in _SUBUNITS else None
    if currency is None and subunit:
        currency = "GBP" if subunit in {"pence", "p"} else "USD"
    if currency is None and after in _CURRENCY_WORDS:
        currency, end = _CURRENCY_WORDS[after], n.end + 1
        before = toks[n.start - 1] if n.start else ""
        if after in {"dollar", "dollars"} and before in _DOLLAR_COUNTRIES:
            currency = _DOLLAR_COUNTRIES[before]
    elif currency is None and n.start and toks[n.start - 1] in {"usd", "eur", "gbp", "aud", "cad", "chf", "inr"}:
        currency = _CURRENCY_WORDS[toks[n.start - 1]]
    elif currency is None and after in _DOLLAR_COUNTRIES and toks[n.end + 1 : n.end + 2] in (["dollar"], ["dollars"]):
        currency, end = _DOLLAR_COUNTRIES[after], n.end + 2
    period, unit = _per(toks, end)
    if period is None:
        period = _period_in_clause(toks, n)
    year_like = n.value == int(n.value) and 1900 <= n.value <= 2100 and not n.scale and currency is None
    counted = (end < len(toks) and toks[end].isalpha() and toks[end] not in _NOT_COUNTED and toks[end] not in _SCALES
               and toks[end : end + 2] not in (["one", "time"], ["one", "off"]))
    lone_one = n.spoken and toks[n.start : n.end] == ["one"]  # "one of our customers", "the one with..."
    if currency:
        evidence = "currency"
    elif year_like or counted or lone_one:
        return None
    elif unit or period and (end < len(toks) and (toks[end] in _PER or toks[end] in _PERIOD_ADVERBS)):
        evidence = "rate"
    elif n.scale and n.scale >= 1e3:
        evidence = "scaled"
    else:
        evidence = "bare"
    return Amount(
        value=round(n.value, 6),
        currency=currency,
        period=period,
        unit=unit,
        high=n.high,
        evidence=evidence,
        text=re.sub(r"(\d) (k|m|bn)\b", r"\1\2", " ".join(toks[n.start : end])),
    )


def _per(toks: list[str], i: int) -> tuple[str | None, str | None]:
    """Period and unit said right after an amount: "a seat per month", "per kilowatt hour", "annually"."""
    period = unit = None
    for _ in range(3):
        if i < len(toks) and toks[i] in {",", "billed", "paid", "charged", "invoiced"}:
            i += 1
        if i < len(toks) and toks[i] in _PERIOD_ADVERBS:
            period, i = period or _PERIOD_ADVERBS[toks[i]], i + 1
            continue
        if i + 1 >= len(toks) or toks[i] not in _PER:
            break
        word = toks[i + 1]
        if toks[i : i + 3] == ["per", "annum"] or word in _PERIOD_WORDS:
            period, i = period or _PERIOD_WORDS.get(word, "year"), i + 2
        elif word.isalpha() and word not in _NOT_COUNTED - {"per"} and unit is None and toks[i] != "every":
            pair = (word, toks[i + 2]) if i + 2 < len(toks) else None
            if pair in _COMPOUND_UNITS:
                unit, i = " ".join(pair), i + 3
            elif toks[i] in {"per", "/"} or word in _PRICED_UNITS:
                unit, i = _singular(word), i + 2
            else:
                break
        else:
            break
    return period, unit


def _period_in_clause(toks: list[str], n: _Num) -> str | None:
    """A period said elsewhere in the sentence: "the annual licence is...", "in the first year"."""
    lo = max((k + 1 for k in range(n.start) if toks[k] in {".", "?", "!", ";"}), default=0)
    hi = next((k for k in range(n.end, len(toks)) if toks[k] in {".", "?", "!", ";"}), len(toks))
    clause = " ".join(toks[lo:hi])
    if _ONE_TIME.search(clause):
        return "one_time"
    if _TERM.search(clause):
        return "term"
    if _YEAR_PHRASE.search(clause):
        return "year"
    for tok in toks[lo:hi]:
        if tok in _PERIOD_ADVERBS:
            return _PERIOD_ADVERBS[tok]
    return None


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


_PRICED_UNITS = frozenset(
    "seat seats user users licence license licences licenses employee employees endpoint endpoints "
    "truck trucks vehicle vehicles line lines location locations site sites store stores student students "
    "machine machines unit units head case pallet pallets kilowatt kwh transaction transactions application "
    "applications patient patients device devices agent agents node nodes host hosts server servers account "
    "accounts module modules piece pieces bed beds room rooms shipment shipments load loads order orders "
    "member members desk desks camera cameras sensor sensors door doors screen screens lane lanes container "
    "containers tonne tonnes ton tons gigabyte gb terabyte tb call calls message messages minute claim claims "
    "policy policies worker workers driver drivers technician technicians mile miles gallon gallons "
    "litre litres liter liters learner learners course courses lesson lessons project projects job jobs "
    "ticket tickets page pages report reports test tests scan scans sample samples visit visits "
    "hire hires placement placements property properties unit door apartment apartments tenant tenants "
    "booking bookings night nights guest guests cover covers table tables class classes person people "
    "clinician clinicians provider providers physician physicians practice practices branch branches "
    "terminal terminals register registers restaurant restaurants warehouse warehouses facility facilities "
    "plant plants school schools campus campuses feed feeds api request requests".split()
)
