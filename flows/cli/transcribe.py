"""``callytics transcribe FILE``: a speaker-attributed transcript of one recording."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import ConfigOption, RedactPiiOption, app, command_settings, fail
from flows.cli.choices import Device, Diarization, SellerChannel, TranscriptFormat
from flows.config import parse_channel


@app.command()
def transcribe(
    file: Path = typer.Argument(..., help="Audio file (wav, flac, mp3, m4a, ogg, webm; mono or stereo)."),
    diarization: Optional[Diarization] = typer.Option(None, "--diarization", help="Who-spoke-when backend (default: the diarization setting, auto)."),
    fmt: TranscriptFormat = typer.Option(TranscriptFormat.text, "--format", help="Output format."),
    asr_model: Optional[str] = typer.Option(None, "--asr-model", help="faster-whisper model name or folder (default: bundled tiny.en)."),
    num_speakers: Optional[int] = typer.Option(None, "--num-speakers", min=1, help="Exact speaker count, when known."),
    min_speakers: Optional[int] = typer.Option(None, "--min-speakers", min=1, help="Lowest speaker count to consider."),
    max_speakers: Optional[int] = typer.Option(None, "--max-speakers", min=1, help="Highest speaker count to consider."),
    pyannote_pipeline: Optional[str] = typer.Option(
        None, "--pyannote-pipeline", help="pyannote pipeline folder or hub id (hub ids need HF_TOKEN)."
    ),
    seller_channel: Optional[SellerChannel] = typer.Option(None, "--seller-channel", help="The seller's stereo channel (dialer recordings)."),
    device: Optional[Device] = typer.Option(None, "--device", help="Where the models run (default: the device setting, auto: the GPU when there is one)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here instead of standard output."),
    config: Optional[Path] = ConfigOption,
    redact_pii: Optional[bool] = RedactPiiOption,
) -> None:
    """Transcribe FILE with speakers: who said what, when."""
    channel = parse_channel(seller_channel)
    settings = command_settings(
        config, diarization=diarization, asr_model=asr_model, pyannote_pipeline=pyannote_pipeline,
        device=device, redact_pii=redact_pii,
    )
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
