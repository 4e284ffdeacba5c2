"""DuckDB schema, per-call writes, sales-ops views and exports."""
from warehouse.errors import WarehouseError

__all__ = ["WarehouseError"]
