"""Versioned schema migrations (alembic), run on casework's own write connection.

``upgrade`` is cheap when the database is already current: it reads the version row and
returns without importing alembic, which keeps a Voilà kernel's start-up light.

This module knows the store only by the :class:`Migratable` protocol, so that
:mod:`casework.store.engine` (whose ``open_store`` migrates) can import it without a circle.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, inspect, text

from casework.errors import CaseworkError
from casework.paths import PACKAGE_DIR


class Migratable(Protocol):
    """What a migration needs of the store (:class:`casework.store.engine.Store` has it)."""

    @property
    def engine(self) -> Engine: ...
    @property
    def dialect(self) -> str: ...
    def read(self) -> AbstractContextManager[Connection]: ...
    def write(self) -> AbstractContextManager[Connection]: ...
    def write_connection(self) -> AbstractContextManager[Connection]: ...


class SchemaTooNew(CaseworkError):
    """The database's schema revision is unknown to this version of casework."""


HEAD_REVISION = "0010"
"""The newest migration; a test checks it matches the scripts."""


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _config(conn: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(store: Migratable, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest).

    Raises:
        SchemaTooNew: the database was made by a newer casework than this one.
    """
    with store.read() as conn:
        current = current_revision(conn)
        if revision == "head" and current == HEAD_REVISION:
            return
    from alembic import command
    from alembic.script import ScriptDirectory

    with store.engine.connect() as probe:
        known = {s.revision for s in ScriptDirectory.from_config(_config(probe)).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaTooNew(
            f"数据库结构版本（{current}）高于本程序支持的版本（{HEAD_REVISION}），请升级 casework"
        )
    if store.dialect != "sqlite":
        with store.write() as conn:
            command.upgrade(_config(conn), revision)
        return
    # SQLite rebuilds a table to alter it (batch mode); its DROP TABLE would trip the foreign
    # keys of referencing rows, and the pragma only takes effect outside a transaction.
    with store.write_connection() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                command.upgrade(_config(conn), revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaTooNew(f"迁移后外键校验失败：{broken[:5]}")
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def script_head() -> str | None:
    from alembic.script import ScriptDirectory

    with create_engine("sqlite://").connect() as conn:
        return ScriptDirectory.from_config(_config(conn)).get_current_head()
