"""Storage adapter: SQLAlchemy engine, tables, migrations and the hash-chained audit log."""

from casework.store.engine import Store, default_url, open_store

__all__ = ["Store", "default_url", "open_store"]
