"""The labelled seller utterances that train and score the turn classifier and the push-kind head."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from analysis.types import LABELS, PUSH_KINDS

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASET_PATH = DATA_DIR / "seller_utterances.jsonl"
FOREIGN_PATH = DATA_DIR / "foreign_utterances.jsonl"
FOREIGN_BLIND_PATH = DATA_DIR / "foreign_blind_utterances.jsonl"
FOREIGN_FRESH_PATH = DATA_DIR / "foreign_fresh_utterances.jsonl"
FOREIGN_SETS = {"foreign": FOREIGN_PATH, "foreign2": FOREIGN_BLIND_PATH, "foreign3": FOREIGN_FRESH_PATH}
PUSH_KIND_PATH = DATA_DIR / "push_kind_utterances.jsonl"
PUSH_KIND_FRESH_PATH = DATA_DIR / "push_kind_fresh_utterances.jsonl"
PUSH_KIND_END_TO_END_PATH = DATA_DIR / "push_kind_end_to_end_utterances.jsonl"
PUSH_KIND_BOUNDARY_PATH = DATA_DIR / "push_kind_boundary_utterances.jsonl"
PUSH_KIND_AFTER_TRAINING = {
    "fresh": PUSH_KIND_FRESH_PATH, "end_to_end": PUSH_KIND_END_TO_END_PATH, "boundary": PUSH_KIND_BOUNDARY_PATH,
}


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str
    industry: str
    split: str
    push_kind: str | None = None


def _read_rows(path: Path, split: str | None, row_of: Callable[[dict], T]) -> list[T]:
    """``row_of`` each JSON line of ``path`` (it raises ValueError on a bad row), one split or all."""
    rows = (row_of(json.loads(line)) for line in path.read_text().splitlines() if line.strip())
    return [row for row in rows if split is None or row.split == split]


def load_labelled(path: Path = DATASET_PATH, split: str | None = None) -> list[LabelledText]:
    """Rows of a JSONL file (text, label, industry, split), optionally one split only."""

    def row_of(d: dict) -> LabelledText:
        row = LabelledText(d["text"], d["label"], d["industry"], d["split"], d.get("push_kind"))
        if row.label not in LABELS:
            raise ValueError(f"{path}: unknown label {row.label!r}")
        if "push_kind" in d and (row.push_kind in PUSH_KINDS) != (row.label == "product_push"):
            raise ValueError(f"{path}: push_kind {row.push_kind!r} does not fit label {row.label!r}")
        return row

    return _read_rows(path, split, row_of)


@dataclass(frozen=True)
class Score:
    n: int
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]


def score(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> Score:
    """Accuracy and macro-F1 over ``labels`` (default: the three turn labels)."""
    f1s = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted))
        f1s[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(t == p for t, p in zip(truth, predicted)) / len(truth) if truth else 0.0
    return Score(len(truth), accuracy, sum(f1s.values()) / len(f1s), f1s)


PRICE_DATASET_PATH = DATA_DIR / "price_utterances.jsonl"
PRICE_AFTER_TRAINING = {f"price_after_training{n}": DATA_DIR / f"price_fresh{n}_utterances.jsonl"
                        for n in ["", *range(2, 12)]}
"""The sets written after each round's head, in order: ``price_freshN_utterances.jsonl``."""
PRICE_TRAINED_SETS = ("price_after_training", "price_after_training2", "price_after_training3", "price_after_training4",
                      "price_after_training5", "price_after_training6", "price_after_training7",
                      "price_after_training8")
"""Sets written after an earlier head and scored once blind, trained on since (not blind any more)."""


@dataclass(frozen=True)
class PriceRow:
    """One labelled utterance of the price data: ``kind`` is None when it is no price mention;
    ``trap`` names the look-alike a negative is (``problem_cost``, ``market_price``...);
    ``context`` is the utterance just before, when the label depends on it, said by the other party
    (``context_speaker`` "other") or by the same speaker ("self");
    ``amount``, ``currency`` and ``period`` are what a price mention says, when it says one."""

    text: str
    kind: str | None
    role: str
    industry: str
    split: str
    style: str
    trap: str | None = None
    context: str | None = None
    amount: float | None = None
    currency: str | None = None
    period: str | None = None
    context_speaker: str = "other"

    @property
    def price(self) -> bool:
        return self.kind is not None


def load_price_training_rows() -> list[PriceRow]:
    """What the price detector learns from: the ``train`` split and the sets trained on since."""
    return load_price_rows(split="train") + [r for name in PRICE_TRAINED_SETS for r in load_price_rows(PRICE_AFTER_TRAINING[name])]


def load_price_rows(path: Path = PRICE_DATASET_PATH, split: str | None = None) -> list[PriceRow]:
    """Rows of a price JSONL file, optionally one split only."""
    from analysis.price import PRICE_KINDS

    def row_of(d: dict) -> PriceRow:
        row = PriceRow(
            d["text"], d.get("kind"), d["role"], d["industry"], d["split"], d["style"], d.get("trap"),
            d.get("context"), d.get("amount"), d.get("currency"), d.get("period"), d.get("context_speaker", "other"),
        )
        if row.context_speaker not in ("other", "self"):
            raise ValueError(f"{path}: bad context_speaker {row.context_speaker!r} for {row.text!r}")
        if row.kind is not None and row.kind not in PRICE_KINDS or row.price != bool(d["price"]):
            raise ValueError(f"{path}: bad kind {row.kind!r} for {row.text!r}")
        return row

    return _read_rows(path, split, row_of)


