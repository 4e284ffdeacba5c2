"""Which models labelled a call, as one short name: stored per call as ``calls.classifier``.

Every trained head in ``analysis/data/`` (``*_head.npz``: turn labels, seller identification and
any head added later) is hashed, so a retrained or added head gives a new name and a reader can
tell calls labelled by different models apart.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ENCODER = "all-MiniLM-L6-v2"
HASH_CHARS = 8


@lru_cache(maxsize=1)
def classifier_id() -> str:
    """``all-MiniLM-L6-v2+heads.<hash>``: the sentence encoder and the hash of every head file."""
    return f"{ENCODER}+heads.{heads_digest(DATA_DIR)}"


def heads_digest(folder: Path) -> str:
    """Short sha256 over the names and bytes of the ``*_head.npz`` files in ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*_head.npz")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:HASH_CHARS]
