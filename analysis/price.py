"""Price mentions (docs/metrics.md): what the buyer would pay, said by either party.

An utterance mentions price when it has a pricing word (price, quote, budget, discount, fee...)
or a money amount tied to the offering ("$25,000", "12k", "sixty dollars a seat per month").
Value claims ("it will lower your inventory costs", "save you $50,000") and the cost of the
buyer's problem ("what does a stockout cost you?") are not price mentions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.numbers import Number, find_numbers, split_tokens
from analysis.text import normalize

CURRENCY_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR"}
CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD", "cents": "USD", "cent": "USD",
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP",
    "euro": "EUR", "euros": "EUR", "eur": "EUR",
}
PERIOD_WORDS = {
    "month": "month", "months": "month", "monthly": "month", "mo": "month",
    "year": "year", "yearly": "year", "annually": "year", "annual": "year", "annum": "year",
    "week": "week", "weekly": "week", "day": "day", "daily": "day", "hour": "hour", "hourly": "hour",
}
PRICED_UNITS = frozenset(
    {
        "seat", "seats", "user", "users", "licence", "license", "employee", "employees", "endpoint",
        "endpoints", "truck", "trucks", "line", "lines", "location", "locations", "site", "sites",
        "student", "students", "attorney", "machine", "unit", "units", "head", "case", "pallet",
        "kilowatt", "kwh", "transaction", "application", "store", "patient", "device", "devices",
        "agent", "agents", "node", "nodes", "host", "hosts", "server", "account", "module", "piece",
        "vehicle", "bed", "room", "shipment", "load", "order", "hour", "month", "year", "week", "day",
    }
)
_STRONG_CUES = re.compile(
    r"\b(list price|price[sd]?|pricing|pricey|(?<!can )(?<!could )(?<!to )(?<!even )quot(?:e|es|ed|ing)(?! unquote)|"
    r"(?<!over )(?<!under )(?<!on )budget(?:s|ed|ing)?"
    r"|discount(?:s|ed)?|(?:licen[cs]e|licensing|subscription|setup|set up|annual|monthly|service|"
    r"platform|implementation|onboarding|maintenance) fees?|"
    r"(?<!detention )(?<!late )(?<!penalty )(?<!demurrage )(?<!responsibility )(?<!overdraft )(?<!filing )fees?|markup|mark up|rate card|"
    r"(?:bill|rental|day|hourly|fixed|flat) rates?|contract value|total cost of ownership|"
    r"(?:too |very |pretty )?expensive|cheaper|inexpensive|affordable|premiums?|"
    r"per (?:seat|user|licen[cs]e)|how much (?:is|does|would|will|do|did|are) (?:it|this|that|you|they|"
    r"the \w+)(?: \w+)? (?:cost|charge|run)|how much is (?:it|this|that)|"
    r"what (?:does|would|will|do) (?:it|this|that|you|they) (?:cost|charge)(?! you when| us when)|"
    r"at no (?:extra |additional )?(?:cost|charge)|percent off|% off|"
    r"(?:what|how much) (?:are|do|would) you (?:pay|paying)|"
    r"(?:than|what) (?:we|you|they) (?:pay|paid|are paying|currently pay|spend) (?:for|now|today|on|per|a)|"
    r"(?:cost|price) of (?:the|your|our|a|this) (?:licen[cs]e|subscription|platform|software|system|"
    r"service|product|solution|package|plan|tool|module|contract|renewal|implementation))\b"
)
_OFFERING_COST = re.compile(
    r"\b(?:contract|licen[cs]e|subscription|plan|platform|software|tool|system|service|package|"
    r"provider|vendor|renewal|implementation|upgrade|module|it|this|that) (?:cost|costs)"
    r"(?! you when| us when)\b"
)
_PROBLEM_CONTEXT = re.compile(
    r"\b(?:sav(?:e|es|ed|ing|ings)|lose|loses|losing|lost|loss|costing|wast(?:e|ed|ing)|worth|revenue|"
    r"sales|turnover|earn(?:s|ed)?|making|generat(?:e|es|ed)|fines?|penalt(?:y|ies)|chargebacks?|"
    r"overtime|cost (?:us|you|them|him|her)|costs (?:us|you|them)|reduce|reduc(?:es|ed|ing)|"
    r"lower(?:s|ed)?|cut(?:s|ting)?|roi)\b"
)
_JUDGEMENTS = frozenset(
    {"reasonable", "fair", "steep", "high", "too", "expensive", "cheap", "ok", "okay", "fine", "doable",
     "within", "over", "under", "more", "less", "affordable", "workable", "acceptable", "lot", "bit", "be"}
)
_WEAK_CUES = re.compile(
    r"\b(?:licen[cs]es?|subscriptions?|plan|tier|package|bundle|proposal|contract|renewal|"
    r"membership|retainer|rental|lease|option|edition)\b"
)
_VALUE_ONLY = re.compile(
    r"\b(?:lower|lowers|reduce|reduces|cut|cuts|save|saves|saving|avoid|eliminate)\b[\w' ]{0,40}"
    r"\b(?:costs?|fees|spend|bills?)\b"
)
_PRICE_VERBS = frozenset(
    {"is", "be", "at", "to", "runs", "run", "costs", "cost", "for", "around", "about", "roughly", "pay",
     "paying", "charge", "charges", "only", "just", "of", "in", "it's", "that's", "that'd", "you'd",
     "it'd", "under", "was", "were", "are"}
)
_AFTER_BARE_AMOUNT = frozenset(
    {"for", "per", "a", "an", "each", "installed", "upfront", "total", "annually", "monthly", "flat",
     "all", "in", "with", "if", "and", "on", "plus", "including", "up", "down", "before", "after"}
)


@dataclass(frozen=True)
class PriceHit:
    """Why an utterance mentions price, and the amount when one was said."""

    cue: str
    amount: float | None = None
    currency: str | None = None
    period: str | None = None


def detect_price(text: str) -> PriceHit | None:
    """The price mention in ``text``, or None. Deterministic, no model."""
    norm = normalize(text)
    toks = split_tokens(norm)
    numbers = find_numbers(toks)
    money = [m for m in (_as_money(toks, n) for n in numbers) if m is not None]
    cue_match = _STRONG_CUES.search(norm) or _OFFERING_COST.search(norm)
    if cue_match and _VALUE_ONLY.search(norm) and not money and "pric" not in cue_match.group(0):
        cue_match = None
    if money:
        number, currency = money[0]
        return PriceHit(
            cue=" ".join(toks[number.start : _end_of_unit(toks, number)]),
            amount=_amount(toks, number),
            currency=currency,
            period=_period(toks, number),
        )
    bare = _bare_amount(toks, numbers)
    if cue_match is None and bare is not None:
        cue_match = _WEAK_CUES.search(norm)
    if cue_match is None:
        judged = _judged_amount(toks, numbers)
        if judged is None:
            return None
        return PriceHit(cue=" ".join(toks[judged.start : judged.end + 2]), amount=judged.value)
    return PriceHit(
        cue=cue_match.group(0),
        amount=_amount(toks, bare) if bare else None,
        currency=None,
        period=_period(toks, bare) if bare else None,
    )


def _as_money(toks: list[str], n: Number) -> tuple[Number, str | None] | None:
    """(number, currency) when ``n`` is an amount of money tied to what is being bought."""
    after = toks[n.end] if n.end < len(toks) else ""
    if after in {"%", "percent", "per"} and toks[n.end : n.end + 2] == ["per", "cent"]:
        return None
    if after in {"%", "percent", "times", "x"} or _in_problem_context(toks, n):
        return None
    if n.symbol:
        return n, CURRENCY_SYMBOLS[n.symbol]
    if after in CURRENCY_WORDS:
        if after in {"dollar", "pound", "euro"} and n.end + 1 < len(toks) and not _priced_per_unit(toks, n.end + 1):
            return None
        return n, CURRENCY_WORDS[after]
    if n.scaled and toks[n.end - 1] in {"k", "grand"} or re.search(r"\d(k|m|bn)$", toks[n.start]):
        counted = after.isalpha() and after not in _AFTER_BARE_AMOUNT and after not in PERIOD_WORDS and after not in _PRICE_VERBS
        return None if counted else (n, None)
    if _priced_per_unit(toks, n.end) and n.value >= 1:
        return n, None
    return None


def _in_problem_context(toks: list[str], n: Number) -> bool:
    window = " ".join(toks[max(0, n.start - 6) : n.start])
    return bool(_PROBLEM_CONTEXT.search(window))


def _priced_per_unit(toks: list[str], i: int) -> bool:
    """"... a seat", "per truck per month", "each month", "annually" right after a number."""
    if i < len(toks) and toks[i] in {"annually", "monthly", "yearly", "upfront"}:
        return True
    if i + 1 < len(toks) and toks[i] in {"a", "an", "per", "each", "every"}:
        return toks[i + 1] in PRICED_UNITS or toks[i + 1] in PERIOD_WORDS
    return False


def _judged_amount(toks: list[str], numbers: list[Number]) -> Number | None:
    """A round sum weighed as a price: "fifty thousand is reasonable", "20k sounds steep"."""
    for n in numbers:
        if not (n.scaled or n.value >= 1000) or _in_problem_context(toks, n):
            continue
        after = toks[n.end : n.end + 3]
        if after and after[0] in {"is", "sounds", "seems", "feels", "would", "works", "was"} and any(
            t in _JUDGEMENTS for t in after[1:]
        ):
            return n
    return None


def _bare_amount(toks: list[str], numbers: list[Number]) -> Number | None:
    """With a pricing word present, the number that is the amount ("...at a hundred and twenty thousand")."""
    for n in numbers:
        after = toks[n.end] if n.end < len(toks) else ""
        before = toks[n.start - 1] if n.start > 0 else ""
        if after in {"%", "percent", "times", "x", "point"} or _in_problem_context(toks, n):
            continue
        if before in _PRICE_VERBS and (not after or after in _AFTER_BARE_AMOUNT or after in PERIOD_WORDS):
            if n.value >= 10 or n.scaled:
                return n
    return None


def _amount(toks: list[str], n: Number) -> float:
    """The amount in currency units: "sixty two cents" = 0.62, "two pounds fifty" = 2.5."""
    after = toks[n.end] if n.end < len(toks) else ""
    if after in {"cents", "cent"}:
        return round(n.value / 100.0, 6)
    if after in CURRENCY_WORDS:
        change = find_numbers(toks[n.end + 1 : n.end + 3])
        if change and change[0].start == 0 and change[0].value < 100 and not change[0].scaled:
            return round(n.value + change[0].value / 100.0, 2)
    return n.value


def _period(toks: list[str], n: Number | None) -> str | None:
    """The billing period named after the amount (or anywhere, e.g. "annual licence is ...")."""
    start = n.end if n else 0
    for tok in toks[start:]:
        if tok in PERIOD_WORDS:
            return PERIOD_WORDS[tok]
    for tok in toks[:start]:
        if tok in PERIOD_WORDS and tok in {"annual", "monthly", "yearly", "weekly"}:
            return PERIOD_WORDS[tok]
    return None


def _end_of_unit(toks: list[str], n: Number) -> int:
    end = n.end
    if end < len(toks) and toks[end] in CURRENCY_WORDS:
        end += 1
    while end + 1 < len(toks) and toks[end] in {"a", "an", "per", "each"} and (
        toks[end + 1] in PRICED_UNITS or toks[end + 1] in PERIOD_WORDS
    ):
        end += 2
    return end
