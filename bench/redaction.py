"""PII redaction cost per call against the same call's analysis, in the same process.

    python bench/redaction.py [--repeat 5]

For each example call (its scripted turns as utterances, one word per token with the turn's
times spread over them) and the payment call of tests/test_redaction.py: the time to redact the
transcript (best of ``--repeat``) and the time ``analyze_call`` takes on it the first time (the
classifier loaded beforehand, as in a worker; it caches encodings, so only the first run counts);
and the one-off import cost of the redaction package.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def utterances_of(turns):
    from transcription.types import Utterance, Word

    out = []
    for i, turn in enumerate(turns):
        tokens = turn["text"].split()
        step = (turn["end"] - turn["start"]) / max(len(tokens), 1)
        words = tuple(Word(turn["start"] + k * step, turn["start"] + (k + 1) * step, f" {t}", 1.0, turn["speaker"])
                      for k, t in enumerate(tokens))
        out.append(Utterance(turn["speaker"], turn["start"], turn["end"], turn["text"], words))
    return out


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from transcription.redaction import redact_utterances
    import_s = time.perf_counter() - t0

    from analysis import analyze_call, load_classifier

    load_classifier()
    calls = {path.name.removesuffix(".truth.json"): json.loads(path.read_text())
             for path in sorted((ROOT / "examples" / "truth").glob("*.truth.json"))}
    sys.path.insert(0, str(ROOT / "tests"))
    from test_redaction import PAYMENT_CALL

    t = 0.0
    turns = []
    for turn in PAYMENT_CALL["turns"]:
        n = len(turn["text"].split())
        turns.append({"speaker": turn["speaker"], "start": t, "end": t + 0.4 * n, "text": turn["text"]})
        t += 0.4 * n + 0.6
    calls["payment-call"] = {"turns": turns, "duration_s": t}
    print(f"import transcription.redaction: {import_s * 1000:.0f} ms (once per process)")
    print(f"{'call':28} {'words':>6} {'redact ms':>10} {'analyze ms':>11} {'ratio':>7}")
    for name, doc in calls.items():
        utts = utterances_of(doc["turns"])
        redact_s = best(lambda: redact_utterances(utts), args.repeat)
        analyze_s = best(lambda: analyze_call(utts, duration_s=doc["duration_s"]), 1)  # first: encodings are cached
        words = sum(len(u.words) for u in utts)
        print(f"{name:28} {words:6d} {redact_s * 1000:10.1f} {analyze_s * 1000:11.1f} {redact_s / analyze_s:7.1%}")


if __name__ == "__main__":
    main()
