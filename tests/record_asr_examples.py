"""Record what callytics' transcription makes of the example archive (tests/data/asr_examples/).

    python -m tests.record_asr_examples

Runs the same recogniser and diarization the nightly flow runs with default settings, with the
manifest's seller channel and speaker count. Takes a minute or two on CPU.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from flows.config import parse_channel
from transcription.asr import AsrOptions
from transcription.audio import load_audio
from transcription.pipeline import CallTranscriber

ARCHIVE = Path("examples/archive")
OUT = Path("tests/data/asr_examples")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    transcriber = CallTranscriber(AsrOptions())
    for row in csv.DictReader((ARCHIVE / "manifest.csv").open()):
        speech = transcriber.process(
            load_audio(ARCHIVE / row["path"]),
            seller_channel=parse_channel(row["seller_channel"]) if row["seller_channel"] else None,
            num_speakers=int(row["num_speakers"]) if row["num_speakers"] else None,
        )
        (OUT / f"{Path(row['path']).stem}.json").write_text(json.dumps(speech.serialize(), indent=1) + "\n")
        print(row["path"], len(speech.words), "words")


if __name__ == "__main__":
    main()
