"""Word-to-speaker alignment and utterance building: no word dropped, splits at speaker changes."""
from __future__ import annotations

from dataclasses import replace

from transcription.alignment import DEFAULT_SPEAKER, assign_speakers, build_utterances
from transcription.types import SpeakerTurn, Word

A, B = "SPEAKER_00", "SPEAKER_01"
TURNS = [SpeakerTurn(0.0, 2.0, A), SpeakerTurn(2.5, 5.0, B), SpeakerTurn(6.0, 8.0, A)]


def w(start, end, text, speaker=None):
    """A word token as Whisper spaces it: a leading space unless it continues the previous word."""
    return Word(start, end, text if text[0] in ",'-" else " " + text, 0.9, speaker)


def test_each_word_gets_the_turn_it_overlaps_most():
    words = [w(0.1, 0.5, "Hello"), w(1.8, 2.6, "there."), w(2.55, 3.0, "Hi."), w(4.8, 5.3, "So")]
    speakers = [x.speaker for x in assign_speakers(words, TURNS)]
    # "there." overlaps A by 0.2 s and B by 0.1 s.
    assert speakers == [A, A, B, B]


def test_words_in_gaps_go_to_the_nearest_turn_and_none_is_dropped():
    words = [w(2.1, 2.2, "uh"), w(2.35, 2.45, "yes"), w(5.2, 5.4, "twenty"), w(5.7, 5.9, "dollars"), w(9.0, 9.5, "bye")]
    out = assign_speakers(words, TURNS)
    assert [x.text for x in out] == [x.text for x in words]
    assert [x.speaker for x in out] == [A, B, B, A, A]


def test_zero_length_number_words_keep_their_time_and_get_a_speaker():
    words = [w(3.0, 3.0, "$25,000"), w(7.0, 7.0, "12k")]
    out = assign_speakers(words, TURNS)
    assert [(x.start, x.end, x.speaker) for x in out] == [(3.0, 3.0, B), (7.0, 7.0, A)]


def test_no_turns_means_one_default_speaker():
    out = assign_speakers([w(0, 1, "alone")], [])
    assert out[0].speaker == DEFAULT_SPEAKER


def test_overlapping_turns_are_handled():
    turns = [SpeakerTurn(0.0, 10.0, A), SpeakerTurn(4.0, 5.0, B)]
    out = assign_speakers([w(4.2, 4.8, "mm-hmm"), w(8.0, 8.5, "right")], turns)
    # Equal overlap: the turn whose centre is nearest wins, so a back-channel inside a long turn
    # goes to the short turn that holds it.
    assert [x.speaker for x in out] == [B, A]
    out = assign_speakers([w(4.2, 4.8, "mm-hmm")], [SpeakerTurn(0.0, 4.5, A), SpeakerTurn(4.0, 5.0, B)])
    assert out[0].speaker == B


def test_a_whisper_segment_spanning_two_speakers_is_split_at_the_change():
    # One recogniser segment: "How much is it? Sixty dollars a seat."
    words = [w(0.0, 0.3, "How"), w(0.3, 0.5, "much"), w(0.5, 0.7, "is"), w(0.7, 1.0, "it?"),
             w(1.2, 1.6, "Sixty"), w(1.6, 2.0, "dollars"), w(2.0, 2.2, "a"), w(2.2, 2.5, "seat.")]
    turns = [SpeakerTurn(0.0, 1.1, B), SpeakerTurn(1.1, 2.6, A)]
    utterances = build_utterances(assign_speakers(words, turns))
    assert [(u.speaker, u.text) for u in utterances] == [(B, "How much is it?"), (A, "Sixty dollars a seat.")]
    assert sum(len(u.words) for u in utterances) == len(words)


def test_pauses_split_utterances_only_at_sentence_ends_unless_long():
    words = [w(0.0, 0.5, "Okay.", A), w(1.7, 2.0, "Next", A), w(2.0, 2.3, "thing", A),
             w(3.5, 3.8, "is", A), w(3.8, 4.0, "pricing.", A), w(6.5, 7.0, "Right", A)]
    utterances = build_utterances(words, max_pause_s=1.0)
    assert [u.text for u in utterances] == ["Okay.", "Next thing is pricing.", "Right"]
    assert (utterances[1].start, utterances[1].end) == (1.7, 4.0)


def test_no_words_no_utterances():
    assert build_utterances([]) == []


