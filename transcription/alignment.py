"""Word-to-speaker alignment and utterance building.

Speakers are assigned per word, never per recogniser segment: one Whisper segment often spans
both parties of a call, and segment-level attribution gives the whole stretch to one of them.
"""
from __future__ import annotations

import bisect
from dataclasses import replace
from itertools import accumulate

from transcription.types import SpeakerTurn, Utterance, Word, words_text

__all__ = ["DEFAULT_SPEAKER", "assign_speakers", "build_utterances"]

DEFAULT_SPEAKER = "SPEAKER_00"
"""Label for words of a recording in which diarization found no speech turns at all."""

_SENTENCE_END = (".", "?", "!", "…")


def assign_speakers(
    words: list[Word],
    turns: list[SpeakerTurn] | tuple[SpeakerTurn, ...],
    *,
    max_shift_s: float = 1.5,
) -> list[Word]:
    """Give every word the speaker of the turn it overlaps most, then move each speaker change
    that falls inside a sentence to the sentence's end.

    A word in a gap between turns goes to the nearest turn; no word is dropped and the order is
    kept. Zero-length words (Whisper gives some numbers and currency amounts no duration) are
    placed by their time point; a token that continues a word takes its speaker. Without any
    turn every word gets :data:`DEFAULT_SPEAKER`.

    Diarization places a change within a second or so; the words say where it is: a speaker
    change between two words of one sentence, with no pause between them, moves to the nearest
    sentence end (a word ending in . ? ! …) within ``max_shift_s`` of it, a pause after the
    sentence end counting as nearness, so the words go to the speaker whose sentence they
    complete. ``max_shift_s=0`` keeps the time-based speakers.
    Runs in O((words + turns) log turns).
    """
    if not turns:
        return [replace(w, speaker=DEFAULT_SPEAKER) for w in words]
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    starts = [t.start for t in ordered]
    running_end = list(accumulate((t.end for t in ordered), max))
    order = sorted(range(len(words)), key=lambda i: (words[i].start, words[i].end))
    by_time = [words[i] for i in order]
    speakers = [_speaker_for(w, ordered, starts, running_end) for w in by_time]
    if max_shift_s > 0:
        speakers = _changes_at_sentence_ends(by_time, speakers, max_shift_s)
    for k in range(1, len(by_time)):
        # The rest of a word (",000" after "$30") belongs to whoever said its first token.
        if by_time[k].continues_word:
            speakers[k] = speakers[k - 1]
    out = list(words)
    for i, who in zip(order, speakers):
        out[i] = replace(words[i], speaker=who)
    return out


_BOUNDARY_PAUSE_S = 0.3
"""A pause this long between two words is a place where a speaker can change mid-sentence."""


def _changes_at_sentence_ends(words: list[Word], speakers: list[str], max_shift_s: float) -> list[str]:
    """Move each speaker change that sits inside a sentence to the nearest sentence end.

    Position ``p`` is the gap before ``words[p]``. A change may move between the neighbouring
    changes (never past them, so no speaker's run disappears); the words it passes take the
    speaker of the side they now belong to."""
    out = list(speakers)
    changes = [p for p in range(1, len(words)) if speakers[p] != speakers[p - 1]]
    previous = 0  # where the previous change ended up
    for i, p in enumerate(changes):
        lo = previous + 1
        hi = changes[i + 1] - 1 if i + 1 < len(changes) else len(words) - 1
        previous = p
        if _natural_boundary(words, p):
            continue
        at = _gap_time(words, p)
        candidates = [
            q for q in range(lo, hi + 1)
            if q != p and _ends_sentence(words[q - 1]) and abs(_gap_time(words, q) - at) <= max_shift_s
        ]
        if not candidates:
            continue
        # The nearest sentence end, where a pause (speakers rarely change without one) brings it nearer.
        q = previous = min(candidates, key=lambda c: (abs(_gap_time(words, c) - at) - min(_pause(words, c), 1.0), c))
        before, after = speakers[p - 1], speakers[p]
        for k in range(min(p, q), max(p, q)):
            out[k] = before if k < q else after
    return out


def _natural_boundary(words: list[Word], p: int) -> bool:
    return _ends_sentence(words[p - 1]) or _pause(words, p) >= _BOUNDARY_PAUSE_S


def _pause(words: list[Word], p: int) -> float:
    return max(0.0, words[p].start - words[p - 1].end)


def _ends_sentence(word: Word) -> bool:
    return word.text.strip().endswith(_SENTENCE_END)


def _gap_time(words: list[Word], p: int) -> float:
    return 0.5 * (words[p - 1].end + words[p].start)


def _speaker_for(word: Word, turns: list[SpeakerTurn], starts: list[float], running_end: list[float]) -> str:
    start, end = min(word.start, word.end), max(word.start, word.end)
    # Turns that begin before the word ends, scanned back while any of them can still reach it.
    hi = bisect.bisect_right(starts, end)
    best, best_key = None, None
    i = hi - 1
    while i >= 0 and running_end[i] >= start:
        turn = turns[i]
        overlap = min(end, turn.end) - max(start, turn.start)
        if overlap >= 0:
            key = (overlap, -abs(0.5 * (start + end) - 0.5 * (turn.start + turn.end)))
            if best_key is None or key > best_key:
                best, best_key = turn, key
        i -= 1
    if best is not None:
        return best.speaker
    before = turns[max(range(hi), key=lambda k: turns[k].end)] if hi > 0 else None
    after = turns[hi] if hi < len(turns) else None
    if after is None or (before is not None and start - before.end <= after.start - end):
        return before.speaker
    return after.speaker


def build_utterances(words: list[Word], max_pause_s: float = 1.0) -> list[Utterance]:
    """Merge speaker-attributed words into utterances.

    A new utterance starts when the speaker changes, or after a pause of ``max_pause_s`` or more
    that follows a sentence end. A pause inside a sentence splits it only when it is twice as
    long, so a hesitation does not cut a question in two.
    """
    ordered = sorted(words, key=lambda w: (w.start, w.end))
    groups: list[list[Word]] = []
    for word in ordered:
        if groups and not _starts_new(groups[-1][-1], word, max_pause_s):
            groups[-1].append(word)
        else:
            groups.append([word])
    return [_utterance(g) for g in groups]


def _starts_new(prev: Word, word: Word, max_pause_s: float) -> bool:
    if word.speaker != prev.speaker:
        return True
    if word.continues_word:
        return False
    pause = word.start - prev.end
    if prev.text.strip().endswith(_SENTENCE_END):
        return pause >= max_pause_s
    return pause >= 2 * max_pause_s


def _utterance(words: list[Word]) -> Utterance:
    return Utterance(
        speaker=words[0].speaker or DEFAULT_SPEAKER,
        start=words[0].start,
        end=max(w.end for w in words),
        text=words_text(words),
        words=tuple(words),
    )
