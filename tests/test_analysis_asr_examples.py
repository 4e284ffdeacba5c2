"""Price in what the recogniser really wrote: the example archive's calls as faster-whisper
(bundled tiny.en) transcribed them, word tokens with their own spacing, against the archive's
ground truth. The transcripts are recorded in tests/data/asr_examples/ (see tests/data/README.md)."""
import json
import re
from pathlib import Path

import pytest

from analysis import AnalysisConfig, analyze_call
from transcription.alignment import build_utterances
from transcription.types import Word

pytestmark = pytest.mark.slow  # loads the sentence encoder and the heads

ASR = Path("tests/data/asr_examples")
TRUTH = Path("examples/truth")
CALLS = sorted(p.stem for p in ASR.glob("*.json"))
# The amount each call's seller quoted, as said (the truth files keep only the text).
QUOTED = {
    "2026-11-16_brightlane": (60, "USD", "month", "seat"),
    "2026-11-18_cobalt": (25_000, "USD", "year", None),
    "2026-11-24_meridian": (40_000, "USD", "year", None),
    "2026-11-26_alder": (50_000, "USD", "year", None),
}


def _words(call: str) -> list[Word]:
    doc = json.loads((ASR / f"{call}.json").read_text())
    return [Word.from_dict(w) for u in doc["utterances"] for w in u["words"]]


def _analyse(call: str):
    doc = json.loads((ASR / f"{call}.json").read_text())
    utterances = build_utterances(_words(call))
    seller = doc["seller_speaker"]
    return analyze_call(utterances, duration_s=doc["duration"], config=AnalysisConfig(company_names=("Northwind",)),
                        seller_speaker=seller)


def test_recorded_transcripts_are_present():
    assert CALLS == sorted(p.name.removesuffix(".truth.json") for p in TRUTH.glob("*.truth.json"))


@pytest.mark.parametrize("call", CALLS)
def test_text_joins_whisper_tokens_as_spaced(call):
    utterances = build_utterances(_words(call))
    for u in utterances:
        assert u.text == "".join(w.text for w in u.words).strip()
        assert not re.search(r"\d ,\d{3}", u.text), u.text
    if call == "2026-11-18_cobalt":
        assert any("$25,000 a year" in u.text for u in utterances)


@pytest.mark.parametrize("call", CALLS)
def test_prices_match_the_truth(call):
    truth = json.loads((TRUTH / f"{call}.truth.json").read_text())
    result = _analyse(call)
    m = result.metrics
    if truth["first_price_s"] is None:
        assert result.price_mentions == () and m.first_price_s is None
        return
    assert m.first_price_by == truth["first_price_by"]
    assert abs(m.first_price_s - truth["first_price_s"]) <= 3.0
    for turn in (t for t in truth["turns"] if t["price_mention"]):
        said = [p for p in result.price_mentions if abs(p.start - turn["start"]) <= 3.0]
        assert said and said[0].role == turn["speaker"], turn["text"]
    quote = next(p for p in result.price_mentions if p.role == "seller" and p.amount is not None)
    assert (quote.amount, quote.currency, quote.period, quote.unit) == QUOTED[call]
