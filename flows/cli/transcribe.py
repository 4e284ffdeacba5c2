"""``callytics transcribe FILE``: a speaker-attributed transcript of one recording."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import RedactPiiOption, app, fail
from flows.config import ConfigError, load_settings, parse_channel
from transcription.formats import FORMATS as _FORMATS


@app.command()
def transcribe(
    file: Path = typer.Argument(..., help="Audio file (wav, flac, mp3, m4a, ogg, webm; mono or stereo)."),
    diarization: Optional[str] = typer.Option(None, "--diarization", help="auto | channels | embedded | pyannote (default: the configured one, auto)."),
    fmt: str = typer.Option("text", "--format", help="text | json | rttm | srt | vtt."),
    asr_model: Optional[str] = typer.Option(None, "--asr-model", help="faster-whisper model name or folder (default: bundled tiny.en)."),
    num_speakers: Optional[int] = typer.Option(None, "--num-speakers", help="Exact speaker count, when known."),
    min_speakers: Optional[int] = typer.Option(None, "--min-speakers", help="Lowest speaker count to consider."),
    max_speakers: Optional[int] = typer.Option(None, "--max-speakers", help="Highest speaker count to consider."),
    pyannote_pipeline: Optional[str] = typer.Option(
        None, "--pyannote-pipeline", help="pyannote pipeline folder or hub id (hub ids need HF_TOKEN)."
    ),
    seller_channel: Optional[str] = typer.Option(None, "--seller-channel", help="left | right | 0 | 1 (stereo dialer recordings)."),
    device: Optional[str] = typer.Option(None, "--device", help="auto | cpu | cuda."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here instead of standard output."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML settings file (default ./callytics.toml)."),
    redact_pii: Optional[bool] = RedactPiiOption,
) -> None:
    """Transcribe FILE with speakers: who said what, when."""
    if fmt not in _FORMATS:
        fail(f"--format must be one of {', '.join(_FORMATS)}, not '{fmt}'")
    try:
        channel = parse_channel(seller_channel)
    except ConfigError:
        fail(f"--seller-channel must be left, right, 0 or 1, not '{seller_channel}'")
    for name, value in (("--num-speakers", num_speakers), ("--min-speakers", min_speakers), ("--max-speakers", max_speakers)):
        if value is not None and value < 1:
            fail(f"{name} must be at least 1")
    try:
        settings = load_settings(config).with_overrides(
            diarization=diarization, asr_model=asr_model, pyannote_pipeline=pyannote_pipeline, device=device,
            redact_pii=redact_pii,
        )
    except ConfigError as exc:
        fail(f"--{exc}" if diarization is not None and str(exc).startswith("diarization") else str(exc))
    if settings.diarization == "pyannote" and not settings.pyannote_pipeline:
        fail("--diarization pyannote needs --pyannote-pipeline (a local pipeline folder or a hub id)")

    from flows.plan import plan_call
    from transcription.asr import AsrOptions
    from transcription.audio import load_audio
    from transcription.diarization import SpeakerCountHints
    from transcription.formats import render
    from transcription.pipeline import CallTranscriber
    from transcription.redaction import redact_transcript

    audio = load_audio(file)
    plan = plan_call(settings, channels=audio.channels, seller_channel=channel,
                     speakers=SpeakerCountHints(num_speakers, min_speakers, max_speakers))
    transcriber = CallTranscriber(
        AsrOptions(model=settings.asr_model, device=settings.device),
        backends=(plan.diarization,),
        pyannote_pipeline=settings.pyannote_pipeline,
        hf_token=settings.hf_token,
        device=settings.device,
    )
    result = transcriber.process(audio, backend=plan.diarization, seller_channel=plan.seller_channel,
                                 speakers=plan.speakers)
    if settings.redact_pii:
        result = redact_transcript(result)
    text = render(result, fmt, uri=file.stem)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
