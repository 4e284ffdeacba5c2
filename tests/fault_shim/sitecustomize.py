"""A full disk, simulated for the fault tests (``tests/test_faults.py``).

Python imports this module at start-up when this folder leads ``PYTHONPATH``. While the file
named by ``CALLYTICS_TEST_DISK_FULL`` exists, the folder ``CALLYTICS_TEST_FULL_DIR`` behaves as if
its disk were full: committing to a DuckDB database there fails as DuckDB does when it cannot
write its log, and opening any file there for writing fails with ENOSPC. The shim
creates that file itself at a known point of a batch: once the batch has recorded its start, with
``CALLYTICS_TEST_FILL_WHEN_RUNNING`` set, or once it has written its first call, with
``CALLYTICS_TEST_FILL_AFTER_FIRST_CALL``.
"""
import os

_FLAG = os.environ.get("CALLYTICS_TEST_DISK_FULL")
_FULL_DIR = os.environ.get("CALLYTICS_TEST_FULL_DIR")
_FILL_QUERIES = {
    "CALLYTICS_TEST_FILL_WHEN_RUNNING": "SELECT count(*) FROM runs WHERE status = 'running'",
    "CALLYTICS_TEST_FILL_AFTER_FIRST_CALL":
        "SELECT count(*) FROM calls c JOIN runs r ON c.processed_at >= r.started_at WHERE r.status = 'running'",
}
_FILL_WHEN = next((query for name, query in _FILL_QUERIES.items() if os.environ.get(name)), None)


def _full_dir_holds(path) -> bool:
    return os.path.realpath(os.fspath(path)).startswith(os.path.realpath(_FULL_DIR) + os.sep)


def _full(path) -> bool:
    return os.path.exists(_FLAG) and _full_dir_holds(path)


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
            self._real.commit()
            if _FILL_WHEN and _full_dir_holds(self._path) and self._real.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs'").fetchall()[0][0]:
                if self._real.execute(_FILL_WHEN).fetchall()[0][0]:
                    _open(_FLAG, "w").close()
            return self

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
