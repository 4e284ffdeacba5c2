"""The price detector's second reader: all-MiniLM-L6-v2 with its top layers fine-tuned on the
price data, read by a linear classifier over its pooled vector and the cue features.

The logistic head of ``analysis.price`` reads the frozen sentence embedding, which every head of
a call shares; it is cheap and knows the cue families well, but on phrasing never seen in
training it misses more than the 0.97 F1 we want. This encoder reads the words themselves in
context: its input is the utterance with its speaker's role ("seller: ...", "buyer: ...", or
"speaker: ..." when unknown), after the turn it answers when there is one ("buyer: how much
is it | seller: forty a month"). The detector averages the two readers' probabilities on the
utterances the head does not rule out (``analysis.price.PriceDetector``), so the encoder runs on
a small share of a call.

``analysis/data/price_encoder.safetensors`` holds the fine-tuned layers and the classifier
(written by ``python -m analysis.train_price_encoder``); the ONNX graph is exported from it and
the MiniLM weights into the model cache once per machine, like the sentence encoder
(``analysis.embedding``). Run time needs ONNX Runtime only.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.embedding import MAX_TOKENS, ensure_onnx, model_dir, padded
from analysis.errors import AnalysisError
from analysis.text import normalize
from transcription.runtime import onnx_session

TUNED_PATH = Path(__file__).resolve().parent / "data" / "price_encoder.safetensors"
POOLED_SCALE = 10.0
"""The pooled unit vector is scaled to weigh like the 0/1 cues in the classifier."""
BATCH_SIZE = 32
_ROLE_WORDS = ("seller", "buyer")


def render(text: str, role: str | None, context: str | None = None, context_role: str | None = None) -> str:
    """The encoder's input: the utterance after its speaker's role, and after the turn before it
    when that turn is read as context."""
    said = f"{_role_word(role)}: {normalize(text)}"
    if context is None:
        return said
    return f"{_role_word(context_role)}: {normalize(context)} | {said}"


def _role_word(role: str | None) -> str:
    return role if role in _ROLE_WORDS else "speaker"


def stored_metadata(path: Path) -> dict[str, str]:
    """The training facts stored with the weights (cue names, classes, first tuned layer)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as stored:
            return stored.metadata() or {}
    except (OSError, ValueError) as exc:
        raise AnalysisError(f"{path}: price encoder weights missing or unreadable ({exc}); "
                            "run python -m analysis.train_price_encoder") from None


class PriceEncoder:
    """Class probabilities for rendered utterances. Load once per process (the detector does)."""

    def __init__(self, cue_names: Sequence[str], classes: Sequence[str], path: Path = TUNED_PATH,
                 directory: Path | None = None) -> None:
        from tokenizers import Tokenizer

        meta = stored_metadata(path)
        if json.loads(meta.get("cue_features", "[]")) != list(cue_names) or json.loads(meta.get("classes", "[]")) != list(classes):
            raise AnalysisError(f"{path}: price encoder trained on other cues or classes; "
                                "retrain with python -m analysis.train_price_encoder")
        directory = directory or model_dir()
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._session = onnx_session(ensure_onnx(directory, path))
        self.n_classes = len(classes)

    def probabilities(self, inputs: Sequence[str], cues: np.ndarray) -> np.ndarray:
        """(len(inputs), classes) probabilities; ``cues``: each input's cue features."""
        out = np.zeros((len(inputs), self.n_classes), np.float32)
        if not inputs:
            return out
        encodings = self.tokenizer.encode_batch(list(inputs))
        order = sorted(range(len(inputs)), key=lambda i: len(encodings[i].ids))
        for b in range(0, len(order), BATCH_SIZE):
            idx = order[b : b + BATCH_SIZE]
            ids, mask = padded([encodings[i].ids for i in idx])
            feed = {"input_ids": ids, "attention_mask": mask, "cues": cues[idx].astype(np.float32)}
            out[idx] = self._session.run(None, feed)[0]
        return out
