"""The store on PostgreSQL: schema, the per-write advisory lock, the audit chain, 8 writers.

Runs only when ``CASEWORK_TEST_PG_URL`` names a PostgreSQL database, e.g.
``postgresql+psycopg://postgres@127.0.0.1:55432/casework_test``. Each test works in a schema
of its own (``search_path``), created and dropped here, so the database may be shared.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from casework.cli import main
from casework.errors import RuleViolation
from casework.registry.actors import SYSTEM_ACTOR
from casework.registry.catalog import add_user, register_institution
from casework.registry.scenario import seed_reference
from casework.store import audit, migrate
from casework.store.engine import PG_WRITE_LOCK_KEY, Store, open_store
from casework.store.tables import audit_log, institutions, metadata, projects, refusals
from tests.store.conftest import register_officers
from tests.store.test_concurrent_writers import (
    JOIN_TIMEOUT_S,
    WORKERS,
    assert_nothing_lost,
    prepare,
    run_writers,
    worker_context,
)
from tests.store.test_engine import GOOD_USCC, JINAN, JINAN_OFFICER
from tests.store.test_migrations import open_new_database

PG_URL = os.environ.get("CASEWORK_TEST_PG_URL", "")
PG_ROUNDS = 20
LOCK_HOLD_S = 0.4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not PG_URL.startswith("postgresql"),
        reason="CASEWORK_TEST_PG_URL is not set to a postgresql+psycopg:// URL",
    ),
]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The test database with a fresh schema of its own first on the ``search_path``."""
    schema = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    store = open_store(pg_url)
    seed_reference(store)
    register_officers(store)  # every command re-reads its actor from the store (SUP-01)
    yield store
    store.dispose()


def _count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_opening_an_empty_database_creates_the_declared_schema_at_head(pg_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = open_store(pg_url)

    with store.read() as conn:
        revision = migrate.current_revision(conn)
        tables = set(inspect(conn).get_table_names())
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    store.dispose()
    assert revision == migrate.HEAD_REVISION
    assert tables == set(metadata.tables) | {"alembic_version"}
    assert differences == []


def test_write_transaction_holds_the_advisory_lock_until_it_ends(pg_store: Store) -> None:
    probe = create_engine(PG_URL)
    try_lock = text("SELECT pg_try_advisory_xact_lock(:k)")

    with pg_store.write(), probe.begin() as conn:
        during = conn.execute(try_lock, {"k": PG_WRITE_LOCK_KEY}).scalar()
    with probe.begin() as conn:
        after = conn.execute(try_lock, {"k": PG_WRITE_LOCK_KEY}).scalar()
    probe.dispose()

    assert during is False
    assert after is True


def test_second_writer_waits_for_the_first_and_sees_its_commit(pg_store: Store) -> None:
    entered, inside = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def second_writer() -> None:
        entered.set()
        try:
            with pg_store.write() as conn:
                inside.set()
                seen["at"] = time.monotonic()
                seen["projects"] = conn.execute(select(func.count()).select_from(projects)).scalar()
        except Exception as exc:  # reported to the main thread
            seen["error"] = exc

    with pg_store.write() as conn:
        conn.execute(projects.insert().values(project_code="P1", name="一", category=""))
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert entered.wait(5)
        time.sleep(LOCK_HOLD_S)
        blocked_while_held = thread.is_alive() and not inside.is_set()
        released_at = time.monotonic()
    thread.join(10)

    assert blocked_while_held
    assert "error" not in seen
    assert seen["at"] >= released_at
    assert seen["projects"] == 1


def test_refused_command_writes_nothing_but_a_refusal(pg_store: Store) -> None:
    register_institution(pg_store, JINAN_OFFICER, name="已登记", uscc=GOOD_USCC, city_code=JINAN)
    before = [_count(pg_store, t) for t in (institutions, audit_log, refusals)]

    with pytest.raises(RuleViolation, match="已登记"):
        register_institution(pg_store, JINAN_OFFICER, name="重复", uscc=GOOD_USCC, city_code=JINAN)

    after = [_count(pg_store, t) for t in (institutions, audit_log, refusals)]
    assert after == [before[0], before[1], before[2] + 1]


@pytest.mark.parametrize(
    ("tamper", "named", "kind"),
    [
        # seqs counted back from the newest entry ({last}): the set-up's users come first
        ("UPDATE audit_log SET actor = 'someone_else' WHERE seq = {last} - 1", -1, "篡改"),
        ("DELETE FROM audit_log WHERE seq = {last} - 1", 0, "删除"),
        ("DELETE FROM audit_log WHERE seq = {last}", -1, "截断"),
    ],
    ids=["changed_actor", "removed_middle_entry", "removed_last_entry"],
)
def test_tampering_is_found_by_verify_and_the_cli(
    pg_store: Store, pg_url: str, capsys: Any, tamper: str, named: int, kind: str
) -> None:
    register_institution(pg_store, JINAN_OFFICER, name="甲", uscc=GOOD_USCC, city_code=JINAN)
    add_user(pg_store, SYSTEM_ACTOR, username="expert1", display_name="专家1", role="专家")
    clean = main(["--db", pg_url, "audit", "verify"])
    with pg_store.engine.begin() as conn:
        last = int(conn.execute(select(func.max(audit_log.c.seq))).scalar_one())
        conn.execute(text(tamper.format(last=last)))

    with pg_store.read() as conn:
        problems = audit.verify(conn)
    code = main(["--db", pg_url, "audit", "verify"])

    err = capsys.readouterr().err
    assert clean == 0
    assert (last + named, kind) in {(p.seq, p.kind) for p in problems}
    assert code == 1
    assert f"[{kind}]" in err


@pytest.mark.slow
def test_eight_processes_writing_at_once_lose_nothing(pg_store: Store, pg_url: str) -> None:
    before = prepare(pg_store)

    run = run_writers(pg_url, rounds=PG_ROUNDS)

    print(f"write phase {run.seconds:.1f} s, slowest command {run.slowest_command:.2f} s")
    assert run.errors == {}, "\n".join(run.errors.values())
    assert_nothing_lost(pg_store, before, WORKERS, PG_ROUNDS)


@pytest.mark.slow
def test_eight_processes_opening_an_empty_database_at_once_all_get_the_newest_schema(
    pg_url: str,
) -> None:
    ctx = worker_context()
    start, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [
        ctx.Process(target=open_new_database, args=(pg_url, w, start, results))
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
