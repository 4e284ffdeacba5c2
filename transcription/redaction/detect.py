"""Find personal and payment data in a call's token stream: which characters become which placeholder.

Numbers are found as runs of digits however they were written or said, then typed by their
length, check digits (Luhn for cards, libphonenumber for phones, python-stdnum for IBANs and
SSNs) and the nearest cue words before them ("card number", "security code", "expires",
"account number", "social security", "phone"). Security codes and expiry dates count only in
payment context: a card was mentioned in the last few minutes of the call.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as iban_number
from stdnum import luhn
from stdnum.us import ssn as us_ssn

from transcription.redaction.tokens import EDGE_PUNCTUATION, SEPARATORS, DigitItem, core, digit_item, is_amount

CARD, CVV, EXPIRY, BANK_ACCOUNT, IBAN, NATIONAL_ID, PHONE, EMAIL = (
    "CARD", "CVV", "EXPIRY", "BANK_ACCOUNT", "IBAN", "NATIONAL_ID", "PHONE", "EMAIL")
KINDS = (CARD, CVV, EXPIRY, BANK_ACCOUNT, IBAN, NATIONAL_ID, PHONE, EMAIL)

# Cue words, nearest first wins. Two-word cues are checked before the single word they end in.
_PAIR_CUES = {
    ("card", "number"): CARD, ("security", "code"): CVV, ("verification", "code"): CVV,
    ("social", "security"): NATIONAL_ID, ("national", "insurance"): NATIONAL_ID,
    ("insurance", "number"): NATIONAL_ID, ("tax", "id"): NATIONAL_ID, ("id", "number"): NATIONAL_ID,
    ("licence", "number"): NATIONAL_ID, ("license", "number"): NATIONAL_ID,
    ("passport", "number"): NATIONAL_ID, ("sort", "code"): BANK_ACCOUNT,
    ("account", "number"): BANK_ACCOUNT, ("routing", "number"): BANK_ACCOUNT,
}
_WORD_CUES = {
    **dict.fromkeys(("card", "cards", "visa", "mastercard", "amex", "maestro", "credit", "debit"), CARD),
    **dict.fromkeys(("cvv", "cvc", "cvv2", "csc", "security", "code", "pin", "digits"), CVV),
    **dict.fromkeys(("expiry", "expiration", "expires", "expire", "expiring", "exp", "valid"), EXPIRY),
    **dict.fromkeys(("ssn", "social", "nino", "passport", "sin", "itin"), NATIONAL_ID),
    **dict.fromkeys(("account", "acct", "routing", "bank", "iban", "checking", "savings", "aba"),
                    BANK_ACCOUNT),
    **dict.fromkeys(("phone", "cell", "mobile", "cellphone", "telephone", "landline", "fax", "call",
                     "reach", "text", "extension", "ext", "direct", "whatsapp", "dial", "number"), PHONE),
}
CUE_WINDOW = 12          # tokens before a number searched for its cue
PAYMENT_WINDOW = 400     # tokens after a card cue that count as payment context
CONTINUATION_WINDOW = 15  # tokens after a card number in which more digits are its rest
_MONEY_AFTER = frozenset({"dollars", "dollar", "bucks", "usd", "euros", "euro", "eur", "pounds", "pound",
                          "quid", "gbp", "cents", "cent", "percent", "%", "k", "grand", "thousand",
                          "million", "billion", "hundred"})
_MONEY_BEFORE = frozenset({"$", "£", "€"})
MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                    "september", "october", "november", "december", "jan", "feb", "mar", "apr",
                    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})

_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}")
_NINO = re.compile(r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
                   re.IGNORECASE)
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_LABEL = re.compile(r"[a-z0-9][a-z0-9-]*")
_TLDS = frozenset({"com", "net", "org", "io", "co", "uk", "us", "de", "fr", "nl", "es", "it", "eu",
                   "edu", "gov", "biz", "info", "ai", "app", "dev", "ca", "au", "ch", "se", "no", "dk",
                   "fi", "ie", "in", "me", "tv", "xyz", "ly", "be", "at", "pl", "jp", "nz", "mx", "br"})
_EMAIL_JOINERS = {"dot": ".", "period": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
# Words before "at" that make it a place or a website, not a mailbox: "find us at northwind dot com".
_NOT_A_MAILBOX = frozenset({"us", "me", "you", "them", "him", "her", "it", "we", "i", "look", "is", "are",
                            "online", "website", "site", "web", "page", "here", "there", "visit", "be"})


@dataclass(frozen=True)
class Span:
    """Characters ``start``..``end`` of the stream's text are a ``kind`` value."""

    kind: str
    start: int
    end: int


