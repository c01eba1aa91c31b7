"""One store: an SQLite file by default, PostgreSQL by URL.

SQLite runs in WAL mode with ``synchronous=FULL`` and a busy timeout; every write is a
``BEGIN IMMEDIATE`` transaction, so concurrent writers (each Voilà user is its own kernel
process) queue for the write lock instead of failing with "database is locked". On
PostgreSQL each write transaction takes one transaction-scoped advisory lock, which keeps the
audit log's hash chain linear.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from casework import settings
from casework.store.migrate import upgrade

BUSY_TIMEOUT_S = 60.0
WRITE_OPTION = "casework_write"
PG_WRITE_LOCK_KEY = 23_2025  # the notice's number: any constant shared by all writers


def default_url() -> str:
    """``CASEWORK_DB`` (a URL or a file path), else ``./casework.db``."""
    return normalise_url(settings.DB.get())


def normalise_url(url_or_path: str) -> str:
    """Accept a SQLAlchemy URL or a plain SQLite file path."""
    if "://" in url_or_path:
        return url_or_path
    return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"


def _wal(cur: Any) -> None:
    """Switch to WAL. Changing the journal mode of a database another process is creating can
    be refused as busy at once, without SQLite's busy handler: try again within the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (the pysqlite driver would not).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _wal(cur)
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`default_url`) with casework's settings."""
    url = normalise_url(url) if url else default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """The casework database: ``read()`` and ``write()`` connections."""

    def __init__(self, url: str | None = None) -> None:
        self.engine = make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for queries, in one (deferred) transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A connection marked for writing (SQLite: ``BEGIN IMMEDIATE``), not yet begun."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection inside one write transaction; it commits on success, else rolls back."""
        with self.write_connection() as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK_KEY})
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate to the newest schema) the store at ``url``."""
    store = Store(url)
    if migrate:
        upgrade(store)
    return store
