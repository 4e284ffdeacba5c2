"""Train the role model: the utterance head, then the speaker calibration; print held-out scores.

    python -m analysis.train_roles [--out analysis/data/role_head.npz]

1. Utterance head: every informative utterance of the training calls, as written and in ASR style
   (lowercase, no punctuation), labelled by its speaker's side; logistic regression with balanced
   classes, regularisation picked by leave-industries-out cross-validation.
2. Speaker calibration: out-of-fold log-odds (each call scored by a head that never saw its
   industry) of every training call, whole and cut short after 2, 4 and 6 turns, in both styles,
   give each speaker its ``SPEAKER_FEATURES``; a logistic regression on seller-minus-buyer feature
   differences gives the weights (so score differences are calibrated log-odds), and a second one
   on single speakers' scores gives the probability that a speaker is on the seller's side.
3. The held-out calls (industries never trained on) are scored and the reliability table printed.

Needs scikit-learn; run time needs only NumPy.
"""
from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.config import AnalysisConfig
from analysis.heads import save_head
from analysis.embedding import load_encoder
from analysis.role_cues import FEATURE_NAMES, is_uninformative
from analysis.role_data import (
    HELDOUT_CALLS_PATH,
    SELLER_TAGS,
    TRAIN_CALLS_PATH,
    RoleCall,
    SidedText,
    cut_short,
    format_reliability,
    load_role_calls,
    load_role_utterances,
    score_roles,
)
from analysis.labelled_data import load_labelled
from analysis.role_model import HEAD_PATH, SPEAKER_FEATURE_SIGNS, SPEAKER_FEATURES, RoleModel, role_features
from analysis.roles import assign_roles, speaker_features
from analysis.train_classifier import asr_style

C_GRID = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
N_FOLDS = 5
CLIP = 4.0
PREFIX_TURNS = (2, 4, 6)
RELIABILITY_CUTS = (2, 3, 4, 6, 8)
# Seller-turn rows that only a seller says; "other" (greetings, logistics) is said by both sides.
SELLING_LABELS = ("discovery", "product_push")
EXCLUDED_SELLER_INDUSTRIES = ("healthcare",)  # too close to held-out medical and veterinary calls
CALIBRATION_C = 1.0
CONFIGS: tuple[tuple[str, Callable[[RoleCall], AnalysisConfig]], ...] = (
    ("manifest facts", lambda c: c.config), ("no configuration", lambda c: AnalysisConfig()))
STYLES: tuple[tuple[str, Callable[[str], str]], ...] = (("as written", str), ("asr style", asr_style))


@dataclass(frozen=True)
class Row:
    """One informative utterance of one training call in one style."""

    call: int
    style: int
    turn: int
    text: str
    seller: bool
    industry: str


def training_rows(calls: list[RoleCall]) -> list[Row]:
    """Every informative utterance of the calls, then the standalone ones (``call`` -1), both styles."""
    rows = []
    for c, call in enumerate(calls):
        for t, (tag, text) in enumerate(call.turns):
            rows += _styled(Row(c, 0, t, text, tag in SELLER_TAGS, call.industry))
    standalone = load_role_utterances() + [
        SidedText(r.text, True, r.industry)
        for r in load_labelled(split="train")
        if r.label in SELLING_LABELS and r.industry not in EXCLUDED_SELLER_INDUSTRIES
    ]
    for u in standalone:
        rows += _styled(Row(-1, 0, -1, u.text, u.seller, u.industry))
    return rows


def _styled(row: Row) -> list[Row]:
    out = []
    for s, (_, transform) in enumerate(STYLES):
        styled = transform(row.text)
        if not is_uninformative(styled) and (s == 0 or styled != row.text):
            out.append(Row(row.call, s, row.turn, styled, row.seller, row.industry))
    return out


def fit_head(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)


def out_of_fold_log_odds(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(y))
    for fit_idx, test_idx in GroupKFold(N_FOLDS).split(x, y, groups):
        out[test_idx] = fit_head(x[fit_idx], y[fit_idx], c).decision_function(x[test_idx])
    return np.clip(out, -CLIP, CLIP)


def calibration_examples(calls: list[RoleCall], rows: list[Row], log_odds: np.ndarray) -> list[tuple[dict, set]]:
    """(speaker -> features, true sellers) for every call, style and prefix."""
    per_turn = {(r.call, r.style, r.turn): v for r, v in zip(rows, log_odds)}
    examples = []
    for c, call in enumerate(calls):
        for s, (_, transform) in enumerate(STYLES):
            if s > 0 and all(transform(t) == t for _, t in call.turns):
                continue
            utterances = call.utterances(transform)
            values = [per_turn.get((c, s, t), per_turn.get((c, 0, t), 0.0)) for t in range(len(utterances))]
            for n in sorted({len(utterances), *(p for p in PREFIX_TURNS if p < len(utterances))}):
                features = speaker_features(utterances[:n], values[:n], call.config)
                examples.append((features, call.prefix(n).true_sellers()))
    return examples


