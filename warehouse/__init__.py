"""DuckDB schema, per-call writes, sales-ops views and exports.

Names load on first use: the CLI imports ``warehouse.errors`` for every command, and DuckDB,
pandas and Arrow would otherwise slow down ``callytics --help``. Import ``export`` and
``dashboard`` from here, not their submodules directly (which would leave the modules, not the
functions, under these names).
"""
from importlib import import_module

from warehouse.errors import WarehouseError

_HOMES = {
    "CALL_STATUSES": "warehouse.records",
    "CallRecord": "warehouse.records",
    "ProcessedCall": "warehouse.records",
    "SCHEMA_VERSION": "warehouse.schema",
    "Warehouse": "warehouse.store",
    "DUCKDB_STORAGE_VERSION": "warehouse.export",
    "EXPORT_FORMATS": "warehouse.export",
    "export": "warehouse.export",
    "dashboard": "warehouse.dashboard",
}

__all__ = ["WarehouseError", *_HOMES]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
    home = _HOMES[name]
    module = import_module(home)
    # Importing warehouse.export set this package's ``export`` to the module: bind every name
    # of that module now, so ``export`` and ``dashboard`` stay the functions.
    for other, other_home in _HOMES.items():
        if other_home == home:
            globals()[other] = getattr(module, other)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(__all__)
