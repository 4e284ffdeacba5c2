"""Open the DuckDB file: clear one-line errors for bad paths, bounded retries on the write lock.

DuckDB lets one process write a file, or many processes read it; a second process that asks while
the file is held gets an IO error naming the holder. The warehouse opens a connection only for the
time it reads or writes, so waiting a little for the holder is usually enough.
"""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError

log = logging.getLogger(__name__)

_LOCK_MESSAGE = "Could not set lock on file"
_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")
_FIRST_RETRY_S = 0.05
_LONGEST_RETRY_S = 1.0


def open_database(path: Path, *, read_only: bool, lock_timeout_s: float) -> duckdb.DuckDBPyConnection:
    """Connect to ``path``, waiting up to ``lock_timeout_s`` for another process's lock.

    The session's time zone is UTC, so timestamps come back as UTC whatever the machine's zone;
    the views put calls into days in the stored report time zone themselves.
    """
    check_path(path, read_only=read_only)
    deadline = time.monotonic() + lock_timeout_s
    delay = _FIRST_RETRY_S
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if _LOCK_MESSAGE not in message:
                raise WarehouseError(describe_open_error(path, message)) from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                holder = _LOCK_HOLDER.search(message)
                who = f"another process (PID {holder.group(1)})" if holder else "another process"
                raise WarehouseError(
                    f"database {path} is locked by {who}; gave up after {lock_timeout_s:g} s"
                ) from None
            log.debug("database %s is locked, retrying in %.2f s", path, delay)
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, _LONGEST_RETRY_S)
            continue
        except duckdb.Error as exc:
            raise WarehouseError(describe_open_error(path, str(exc))) from None
        con.execute("SET TimeZone = 'UTC'")
        return con


def check_path(path: Path, *, read_only: bool) -> None:
    """Reject paths DuckDB would fail on with a long or confusing message."""
    if path.is_dir():
        raise WarehouseError(f"database path {path} is a folder, not a file")
    if read_only and not path.exists():
        raise WarehouseError(f"database {path} does not exist")
    if not path.parent.is_dir():
        raise WarehouseError(f"cannot create database {path}: folder {path.parent} does not exist")


def describe_open_error(path: Path, message: str) -> str:
    if "not a valid DuckDB database" in message:
        return f"{path} is not a DuckDB database"
    if "Permission denied" in message or "Read-only file system" in message:
        return f"cannot open database {path}: permission denied (read-only location?)"
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return f"cannot open database {path}: {first_line}"