def test_utterance_text_is_spaced_as_whisper_spaced_the_tokens():
    # faster-whisper emits "$30" and ",000" as two tokens; only the first carries a space.
    words = [w(15.7, 15.9, "It's"), w(15.9, 16.5, "$30"), w(16.5, 16.5, ",000"), w(16.5, 16.9, "a"),
             w(16.9, 17.2, "year."), w(17.2, 17.6, "Twenty"), w(17.6, 18.0, "-year"), w(18.0, 18.3, "terms.")]
    [utterance] = build_utterances(assign_speakers(words, [SpeakerTurn(15.0, 18.5, A)]))
    assert utterance.text == "It's $30,000 a year. Twenty-year terms."
    assert utterance.words == tuple(replace(x, speaker=A) for x in words)


def test_the_rest_of_a_word_stays_with_its_speaker_and_utterance():
    # ",000" has no duration and sits on the turn change; it still belongs to "$30".
    words = [w(1.0, 1.4, "$30", A), w(2.09, 2.09, ",000."), w(2.4, 2.8, "Okay.")]
    turns = [SpeakerTurn(0.0, 2.0, A), SpeakerTurn(2.1, 3.0, B)]
    out = assign_speakers(words, turns)
    assert [x.speaker for x in out] == [A, A, B]
    assert [(u.speaker, u.text) for u in build_utterances(out)] == [(A, "$30,000."), (B, "Okay.")]
def _said(speaker, start, text, seconds_per_word=0.3):
    """Words of one sentence-run at an even pace, with their true speaker."""
    out = []
    for i, token in enumerate(text.split()):
        out.append(w(round(start + i * seconds_per_word, 3), round(start + (i + 1) * seconds_per_word - 0.02, 3), token, speaker))
    return out


# The buyer asks about price; the seller answers after a short pause. Words every 0.3 s:
# "this" at 2.7 s, "cost?" at 3.0 s, then "For" at 3.5 s.
PRICE_TALK = (_said(B, 0.0, "We have ten reps. So what does something like this cost?")
              + _said(A, 3.5, "For a team of ten it is forty a seat."))


def test_a_change_inside_a_sentence_moves_to_its_end():
    # Diarization put the change 0.9 s early, inside the buyer's question.
    early = [SpeakerTurn(0.0, 2.7, B), SpeakerTurn(2.7, 6.5, A)]
    out = build_utterances(assign_speakers([replace(x, speaker=None) for x in PRICE_TALK], early))
    assert [(u.speaker, u.text) for u in out] == [
        (B, "We have ten reps. So what does something like this cost?"),
        (A, "For a team of ten it is forty a seat."),
    ]
    # And 0.7 s late: the seller's first words "For a" belong to the seller's sentence.
    late = [SpeakerTurn(0.0, 4.1, B), SpeakerTurn(4.1, 6.5, A)]
    words = assign_speakers([replace(x, speaker=None) for x in PRICE_TALK], late)
    assert [x.speaker for x in words] == [x.speaker for x in PRICE_TALK]


def test_time_alone_gives_the_early_change_to_the_wrong_speaker():
    early = [SpeakerTurn(0.0, 2.7, B), SpeakerTurn(2.7, 6.5, A)]
    words = assign_speakers([replace(x, speaker=None) for x in PRICE_TALK], early, max_shift_s=0)
    assert [x.text.strip() for x in words if x.speaker == A][:3] == ["this", "cost?", "For"]


def test_changes_at_pauses_or_far_from_a_sentence_end_stay():
    # A pause of 0.5 s without punctuation is a place to change speaker: nothing moves.
    words = _said(B, 0.0, "so the thing is") + _said(A, 1.7, "right and we also")
    turns = [SpeakerTurn(0.0, 1.4, B), SpeakerTurn(1.6, 3.0, A)]
    assert [x.speaker for x in assign_speakers(words, turns)] == [B] * 4 + [A] * 4
    # A sentence end 2.1 s away is too far to be this change.
    words = _said(B, 0.0, "we run seven plants across three states and") + _said(A, 2.7, "ok.")
    turns = [SpeakerTurn(0.0, 1.2, B), SpeakerTurn(1.2, 3.0, A)]
    assert [x.speaker for x in assign_speakers(words, turns)] == [B] * 4 + [A] * 5


def test_a_short_run_between_two_changes_is_never_swallowed():
    words = _said(A, 0.0, "so our plan is") + [w(1.25, 1.45, "mm", B)] + _said(A, 1.5, "to expand next year.")
    turns = [SpeakerTurn(0.0, 1.2, A), SpeakerTurn(1.2, 1.48, B), SpeakerTurn(1.48, 3.0, A)]
    out = assign_speakers([replace(x, speaker=None) for x in words], turns)
    assert [x.speaker for x in out].count(B) == 1
    assert len(out) == len(words)
