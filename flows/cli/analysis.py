"""``callytics classify`` and ``callytics analyze``: the analysis stage on text, no audio."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import ConfigOption, RedactPiiOption, app, command_settings, fail
from flows.cli.choices import SpeakerRole


@app.command()
def classify(
    texts: Optional[list[str]] = typer.Argument(None, help="Seller utterances; read one per line from stdin when omitted."),
    product: Optional[list[str]] = typer.Option(None, "--product", help="Product name or feature word (repeatable; default: the product_names setting)."),
    role: SpeakerRole = typer.Option(SpeakerRole.unknown, "--role", help="Who says the lines, for price detection: a buyer stating an amount is what it pays or charges its own customers, a seller's is a quote."),
    config_file: Optional[Path] = ConfigOption,
) -> None:
    """Label seller utterances: discovery / product_push / other, one JSON object per line.

    A product_push also gets its push_kind: usage (what the buyer would do with the offering) or
    feature (what the offering is, has or costs); null for other labels.

    Each line also says whether the text mentions price and, when it does, the kind (ask, quote,
    discount, current_spend), amount, currency, period and unit said (null otherwise). Price
    detection reads --role when given (default unknown)."""
    from concurrent.futures import ThreadPoolExecutor

    from analysis.embedding import load_encoder
    from analysis.text import normalize

    # Building the sentence encoder's ONNX session and encoding the lines mostly run outside the
    # GIL: they overlap reading the input and importing the heads and cue grammars. The encoder
    # remembers what it encoded (the normalised text, as every head reads it), so the heads
    # below read those encodings back.
    with ThreadPoolExecutor(max_workers=1) as encoder:
        encoder.submit(load_encoder)
        lines = list(texts) if texts else [line.strip() for line in _stdin_text().splitlines() if line.strip()]
        encoded = encoder.submit(lambda: load_encoder().encode([normalize(line) for line in lines]))
        from analysis import classify_text
        from flows.plan import analysis_config

        config = analysis_config(command_settings(config_file, product_names=product or None))
        encoded.result()
    for turn in classify_text(lines, config, role=None if role is SpeakerRole.unknown else str(role)):
        typer.echo(json.dumps(turn.serialize(), ensure_ascii=False))


def _stdin_text() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        fail("standard input is not UTF-8 text")


@app.command()
def analyze(
    transcript: Path = typer.Argument(..., help="Utterance JSON ({'utterances': [...]}) or WhisperX JSON ({'segments': [...]})."),
    company: Optional[list[str]] = typer.Option(None, "--company", help="The seller's company name (repeatable; default: the company_names setting)."),
    product: Optional[list[str]] = typer.Option(None, "--product", help="Product name or feature word (repeatable; default: the product_names setting)."),
    seller_name: Optional[list[str]] = typer.Option(None, "--seller-name", help="A seller's first name (repeatable; default: the seller_names setting)."),
    seller_speaker: Optional[str] = typer.Option(None, "--seller-speaker", help="Speaker label known to be the seller."),
    details: bool = typer.Option(False, "--details", help="Also print roles, labelled utterances and price mentions."),
    redact_pii: Optional[bool] = RedactPiiOption,
    config_file: Optional[Path] = ConfigOption,
) -> None:
    """Print the call metrics of a transcript as JSON (each is defined in docs/metrics.md)."""
    from analysis import analyze_call, load_transcript
    from flows.plan import analysis_config
    from transcription.redaction import redact_utterances

    if not transcript.is_file():
        fail(f"{transcript}: no such file")
    loaded = load_transcript(transcript)
    settings = command_settings(config_file, company_names=company or None, product_names=product or None,
                                seller_names=seller_name or None, redact_pii=redact_pii)
    config = analysis_config(settings)
    utterances = loaded.utterances
    if settings.redact_pii:
        utterances, _ = redact_utterances(utterances)
    result = analyze_call(
        utterances, duration_s=loaded.duration_s, config=config, seller_speaker=seller_speaker
    )
    out: dict = result.metrics.serialize()
    if details:
        out = {
            "metrics": out,
            "roles": result.roles.roles,
            "role_method": result.roles.method,
            "role_confidence": result.roles.confidence,
            "roles_uncertain": result.roles.uncertain,
            "role_evidence": list(result.roles.evidence),
            "utterances": [
                {k: v for k, v in u.__dict__.items() if k != "words"} | {"cues": list(u.cues)}
                for u in result.utterances
            ],
            "price_mentions": [p.__dict__ for p in result.price_mentions],
        }
    typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
