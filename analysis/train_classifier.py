"""Train the turn classifier's logistic-regression head and print held-out scores.

    python -m analysis.train_classifier [--out analysis/data/turn_head.npz]

Trains on the ``train`` split of the turn set and of the push-kind set (whose pitches teach it
that usage talk is ``product_push`` too), plus a lowercase, unpunctuated copy of every row, as ASR
gives it; picks the regularisation by leave-industries-out cross-validation, writes the head, and
scores the ``heldout`` split and the foreign sets (other styles and industries). Needs scikit-learn; run time needs only NumPy.
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.classifier import HEAD_PATH, TurnClassifier, extract_features
from analysis.cues import FEATURE_NAMES
from analysis.heads import save_head
from analysis.embedding import load_encoder
from analysis.labelled_data import FOREIGN_SETS, PUSH_KIND_PATH, load_labelled, score
from analysis.price import load_price_detector
from analysis.types import LABELS

C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
N_FOLDS = 5


def asr_style(text: str) -> str:
    """What a recogniser without punctuation would give: lowercase, no marks."""
    return " ".join(re.sub(r"[.,?!;:\"]", " ", text.lower()).split())


def fit_head(x: np.ndarray, classes: np.ndarray, groups: np.ndarray, names: Sequence[str]):
    """Logistic regression on ``x``; C picked by leave-industries-out macro-F1 over ``names``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    best_c, best_f1 = C_GRID[0], -1.0
    for c in C_GRID:
        preds = np.zeros_like(classes)
        for fit_idx, test_idx in GroupKFold(N_FOLDS).split(x, classes, groups):
            model = LogisticRegression(C=c, max_iter=5000).fit(x[fit_idx], classes[fit_idx])
            preds[test_idx] = model.predict(x[test_idx])
        f1 = score([names[i] for i in classes], [names[i] for i in preds], names).macro_f1
        print(f"C={c:<5} leave-industries-out macro-F1 {f1:.3f}")
        if f1 > best_f1:
            best_c, best_f1 = c, f1
    return LogisticRegression(C=best_c, max_iter=5000).fit(x, classes), best_c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HEAD_PATH))
    args = parser.parse_args()

    encoder = load_encoder()
    train = load_labelled(split="train") + load_labelled(PUSH_KIND_PATH, split="train")
    texts = [r.text for r in train] + [asr_style(r.text) for r in train]
    labels = np.array([LABELS.index(r.label) for r in train] * 2)
    groups = np.array([r.industry for r in train] * 2)
    x = extract_features(encoder, texts, load_price_detector().detect(texts)).matrix
    model, best_c = fit_head(x, labels, groups, LABELS)
    save_head(args.out, weights=model.coef_, bias=model.intercept_, feature_names=FEATURE_NAMES, c=best_c,
              labels=np.array(LABELS))
    print(f"wrote {args.out} (C={best_c}, {len(train)} rows x2)")

    classifier = TurnClassifier(Path(args.out), encoder=encoder)
    sets = {"heldout": load_labelled(split="heldout")} | {k: load_labelled(p) for k, p in FOREIGN_SETS.items()}
    for name, rows in sets.items():
        for style, transform in (("as written", str), ("asr style", asr_style)):
            predicted = [t.label for t in classifier.classify([transform(r.text) for r in rows])]
            s = score([r.label for r in rows], predicted)
            print(f"{name:8} {style:10} n={s.n} accuracy {s.accuracy:.3f} macro-F1 {s.macro_f1:.3f}")
            if style == "as written":
                for r, p in zip(rows, predicted):
                    if r.label != p:
                        print(f"    {r.label:>12} -> {p:<12} {r.text}")
    pitches = load_labelled(PUSH_KIND_PATH, split="heldout")
    predicted = [t.label for t in classifier.classify([r.text for r in pitches])]
    for kind in ("usage", "feature", None):
        rows = [(r, p) for r, p in zip(pitches, predicted) if r.push_kind == kind]
        print(f"push-kind heldout {kind or 'discovery'}: {sum(r.label == p for r, p in rows)}/{len(rows)} labelled right")


if __name__ == "__main__":
    main()
