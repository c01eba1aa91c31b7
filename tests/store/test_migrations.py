"""Schema migrations: a new file gets the newest schema, an old one is upgraded with its data."""

from __future__ import annotations

import shutil
import sqlite3
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from casework.errors import CaseworkError
from casework.paths import PACKAGE_DIR
from casework.store import migrate
from casework.store.engine import Store, open_store
from casework.store.tables import applications, calls, institutions, metadata
from tests.store.test_concurrent_writers import worker_context

WORKERS = 8
JOIN_TIMEOUT_S = 120.0
REBUILD_REVISION = "test_rebuild"
REBUILD_SCRIPT = f'''"""A future migration that rebuilds a table other tables refer to."""
from alembic import op

revision = "{REBUILD_REVISION}"
down_revision = "{migrate.HEAD_REVISION}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("institutions", recreate="always"):
        pass


def downgrade() -> None:
    pass
'''
KEPT_CITY = {"city_code": "370100", "name": "济南", "full_name": "济南市", "bureau": "济南市人社局"}


def _revisions() -> list[str]:
    """Every migration, oldest first."""
    with Store("sqlite://").engine.connect() as conn:
        scripts = ScriptDirectory.from_config(migrate._config(conn))
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


def _schema_sql(path: Path) -> list[tuple[str, str]]:
    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    raw.close()
    return rows


def test_migration_scripts_end_at_the_declared_head_revision() -> None:
    assert migrate.script_head() == migrate.HEAD_REVISION


def test_migration_scripts_form_one_line_of_history() -> None:
    revisions = _revisions()

    assert revisions[-1] == migrate.HEAD_REVISION
    assert len(revisions) == len(set(revisions))


def test_opening_an_empty_file_creates_every_table_at_the_head_revision(db_url: str) -> None:
    store = open_store(db_url)

    with store.read() as conn:
        revision = migrate.current_revision(conn)
        tables = set(inspect(conn).get_table_names())
    store.dispose()
    assert revision == migrate.HEAD_REVISION
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_migrated_schema_matches_the_declared_tables_exactly(db_url: str) -> None:
    """A change to tables.py without a migration (or the reverse) shows up here."""
    store = open_store(db_url)

    with store.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    store.dispose()

    assert differences == []


def test_opening_twice_changes_nothing(db_url: str, db_path: Path) -> None:
    open_store(db_url).dispose()
    first = _schema_sql(db_path)

    open_store(db_url).dispose()

    with Store(db_url).read() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert _schema_sql(db_path) == first
    assert versions == [migrate.HEAD_REVISION]


def test_opening_a_current_store_does_not_wait_for_writers(db_url: str, db_path: Path) -> None:
    """A kernel starting while someone writes: the version check only reads."""
    open_store(db_url).dispose()
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    started = time.monotonic()

    store = open_store(db_url)

    waited = time.monotonic() - started
    writer.execute("ROLLBACK")
    writer.close()
    store.dispose()
    assert waited < 5.0


@pytest.mark.parametrize("revision", _revisions())
def test_database_made_by_an_older_version_opens_with_its_data_kept(
    db_url: str, revision: str
) -> None:
    old = Store(db_url)
    migrate.upgrade(old, revision)
    with old.write() as conn:
        conn.execute(
            text(
                "INSERT INTO cities (city_code, name, full_name, bureau) "
                "VALUES (:city_code, :name, :full_name, :bureau)"
            ),
            KEPT_CITY,
        )
    old.dispose()

    store = open_store(db_url)

    with store.read() as conn:
        revision_now = migrate.current_revision(conn)
        cities = [dict(r) for r in conn.execute(text("SELECT * FROM cities")).mappings()]
    store.dispose()
    assert revision_now == migrate.HEAD_REVISION
    assert cities == [KEPT_CITY]


