"""Fine-tune the price detector's encoder (``analysis.price_encoder``) and print held-out scores.

    python -m analysis.train_price_encoder [--out analysis/data/price_encoder.safetensors]

The rows are those of the logistic head (``analysis.train_price``): the ``train`` split of
``analysis/data/price_utterances.jsonl`` and the sets written after earlier heads and trained on
since, each as written and in spoken style (every other row with Whisper's slips), each once with
its speaker's role and once with the role unknown; a row with a context is read after it. The
bottom ``FIRST_TUNED`` layers of all-MiniLM-L6-v2 stay as they are (their output is computed
once per text); the layers above and a linear classifier over the pooled vector and the cue
features are trained for ``EPOCHS`` epochs with AdamW, seeded, so a rerun on the same machine
writes the same weights. About four minutes on two cores. Then it scores the whole detector (head
and encoder together) on the ``heldout`` split (industries never trained on) and on the sets
written after training that are not trained on. Needs torch and num2words.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from analysis.embedding import model_dir
from analysis.embedding_export import PriceClassifier
from analysis.labelled_data import (
    PRICE_AFTER_TRAINING,
    PRICE_TRAINED_SETS,
    PriceRow,
    detect_rows,
    load_price_rows,
    load_price_training_rows,
    score_price,
    spoken_style,
)
from analysis.price import CLASSES, FEATURE_NAMES, PriceDetector, evidence, with_role
from analysis.price_encoder import TUNED_PATH, render

FIRST_TUNED = 3
EPOCHS = 3
BATCH = 32
LEARNING_RATE = 5e-5  # the tuned layers
CLASSIFIER_LEARNING_RATE = 1e-3
WARMUP = 0.06  # share of the steps
SEED = 0
_OTHER_ROLE = {"seller": "buyer", "buyer": "seller"}

Example = tuple[str, int, np.ndarray]  # rendered input, class, cue features


def main() -> None:
    from tokenizers import Tokenizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TUNED_PATH)
    args = parser.parse_args()
    torch.manual_seed(SEED)
    directory = model_dir()
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    model = PriceClassifier(directory, FIRST_TUNED, len(FEATURE_NAMES), len(CLASSES))
    train = load_price_training_rows()
    data = [e for spoken in (False, True) for with_roles in (True, False) for e in examples(train, spoken, with_roles)]
    lower = _lower_states(model, tokenizer, sorted({e[0] for e in data}))
    _fit(model, data, lower)
    _save(model, args.out, len(train))
    print(f"wrote {args.out} ({len(train)} rows, {len(data)} examples)")

    detector = PriceDetector(tuned_path=args.out)
    sets = {"heldout": load_price_rows(split="heldout")} | {
        name: load_price_rows(path) for name, path in PRICE_AFTER_TRAINING.items() if name not in PRICE_TRAINED_SETS}
    for name, rows in sets.items():
        for style, transform in (("as written", str), ("spoken", spoken_style)):
            for with_roles in (True, False):
                s = score_price(rows, detect_rows(detector, rows, transform, with_roles=with_roles))
                kinds = " ".join(f"{k} {v:.3f}" for k, v in s.kind_f1.items())
                print(f"{name} {style:10} role {'known' if with_roles else 'unknown':7} n={s.n} F1 {s.f1:.3f} "
                      f"(P {s.precision:.3f} R {s.recall:.3f}) kinds: {kinds} amounts {s.amounts[0]}/{s.amounts[1]}")


def examples(rows: Sequence[PriceRow], spoken: bool, with_roles: bool) -> list[Example]:
    """Each row rendered as the detector renders it in a call (``analysis.price_encoder.render``)."""
    out = []
    for i, r in enumerate(rows):
        text = spoken_style(r.text, slips=i % 2 == 1) if spoken else r.text
        context = (spoken_style(r.context) if spoken else r.context) if r.context else None
        role = r.role if with_roles else None
        context_role = (_OTHER_ROLE[r.role] if r.context_speaker == "other" else r.role) if role and context else None
        cues = with_role(evidence(text).lexical, role)
        out.append((render(text, role, context, context_role), CLASSES.index(r.kind or "none"), cues))
    return out


def _lower_states(model: PriceClassifier, tokenizer, texts: list[str]) -> dict[str, torch.Tensor]:
    """Each text's input to the first tuned layer (the frozen layers run once per text)."""
    t0 = time.perf_counter()
    states = {}
    encodings = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    with torch.no_grad():
        for b in range(0, len(order), 64):
            idx = order[b : b + 64]
            ids, mask = _padded([torch.tensor(encodings[i].ids) for i in idx])
            x = model.lower(ids, mask.to(torch.float32))
            for row, i in enumerate(idx):
                states[texts[i]] = x[row, : len(encodings[i].ids)].clone()
    print(f"frozen layers over {len(texts)} texts in {time.perf_counter() - t0:.0f} s", flush=True)
    return states


