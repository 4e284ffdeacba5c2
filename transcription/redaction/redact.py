"""Replace what ``detect`` finds with typed placeholders in utterance text and in every word.

A value spoken over several words ("4532, 1488, 0343, 6467") becomes one placeholder in the
utterance text ("the card number is [CARD].") and one placeholder per word in ``words``, each
keeping its word's start and end, so word counts, timings and talk-time metrics do not change.
A word the recogniser wrote as several tokens (" $4" ",532" ",0151") becomes one token spanning
their times.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from transcription.redaction.detect import Span, TokenStream, find_spans
from transcription.types import Utterance, Word, whole_words, words_text

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
    redacted, count, _ = _redact(utterances)
    return redacted, count


def redact_transcript(transcript: "SpeakerTranscript") -> "SpeakerTranscript":
    """``transcript`` with personal and payment data replaced in utterances and words;
    ``pii_redactions`` says how many values were."""
    utterances, count, replaced = _redact(transcript.utterances)
    held = _token_ids(transcript.utterances)
    stray = [w for w in transcript.words if id(w) not in held]
    if stray:  # words no utterance holds: redact them as one stream of their own
        stray_utterance = Utterance(speaker="", start=stray[0].start, end=stray[-1].end,
                                    text=words_text(stray), words=tuple(stray))
        replaced.update(_redact([stray_utterance])[2])
    words = tuple(w for w in (replaced.get(id(w), w) for w in transcript.words) if w is not None)
    return replace(transcript, utterances=utterances, words=words, pii_redactions=count)


def _redact(utterances: Sequence[Utterance]) -> tuple[tuple[Utterance, ...], int, dict[int, Word | None]]:
    """Redacted utterances, the number of values, and what became of each changed token (by
    ``id``): the word that replaces the whole word it began, or None for the rest of that word."""
    ordered = sorted(range(len(utterances)), key=lambda i: (utterances[i].start, utterances[i].end))
    texts = [utterances[i].text.split() for i in ordered]
    text_stream, text_bounds = _stream(texts, [utterances[i] for i in ordered])
    text_spans = find_spans(text_stream)
    groups = [_word_groups(utterances[i].words) for i in ordered]
    words = [[words_text(g) for g in gs] for gs in groups]
    if words == texts:
        word_stream, word_spans = text_stream, text_spans
    else:
        word_stream, _ = _stream(words, [utterances[i] for i in ordered])
        word_spans = find_spans(word_stream)
    new_words = iter(_redact_tokens(word_stream, word_spans))
    redacted = list(utterances)
    replaced: dict[int, Word | None] = {}
    for position, i in enumerate(ordered):
        u = utterances[i]
        a, b = text_bounds[position]
        text = _redact_text(text_stream, text_spans, a, b)
        tokens: list[Word] = []
        for group in groups[position]:
            new = next(new_words)
            if new == words_text(group):
                tokens.extend(group)
                continue
            # A redacted word becomes one token spanning the word's tokens' times.
            merged = whole_words(group)[0]
            merged = replace(merged, text=_keep_leading_space(merged.text, new))
            replaced[id(group[0])] = merged
            replaced.update((id(rest), None) for rest in group[1:])
            tokens.append(merged)
        if text is not None or len(tokens) != len(u.words) or any(t is not w for t, w in zip(tokens, u.words)):
            redacted[i] = replace(u, text=u.text if text is None else text, words=tuple(tokens))
    if text_spans:
        logger.debug("redacted %d values: %s", len(text_spans), ", ".join(s.kind for s in text_spans))
    return tuple(redacted), len(text_spans), replaced


def _word_groups(tokens: Sequence[Word]) -> list[list[Word]]:
    """Tokens grouped into the whitespace-separated words they spell (" $30" + ",000")."""
    groups: list[list[Word]] = []
    for token in tokens:
        if groups and token.continues_word:
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _token_ids(utterances: Sequence[Utterance]) -> set[int]:
    return {id(w) for u in utterances for w in u.words}


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