def test_every_migration_downgrades_to_base_and_upgrades_again(db_url: str) -> None:
    store = open_store(db_url)

    with store.write() as conn:
        command.downgrade(migrate._config(conn), "base")
    with store.read() as conn:
        left = set(inspect(conn).get_table_names()) - {"alembic_version"}
        revision_at_base = migrate.current_revision(conn)
    migrate.upgrade(store)

    with store.read() as conn:
        revision = migrate.current_revision(conn)
    store.dispose()
    assert left == set()
    assert revision_at_base is None
    assert revision == migrate.HEAD_REVISION


def test_database_from_a_newer_version_is_refused_with_a_clear_message(
    db_url: str, db_path: Path
) -> None:
    open_store(db_url).dispose()
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()

    with pytest.raises(CaseworkError) as refused:
        open_store(db_url)

    assert "9999" in str(refused.value)


@pytest.fixture
def future_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The package's migrations plus one that rebuilds ``institutions`` (SQLite batch mode)."""
    scripts = tmp_path / "migrations"
    shutil.copytree(
        PACKAGE_DIR / "migrations", scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    (scripts / "versions" / f"{REBUILD_REVISION}.py").write_text(REBUILD_SCRIPT, encoding="utf-8")
    package_config = migrate._config

    def config(conn: Any) -> Config:
        cfg = package_config(conn)
        cfg.set_main_option("script_location", str(scripts))
        return cfg

    monkeypatch.setattr(migrate, "_config", config)
    return REBUILD_REVISION


def test_a_migration_rebuilding_a_referenced_table_upgrades_a_store_holding_data(
    db_url: str, future_migration: str
) -> None:
    store = Store(db_url)
    migrate.upgrade(store, migrate.HEAD_REVISION)  # the version before the future migration
    with store.write() as conn:
        conn.execute(text("INSERT INTO cities VALUES ('370100', '济南', '济南市', '济南市人社局')"))
        institution = conn.execute(
            institutions.insert()
            .values(name="甲", uscc="X" * 18, city_code="370100")
            .returning(institutions.c.id)
        ).scalar_one()
        call = conn.execute(
            calls.insert()
            .values(
                city_code="370100",
                year=2025,
                title="遴选公告",
                opens_on=date(2025, 3, 3),
                closes_on=date(2025, 4, 3),
                published_on=date(2025, 3, 3),
                status="已发布",
            )
            .returning(calls.c.id)
        ).scalar_one()
        conn.execute(
            applications.insert().values(
                call_id=call,
                institution_id=institution,
                kind="新申请",
                submitted_on=date(2025, 3, 10),
                status="已提交",
            )
        )

    migrate.upgrade(store, future_migration)

    with store.read() as conn:
        revision = migrate.current_revision(conn)
        kept = conn.execute(text("SELECT count(*) FROM applications")).scalar()
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        enforced = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    store.dispose()
    assert revision == future_migration
    assert kept == 1
    assert broken == []
    assert enforced == 1


def open_new_database(url: str, worker: int, start: Any, results: Any) -> None:
    """A kernel starting on a database nobody has created yet (run in a spawned process)."""
    try:
        start.wait(JOIN_TIMEOUT_S)
        store = open_store(url)
        with store.read() as conn:
            revision = migrate.current_revision(conn)
        store.dispose()
        results.put((worker, f"revision {revision}"))
    except BaseException:
        results.put((worker, traceback.format_exc()))


@pytest.mark.slow
def test_eight_processes_opening_a_new_database_at_once_all_get_the_newest_schema(
    db_url: str,
) -> None:
    ctx = worker_context()
    start, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [
        ctx.Process(target=open_new_database, args=(db_url, w, start, results))
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()

    reported = dict(results.get(timeout=JOIN_TIMEOUT_S) for _ in procs)
    for p in procs:
        p.join(JOIN_TIMEOUT_S)

    assert set(reported.values()) == {f"revision {migrate.HEAD_REVISION}"}, "\n".join(
        reported.values()
    )
