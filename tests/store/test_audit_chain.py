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
from casework.errors import PermissionDenied
from casework.registry.actors import PROVINCE, Actor
from casework.registry.catalog import add_user
from casework.store import audit
from casework.store.engine import Store, open_store


@contextmanager
def open_store_for(url: str) -> Iterator[Store]:
    opened = open_store(url, migrate=False)
    try:
        yield opened
    finally:
        opened.dispose()


ENTRIES = 5  # the seeded reference (cities, the province's user) and added experts
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
    """A store whose audit log holds ``ENTRIES`` entries (entry 3 registers an expert)."""
    with store.read() as conn:
        seeded = int(conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar() or 0)
    assert seeded <= 2, "entry 3 must be an added expert"
    for i in range(1, ENTRIES - seeded + 1):
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


# --- anchored heads (issue #16 item 5): attacks the chain alone cannot see -------------------


@pytest.fixture
def anchored(logged: Store, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``logged``, anchored once by ``casework audit anchor`` (Ed25519 key made on the way)."""
    anchors = tmp_path / "worm" / "anchors.jsonl"
    monkeypatch.setenv("CASEWORK_ANCHORS", str(anchors))
    monkeypatch.setenv("CASEWORK_ANCHOR_KEY", str(tmp_path / "keys" / "anchor.key"))
    assert main(["--db", db_url, "audit", "anchor"]) == 0
    return anchors


def _rechain(conn: sqlite3.Connection, from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on and move the head, as a forger would."""
    prev = _entry(conn, from_seq - 1)["hash"] if from_seq > 1 else audit.GENESIS
    seq = from_seq
    while (
        row := conn.execute("SELECT * FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    ) is not None:
        new = audit.entry_hash(prev, {**dict(row), "prev_hash": prev})
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, seq))
        prev, seq = new, seq + 1
    conn.execute("UPDATE audit_head SET seq = ?, hash = ?", (seq - 1, prev))


def cut_newest_two_and_move_head(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq > ?", (ENTRIES - 2,))
    last = _entry(conn, ENTRIES - 2)
    conn.execute("UPDATE audit_head SET seq = ?, hash = ?", (last["seq"], last["hash"]))


def edit_entry_and_rechain(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE audit_log SET actor = 'someone_else' WHERE seq = 3")
    _rechain(conn, 3)


ANCHOR_CASES = [
    (cut_newest_two_and_move_head, "截断（锚定）", f"第{ENTRIES - 1}至{ENTRIES}条审计记录缺失"),
    (edit_entry_and_rechain, "重算（锚定）", f"第1至{ENTRIES}条审计记录中有记录被改动"),
]


@pytest.mark.parametrize(
    ("tamper", "kind", "shown"), ANCHOR_CASES, ids=[c[0].__name__ for c in ANCHOR_CASES]
)
def test_an_attack_the_chain_cannot_see_is_found_against_the_anchor(
    anchored: Path, db_path: Path, db_url: str, capsys: Any, tamper: Tamper, kind: str, shown: str
) -> None:
    with raw(db_path) as conn:
        tamper(conn)

    from casework.ops.anchor import read_anchors

    with open_store_for(db_url) as store, store.read() as conn:
        chain_only = audit.verify(conn)
        pinned = audit.verify(conn, read_anchors().audit_pins())
    code = main(["--db", db_url, "audit", "verify"])

    assert chain_only == []
    assert [p.kind for p in pinned] == [kind]
    assert code == 1
    err = capsys.readouterr().err
    assert f"[{kind}] {shown}" in err and "第1号锚定" in err


def test_an_intact_log_verifies_against_its_anchors(
    anchored: Path, db_url: str, capsys: Any
) -> None:
    capsys.readouterr()

    code = main(["--db", db_url, "audit", "verify"])

    assert code == 0
    assert f"共 {ENTRIES} 条记录，哈希链校验通过，与1个锚定记录一致" in capsys.readouterr().out


def test_a_refusal_removed_after_the_anchor_is_found(
    logged: Store,
    db_path: Path,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    monkeypatch.setenv("CASEWORK_ANCHORS", str(tmp_path / "anchors.jsonl"))
    monkeypatch.setenv("CASEWORK_ANCHOR_KEY", str(tmp_path / "anchor.key"))
    with pytest.raises(PermissionDenied):
        add_user(
            logged, Actor("intruder", "专家"), username="x", display_name="某", role="省级管理"
        )
    assert main(["--db", db_url, "audit", "anchor"]) == 0
    with raw(db_path) as conn:
        conn.execute("DELETE FROM refusals")

    code = main(["--db", db_url, "audit", "verify"])

    assert code == 1
    assert "拒绝记录被删除：第1号锚定" in capsys.readouterr().err


def test_an_edited_anchor_line_fails_its_signature(
    anchored: Path, db_url: str, capsys: Any
) -> None:
    line = anchored.read_text(encoding="utf-8")
    anchored.write_text(
        line.replace(f'"seq":{ENTRIES}', f'"seq":{ENTRIES - 1}', 1), encoding="utf-8"
    )

    code = main(["--db", db_url, "audit", "verify"])

    assert code == 1
    assert "锚定文件第1行签名无效" in capsys.readouterr().err


def test_hmac_anchors_work_where_no_key_infrastructure_exists(
    logged: Store, db_path: Path, tmp_path: Path
) -> None:
    from casework.ops import anchor

    key = anchor.new_key(tmp_path / "secret.key", anchor.HMAC_SHA256)
    anchor.write_anchor(logged, tmp_path / "a.jsonl", tmp_path / "secret.key")
    with raw(db_path) as conn:
        cut_newest_two_and_move_head(conn)

    read = anchor.read_anchors(tmp_path / "a.jsonl", tmp_path / "secret.key")
    with logged.read() as conn:
        found = audit.verify(conn, read.audit_pins())

    assert key.alg == "hmac-sha256" and read.problems == ()
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    assert [p.kind for p in found] == ["截断（锚定）"]