@dataclass(frozen=True)
class PriceScore:
    n: int
    f1: float
    precision: float
    recall: float
    kind_f1: dict[str, float]
    amounts: tuple[int, int]  # amounts exactly right, of the price mentions that say one


def score_price(rows: Sequence[PriceRow], hits: Sequence) -> PriceScore:
    """Price-mention F1, per-kind F1 (a kind counts right only on a detected mention) and amounts."""
    from analysis.price import PRICE_KINDS

    tp = sum(r.price and h is not None for r, h in zip(rows, hits))
    fp = sum(not r.price and h is not None for r, h in zip(rows, hits))
    fn = sum(r.price and h is None for r, h in zip(rows, hits))
    kind_f1 = {}
    for kind in PRICE_KINDS:
        ktp = sum(r.kind == kind and h is not None and h.kind == kind for r, h in zip(rows, hits))
        kfp = sum(r.kind != kind and h is not None and h.kind == kind for r, h in zip(rows, hits))
        kfn = sum(r.kind == kind and (h is None or h.kind != kind) for r, h in zip(rows, hits))
        kind_f1[kind] = 2 * ktp / (2 * ktp + kfp + kfn) if ktp else 0.0
    said = [(r, h) for r, h in zip(rows, hits) if r.amount is not None]
    right = sum(h is not None and h.amount is not None and abs(h.amount - r.amount) <= 1e-6 * max(1.0, r.amount) for r, h in said)
    return PriceScore(
        n=len(rows),
        f1=2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        kind_f1=kind_f1,
        amounts=(right, len(said)),
    )


def detect_rows(detector, rows: Sequence[PriceRow], style=str, with_roles: bool = True) -> list:
    """The detector's hits for labelled rows; a row with ``context`` is read after it, as in a call
    (said by the other party or by the same speaker). ``with_roles``: each speaker's role is known, as in a
    call after seller identification; otherwise unknown, as in ``classify``."""
    def role(r: PriceRow, other: bool = False) -> str | None:
        if not with_roles:
            return None
        return {"seller": "buyer", "buyer": "seller"}.get(r.role) if other and r.context_speaker == "other" else r.role

    hits: list = [None] * len(rows)
    alone = [i for i, r in enumerate(rows) if r.context is None]
    found = detector.detect_turns([style(rows[i].text) for i in alone], None, [role(rows[i]) for i in alone])
    for i, hit in zip(alone, found):
        hits[i] = hit
    for i, r in enumerate(rows):
        if r.context is not None:
            hits[i] = detector.detect_turns(
                [style(r.context), style(r.text)], [r.context_speaker, "self"], [role(r, other=True), role(r)]
            )[1]
    return hits


_MONEY = re.compile(r"(?P<sign>[$€£])(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?:\s?(?P<scale>k|m|bn|million|billion|thousand)\b)?")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SIGN_WORDS = {"$": "dollars", "€": "euros", "£": "pounds"}
_SCALE_WORDS = {"m": "million", "bn": "billion"}
_WHISPER_SLIPS = ((r"\benterprise\b", "enter price"), (r"\bdiscount\b", "this count"),
                  (r"\bforty thousand\b", "for the thousand"), (r"\blicence\b", "license"))


def spoken_style(text: str, slips: bool = False) -> str:
    """What a recogniser without punctuation gives: lowercase, no marks, numbers as words
    ("$30,000" -> "thirty thousand dollars"); with ``slips``, also Whisper's usual mishearings
    ("enter price", "this count", "for the thousand"). Needs num2words (a dev dependency)."""
    from num2words import num2words

    def words(number: str) -> str:
        value = float(number.replace(",", ""))
        if value == int(value) and 1900 <= value <= 2099 and "," not in number:
            return num2words(int(value), to="year")
        return num2words(int(value) if value == int(value) else value)

    def money(m: re.Match) -> str:
        currency = _SIGN_WORDS[m["sign"]]
        if m["scale"]:
            return f"{words(m['num'])} {_SCALE_WORDS.get(m['scale'], m['scale'])} {currency}"
        whole, _, cents = m["num"].partition(".")
        if len(cents) != 2:
            return f"{words(m['num'])} {currency}"
        if int(whole.replace(",", "")) == 0:
            return f"{words(cents)} cents"
        return f"{words(whole)} {currency} {words(cents)}"

    text = re.sub(r"(\d)k\b", r"\1 k", text.lower().replace("%", " percent"))
    text = _MONEY.sub(money, text)
    text = _NUMBER.sub(lambda m: words(m.group(0)), text)
    if slips:
        for pattern, slip in _WHISPER_SLIPS:
            text = re.sub(pattern, slip, text)
    return " ".join(re.sub(r"[.,?!;:\"\-]", " ", text).split())
