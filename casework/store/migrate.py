"""Versioned schema migrations (alembic), run on casework's own write connection.

``upgrade`` is cheap when the database is already current: it reads the version row and
returns without importing alembic, which keeps a Voilà kernel's start-up light.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from casework.paths import PACKAGE_DIR
from casework.store.engine import Store

HEAD_REVISION = "0001"
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


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    with store.read() as conn:
        if revision == "head" and current_revision(conn) == HEAD_REVISION:
            return
    from alembic import command

    with store.write() as conn:
        command.upgrade(_config(conn), revision)


def script_head() -> str | None:
    from alembic.script import ScriptDirectory

    with Store("sqlite://").engine.connect() as conn:
        return ScriptDirectory.from_config(_config(conn)).get_current_head()
