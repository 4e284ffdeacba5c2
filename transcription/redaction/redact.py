"""Replace what ``detect`` finds with typed placeholders in utterance text and in every word.

A value spoken over several words ("4532, 1488, 0343, 6467") becomes one placeholder in the
utterance text ("the card number is [CARD].") and one placeholder per word in ``words``, each
keeping its word's start and end, so word counts, timings and talk-time metrics do not change.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from transcription.redaction.detect import Span, TokenStream, find_spans
from transcription.types import Utterance, Word

if TYPE_CHECKING:
    from transcription.pipeline import SpeakerTranscript

logger = logging.getLogger(__name__)

# A number is not read across a pause longer than this (seconds) or a change of speaker.
MAX_READING_PAUSE_S = 3.0


def placeholder(kind: str) -> str:
    return f"[{kind}]"


def redact_utterances(utterances: Sequence[Utterance]) -> tuple[tuple[Utterance, ...], int]:
    """The utterances with personal and payment data replaced, and how many values were.

    Text and words are searched separately when they disagree (a transcript file whose segment
    text is not its words joined), so neither keeps a value the other lost.
    """
    ordered = sorted(range(len(utterances)), key=lambda i: (utterances[i].start, utterances[i].end))
    texts = [utterances[i].text.split() for i in ordered]
    text_stream, text_bounds = _stream(texts, [utterances[i] for i in ordered])
    text_spans = find_spans(text_stream)
    words = [[w.text.strip() for w in utterances[i].words] for i in ordered]
    if words == texts:
        word_stream, word_spans = text_stream, text_spans
    else:
        word_stream, _ = _stream(words, [utterances[i] for i in ordered])
        word_spans = find_spans(word_stream)
    new_words = iter(_redact_tokens(word_stream, word_spans))
    redacted = list(utterances)
    for position, i in enumerate(ordered):
        u = utterances[i]
        a, b = text_bounds[position]
        text = _redact_text(text_stream, text_spans, a, b)
        tokens = [next(new_words) for _ in u.words]
        new = tuple(w if t == w.text.strip() else replace(w, text=_keep_leading_space(w.text, t))
                    for w, t in zip(u.words, tokens))
        if text is not None or new != u.words:
            redacted[i] = replace(u, text=u.text if text is None else text, words=new)
    if text_spans:
        logger.debug("redacted %d values: %s", len(text_spans), ", ".join(s.kind for s in text_spans))
    return tuple(redacted), len(text_spans)


def redact_transcript(transcript: "SpeakerTranscript") -> "SpeakerTranscript":
    """``transcript`` with personal and payment data replaced in utterances and words;
    ``pii_redactions`` says how many values were."""
    utterances, count = redact_utterances(transcript.utterances)
    by_identity = {id(old): new for u_old, u_new in zip(transcript.utterances, utterances)
                   for old, new in zip(u_old.words, u_new.words)}
    stray = [w for w in transcript.words if id(w) not in by_identity]
    if stray:  # words no utterance holds: redact them as one stream of their own
        stray_utterance = Utterance(speaker="", start=stray[0].start, end=stray[-1].end,
                                    text=" ".join(w.text.strip() for w in stray), words=tuple(stray))
        (cleaned,), _ = redact_utterances([stray_utterance])
        by_identity.update(zip(map(id, stray), cleaned.words))
    words = tuple(by_identity[id(w)] for w in transcript.words)
    return replace(transcript, utterances=utterances, words=words, pii_redactions=count)


def _stream(token_lists: list[list[str]], utterances: list[Utterance]) -> tuple[TokenStream, list[tuple[int, int]]]:
    tokens: list[str] = []
    speakers: list[str] = []
    breaks: set[int] = set()
    bounds: list[tuple[int, int]] = []
    previous: Utterance | None = None
    for toks, u in zip(token_lists, utterances):
        if previous is not None and (u.speaker != previous.speaker or u.start - previous.end > MAX_READING_PAUSE_S):
            breaks.add(len(tokens))
        bounds.append((len(tokens), len(tokens) + len(toks)))
        tokens.extend(toks)
        speakers.extend([u.speaker] * len(toks))
        previous = u
    stream = TokenStream(tokens, breaks, speakers)
    return stream, [(_char(stream, a), _char(stream, b) - 1 if b > a else _char(stream, a)) for a, b in bounds]


def _char(stream: TokenStream, token_index: int) -> int:
    return stream.offsets[token_index] if token_index < len(stream.offsets) else len(stream.text) + 1


def _redact_text(stream: TokenStream, spans: list[Span], a: int, b: int) -> str | None:
    """Characters ``a``..``b`` of the stream with spans replaced; None when none overlaps."""
    inside = [s for s in spans if s.start < b and s.end > a]
    if not inside:
        return None
    out, pos = [], a
    for s in inside:
        out += [stream.text[pos:max(s.start, a)], placeholder(s.kind)]
        pos = min(s.end, b)
    out.append(stream.text[pos:b])
    return "".join(out)


def _redact_tokens(stream: TokenStream, spans: list[Span]) -> list[str]:
    """Every token, with the part of it inside a span replaced by that span's placeholder."""
    out = list(stream.tokens)
    k = 0
    for i, token in enumerate(stream.tokens):
        start, end = stream.offsets[i], stream.offsets[i] + len(token)
        while k < len(spans) and spans[k].end <= start:
            k += 1
        redacted = _redact_text(stream, spans[k:k + len(token) + 1], start, end)
        if redacted is not None:
            out[i] = redacted
    return out


def _keep_leading_space(original: str, token: str) -> str:
    return original[: len(original) - len(original.lstrip())] + token
