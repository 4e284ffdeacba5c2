"""``callytics transcribe FILE``: a speaker-attributed transcript of one recording."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import app, fail
from flows.config import ConfigError, parse_channel
from transcription.diarization.factory import BACKENDS as _BACKENDS
from transcription.formats import FORMATS as _FORMATS



@app.command()
def transcribe(
    file: Path = typer.Argument(..., help="Audio file (wav, flac, mp3, m4a, ogg, webm; mono or stereo)."),
    diarization: str = typer.Option("auto", "--diarization", help="auto | channels | embedded | pyannote."),
    fmt: str = typer.Option("text", "--format", help="text | json | rttm | srt | vtt."),
    asr_model: Optional[str] = typer.Option(None, "--asr-model", help="faster-whisper model name or folder (default: bundled tiny.en)."),
    num_speakers: Optional[int] = typer.Option(None, "--num-speakers", help="Exact speaker count, when known."),
    min_speakers: Optional[int] = typer.Option(None, "--min-speakers", help="Lowest speaker count to consider."),
    max_speakers: Optional[int] = typer.Option(None, "--max-speakers", help="Highest speaker count to consider."),
    pyannote_pipeline: Optional[str] = typer.Option(
        None, "--pyannote-pipeline", help="pyannote pipeline folder or hub id (hub ids need HF_TOKEN)."
    ),
    seller_channel: Optional[str] = typer.Option(None, "--seller-channel", help="left | right | 0 | 1 (stereo dialer recordings)."),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here instead of standard output."),
) -> None:
    """Transcribe FILE with speakers: who said what, when."""
    if diarization not in _BACKENDS:
        fail(f"--diarization must be one of {', '.join(_BACKENDS)}, not '{diarization}'")
    if fmt not in _FORMATS:
        fail(f"--format must be one of {', '.join(_FORMATS)}, not '{fmt}'")
    try:
        channel = parse_channel(seller_channel)
    except ConfigError:
        fail(f"--seller-channel must be left, right, 0 or 1, not '{seller_channel}'")
    for name, value in (("--num-speakers", num_speakers), ("--min-speakers", min_speakers), ("--max-speakers", max_speakers)):
        if value is not None and value < 1:
            fail(f"{name} must be at least 1")
    if diarization == "pyannote" and not pyannote_pipeline:
        fail("--diarization pyannote needs --pyannote-pipeline (a local pipeline folder or a hub id)")

    from transcription.asr import AsrOptions
    from transcription.audio import load_audio
    from transcription.errors import DiarizationError
    from transcription.formats import render
    from transcription.pipeline import CallTranscriber

    audio = load_audio(file)
    if diarization == "channels" and audio.channels < 2:
        raise DiarizationError(f"{file}: --diarization channels needs a stereo recording with one party per channel; this one is mono")
    asr = AsrOptions(device=device) if asr_model is None else AsrOptions(model=asr_model, device=device)
    transcriber = CallTranscriber(
        asr,
        diarization=diarization,
        pyannote_pipeline=pyannote_pipeline,
        hf_token=os.environ.get("HF_TOKEN"),
        device=device,
    )
    result = transcriber.process(
        audio,
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        seller_channel=channel,
    )
    text = render(result, fmt, uri=file.stem)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
