"""Train the price detector's logistic-regression head and print held-out scores.

    python -m analysis.train_price [--out analysis/data/price_head.npz]

Trains on the ``train`` split of ``analysis/data/price_utterances.jsonl`` plus a spoken-style copy
of every row (lowercase, no punctuation, numbers as words, and on every other row Whisper's usual
slips), each once with its speaker's role and once with the role unknown. Rows with a ``context`` are read after it: the other party's price question is a feature,
taken from a first head trained without context. The regularisation and the decision threshold
come from leave-industries-out cross-validation. Then it scores the ``heldout`` split (industries
never trained on), as written and in spoken style. Needs scikit-learn and num2words; run time
needs only NumPy.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.heads import save_head
from analysis.embedding import load_encoder
from analysis.labelled_data import (
    PriceRow,
    detect_rows,
    load_price_rows,
    score_price,
    spoken_style,
)
from analysis.questions import is_question
from analysis.price import (
    CLASSES,
    FEATURE_NAMES,
    HEAD_PATH,
    LEXICAL_WEIGHT,
    PriceDetector,
    PriceEvidence,
    evidence,
    feature_matrix,
    with_context,
    with_role,
)

C_GRID = (1.0, 2.0, 4.0, 8.0)
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
N_FOLDS = 5


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HEAD_PATH))
    args = parser.parse_args()

    encoder = load_encoder()
    train = load_price_rows(split="train")
    rows = train + train
    texts = [r.text for r in train] + [spoken_style(r.text, slips=i % 2 == 1) for i, r in enumerate(train)]
    contexts = [r.context for r in train] + [
        spoken_style(r.context) if r.context else None for r in train
    ]
    y = np.array([CLASSES.index(r.kind or "none") for r in rows])
    groups = np.array([r.industry for r in rows])
    found = [evidence(t) for t in texts]
    lexical = np.stack([e.lexical for e in found])
    x = feature_matrix(encoder, texts, lexical)

    def fit(c: float, idx: np.ndarray):
        return LogisticRegression(C=c, max_iter=5000).fit(x[idx], y[idx])

    # Context: a first head without it (and without roles) says how surely each context asked about price.
    first = fit(4.0, np.arange(len(rows)))
    for i, (asked, other, spend) in _context_questions(first, encoder, contexts).items():
        lexical[i] = with_context(found[i], asked, other, spend)
    # Every row twice: with its speaker's role, as in a call after seller identification, and
    # with the role unknown, as in ``classify``; a row only the role tells from a quote (a buyer
    # stating its own customers' price with no word saying so) is left out of the unknown copy.
    known = np.stack([with_role(row, r.role) for row, r in zip(lexical, rows)])
    unknown = np.array([not _needs_role(r, e) for r, e in zip(rows, found)])
    x = np.vstack([x[unknown], x])
    x[:, -len(FEATURE_NAMES):] = LEXICAL_WEIGHT * np.vstack([lexical[unknown], known])
    y, groups = np.concatenate([y[unknown], y]), np.concatenate([groups[unknown], groups])
    role_known = np.arange(len(y)) >= int(unknown.sum())

    best = (-1.0, C_GRID[0], 0.5)
    for c in C_GRID:
        p_none = np.zeros(len(y))
        for fit_idx, test_idx in GroupKFold(N_FOLDS).split(x, y, groups):
            p_none[test_idx] = fit(c, fit_idx).predict_proba(x[test_idx])[:, 0]
        for t in THRESHOLDS:
            f1 = _f1(y != 0, p_none < t)
            if f1 > best[0] + 1e-9:
                best = (f1, c, t)
        scores = {
            name: " ".join(f"{_f1(y[part] != 0, p_none[part] < t):.3f}" for t in THRESHOLDS)
            for name, part in (("role known", role_known), ("role unknown", ~role_known))
        }
        print(f"C={c:<5} leave-industries-out price F1 at thresholds {THRESHOLDS}: "
              + "; ".join(f"{k} {v}" for k, v in scores.items()))
    f1, c, threshold = best
    model = fit(c, np.arange(len(y)))
    save_head(args.out, weights=model.coef_, bias=model.intercept_, feature_names=FEATURE_NAMES, c=c,
              classes=np.array(CLASSES), threshold=np.float32(threshold))
    print(f"wrote {args.out} (C={c}, threshold {threshold}, cross-validated F1 {f1:.3f}, {len(train)} rows x2, "
          f"{len(y)} with and without the role)")

    detector = PriceDetector(Path(args.out), encoder=encoder)
    heldout = load_price_rows(split="heldout")
    for style, transform in (("as written", str), ("spoken", spoken_style)):
        for with_roles in (True, False):
            hits = detect_rows(detector, heldout, transform, with_roles=with_roles)
            s = score_price(heldout, hits)
            kinds = " ".join(f"{k} {v:.3f}" for k, v in s.kind_f1.items())
            print(f"heldout {style:10} role {'known' if with_roles else 'unknown':7} n={s.n} F1 {s.f1:.3f} "
                  f"(P {s.precision:.3f} R {s.recall:.3f}) kinds: {kinds} amounts {s.amounts[0]}/{s.amounts[1]}")
            if style == "as written":
                _print_errors(heldout, hits)


def _needs_role(row: PriceRow, found: PriceEvidence) -> bool:
    """A buyer's own market price said like a quote: an amount and no cue of the buyer's market."""
    return (row.role == "buyer" and row.trap == "market_price" and found.amount is not None
            and not {"market_price", "own_customers"} & found.cues.keys())


def _context_questions(model, encoder, contexts: Sequence[str | None]) -> dict[int, tuple[float, bool, bool]]:
    """Row -> (how surely its context asked about price, whether it asked something else, whether
    it asked what the buyer pays today), as the detector reads the utterance before."""
    idx = [i for i, c in enumerate(contexts) if c]
    if not idx:
        return {}
    texts = [contexts[i] for i in idx]
    found = [evidence(t) for t in texts]
    p = model.predict_proba(feature_matrix(encoder, texts, np.stack([e.lexical for e in found])))
    asked = p[:, CLASSES.index("ask")] * (p[:, 0] < 0.5)
    other = [is_question(t) and p_none >= 0.5 for t, p_none in zip(texts, p[:, 0])]
    spend = [e.about_current_spend for e in found]
    return {i: (float(a), o, s) for i, a, o, s in zip(idx, asked, other, spend)}


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(truth & predicted))
    fp = float(np.sum(~truth & predicted))
    fn = float(np.sum(truth & ~predicted))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _print_errors(rows: Sequence[PriceRow], hits: Sequence) -> None:
    for r, h in zip(rows, hits):
        got = h.kind if h else None
        if got != r.kind or (r.amount is not None and (h is None or h.amount != r.amount)):
            amount = f" amount {h.amount} (truth {r.amount})" if r.amount is not None and h else ""
            print(f"    {str(r.kind):>13} -> {str(got):<13}{amount} {r.text}")


if __name__ == "__main__":
    main()