def _fit(model: PriceClassifier, data: list[Example], lower: dict[str, torch.Tensor]) -> None:
    tuned = [p for name, p in model.encoder.w.items() if _layer(name) >= FIRST_TUNED]
    for p in tuned:
        p.requires_grad_(True)
    params = tuned + list(model.classifier.parameters())
    optimizer = torch.optim.AdamW([{"params": tuned, "lr": LEARNING_RATE},
                                   {"params": list(model.classifier.parameters()), "lr": CLASSIFIER_LEARNING_RATE}],
                                  weight_decay=0.01)
    steps = EPOCHS * ((len(data) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / steps))
    rng = random.Random(SEED)
    model.train()
    for epoch in range(EPOCHS):
        t0, total = time.perf_counter(), 0.0
        rng.shuffle(data)
        for batch in _batches(data, lower, rng):
            x, mask = _padded([lower[e[0]] for e in batch])
            logits = model.upper(x, mask.to(torch.float32), torch.tensor(np.stack([e[2] for e in batch])))
            loss = F.cross_entropy(logits, torch.tensor([e[1] for e in batch]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(data):.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    model.eval()


def _batches(data: list[Example], lower: dict[str, torch.Tensor], rng: random.Random) -> list[list[Example]]:
    """Batches of texts of similar length (little padding), in random order."""
    out = []
    for start in range(0, len(data), BATCH * 50):
        chunk = sorted(data[start : start + BATCH * 50], key=lambda e: lower[e[0]].shape[0])
        batches = [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
        rng.shuffle(batches)
        out += batches
    return out


def _padded(rows: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows (token ids, or token states) padded to the longest, and the 0/1 mask."""
    width = max(r.shape[0] for r in rows)
    out = torch.zeros((len(rows), width, *rows[0].shape[1:]), dtype=rows[0].dtype)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : r.shape[0]] = r
        mask[i, : r.shape[0]] = 1
    return out, mask


def _layer(name: str) -> int:
    """The layer number of a weight's name (-1 for the embeddings)."""
    parts = name.split("/")
    return int(parts[2]) if parts[:2] == ["encoder", "layer"] else -1


def _save(model: PriceClassifier, path: Path, n_rows: int) -> None:
    from safetensors.torch import save_file

    tensors = {name: p.detach().to(torch.float16).contiguous() for name, p in model.encoder.w.items()
               if _layer(name) >= FIRST_TUNED}
    tensors["classifier/weight"] = model.classifier.weight.detach().contiguous()
    tensors["classifier/bias"] = model.classifier.bias.detach().contiguous()
    save_file(tensors, str(path), metadata={
        "first_tuned": str(FIRST_TUNED), "dim": str(model.encoder.dim), "cue_features": json.dumps(list(FEATURE_NAMES)),
        "classes": json.dumps(list(CLASSES)), "epochs": str(EPOCHS), "rows": str(n_rows),
    })


if __name__ == "__main__":
    main()
