"""Which engine the test stores live on: SQLite files (default) or a real PostgreSQL server.

``make test`` runs the suite twice: once on SQLite, once with
``CASEWORK_TEST_BACKEND=postgresql`` and ``CASEWORK_TEST_PG_URL`` naming a throw-away server
(``scripts/pg-test-server``). Tests never spell a URL themselves; they ask for one here:

- :func:`store_url` — a fresh, empty store for a test (an SQLite file at ``path``, or a new
  PostgreSQL database made from a migrated template, so opening it needs no migration);
- :func:`copy_store` — a copy of a prepared store (the file with its WAL, or
  ``CREATE DATABASE … TEMPLATE …``), so a scenario built once serves many tests.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url

from casework.store.engine import Store, open_store
from casework.store.tables import metadata

BACKEND = os.environ.get("CASEWORK_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("CASEWORK_TEST_PG_URL", "")
EMPTY_TEMPLATE = "cw_empty_head"
_TEMPLATE_LOCK = 23_2026  # advisory lock: one xdist worker builds the empty template


def on_postgres() -> bool:
    """True when this run's stores are PostgreSQL databases."""
    if BACKEND == "sqlite":
        return False
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"CASEWORK_TEST_BACKEND must be sqlite or postgresql: {BACKEND}")
    if not PG_URL.startswith("postgresql"):
        raise pytest.UsageError("CASEWORK_TEST_BACKEND=postgresql needs CASEWORK_TEST_PG_URL")
    return True


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Run a test in the SQLite run only (what it checks does not depend on the engine)."""
    return pytest.mark.skipif(BACKEND == "postgresql", reason=reason)


def postgres_only(reason: str) -> pytest.MarkDecorator:
    """Run a test in the PostgreSQL run only (the multi-user deployment's engine)."""
    return pytest.mark.skipif(BACKEND != "postgresql", reason=reason)


_admin: Engine | None = None


def _admin_engine() -> Engine:
    global _admin
    if _admin is None:
        _admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    return _admin


def _database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _database_name(path: Path) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:24]
    return f"cw_{digest}"


def _ensure_empty_template() -> None:
    """A database migrated to the newest schema, made once per server."""
    with _admin_engine().connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _TEMPLATE_LOCK})
        try:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": EMPTY_TEMPLATE}
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{EMPTY_TEMPLATE}"'))
                store = open_store(_database_url(EMPTY_TEMPLATE))
                store.dispose()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _TEMPLATE_LOCK})


def _create_from(template: str, name: str) -> str:
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return _database_url(name)


def store_url(path: Path) -> str:
    """The URL of a fresh store for ``path`` (an SQLite file there, or a new PG database)."""
    if not on_postgres():
        return f"sqlite:///{path}"
    _ensure_empty_template()
    return _create_from(EMPTY_TEMPLATE, _database_name(path))


def copy_store(source: str | Store, folder: Path) -> str:
    """A copy of a store (a URL, or an open :class:`Store`, whose pooled connections are closed
    first: PostgreSQL copies only a database nobody is connected to) for ``folder``; returns
    the copy's URL."""
    if isinstance(source, Store):
        source.dispose()
        source = source.url
    parsed = make_url(source)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        origin = Path(parsed.database)
        target = folder / origin.name
        assert target != origin, f"a copy needs a folder of its own: {folder}"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{origin}{suffix}").exists():
                shutil.copyfile(f"{origin}{suffix}", f"{target}{suffix}")
        return f"sqlite:///{target}"
    assert parsed.database
    return _create_from(parsed.database, _database_name(folder / "copy"))


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], str]
) -> str:
    """A store ``build(folder)`` makes once per test run, shared by every xdist worker.

    The first worker to get the lock builds it in a folder of the run's shared temporary
    directory and writes its URL next to it; the others wait for the lock and read the URL."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    folder = root / f"shared-{name}"
    folder.mkdir(exist_ok=True)
    done = folder / "url.txt"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                done.write_text(build(folder))
            return done.read_text()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def drop_store(url: str) -> None:
    """Remove a store made by :func:`store_url` or :func:`copy_store` (its file, or database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))


def file_of(url: str) -> Path:
    """The SQLite file behind ``url`` (for tests that look at the file itself)."""
    parsed = make_url(url)
    assert parsed.get_backend_name() == "sqlite" and parsed.database, url
    return Path(parsed.database)


def table_rows(
    store: Store, *, skip: tuple[str, ...] = ("refusals",)
) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the rows of every table (but ``skip``), on either engine.

    ``refusals`` is skipped by default: it logs the refused attempt itself. Rows are read in
    primary-key order, so two stores with the same content give the same snapshot."""
    out: dict[str, tuple[int, str]] = {}
    with store.read() as conn:
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out
