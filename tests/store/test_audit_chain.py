"""Tampering with the audit log is detected: by ``audit.verify`` and by ``casework audit verify``.

Each case edits the SQLite file with raw SQL, as someone with the file (but not the code path)
would, and checks that the break is reported at the entry where it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from casework.cli import main
from casework.registry.actors import PROVINCE, Actor
from casework.registry.catalog import add_user
from casework.store import audit
from casework.store.engine import Store

ENTRIES = 5  # the cities (1) and four users
PROVINCE_ACTOR = Actor("province", PROVINCE)
AUDIT_COLUMNS = ("at", "actor", "command", "rule_ids", "changes", "prev_hash", "hash")

Tamper = Callable[[sqlite3.Connection], None]


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection that commits on leaving."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def _entry(conn: sqlite3.Connection, seq: int) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    return dict(row)


def _forge(seq: int, prev_hash: str) -> dict[str, Any]:
    """An entry whose own hash is computed correctly, as a forger knowing the scheme would."""
    entry: dict[str, Any] = {
        "seq": seq,
        "at": "2025-06-01T08:00:00.000000+00:00",
        "actor": "province",
        "command": "登记用户",
        "rule_ids": "",
        "changes": audit.canonical_json(
            [{"op": "insert", "table": "users", "key": "ghost", "after": {"role": "省级管理"}}]
        ),
        "prev_hash": prev_hash,
    }
    entry["hash"] = audit.entry_hash(prev_hash, entry)
    return entry


def _insert(conn: sqlite3.Connection, entry: dict[str, Any]) -> None:
    names = ", ".join(entry)
    marks = ", ".join(f":{k}" for k in entry)
    conn.execute(f"INSERT INTO audit_log ({names}) VALUES ({marks})", entry)


def _shift(conn: sqlite3.Connection, from_seq: int, by: int) -> None:
    """Renumber entries from ``from_seq`` on (through a detour, seq being the primary key)."""
    conn.execute("UPDATE audit_log SET seq = seq + 100000 WHERE seq >= ?", (from_seq,))
    conn.execute("UPDATE audit_log SET seq = seq - 100000 + ? WHERE seq >= 100000", (by,))


# --- the tampering ----------------------------------------------------------------------------


def change_one_byte_of_changes(conn: sqlite3.Connection) -> None:
    changes = _entry(conn, 3)["changes"]
    i = changes.index("expert")
    conn.execute(
        "UPDATE audit_log SET changes = ? WHERE seq = 3", (changes[:i] + "E" + changes[i + 1 :],)
    )


def change_actor(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE audit_log SET actor = 'someone_else' WHERE seq = 3")


def remove_middle_entry(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq = 3")


def remove_last_entry(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq = ?", (ENTRIES,))


def remove_head_row(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_head")


def append_forged_entry(conn: sqlite3.Connection) -> None:
    """Perfectly chained onto the last entry; only the head row knows the log ended earlier."""
    _insert(conn, _forge(ENTRIES + 1, _entry(conn, ENTRIES)["hash"]))


def insert_forged_entry_in_the_middle(conn: sqlite3.Connection) -> None:
    """Chained onto entry 2, later entries renumbered, the head moved along."""
    forged = _forge(3, _entry(conn, 2)["hash"])
    _shift(conn, 3, 1)
    _insert(conn, forged)
    last = _entry(conn, ENTRIES + 1)
    conn.execute("UPDATE audit_head SET seq = ?, hash = ?", (last["seq"], last["hash"]))


def swap_two_entries(conn: sqlite3.Connection) -> None:
    """Entries 3 and 4 trade places (their contents swap, the numbers stay)."""
    third, fourth = _entry(conn, 3), _entry(conn, 4)
    assign = ", ".join(f"{c} = :{c}" for c in AUDIT_COLUMNS)
    conn.execute(f"UPDATE audit_log SET {assign} WHERE seq = 3", {**fourth, "seq": 3})
    conn.execute(f"UPDATE audit_log SET {assign} WHERE seq = 4", {**third, "seq": 4})


def renumber_two_entries(conn: sqlite3.Connection) -> None:
    """Entries 3 and 4 swap their sequence numbers only."""
    conn.execute("UPDATE audit_log SET seq = -1 WHERE seq = 3")
    conn.execute("UPDATE audit_log SET seq = 3 WHERE seq = 4")
    conn.execute("UPDATE audit_log SET seq = 4 WHERE seq = -1")


# (tampering, entries that verify() must name, kinds of break, what the CLI message must say)
CASES: list[tuple[Tamper, set[int], set[str], tuple[str, ...]]] = [
    (change_one_byte_of_changes, {3}, {"篡改"}, ("第3条",)),
    (change_actor, {3}, {"篡改"}, ("第3条",)),
    (remove_middle_entry, {4}, {"删除"}, ("第3条审计记录缺失", "缺失")),
    (remove_last_entry, {ENTRIES - 1}, {"截断"}, (f"第{ENTRIES}条", f"止于第{ENTRIES - 1}条")),
    (remove_head_row, {ENTRIES}, {"截断"}, ("链头记录缺失",)),
    (append_forged_entry, {ENTRIES + 1}, {"截断"}, (f"止于第{ENTRIES + 1}条",)),
    (insert_forged_entry_in_the_middle, {4}, {"插入或重排"}, ("第4条",)),
    (swap_two_entries, {3, 4}, {"插入或重排", "篡改"}, ("第3条", "第4条")),
    (renumber_two_entries, {3, 4}, {"插入或重排", "篡改"}, ("第3条", "第4条")),
]
CASE_IDS = [c[0].__name__ for c in CASES]


@pytest.fixture
def logged(store: Store) -> Store:
    """A store whose audit log holds ``ENTRIES`` entries."""
    for i in range(1, ENTRIES):
        add_user(store, PROVINCE_ACTOR, username=f"expert{i}", display_name=f"专家{i}", role="专家")
    return store


def test_untouched_log_verifies_clean(logged: Store, db_url: str, capsys: Any) -> None:
    with logged.read() as conn:
        problems = audit.verify(conn)

    code = main(["--db", db_url, "audit", "verify"])

    assert problems == []
    assert code == 0
    assert f"共 {ENTRIES} 条记录" in capsys.readouterr().out


@pytest.mark.parametrize(("tamper", "named", "kinds", "shown"), CASES, ids=CASE_IDS)
def test_tampering_is_found_at_the_entry_it_touched(
    logged: Store,
    db_path: Path,
    tamper: Tamper,
    named: set[int],
    kinds: set[str],
    shown: tuple[str, ...],
) -> None:
    with raw(db_path) as conn:
        tamper(conn)

    with logged.read() as conn:
        problems = audit.verify(conn)

    assert problems
    assert named <= {p.seq for p in problems}
    assert kinds <= {p.kind for p in problems}


@pytest.mark.parametrize(("tamper", "named", "kinds", "shown"), CASES, ids=CASE_IDS)
def test_cli_audit_verify_exits_1_and_names_the_tampered_entry(
    logged: Store,
    db_path: Path,
    db_url: str,
    capsys: Any,
    tamper: Tamper,
    named: set[int],
    kinds: set[str],
    shown: tuple[str, ...],
) -> None:
    with raw(db_path) as conn:
        tamper(conn)

    code = main(["--db", db_url, "audit", "verify"])

    err = capsys.readouterr().err
    assert code == 1
    assert "审计日志校验失败" in err
    for kind in kinds:
        assert f"[{kind}]" in err
    for text in shown:
        assert text in err
