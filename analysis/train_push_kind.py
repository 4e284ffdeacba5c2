"""Train the push-kind head (usage / feature) and print held-out scores.

    python -m analysis.train_push_kind [--out analysis/data/push_head.npz]

Trains on the ``product_push`` rows of the ``train`` split of ``push_kind_utterances.jsonl`` (plus
a lowercase, unpunctuated copy of every row, as ASR gives it), picks the regularisation by
leave-industries-out cross-validation, writes the head, and scores the ``heldout`` split (industries
it never sees) and the pitches of the sets written after training. Needs scikit-learn; run time
needs only NumPy.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from analysis.heads import save_head
from analysis.embedding import load_encoder
from analysis.labelled_data import PUSH_KIND_AFTER_TRAINING, PUSH_KIND_PATH, LabelledText, Score, load_labelled, score
from analysis.push_kind import HEAD_PATH, PUSH_FEATURE_NAMES, PushKindHead, push_features
from analysis.train_classifier import asr_style, fit_head
from analysis.types import PUSH_KINDS


def pitches(path: Path, split: str | None = None) -> list[LabelledText]:
    """The rows of a labelled file that carry a push kind."""
    return [r for r in load_labelled(path, split) if r.push_kind is not None]


def evaluate(head: PushKindHead, rows: Sequence[LabelledText], transform: Callable[[str], str] = str) -> tuple[Score, list[str]]:
    """Score of ``head`` on ``rows`` (texts passed through ``transform``) and its predictions."""
    predicted = [k.kind for k in head.classify([transform(r.text) for r in rows])]
    return score([r.push_kind for r in rows], predicted, PUSH_KINDS), predicted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HEAD_PATH))
    args = parser.parse_args()

    encoder = load_encoder()
    train = pitches(PUSH_KIND_PATH, "train")
    texts = [r.text for r in train] + [asr_style(r.text) for r in train]
    kinds = np.array([PUSH_KINDS.index(r.push_kind) for r in train] * 2)
    groups = np.array([r.industry for r in train] * 2)
    x, _ = push_features(encoder, texts)
    model, best_c = fit_head(x, kinds, groups, PUSH_KINDS)
    save_head(args.out, weights=model.coef_, bias=model.intercept_, feature_names=PUSH_FEATURE_NAMES, c=best_c,
              kinds=np.array([PUSH_KINDS[k] for k in model.classes_]))
    print(f"wrote {args.out} (C={best_c}, {len(train)} rows x2)")

    head = PushKindHead(Path(args.out), encoder)
    sets = {"heldout": pitches(PUSH_KIND_PATH, "heldout")} | {k: pitches(p) for k, p in PUSH_KIND_AFTER_TRAINING.items()}
    for name, rows in sets.items():
        for style, transform in (("as written", str), ("asr style", asr_style)):
            s, predicted = evaluate(head, rows, transform)
            per_kind = " ".join(f"{k} {f:.3f}" for k, f in s.per_label_f1.items())
            print(f"{name:10} {style:10} n={s.n} accuracy {s.accuracy:.3f} macro-F1 {s.macro_f1:.3f} ({per_kind})")
            if style == "as written":
                for r, p in zip(rows, predicted):
                    if r.push_kind != p:
                        print(f"    {r.push_kind:>8} -> {p:<8} {r.text}")


if __name__ == "__main__":
    main()
