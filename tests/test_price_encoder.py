"""The price detector's fine-tuned encoder: what it reads, that its graph is the export of the
torch model it was trained as, that its cached graph follows the committed weights, and that
weights trained for other cues are refused with one clear line."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.embedding import CACHE_ENV, export_once, model_dir, onnx_path
from analysis.errors import AnalysisError
from analysis.price import CLASSES, FEATURE_NAMES, evidence, with_role
from analysis.price_encoder import TUNED_PATH, PriceEncoder, render


def test_the_input_names_the_speaker_and_the_turn_it_answers():
    assert render("About forty a month.", "buyer") == "buyer: about forty a month"
    assert render("about forty a month", None) == "speaker: about forty a month"
    assert render("about forty a month", "buyer", "What do you pay today?", "seller") == (
        "seller: what do you pay today | buyer: about forty a month")
    assert render("about forty a month", "unknown", "what do you pay today", None).startswith("speaker: ")


def test_the_cached_graph_follows_the_fine_tuned_weights(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    tuned = tmp_path / "tuned.safetensors"
    shutil.copy(TUNED_PATH, tuned)
    base, first = onnx_path(model_dir()), onnx_path(model_dir(), tuned)
    assert first != base
    tuned.write_bytes(tuned.read_bytes() + b" ")
    assert onnx_path(model_dir(), tuned) not in (base, first)


def test_an_export_keeps_the_graphs_of_current_fine_tuned_weights_and_deletes_the_others(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    weights = tmp_path / "minilm" / "model.safetensors"
    weights.parent.mkdir()
    weights.write_bytes(b"weights")
    tuned = tmp_path / "tuned.safetensors"
    tuned.write_bytes(b"round 1")

    def write_graph(directory: Path, path: Path, tuned: Path | None) -> None:
        path.write_bytes(b"graph")

    base = onnx_path(weights.parent)
    export_once(weights.parent, base, write_graph)
    old = onnx_path(weights.parent, tuned)
    export_once(weights.parent, old, write_graph, tuned)
    tuned.write_bytes(b"round 2")  # retrained
    new = onnx_path(weights.parent, tuned)
    export_once(weights.parent, new, write_graph, tuned)
    assert sorted(p.name for p in cache.glob("*.onnx")) == sorted([base.name, new.name])


def test_weights_trained_for_other_cues_are_refused(tmp_path):
    from safetensors.numpy import save_file

    stale = tmp_path / "tuned.safetensors"
    save_file({"classifier/bias": np.zeros(5, np.float32)}, str(stale),
              metadata={"cue_features": json.dumps(["an_old_cue"]), "classes": json.dumps(list(CLASSES))})
    with pytest.raises(AnalysisError, match="trained on other cues or classes; retrain with python -m analysis.train_price_encoder"):
        PriceEncoder(FEATURE_NAMES, CLASSES, stale)
    with pytest.raises(AnalysisError, match="missing or unreadable"):
        PriceEncoder(FEATURE_NAMES, CLASSES, tmp_path / "absent.safetensors")


@pytest.mark.slow
def test_graph_is_the_export_of_the_torch_model():
    import torch

    from analysis.embedding_export import PriceClassifier

    texts = ["so what would something like this run us per year", "our customers are very price sensitive",
             "We pay ClassDesk £89 a month at the moment.", "how many vans do you run", "the first month is on us"]
    roles = ["buyer", "buyer", None, "seller", "seller"]
    inputs = [render(t, r) for t, r in zip(texts, roles)]
    cues = np.stack([with_role(evidence(t).lexical, r) for t, r in zip(texts, roles)])
    encoder = PriceEncoder(FEATURE_NAMES, CLASSES)
    ours = encoder.probabilities(inputs, cues)
    model = PriceClassifier.load(model_dir(), TUNED_PATH)
    reference = []
    with torch.inference_mode():
        for text, row in zip(inputs, cues):
            ids = torch.tensor([encoder.tokenizer.encode(text).ids])
            reference.append(model(ids, torch.ones_like(ids), torch.from_numpy(row[None])).numpy()[0])
    assert np.abs(ours - np.array(reference)).max() < 1e-4
    assert np.allclose(ours.sum(axis=1), 1.0, atol=1e-5)