class TokenStream:
    """One call's tokens in time order, joined by single spaces into ``text``.

    ``breaks`` holds the indices of tokens that start after a change of speaker or a long pause:
    a number is never read across one, though a card number's reader may go on after the other
    party's "mm-hmm". ``speakers`` says who said each token.
    """

    def __init__(self, tokens: list[str], breaks: set[int], speakers: list[str] | None = None):
        self.tokens = tokens
        self.speakers = speakers or [""] * len(tokens)
        self.lower = [core(t).lower() for t in tokens]
        self.breaks = breaks
        self.offsets: list[int] = []
        pos = 0
        for token in tokens:
            self.offsets.append(pos)
            pos += len(token) + 1
        self.text = " ".join(tokens)

    def span(self, kind: str, first: int, last: int) -> Span:
        """The cores of tokens ``first``..``last`` (leading "(" and "+" included)."""
        head, tail = self.tokens[first], self.tokens[last]
        start = self.offsets[first] + len(head) - len(head.lstrip(EDGE_PUNCTUATION))
        end = self.offsets[last] + len(tail.rstrip(EDGE_PUNCTUATION))
        return Span(kind, start, max(end, start))


def find_spans(stream: TokenStream) -> list[Span]:
    """Every value to redact in ``stream``, as non-overlapping spans in text order."""
    spans = _number_spans(stream) + _email_spans(stream) + _pattern_spans(stream)
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end:
                kept[-1] = Span(kept[-1].kind, kept[-1].start, span.end)
            continue
        kept.append(span)
    return kept


def _digit_runs(stream: TokenStream) -> list[list[DigitItem]]:
    runs: list[list[DigitItem]] = []
    current: list[DigitItem] = []
    i = 0
    while i < len(stream.tokens):
        item = digit_item(stream.tokens, i)
        if item is None and current and stream.lower[i] == "o":
            item = DigitItem(i, i, "0")  # "four o five"
        if item is not None and _money_before(stream, i):
            item = None
        joinable = current and i not in stream.breaks and (
            current[-1].last + 1 == i or all(stream.lower[j] in SEPARATORS for j in range(current[-1].last + 1, i)))
        if item is None:
            if not (current and stream.lower[i] in SEPARATORS and i not in stream.breaks):
                if current:
                    runs.append(current)
                current = []
            i += 1
            continue
        if not joinable and current:
            runs.append(current)
            current = []
        current.append(item)
        i = item.last + 1
    if current:
        runs.append(current)
    return runs


def _money_before(stream: TokenStream, i: int) -> bool:
    """"$30,000", "$ 30,000" and Whisper's "$30 ,000" are amounts, never identifiers."""
    token = stream.tokens[i].strip()
    previous = core(stream.tokens[i - 1]) if i > 0 else ""
    return is_amount(core(token)) or previous in _MONEY_BEFORE or (is_amount(previous) and token[:1] in ",.")


