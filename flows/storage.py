"""Where an archive's files live: a local folder, or any fsspec URL (``s3://``, ``gs://``, ``az://``).

Content hashes are computed while the bytes stream past. A local recording is decoded in place
and checked afterwards to be the very file that was hashed; a remote one is streamed once into a
temporary file (the decoder needs to seek), hashed on the way, and the file is removed as soon
as it has been decoded.
"""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flows.config import ConfigError

CHUNK_BYTES = 1 << 20
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure", "adl": "azure"}


class ArchiveError(ConfigError):
    """The archive folder or its manifest cannot be used at all."""


class RecordingChangedError(OSError):
    """A recording was replaced or rewritten while it was being read."""


@dataclass(frozen=True)
class Recording:
    """A recording ready to decode: a local file and the sha256 of exactly its bytes."""

    path: Path
    sha256: str
    identity: tuple[int, ...] | None = None

    def unchanged(self) -> bool:
        """Whether the file still is the one that was hashed (always true for a private copy)."""
        if self.identity is None:
            return True
        try:
            return _identity(os.stat(self.path)) == self.identity
        except OSError:
            return False


def is_url(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


def location_of(archive: str, rel: str) -> str:
    """The path or URL of the file ``rel`` of ``archive``."""
    return f"{archive.rstrip('/')}/{rel}" if is_url(archive) else str(_local_root(archive) / rel)


@functools.lru_cache(maxsize=8)
def open_store(location: str) -> "LocalStore | RemoteStore":
    """The store of an archive (cached: a remote one is checked over the network once)."""
    if is_url(location):
        return RemoteStore(location)
    return LocalStore(_local_root(location))


def _local_root(location: str) -> Path:
    return Path(location.removeprefix("file://"))


class LocalStore:
    """A folder on this machine. Symlinks may point anywhere inside it, never outside."""

    def __init__(self, root: Path):
        if not root.is_dir():
            raise ArchiveError(f"archive {root} is not a folder")
        self.root = root
        self._real_root = root.resolve()

    def list_files(self) -> tuple[list[str], list[str]]:
        """Relative paths of every visible file (sorted), and the links refused on the way."""
        files: list[str] = []
        refused: list[str] = []
        for folder, dirs, names in os.walk(self.root):
            base = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in [*dirs, *names]:
                path = base / name
                if not name.startswith(".") and path.is_symlink() and not self._inside(path):
                    refused.append(f"{path.relative_to(self.root).as_posix()}: symlink to "
                                   f"{os.path.realpath(path)} leaves the archive, refused")
            files.extend(
                (base / name).relative_to(self.root).as_posix() for name in names
                if not name.startswith(".") and (base / name).is_file() and self._inside(base / name)
            )
        return sorted(files), refused

    def read_bytes(self, rel: str) -> bytes | None:
        path = self.root / rel
        return path.read_bytes() if path.is_file() else None

    def fingerprint(self, rel: str) -> str:
        with open(self._real(rel), "rb") as handle:
            return _sha256(handle)

    @contextmanager
    def fetch(self, rel: str) -> Iterator[Recording]:
        path = self._real(rel)
        with open(path, "rb") as handle:
            identity = _identity(os.fstat(handle.fileno()))
            sha256 = _sha256(handle)
        yield Recording(path=path, sha256=sha256, identity=identity)

    def _inside(self, path: Path) -> bool:
        return Path(os.path.realpath(path)).is_relative_to(self._real_root)

    def _real(self, rel: str) -> Path:
        path = self.root / rel
        if not self._inside(path):
            raise PermissionError(f"{path} links outside the archive, refused")
        return Path(os.path.realpath(path))


class RemoteStore:
    """A prefix in object storage, through fsspec (s3fs honours the standard AWS variables,
    ``AWS_ENDPOINT_URL`` included)."""

    def __init__(self, url: str):
        import fsspec

        self.url = url.rstrip("/")
        try:
            self.fs, root = fsspec.core.url_to_fs(self.url)
        except ImportError as exc:
            extra = EXTRAS.get(url.split("://", 1)[0])
            hint = f" (pip install 'callytics[{extra}]')" if extra else ""
            raise ArchiveError(f"cannot open archive {url}: {_one_line(exc)}{hint}") from None
        except ValueError as exc:
            raise ArchiveError(f"cannot open archive {url}: {_one_line(exc)}") from None
        self.root = root.rstrip("/")
        try:
            found = self.fs.isdir(self.root)
        except Exception as exc:  # each backend raises its own errors (botocore, azure, google)
            raise ArchiveError(f"cannot open archive {url}: {_one_line(exc)}") from None
        if not found:
            raise ArchiveError(f"archive {url} is not a folder (no objects under it)")

    def list_files(self) -> tuple[list[str], list[str]]:
        try:
            paths = self.fs.find(self.root)
        except Exception as exc:
            raise ArchiveError(f"cannot list archive {self.url}: {_one_line(exc)}") from None
        prefix = self.root + "/"
        rels = (p[len(prefix):] for p in paths if p.startswith(prefix))
        return sorted(r for r in rels if not any(part.startswith(".") for part in r.split("/"))), []

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            with self._open(rel) as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def fingerprint(self, rel: str) -> str:
        with self._open(rel) as handle:
            return _sha256(handle)

    @contextmanager
    def fetch(self, rel: str) -> Iterator[Recording]:
        suffix = PurePosixPath(rel).suffix
        with tempfile.NamedTemporaryFile(prefix="callytics-", suffix=suffix) as copy:
            digest = hashlib.sha256()
            with self._open(rel) as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    digest.update(chunk)
                    copy.write(chunk)
            copy.flush()
            yield Recording(path=Path(copy.name), sha256=digest.hexdigest())

    @contextmanager
    def _open(self, rel: str) -> Iterator[BinaryIO]:
        """Open one object; backend errors surface as ``OSError`` so a bad object fails one call."""
        try:
            handle = self.fs.open(f"{self.root}/{rel}", "rb", block_size=CHUNK_BYTES)
        except OSError:
            raise
        except Exception as exc:
            raise OSError(f"{location_of(self.url, rel)}: {_one_line(exc)}") from None
        with handle:
            yield handle


def _sha256(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def _identity(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
