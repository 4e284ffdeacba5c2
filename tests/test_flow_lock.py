"""One batch per database: the run lock follows the database's real path."""
from __future__ import annotations

import os

import pytest

from flows.lock import RunLockedError, run_lock


def test_the_lock_belongs_to_the_real_path_of_the_database(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    (tmp_path / "link.duckdb").symlink_to(real / "calls.duckdb")
    others = (tmp_path / "alias" / "calls.duckdb", real / ".." / "real" / "calls.duckdb",
              tmp_path / "link.duckdb")
    with run_lock(real / "calls.duckdb"):
        for other in others:
            with pytest.raises(RunLockedError, match=f"pid {os.getpid()}"):
                with run_lock(other):
                    pass
    for other in others:
        with run_lock(other):
            pass