def _number_spans(stream: TokenStream) -> list[Span]:
    spans: list[Span] = []
    card_cues = [i for i in range(len(stream.tokens)) if _cue_at(stream, i) == CARD]
    card_end = None  # last token of the latest card number: digits soon after are its rest
    previous_end = -1  # a cue before the previous number was that number's cue
    for run in _digit_runs(stream):
        first, last = run[0].first, run[-1].last
        digits = "".join(item.digits for item in run)
        cues = _cues_before(stream, first, floor=previous_end)
        previous_end = last
        after = stream.lower[last + 1] if last + 1 < len(stream.tokens) else ""
        if after in _MONEY_AFTER:
            continue
        reading = Reading(
            digits=digits,
            cues=cues,
            payment=any(0 < first - i <= PAYMENT_WINDOW for i in card_cues),
            continues_card=card_end is not None and first - card_end <= CONTINUATION_WINDOW
            and stream.speakers[first] == stream.speakers[card_end] and set(cues) <= {CARD},
            dated=any(item.slash for item in run) or any(
                stream.lower[j] in ("slash", "/") for j in range(max(first - 1, 0), last + 1)),
            plus=run[0].plus,
            ssn_shaped=len(run) == 1 and bool(_SSN.match(core(stream.tokens[first]))),
        )
        kind = reading.kind()
        if kind is None and EXPIRY in cues and reading.payment and len(digits) in (2, 4) \
                and _month_before(stream, first) < first:
            kind = EXPIRY
        if kind == EXPIRY:
            if first > 0 and stream.lower[first - 1] in ("slash", "/"):
                first -= 1
            first = _month_before(stream, first)
        elif kind == NATIONAL_ID:
            first, last = _letters_around(stream, first, last)
        if kind is None:
            continue
        if kind == CARD:
            card_end = last
        spans.append(stream.span(kind, first, last))
    return spans


@dataclass(frozen=True)
class Reading:
    """What is known about one run of digits: its digits, the cue words since the previous
    number (nearest first), and its surroundings."""

    digits: str
    cues: list[str]
    payment: bool
    continues_card: bool
    dated: bool
    plus: bool
    ssn_shaped: bool

    def kind(self) -> str | None:
        n, cues = len(self.digits), self.cues
        nearest = cues[0] if cues else None
        if self.dated:  # "08/27", "oh eight slash twenty seven", what is left of them
            return EXPIRY if self.payment and (_expiry_shaped(self.digits) or n == 2) else None
        if nearest == CARD and n >= 8 or 13 <= n <= 19 and luhn.is_valid(self.digits):
            return CARD
        if self.continues_card and n >= 3:
            return CARD
        if self.payment and EXPIRY in cues and n in (4, 6) and _expiry_shaped(self.digits):
            return EXPIRY
        if self.payment and CVV in cues and 3 <= n <= 4:
            return CVV
        if self.payment and EXPIRY in cues and _expiry_shaped(self.digits):
            return EXPIRY
        if nearest == NATIONAL_ID and 6 <= n <= 11:
            return NATIONAL_ID
        if nearest == BANK_ACCOUNT and 6 <= n <= 18:
            return BANK_ACCOUNT
        if nearest == PHONE and 7 <= n <= 15:
            return PHONE
        if self.ssn_shaped and us_ssn.is_valid(self.digits):
            return NATIONAL_ID
        if _is_phone(self.digits, plus=self.plus):
            return PHONE
        if self.payment and n >= 12:
            return CARD
        return None


