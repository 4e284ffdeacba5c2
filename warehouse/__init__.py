"""DuckDB schema, per-call writes, sales-ops views and exports.

Names load on first use: the CLI imports ``warehouse.errors`` for every command, and DuckDB,
pandas and Arrow would otherwise slow down ``callytics --help``.
"""
from importlib import import_module

from warehouse.errors import WarehouseError

_HOMES = {
    "CALL_STATUSES": "warehouse.records",
    "CallRecord": "warehouse.records",
    "ProcessedCall": "warehouse.records",
    "SCHEMA_VERSION": "warehouse.schema",
    "Warehouse": "warehouse.store",
    "EXPORT_FORMATS": "warehouse.export",
    "export": "warehouse.export",
    "dashboard": "warehouse.dashboard",
}

__all__ = ["WarehouseError", *_HOMES]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
