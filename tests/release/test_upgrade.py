"""``casework init`` on deployment: an older database is upgraded to the installed version
(alembic), a database made by a newer casework is refused and left as it is (issue #18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from casework.cli import main
from casework.store.engine import Store
from casework.store.migrate import HEAD_REVISION, current_revision, upgrade
from tests.backend import store_url


def revision_of(url: str) -> str | None:
    store = Store(url)
    try:
        with store.read() as conn:
            return current_revision(conn)
    finally:
        store.dispose()


def test_init_upgrades_an_older_database_to_the_installed_version(tmp_path: Path) -> None:
    url = store_url(tmp_path / "casework.db")
    old = Store(url)
    with old.write() as conn:  # a fresh PostgreSQL store is already at head: start empty
        cascade = " CASCADE" if conn.dialect.name == "postgresql" else ""
        for name in conn.dialect.get_table_names(conn):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))
    upgrade(old, "0003")
    old.dispose()
    assert revision_of(url) == "0003"

    code = main(["--db", url, "init"])

    assert code == 0
    assert revision_of(url) == HEAD_REVISION


def test_init_refuses_a_database_newer_than_the_installed_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = store_url(tmp_path / "casework.db")
    assert main(["--db", url, "init"]) == 0
    newer = Store(url)
    with newer.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    newer.dispose()

    code = main(["--db", url, "init"])

    assert code == 2
    assert "数据库结构版本（9999）高于本程序支持的版本" in capsys.readouterr().err
    assert revision_of(url) == "9999"
