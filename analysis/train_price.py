"""Train the price detector's logistic-regression head and print held-out scores.

    python -m analysis.train_price [--out analysis/data/price_head.npz]

Trains on the ``train`` split of ``analysis/data/price_utterances.jsonl`` plus a spoken-style copy
of every row (lowercase, no punctuation, numbers as words, and on every other row Whisper's usual
slips), each once with its speaker's role and once with the role unknown. Rows with a ``context`` are
read after it: the other party's price question, and its quote, are features, taken from a first head
trained without context, and so are the other party's question about the buyer's own customers and the same speaker's
talk of its own market. The regularisation and the decision thresholds (one for the seller, one for
the buyer, one for the role unknown) come from leave-industries-out cross-validation. Then it scores the ``heldout`` split (industries
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
    load_price_training_rows,
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
    ROLES,
    PriceEvidence,
    TurnContext,
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
    train = load_price_training_rows()
    rows = train + train
    texts = [r.text for r in train] + [spoken_style(r.text, slips=i % 2 == 1) for i, r in enumerate(train)]
    contexts = [r.context for r in train] + [
        spoken_style(r.context) if r.context else None for r in train
    ]
    context_speakers = [r.context_speaker for r in rows]
    y = np.array([CLASSES.index(r.kind or "none") for r in rows])
    groups = np.array([r.industry for r in rows])
    found = [evidence(t) for t in texts]
    lexical = np.stack([e.lexical for e in found])
    x = feature_matrix(encoder, texts, lexical)

    def fit(c: float, idx: np.ndarray):
        return LogisticRegression(C=c, max_iter=5000).fit(x[idx], y[idx])

    # Context: a first head without it (and without roles) says how surely each context asked about price.
    first = fit(4.0, np.arange(len(rows)))
    contexts_read = _contexts(first, encoder, contexts, context_speakers)
    for i, context in contexts_read.items():
        lexical[i] = with_context(found[i], context)
    # Every row twice: with its speaker's role, as in a call after seller identification, and
    # with the role unknown, as in ``classify``; a row only the role tells from a quote (a buyer
    # stating its own customers' subscription price with no word saying so) is left out of the unknown copy.
    known = np.stack([with_role(row, r.role) for row, r in zip(lexical, rows)])
    unknown = np.array([not _needs_role(r, e, contexts_read.get(i)) for i, (r, e) in enumerate(zip(rows, found))])
    x = np.vstack([x[unknown], x])
    x[:, -len(FEATURE_NAMES):] = LEXICAL_WEIGHT * np.vstack([lexical[unknown], known])
    y, groups = np.concatenate([y[unknown], y]), np.concatenate([groups[unknown], groups])
    role_known = np.arange(len(y)) >= int(unknown.sum())
    row_roles = np.array(["unknown"] * int(unknown.sum()) + [r.role for r in rows])

    best = (-1.0, C_GRID[0], 0.5, {})
    for c in C_GRID:
        p_none = np.zeros(len(y))
        for fit_idx, test_idx in GroupKFold(N_FOLDS).split(x, y, groups):
            p_none[test_idx] = fit(c, fit_idx).predict_proba(x[test_idx])[:, 0]
        for t in THRESHOLDS:
            f1 = _f1(y != 0, p_none < t)
            if f1 > best[0] + 1e-9:
                per_role = {role: _best_threshold(y[row_roles == role] != 0, p_none[row_roles == role])
                            for role in ROLES + ("unknown",)}
                best = (f1, c, t, per_role)
        scores = {
            name: " ".join(f"{_f1(y[part] != 0, p_none[part] < t):.3f}" for t in THRESHOLDS)
            for name, part in (("role known", role_known), ("role unknown", ~role_known))
        }
        print(f"C={c:<5} leave-industries-out price F1 at thresholds {THRESHOLDS}: "
              + "; ".join(f"{k} {v}" for k, v in scores.items()))
    f1, c, _, per_role = best
    threshold = per_role["unknown"]
    model = fit(c, np.arange(len(y)))
    save_head(args.out, weights=model.coef_, bias=model.intercept_, feature_names=FEATURE_NAMES, c=c,
              classes=np.array(CLASSES), threshold=np.float32(threshold),
              role_thresholds=np.array([per_role[role] for role in ROLES], np.float32))
    print(f"wrote {args.out} (C={c}, thresholds by role {per_role}, cross-validated F1 {f1:.3f}, "
          f"{len(train)} rows x2, {len(y)} with and without the role)")

    detector = PriceDetector(Path(args.out), encoder=encoder, tuned_path=None)  # the head alone
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


def _needs_role(row: PriceRow, found: PriceEvidence, context: TurnContext | None) -> bool:
    """A buyer's own market price said like a seller's quote: an amount per month, year, seat or
    site, and no cue of the buyer's market in it or in the turn before. (Said per head, night or
    hour, or as a list of prices, the words alone tell it from a quote often enough.)"""
    per_subscription = found.lexical[FEATURE_NAMES.index("amount_per_subscription")] > 0
    return (row.role == "buyer" and row.trap == "market_price" and found.amount is not None and per_subscription
            and not found.own_market and not (context and (context.own_market or context.own_business_question)))


def _contexts(model, encoder, contexts: Sequence[str | None], speakers: Sequence[str]) -> dict[int, TurnContext]:
    """Row -> its context as the detector reads the utterance before: from the other party, how
    surely it asked about price or stated a price or discount, whether it asked something else,
    about today's spend or about the buyer's own business; from the same speaker, whether it spoke
    of its own market."""
    idx = [i for i, c in enumerate(contexts) if c]
    if not idx:
        return {}
    texts = [contexts[i] for i in idx]
    found = [evidence(t) for t in texts]
    p = model.predict_proba(feature_matrix(encoder, texts, np.stack([e.lexical for e in found])))
    asked = p[:, CLASSES.index("ask")] * (p[:, 0] < 0.5)
    quoted = (p[:, CLASSES.index("quote")] + p[:, CLASSES.index("discount")]) * (p[:, 0] < 0.5)
    out = {}
    for k, i in enumerate(idx):
        if speakers[i] == "self":
            out[i] = TurnContext(own_market=found[k].own_market)
        else:
            other = is_question(texts[k]) and p[k, 0] >= 0.5
            out[i] = TurnContext(float(asked[k]), other, found[k].about_current_spend,
                                 own_business_question=found[k].asks_own_business, quoted=float(quoted[k]))
    return out


def _best_threshold(truth: np.ndarray, p_none: np.ndarray) -> float:
    """The threshold of ``THRESHOLDS`` with the best F1 on these rows (the middle one on a tie)."""
    f1s = [_f1(truth, p_none < t) for t in THRESHOLDS]
    best = max(f1s)
    ties = [t for t, f in zip(THRESHOLDS, f1s) if f >= best - 1e-9]
    return ties[len(ties) // 2]


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
