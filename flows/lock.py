"""One batch per database at a time: an advisory lock file next to the DuckDB file.

The lock belongs to the database's real path, so two runs that name one file differently (a
symlink, ``..``) still take turns. The kernel drops the lock when the holder dies (even on
kill -9), so a crashed run never blocks the next night.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flows.config import ConfigError


class RunLockedError(ConfigError):
    """Another ``callytics run`` is writing to the same database."""


@contextmanager
def run_lock(db: Path) -> Iterator[None]:
    path = Path(f"{os.path.realpath(db)}.run.lock")
    try:
        handle = open(path, "a+")
    except OSError as exc:
        raise ConfigError(f"cannot create lock file {path}: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RunLockedError(
                f"another callytics run (pid {holder}) is processing into {db}; try again later"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
