"""Does an utterance ask a question? A question mark, or interrogative word order.

Whisper often drops the question mark, so each sentence is also checked for a leading
question word ("how many ...", "what happens ...") or an inverted auxiliary ("do you ...",
"wouldn't it be ..."), after discourse openers such as "so", "okay", "and".
"""
from __future__ import annotations

import re

from analysis.text import normalize, sentences, tokens

OPENERS = frozenset(
    {
        "so", "and", "but", "okay", "ok", "alright", "right", "well", "yeah", "yes", "now",
        "then", "just", "also", "sorry", "hey", "oh", "great", "cool", "perfect", "gotcha",
        "interesting", "got", "it", "mm", "mhm", "hmm", "curious", "quick", "question",
    }
)
WH_WORDS = frozenset({"what", "what's", "whats", "how", "how's", "who", "who's", "whom", "whose",
                      "where", "where's", "when", "when's", "why", "why's", "which"})
AUXILIARIES = frozenset(
    {
        "do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "should",
        "shall", "have", "has", "had", "may", "might", "am", "don't", "doesn't", "didn't", "isn't",
        "aren't", "wasn't", "weren't", "can't", "couldn't", "wouldn't", "won't", "shouldn't",
        "haven't", "hasn't",
    }
)
SUBJECTS = frozenset(
    {
        "you", "your", "you've", "you're", "we", "they", "it", "there", "i", "he", "she", "that",
        "this", "these", "those", "the", "a", "an", "anyone", "anybody", "everyone", "someone",
        "somebody", "any", "our", "their", "his", "her", "my", "y'all",
    }
)
DECLARATIVE_AFTER_WH = frozenset({"i", "we", "you", "they", "i'm", "we're", "you're", "they're",
                                  "i've", "we've", "you've", "our", "my", "we'd", "i'd", "you'd", "they'd"})
PERFECT_AUXILIARIES = frozenset({"have", "has", "had"})
LEADING_AUXILIARIES = frozenset({"do", "does", "did", "is", "are", "shall"})
PRONOUNS = frozenset({"you", "we", "they", "i", "he", "she", "it", "y'all"})
RELATIVE_WORDS = frozenset({"which", "who", "whom", "whose", "where", "when"})
_ANYWHERE = re.compile(
    r"\b(?:can|could|would|will|do|did|are|should) you\b|\bhow's (?:the|your|everything|things|it)\b|"
    r"\bdoes (?:that|this|it) (?:work|make sense|sound|help|fit)\b|"
    r"\bis (?:now|this|that|it) (?:still )?(?:a good time|okay|ok|right|correct|true)\b|"
    r"^(?:any (?:other )?questions|say (?:that|it) again|sorry say that|you were saying)\b"
)
SUBORDINATORS = frozenset({"when", "if", "once", "after", "before", "because", "since", "while"})
TAG_ENDINGS = (
    ("right",), ("correct",), ("is", "that", "right"), ("is", "that", "correct"), ("yeah",),
    ("isn't", "it"), ("don't", "you"), ("doesn't", "it"), ("no",), ("am", "i", "right"),
    ("does", "that", "make", "sense"), ("make", "sense"), ("or", "not"),
)
_CLAUSE_BREAK = re.compile(r"[,;:]\s*|\s+-\s+")


def is_question(text: str) -> bool:
    """True when any sentence of ``text`` asks something, with or without a question mark."""
    if "?" in text:
        return True
    return any(
        _has_tag(sentence)
        or bool(_ANYWHERE.search(" ".join(tokens(normalize(sentence)))))
        or any(_clause_asks(part, first=(i == 0)) for i, part in enumerate(_clauses(sentence)))
        for sentence in sentences(text)
    )


def _has_tag(sentence: str) -> bool:
    words = tokens(normalize(sentence))
    return len(words) > 3 and any(tuple(words[-len(tag):]) == tag for tag in TAG_ENDINGS)


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(sentence) if c.strip()]


def _clause_asks(clause: str, first: bool = True) -> bool:
    words = tokens(normalize(clause))
    while words and words[0] in OPENERS and len(words) > 1:
        words = words[1:]
    if len(words) < 2 or (not first and words[0] in RELATIVE_WORDS):
        return False
    if words[0] in SUBORDINATORS and words[1] not in AUXILIARIES:
        return any(_starts_question(words[i:]) for i in range(2, len(words) - 1))
    return _starts_question(words) or _embedded_wh_question(words)


def _embedded_wh_question(words: list[str]) -> bool:
    """A question after a lead-in: "so at harvest how do you get the grain in"."""
    return any(
        words[i] in WH_WORDS and words[i + 1] in AUXILIARIES and words[i + 2] in {"you", "your", "y'all"}
        for i in range(1, len(words) - 2)
    )


def _starts_question(words: list[str]) -> bool:
    first, second = words[0], words[1]
    if first == "which" and second in {"is", "was", "means", "meant"}:
        return False
    if first in WH_WORDS:
        if first == "when":
            return second in AUXILIARIES
        return second not in DECLARATIVE_AFTER_WH
    if first in PERFECT_AUXILIARIES:
        return second in PRONOUNS
    if first in LEADING_AUXILIARIES:
        return True
    return first in AUXILIARIES and second in SUBJECTS
