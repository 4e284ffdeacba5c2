"""Transcript formats: text lines, WhisperX-shaped JSON, RTTM, SRT and WebVTT with speakers."""
from __future__ import annotations

import json

import pytest

from transcription.formats import render
from transcription.pipeline import SpeakerTranscript
from transcription.types import SpeakerTurn, Utterance, Word

A, B = "SPEAKER_00", "SPEAKER_01"
WORDS = (Word(12.3, 12.6, " How", 0.9, A), Word(12.6, 13.0, " much?", 0.8, A),
         Word(3725.0, 3725.3, " $25", 0.7, B), Word(3725.3, 3725.4, ",000.", 0.9, B))
TRANSCRIPT = SpeakerTranscript(
    words=WORDS,
    utterances=(Utterance(A, 12.3, 13.0, "How much?", WORDS[:2]), Utterance(B, 3725.0, 3725.4, "$25,000.", WORDS[2:])),
    turns=(SpeakerTurn(12.2, 13.1, A), SpeakerTurn(3724.9, 3725.5, B)),
    diarization_backend="embedded",
    asr_model="tiny.en",
    seller_speaker=None,
    duration=3726.0,
    channels=1,
)


def test_text_lines_carry_speaker_and_clock():
    assert render(TRANSCRIPT, "text") == "[SPEAKER_00 00:12.3] How much?\n[SPEAKER_01 1:02:05.0] $25,000.\n"


def test_json_is_shaped_like_whisperx():
    doc = json.loads(render(TRANSCRIPT, "json"))
    assert [s["speaker"] for s in doc["segments"]] == [A, B]
    assert doc["segments"][1]["words"] == [
        {"word": "$25,000.", "start": 3725.0, "end": 3725.4, "score": 0.7, "speaker": B}
    ]
    assert [w["word"] for w in doc["word_segments"]] == ["How", "much?", "$25,000."] and doc["language"] == "en"


def test_rttm_lines():
    assert render(TRANSCRIPT, "rttm", uri="call 7").splitlines() == [
        "SPEAKER call_7 1 12.200 0.900 <NA> <NA> SPEAKER_00 <NA> <NA>",
        "SPEAKER call_7 1 3724.900 0.600 <NA> <NA> SPEAKER_01 <NA> <NA>",
    ]


def test_srt_and_vtt_carry_the_speaker():
    srt = render(TRANSCRIPT, "srt")
    assert srt.startswith("1\n00:00:12,300 --> 00:00:13,000\n[SPEAKER_00]: How much?\n\n2\n01:02:05,000")
    vtt = render(TRANSCRIPT, "vtt")
    assert vtt.startswith("WEBVTT\n\n00:00:12.300 --> 00:00:13.000\n<v SPEAKER_00>How much?\n")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        render(TRANSCRIPT, "docx")
