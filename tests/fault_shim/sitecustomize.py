"""A full disk, simulated for the fault tests (``tests/test_faults.py``).

Python imports this module at start-up when this folder leads ``PYTHONPATH``. While the file
named by ``CALLYTICS_TEST_DISK_FULL`` exists, the folder ``CALLYTICS_TEST_FULL_DIR`` behaves as if
its disk were full: committing to a DuckDB database there fails as DuckDB does when it cannot
write its log, and opening any file there for writing fails with ENOSPC.
"""
import os

_FLAG = os.environ.get("CALLYTICS_TEST_DISK_FULL")
_FULL_DIR = os.environ.get("CALLYTICS_TEST_FULL_DIR")


def _full(path) -> bool:
    return (os.path.exists(_FLAG)
            and os.path.realpath(os.fspath(path)).startswith(os.path.realpath(_FULL_DIR) + os.sep))


if _FLAG and _FULL_DIR:
    import builtins
    import errno

    import duckdb

    class _Connection:
        def __init__(self, real, path):
            self._real = real
            self._path = path

        def commit(self):
            if _full(self._path):
                raise duckdb.IOException(
                    f'IO Error: Could not write file "{self._path}.wal": No space left on device')
            return self._real.commit()

        def __getattr__(self, name):
            return getattr(self._real, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._real.close()

    _connect = duckdb.connect

    def _connect_to_full_disk(database=":memory:", *args, **kwargs):
        return _Connection(_connect(database, *args, **kwargs), str(database))

    duckdb.connect = _connect_to_full_disk

    _open = builtins.open

    def _open_on_full_disk(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+") and _full(file):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(file))
        return _open(file, mode, *args, **kwargs)

    builtins.open = _open_on_full_disk
