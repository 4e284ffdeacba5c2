"""Text normalisation shared by the question, price and cue detectors.

ASR output varies in case, punctuation and fillers; every detector works on the same
lowercase, punctuation-light form so that "So, um... how do you plan?" and
"so how do you plan" look alike.
"""
from __future__ import annotations

import re

FILLERS = frozenset({"um", "uh", "erm", "er", "hmm", "ah"})
_SPLIT_SENTENCES = re.compile(r"(?<=[.?!;])\s+")
_NON_WORD = re.compile(r"[^\w$£€%'.,\-]+")
_TOKEN = re.compile(r"[\w$£€%']+(?:[.,\-][\w']+)*")


def normalize(text: str) -> str:
    """Lowercase, curly quotes straightened, punctuation that carries no meaning removed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"(?<!\d)[.,](?!\d)", " ", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Word tokens of already-normalised text, fillers dropped."""
    return [t for t in _TOKEN.findall(text) if t not in FILLERS]


def sentences(text: str) -> list[str]:
    """Sentences as the recogniser punctuated them (the whole text if it did not)."""
    parts = [p.strip() for p in _SPLIT_SENTENCES.split(text.strip())]
    return [p for p in parts if p]


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9$£€][\w'$£€.,%-]*", text))
