"""The ONNX sentence encoder gives sentence-transformers' all-MiniLM-L6-v2 vectors, and its
graph is exported once per machine, by one process, into the model cache."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.embedding import CACHE_ENV, GRAPH_PREFIX, MAX_TOKENS, ensure_onnx, export_once, load_encoder, model_dir, onnx_path
from analysis.errors import AnalysisError
from analysis.labelled_data import FOREIGN_SETS, load_labelled

ROOT = Path(__file__).resolve().parents[1]


def _real_sentences() -> list[str]:
    texts = [r.text for r in load_labelled()] + [r.text for p in FOREIGN_SETS.values() for r in load_labelled(p)]
    return texts + ["", "ok", "mm-hmm", " ".join(["pricing"] * 400)]  # empty, tiny, truncated at 128 tokens


@pytest.mark.slow
def test_vectors_match_sentence_transformers_on_real_sentences(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    texts = _real_sentences()
    model = SentenceTransformer(str(model_dir()), device="cpu")
    model.max_seq_length = MAX_TOKENS  # ours truncates at 128 tokens (its own default is 256)
    reference = model.encode(texts, batch_size=64)
    ours = load_encoder().encode(texts)
    cosines = np.sum(ours * reference, axis=1) / np.linalg.norm(reference, axis=1)
    assert len(texts) > 1000
    assert cosines.min() >= 0.999


@pytest.mark.slow
def test_graph_is_the_export_of_the_torch_reference():
    import torch

    from analysis.embedding_export import MiniLM

    encoder = load_encoder()
    texts = _real_sentences()[:200]
    encodings = encoder.tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(texts), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, e in enumerate(encodings):
        ids[i, : len(e.ids)], mask[i, : len(e.ids)] = e.ids, 1
    with torch.inference_mode():
        reference = MiniLM(model_dir())(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    assert np.sum(encoder._encode_batch([e.ids for e in encodings]) * reference, axis=1).min() >= 0.999


@pytest.mark.slow
def test_worker_processes_starting_together_export_once(tmp_path):
    """Two processes find the cache empty at once: one exports, the other waits for its file."""
    code = (
        "import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(message)s');"
        "from analysis.embedding import load_encoder; print(load_encoder().encode(['hi']).shape)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{CACHE_ENV: str(tmp_path)})
    workers = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [w.communicate(timeout=900)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0]
    assert all("(1, 384)" in out for out in outputs)
    assert sum(out.count("exporting the sentence encoder") for out in outputs) == 1
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".lock", ".onnx", ".source"]  # no partial file left


def test_an_unwritable_cache_is_one_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    with pytest.raises(AnalysisError, match=f"set {CACHE_ENV}"):
        ensure_onnx(model_dir())


def test_the_cached_file_is_named_after_the_weights(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = onnx_path(model_dir())
    assert first.parent == tmp_path and first.suffix == ".onnx"
    copy = tmp_path / "weights"
    copy.mkdir()
    (copy / "model.safetensors").write_bytes(b"other weights")
    assert onnx_path(copy) != first


def test_an_export_deletes_the_graphs_of_weights_gone_or_changed(tmp_path, monkeypatch):
    """Each install of the package has new weights files: a reinstall, a deleted virtualenv or a
    graph from before notes were kept must not leave 90 MB each in the cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))

    def write_graph(directory: Path, path: Path, tuned: Path | None) -> None:
        path.write_bytes(b"graph of " + (directory / "model.safetensors").read_bytes())

    graphs = {}
    for name in ("other_install", "reinstalled", "deleted_venv"):
        weights = tmp_path / name / "model.safetensors"
        weights.parent.mkdir()
        weights.write_bytes(name.encode())
        graphs[name] = onnx_path(weights.parent)
        export_once(weights.parent, graphs[name], write_graph)
    legacy = cache / f"{GRAPH_PREFIX}0123456789abcdef.onnx"
    legacy.write_bytes(b"exported before notes were kept")
    shutil.rmtree(tmp_path / "deleted_venv")
    os.utime(tmp_path / "reinstalled" / "model.safetensors", ns=(10**9, 10**9))

    fresh = onnx_path(tmp_path / "reinstalled")
    assert fresh != graphs["reinstalled"]
    export_once(tmp_path / "reinstalled", fresh, write_graph)
    assert sorted(cache.iterdir()) == sorted(
        p for graph in (graphs["other_install"], fresh) for p in (graph, graph.with_suffix(".source"), Path(f"{graph}.lock"))
    )
    assert ensure_onnx(tmp_path / "other_install") == graphs["other_install"]


@pytest.mark.slow
def test_a_failed_export_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    broken = tmp_path / "weights"
    broken.mkdir()
    (broken / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(AnalysisError, match="exporting the sentence encoder .* failed"):
        ensure_onnx(broken)
    assert list(tmp_path.glob("*.onnx")) == list(tmp_path.glob("*.source")) == []