def fit_calibration(examples: list[tuple[dict, set]]) -> tuple[np.ndarray, float, float]:
    """Speaker weights (each with its documented sign) and the seller-side probability."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    diffs = np.array([
        features[s] - features[b]
        for features, sellers in examples
        for s in sellers if s in features
        for b in features if b not in sellers
    ])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = diffs @ w
        p = 1 / (1 + np.exp(np.clip(z, -50, 50)))
        return np.logaddexp(0, -z).sum() + 0.5 * w @ w / CALIBRATION_C, -(diffs.T @ p) + w / CALIBRATION_C

    bounds = [(0, None) if sign > 0 else (None, 0) for sign in SPEAKER_FEATURE_SIGNS]
    start = np.array([1.0 if sign > 0 else 0.0 for sign in SPEAKER_FEATURE_SIGNS]) * np.eye(len(bounds))[0]
    weights = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    scores = np.array([[features[s] @ weights] for features, _ in examples for s in features])
    sides = np.array([s in sellers for features, sellers in examples for s in features])
    side = LogisticRegression(C=CALIBRATION_C, max_iter=5000).fit(scores, sides)
    return weights, float(side.coef_[0, 0]), float(side.intercept_[0])


def call_accuracy(examples: list[tuple[dict, set]], weights: np.ndarray) -> float:
    """Share of multi-speaker examples whose top-scoring speaker is a true seller."""
    hits = [max(f, key=lambda s: f[s] @ weights) in sellers for f, sellers in examples if len(f) > 1]
    return sum(hits) / len(hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HEAD_PATH))
    args = parser.parse_args()

    encoder = load_encoder()
    calls = load_role_calls(TRAIN_CALLS_PATH)
    rows = training_rows(calls)
    x, _ = role_features(encoder, [r.text for r in rows])
    y = np.array([r.seller for r in rows])
    groups = np.array([r.industry for r in rows])
    only_log_odds = np.eye(len(SPEAKER_FEATURES))[0]
    print(f"{len(calls)} training calls, {len(rows)} utterance rows ({y.mean():.0%} seller, "
          f"{sum(r.call < 0 for r in rows)} standalone)")

    best = None
    for c in C_GRID:
        oof = out_of_fold_log_odds(x, y, groups, c)
        in_calls = np.array([r.call >= 0 for r in rows])
        p = 1 / (1 + np.exp(-oof[in_calls]))
        log_loss = -np.mean(np.where(y[in_calls], np.log(p), np.log(1 - p)))
        accuracy = call_accuracy(calibration_examples(calls, rows, oof), only_log_odds)
        print(f"C={c:<5} leave-industries-out, call utterances: log-loss {log_loss:.3f}, "
              f"accuracy {np.mean((oof[in_calls] > 0) == y[in_calls]):.3f}; top speaker is a seller {accuracy:.3f}")
        if best is None or log_loss < best[1]:
            best = (c, log_loss, oof)
    c, _, oof = best
    examples = calibration_examples(calls, rows, oof)
    weights, side_slope, side_intercept = fit_calibration(examples)
    print(f"C={c}; speaker weights " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(SPEAKER_FEATURES, weights)))
    print(f"seller side: sigmoid({side_slope:.3f} * score {side_intercept:+.3f}); "
          f"out-of-fold top speaker is a seller {call_accuracy(examples, weights):.3f} ({len(examples)} examples)")

    head = fit_head(x, y, c)
    save_head(
        args.out,
        weights=head.coef_[0],
        bias=head.intercept_[0],
        feature_names=FEATURE_NAMES,
        c=c,
        clip=np.float32(CLIP),
        speaker_features=np.array(SPEAKER_FEATURES),
        speaker_weights=weights.astype(np.float64),
        side_slope=np.float64(side_slope),
        side_intercept=np.float64(side_intercept),
    )
    print(f"wrote {args.out}")
    report_heldout(RoleModel(Path(args.out), encoder=encoder))


def report_heldout(model: RoleModel) -> None:
    calls = load_role_calls(HELDOUT_CALLS_PATH)
    two_party = [c for c in calls if len(c.tags) == 2]
    for (style, transform), (facts, config_of) in itertools.product(STYLES, CONFIGS):
        assigned = {c.call_id: assign_roles(c.utterances(transform), config_of(c), model=model) for c in calls}
        for name, subset in (("two-party", two_party),
                             ("buyer first, no intro", [c for c in two_party if c.buyer_first_no_intro]),
                             ("other shapes", [c for c in calls if len(c.tags) != 2])):
            s = score_roles(subset, [assigned[c.call_id] for c in subset])
            print(f"held-out {style:10} {facts:16} {name:22} {s.correct}/{s.calls} = {s.accuracy:.3f}"
                  f"  wrong: {list(s.wrong)}")
    views = two_party + cut_short(two_party, RELIABILITY_CUTS)
    s = score_roles(views, [assign_roles(c.utterances(), c.config, model=model) for c in views])
    print(f"reliability: {s.calls} held-out two-party calls, whole and cut after {RELIABILITY_CUTS} turns")
    print(format_reliability(s) + f"\nexpected calibration error {s.expected_calibration_error}")


if __name__ == "__main__":
    main()
