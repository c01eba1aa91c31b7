"""The SQLite store: durable settings, the write lock taken at BEGIN, all-or-nothing commands."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select

from casework.domain.identifiers import make_uscc
from casework.errors import CaseworkError, PermissionDenied, RuleViolation
from casework.registry.actors import CITY_OFFICER, PROVINCE, Actor
from casework.registry.catalog import register_institution
from casework.registry.uow import Tx, command
from casework.store import audit
from casework.store.engine import BUSY_TIMEOUT_S, Store, normalise_url
from casework.store.tables import audit_log, institutions, projects, refusals

JINAN, QINGDAO = "370100", "370200"
JINAN_OFFICER = Actor("officer370100", CITY_OFFICER, city_code=JINAN)
PROVINCE_ACTOR = Actor("province", PROVINCE)
GOOD_USCC = make_uscc("52370100MJ0000001")
SQLITE_SYNCHRONOUS_FULL = 2
LOCK_HOLD_S = 0.4


def _count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _snapshot(store: Store) -> dict[str, int]:
    with store.read() as conn:
        return {t.name: _count(conn, t) for t in (institutions, projects, audit_log, refusals)}


@command("测试：先写后拒", roles=(PROVINCE,))
def write_then_refuse(tx: Tx, *, project_code: str) -> None:
    """Writes a row, then refuses: the row must not survive the rollback."""
    tx.insert(projects, project_code=project_code, name=f"项目{project_code}", category="")
    raise RuleViolation(f"测试拒绝：{project_code}", rule_id="SEL-01")


# --- settings -------------------------------------------------------------------------------


def test_plain_file_path_is_accepted_as_an_sqlite_url(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "x.db"

    url = normalise_url(str(path))

    assert url == f"sqlite:///{path.resolve()}"


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("synchronous", SQLITE_SYNCHRONOUS_FULL),
        ("busy_timeout", int(BUSY_TIMEOUT_S * 1000)),
        ("foreign_keys", 1),
    ],
    ids=lambda v: str(v),
)
def test_file_store_connections_are_durable_and_patient(
    store: Store, pragma: str, expected: object
) -> None:
    with store.read() as conn:
        value = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()

    assert value == expected


def test_wal_mode_is_recorded_in_the_file_itself(store: Store, db_path: Path) -> None:
    raw = sqlite3.connect(db_path)

    mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    raw.close()

    assert mode == "wal"


# --- the write lock -------------------------------------------------------------------------


def test_write_transaction_holds_the_write_lock_from_its_begin(store: Store, db_path: Path) -> None:
    """BEGIN IMMEDIATE: the lock is taken before the first statement, not at the first write."""
    other = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)

    with store.write():
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other.execute("BEGIN IMMEDIATE")
        readable = other.execute("SELECT count(*) FROM cities").fetchone()[0]
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()

    assert readable == 16


def test_second_writer_waits_for_the_first_instead_of_failing(store: Store) -> None:
    entered, inside = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def second_writer() -> None:
        entered.set()
        try:
            with store.write() as conn:
                inside.set()
                seen["at"] = time.monotonic()
                seen["projects"] = _count(conn, projects)
                conn.execute(insert(projects).values(project_code="P2", name="二", category=""))
        except Exception as exc:  # reported to the main thread
            seen["error"] = exc

    with store.write() as conn:
        conn.execute(insert(projects).values(project_code="P1", name="一", category=""))
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
    assert seen["projects"] == 1  # it saw the first writer's commit: no lost update
    assert _snapshot(store)["projects"] == 2


def test_readers_are_not_blocked_by_a_writer(store: Store) -> None:
    with store.write() as conn:
        conn.execute(insert(projects).values(project_code="P1", name="一", category=""))
        started = time.monotonic()
        with store.read() as reader:
            seen = _count(reader, projects)
        waited = time.monotonic() - started

    assert seen == 0  # the reader sees the last committed state
    assert waited < 1.0


# --- failed commands write nothing ----------------------------------------------------------


def _bad_checksum(store: Store) -> None:
    register_institution(
        store, JINAN_OFFICER, name="校验码错", uscc=GOOD_USCC[:17] + "0", city_code=JINAN
    )


def _outside_shandong(store: Store) -> None:
    register_institution(
        store,
        JINAN_OFFICER,
        name="外省单位",
        uscc=make_uscc("52110100MJ0000001"),
        city_code=JINAN,
    )


def _duplicate(store: Store) -> None:
    register_institution(store, JINAN_OFFICER, name="重复登记", uscc=GOOD_USCC, city_code=JINAN)


def _other_city(store: Store) -> None:
    register_institution(
        store,
        JINAN_OFFICER,
        name="青岛单位",
        uscc=make_uscc("52370200MJ0000001"),
        city_code=QINGDAO,
    )


def _wrong_role(store: Store) -> None:
    register_institution(
        store, PROVINCE_ACTOR, name="省级代办", uscc=make_uscc("52370100MJ0000002"), city_code=JINAN
    )


@pytest.mark.parametrize(
    ("attempt", "error", "reason_part"),
    [
        (_bad_checksum, RuleViolation, "校验码错误"),
        (_outside_shandong, RuleViolation, "ATT1-REGION"),
        (_duplicate, RuleViolation, "已登记"),
        (_other_city, PermissionDenied, "SUP-01"),
        (_wrong_role, PermissionDenied, "无权执行"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)).strip("_"),
)
def test_refused_registration_writes_nothing_but_a_refusal(
    store: Store,
    attempt: Callable[[Store], None],
    error: type[CaseworkError],
    reason_part: str,
) -> None:
    register_institution(store, JINAN_OFFICER, name="已登记单位", uscc=GOOD_USCC, city_code=JINAN)
    before = _snapshot(store)

    with pytest.raises(error):
        attempt(store)

    after = _snapshot(store)
    with store.read() as conn:
        refusal = conn.execute(select(refusals).order_by(refusals.c.id.desc())).mappings().first()
        problems = audit.verify(conn)
    assert after == {**before, "refusals": before["refusals"] + 1}
    assert refusal is not None
    assert refusal["command"] == "登记申报单位"
    assert refusal["actor"] in {JINAN_OFFICER.username, PROVINCE_ACTOR.username}
    assert reason_part in refusal["reason"]
    assert problems == []


def test_command_refused_after_writing_rolls_its_writes_back(store: Store) -> None:
    before = _snapshot(store)

    with pytest.raises(RuleViolation, match="测试拒绝"):
        write_then_refuse(store, PROVINCE_ACTOR, project_code="P9")

    assert _snapshot(store) == {**before, "refusals": before["refusals"] + 1}


def test_successful_command_writes_its_rows_and_one_chained_audit_entry(store: Store) -> None:
    before = _snapshot(store)

    new_id = register_institution(
        store, JINAN_OFFICER, name="济南某技工学校", uscc=GOOD_USCC, city_code=JINAN
    )

    with store.read() as conn:
        entry = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).mappings().first()
        problems = audit.verify(conn)
    assert _snapshot(store) == {
        **before,
        "institutions": before["institutions"] + 1,
        "audit_log": before["audit_log"] + 1,
    }
    assert entry is not None
    assert (entry["actor"], entry["command"]) == (JINAN_OFFICER.username, "登记申报单位")
    assert "ATT1-REGION" in entry["rule_ids"]
    assert f'"key":{new_id}' in entry["changes"]
    assert problems == []
