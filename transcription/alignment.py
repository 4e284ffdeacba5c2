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


def assign_speakers(words: list[Word], turns: list[SpeakerTurn] | tuple[SpeakerTurn, ...]) -> list[Word]:
    """Give every word the speaker of the turn it overlaps most.

    A word in a gap between turns goes to the nearest turn; no word is dropped and the order is
    kept. Zero-length words (Whisper gives some numbers and currency amounts no duration) are
    placed by their time point; a token that continues a word takes its speaker. Without any
    turn every word gets :data:`DEFAULT_SPEAKER`.
    Runs in O((words + turns) log turns).
    """
    if not turns:
        return [replace(w, speaker=DEFAULT_SPEAKER) for w in words]
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    starts = [t.start for t in ordered]
    running_end = list(accumulate((t.end for t in ordered), max))
    out: list[Word] = []
    for w in words:
        # The rest of a word (",000" after "$30") belongs to whoever said its first token.
        speaker = out[-1].speaker if out and w.continues_word else _speaker_for(w, ordered, starts, running_end)
        out.append(replace(w, speaker=speaker))
    return out


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
