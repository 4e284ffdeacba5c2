"""Errors the warehouse raises; each message is one line a user can act on."""


class WarehouseError(Exception):
    """The DuckDB file cannot be opened, migrated, locked or written."""
