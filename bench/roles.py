"""Seller identification from the transcript: accuracy, reliability, robustness and speed.

    python bench/roles.py [--threads 2] [--json]

On the held-out calls of ``analysis/data/role_calls_heldout.txt`` (industries the model never
saw): the share of calls whose seller/buyer split is exactly right, for two-party calls and the
subset where the buyer speaks first and nobody introduces themselves, with the calls' manifest
facts (company, products, seller name) and with no configuration, as written and in ASR style.
The reliability table pools the two-party calls whole and cut after 2, 3, 4, 6 and 8 turns, so
every confidence range has calls in it. Robustness: the same calls with a share of utterances
given to the other speaker (diarization mistakes). Also the example archive's truth files.
Speed: milliseconds of role assignment per held-out call with the sentence encoder's memo
emptied before each call (so it includes encoding), and the turn classifier labelling the same
utterances in the same run as the baseline (what the earlier regex method needed first).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX_TURNS = (2, 3, 4, 6, 8)
SWAP_RATES = (0.1, 0.2)
SWAP_SEED = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    sys.path.insert(0, str(ROOT))
    import torch

    torch.set_num_threads(args.threads)
    from analysis.config import AnalysisConfig
    from analysis.role_data import HELDOUT_CALLS_PATH, cut_short, format_reliability, load_role_calls, score_roles
    from analysis.role_model import load_role_model
    from analysis.roles import assign_roles
    from analysis.train_classifier import asr_style

    model = load_role_model()
    calls = load_role_calls(HELDOUT_CALLS_PATH)
    two_party = [c for c in calls if len(c.tags) == 2]
    hard = [c for c in two_party if c.buyer_first_no_intro]
    configs = {"manifest facts": lambda c: c.config, "no configuration": lambda c: AnalysisConfig()}

    def run(subset, transform=str, config_of=configs["manifest facts"], utterances_of=None):
        assigned = [assign_roles((utterances_of or (lambda c: c.utterances(transform)))(c), config_of(c), model=model)
                    for c in subset]
        return score_roles(subset, assigned)

    report: dict = {"accuracy": {}, "robustness": {}}
    for style, transform in (("as written", str), ("asr style", asr_style)):
        for facts, config_of in configs.items():
            for name, subset in (("two-party", two_party), ("buyer first, no introductions", hard),
                                 ("one or 3+ speakers", [c for c in calls if len(c.tags) != 2])):
                s = run(subset, transform, config_of)
                report["accuracy"][f"{style} / {facts} / {name}"] = _summary(s)

    pooled = run(two_party + cut_short(two_party, PREFIX_TURNS))
    report["reliability"] = {"calls": pooled.calls, "accuracy": round(pooled.accuracy, 3),
                             "expected_calibration_error": pooled.expected_calibration_error,
                             "bins": [asdict(b) for b in pooled.reliability if b.calls]}
    for n in PREFIX_TURNS:
        cut = _summary(run(cut_short(two_party, (n,))))
        report["accuracy"][f"as written / manifest facts / two-party cut after {n} turns"] = cut

    for rate in SWAP_RATES:
        rng = random.Random(SWAP_SEED)
        noisy = {c.call_id: _swap_speakers(c.utterances(), rate, rng) for c in two_party}
        s = run(two_party, utterances_of=lambda c: noisy[c.call_id])
        report["robustness"][f"{rate:.0%} of utterances on the wrong speaker"] = _summary(s)
    report["example archive"] = _examples(model)
    report["speed"] = _speed(model, two_party)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print("| calls | right | accuracy |\n|---|---|---|")
    for name, s in {**report["accuracy"], **report["robustness"]}.items():
        print(f"| {name} | {s['correct']}/{s['calls']} | {s['accuracy']:.3f} |")
    print(f"\nReliability, {pooled.calls} held-out two-party calls whole and cut short "
          f"(accuracy {pooled.accuracy:.3f}, expected calibration error {pooled.expected_calibration_error}):")
    print(format_reliability(pooled))
    print(f"\nexample archive: {report['example archive']}")
    print(f"speed: {report['speed']}")


def _summary(score) -> dict:
    return {"calls": score.calls, "correct": score.correct, "accuracy": round(score.accuracy, 3),
            "wrong": list(score.wrong)}


def _swap_speakers(utterances, rate, rng):
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    out = []
    for u in utterances:
        if rng.random() < rate:
            u = replace(u, speaker=rng.choice([s for s in speakers if s != u.speaker]))
        out.append(u)
    return out


def _examples(model) -> str:
    from analysis.config import AnalysisConfig
    from analysis.roles import assign_roles
    from transcription.types import Utterance

    right = 0
    paths = sorted((ROOT / "examples" / "truth").glob("*.truth.json"))
    for path in paths:
        doc = json.loads(path.read_text())
        alias: dict[str, str] = {}
        utts = [Utterance(alias.setdefault(t["speaker"], f"SPEAKER_{len(alias):02d}"), t["start"], t["end"], t["text"])
                for t in doc["turns"]]
        roles = assign_roles(utts, AnalysisConfig(), model=model).roles
        right += roles == {a: role for role, a in alias.items()}
    return f"{right}/{len(paths)} calls right with no configuration"


def _speed(model, calls) -> dict:
    from analysis.classifier import load_classifier
    from analysis.config import AnalysisConfig
    from analysis.roles import assign_roles

    classifier = load_classifier()
    encoder = model.encoder
    role_s = warm_s = classify_s = 0.0
    utterances = 0
    for call in calls:
        utts = call.utterances()
        utterances += len(utts)
        encoder._memo.clear()
        t = time.perf_counter()
        assign_roles(utts, AnalysisConfig(), model=model)
        role_s += time.perf_counter() - t
        t = time.perf_counter()
        assign_roles(utts, AnalysisConfig(), model=model)
        warm_s += time.perf_counter() - t
        encoder._memo.clear()
        t = time.perf_counter()
        classifier.classify([u.text for u in utts])
        classify_s += time.perf_counter() - t
    n = len(calls)
    return {
        "calls": n,
        "utterances_per_call": round(utterances / n, 1),
        "role_assignment_ms_per_call": round(1000 * role_s / n, 1),
        "role_assignment_ms_per_call_text_already_encoded": round(1000 * warm_s / n, 1),
        "turn_classifier_ms_per_call_same_utterances": round(1000 * classify_s / n, 1),
        "roles_vs_turn_classifier_time": round(role_s / classify_s, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
