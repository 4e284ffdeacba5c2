"""Speaker-attributed transcripts as text, WhisperX-shaped JSON, RTTM, SRT and WebVTT."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from transcription.types import whole_words

if TYPE_CHECKING:
    from transcription.pipeline import SpeakerTranscript

__all__ = ["FORMATS", "render", "to_json", "to_rttm", "to_srt", "to_text", "to_vtt"]

FORMATS = ("text", "json", "rttm", "srt", "vtt")


def render(transcript: "SpeakerTranscript", fmt: str, uri: str = "audio") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    if fmt == "rttm":
        return to_rttm(transcript, uri)
    return {"text": to_text, "json": to_json, "srt": to_srt, "vtt": to_vtt}[fmt](transcript)


def to_text(transcript: "SpeakerTranscript") -> str:
    """One line per utterance: ``[SPEAKER_00 00:12.3] text``."""
    return "".join(f"[{u.speaker} {_clock(u.start)}] {u.text}\n" for u in transcript.utterances)


def to_json(transcript: "SpeakerTranscript") -> str:
    """WhisperX's output shape: ``segments`` (one per utterance) with ``words`` and ``speaker``,
    plus ``word_segments`` and ``language``; call-level fields ride along. As in WhisperX, a word
    is whitespace-separated ("$30,000"), however many recogniser tokens made it."""
    segments = [
        {
            "start": round(u.start, 3),
            "end": round(u.end, 3),
            "text": u.text,
            "speaker": u.speaker,
            "words": [_word(w) for w in whole_words(u.words)],
        }
        for u in transcript.utterances
    ]
    doc = {
        "segments": segments,
        "word_segments": [_word(w) for w in whole_words(transcript.words)],
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "channels": transcript.channels,
        "asr_model": transcript.asr_model,
        "diarization_backend": transcript.diarization_backend,
        "seller_speaker": transcript.seller_speaker,
        "pii_redactions": transcript.pii_redactions,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def to_rttm(transcript: "SpeakerTranscript", uri: str) -> str:
    return transcript.diarization.to_rttm(uri)


def to_srt(transcript: "SpeakerTranscript") -> str:
    cues = []
    for i, u in enumerate(transcript.utterances, start=1):
        cues.append(f"{i}\n{_timestamp(u.start, ',')} --> {_timestamp(u.end, ',')}\n[{u.speaker}]: {u.text}\n")
    return "\n".join(cues)


def to_vtt(transcript: "SpeakerTranscript") -> str:
    """WebVTT with the speaker as a voice span (``<v SPEAKER_00>``)."""
    cues = [
        f"{_timestamp(u.start, '.')} --> {_timestamp(u.end, '.')}\n<v {u.speaker}>{_vtt_escape(u.text)}\n"
        for u in transcript.utterances
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def _word(w) -> dict:
    return {
        "word": w.text.strip(),
        "start": round(w.start, 3),
        "end": round(w.end, 3),
        "score": round(w.probability, 3),
        "speaker": w.speaker,
    }


def _clock(seconds: float) -> str:
    """``MM:SS.s``, or ``H:MM:SS.s`` from one hour on."""
    tenths = int(round(max(seconds, 0.0) * 10))
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    secs = f"{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{minutes:02d}:{secs}" if hours else f"{minutes:02d}:{secs}"


def _timestamp(seconds: float, separator: str) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