def _is_phone(digits: str, *, plus: bool) -> bool:
    if plus:
        candidates = [("+" + digits, None)]
    elif len(digits) in (10, 11):
        candidates = [(digits, "US"), (digits, "GB")]
    else:
        return False
    for text, region in candidates:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(text, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _expiry_shaped(digits: str) -> bool:
    """MMYY, MYY, MMYYYY (month 1-12)."""
    if len(digits) == 3:
        return 1 <= int(digits[0]) <= 9
    return len(digits) in (4, 6) and 1 <= int(digits[:2]) <= 12


def _month_before(stream: TokenStream, first: int) -> int:
    """Include a month name said just before the year ("August of 27")."""
    j = first - 1
    if j >= 0 and stream.lower[j] == "of":
        j -= 1
    return j if j >= 0 and stream.lower[j] in MONTHS else first


def _letters_around(stream: TokenStream, first: int, last: int) -> tuple[int, int]:
    """A spoken UK NI number: "A B one two three four five six C"."""
    while first > 0 and len(stream.lower[first - 1]) == 1 and stream.lower[first - 1].isalpha():
        first -= 1
    while last + 1 < len(stream.tokens) and len(stream.lower[last + 1]) == 1 and stream.lower[last + 1].isalpha():
        last += 1
    return first, last


def _cue_at(stream: TokenStream, i: int) -> str | None:
    word = stream.lower[i]
    if i > 0 and (stream.lower[i - 1], word) in _PAIR_CUES:
        return _PAIR_CUES[(stream.lower[i - 1], word)]
    return _WORD_CUES.get(word)


def _cues_before(stream: TokenStream, first: int, floor: int) -> list[str]:
    """Cue categories in the few tokens before ``first`` (after ``floor``), nearest first."""
    found = []
    for i in range(first - 1, max(floor, first - 1 - CUE_WINDOW), -1):
        cue = _cue_at(stream, i)
        if cue is not None and cue not in found:
            found.append(cue)
    return found


def _email_spans(stream: TokenStream) -> list[Span]:
    spans = [Span(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(stream.text)]
    for i, word in enumerate(stream.lower):
        if word not in ("at", "@") or i == 0:
            continue
        domain_end = _spoken_domain_end(stream, i + 1)
        local_start = _spoken_local_start(stream, i - 1)
        if domain_end is not None and local_start is not None:
            spans.append(stream.span(EMAIL, local_start, domain_end))
    return spans


def _spoken_domain_end(stream: TokenStream, i: int) -> int | None:
    """Last token of "northwind dot com", "northwind.co.uk", "mail dot northwind dot io"."""
    if i >= len(stream.tokens) or i in stream.breaks:
        return None
    word = stream.lower[i]
    if "." in word:
        written = re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.([a-z]{2,})", word)
        return i if written and written.group(1) in _TLDS else None
    if not _LABEL.fullmatch(word):
        return None
    for _ in range(2):  # "right lane dot com": a domain the recogniser split into words
        if i + 1 < len(stream.tokens) and stream.lower[i + 1] not in ("dot", "period") \
                and _LABEL.fullmatch(stream.lower[i + 1]) and i + 2 < len(stream.tokens) \
                and stream.lower[i + 2] in ("dot", "period"):
            i += 1
    end = None
    while i + 2 < len(stream.tokens) and stream.lower[i + 1] in ("dot", "period") and _LABEL.fullmatch(stream.lower[i + 2]):
        i += 2
        if stream.lower[i] in _TLDS:
            end = i
    return end


def _spoken_local_start(stream: TokenStream, i: int) -> int | None:
    """First token of "dana", "dana dot reyes", "d a n a" before "at"."""
    word = stream.lower[i]
    if not re.fullmatch(r"[a-z0-9._%+-]+", word) or word in _NOT_A_MAILBOX or i + 1 in stream.breaks:
        return None
    start = i
    while start >= 2 and stream.lower[start - 1] in _EMAIL_JOINERS and _LABEL.fullmatch(stream.lower[start - 2]):
        start -= 2
    if len(word) == 1:  # spelled out
        while start >= 1 and len(stream.lower[start - 1]) == 1 and stream.lower[start - 1].isalnum():
            start -= 1
    return start


def _pattern_spans(stream: TokenStream) -> list[Span]:
    spans = []
    for m in _IBAN.finditer(stream.text):
        candidate = m.group(0)
        for end in range(len(candidate), 14, -1):
            if iban_number.is_valid(candidate[:end]):
                spans.append(Span(IBAN, m.start(), m.start() + len(candidate[:end].rstrip())))
                break
    spans += [Span(NATIONAL_ID, m.start(), m.end()) for m in _NINO.finditer(stream.text)]
    return spans
