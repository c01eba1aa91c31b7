"""Migration 0007: the group's Attachment 6 opinion and the city's decision kept apart (REN-04,
REN-05), restored from the audit log on a store written by the old code (issue #13)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select, text

from casework.store import audit, migrate
from casework.store.engine import Store
from casework.store.tables import renewal_cases
from tests.backend import sqlite_only, store_url

pytestmark = sqlite_only(
    "a store at an old revision: the PostgreSQL run's stores come from a template already at "
    "the newest revision; the migration is plain SQL, checked here on SQLite"
)

GROUP = "现场核查情况良好，建议准予续期"
CITY = "经研究，评估合格，准予续期"


def _opinion_change(case: int, before: str, after: str) -> list[dict[str, object]]:
    return [
        {
            "op": "update",
            "table": "renewal_cases",
            "key": {"id": case},
            "before": {"opinion": before},
            "after": {"opinion": after},
        }
    ]


def _decision_change(case: int, before: str, after: str) -> list[dict[str, object]]:
    change = _opinion_change(case, before, after)[0]
    change["before"] = {"status": "评估中", "opinion": before}  # type: ignore[index]
    change["after"] = {"status": "合格", "grade": "合格", "opinion": after}  # type: ignore[index]
    return [change]


def old_store(tmp_path: Path) -> Store:
    """A store at 0006 as the old code left it: case 1 decided (its opinion overwritten by the
    city's text), case 2 decided with no city text (the group's erased), case 3 awaiting the
    decision (the group's opinion in place)."""
    store = Store(store_url(tmp_path / "old.db"))
    migrate.upgrade(store, "0006")
    with store.write() as conn:
        conn.execute(text("INSERT INTO cities VALUES ('370100','济南','济南市','济南市人社局')"))
        conn.execute(
            text(
                "INSERT INTO institutions (id, name, uscc, city_code, kind, address, contact,"
                " phone) VALUES (1, '甲', :u, '370100', '企业', '', '', '')"
            ),
            {"u": "X" * 18},
        )
        for f in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO filings (id, institution_id, city_code, code, filed_on,"
                    " term_start, term_end, status)"
                    " VALUES (:f, 1, '370100', :c, :d, :d, :e, '有效')"
                ),
                {"f": f, "c": f"3701ZK202500{f}", "d": date(2023, 3, 1), "e": date(2026, 2, 28)},
            )
        conn.execute(
            text(
                "INSERT INTO renewal_rounds (id, city_code, title, plan, expiring_from,"
                " expiring_to, opened_on, deadline, rubric_id) VALUES (1, '370100', '续期', '',"
                " :a, :b, :a, :b, 'renewal-2025.1')"
            ),
            {"a": date(2025, 10, 1), "b": date(2026, 2, 28)},
        )
        stored = {1: (CITY, date(2025, 12, 1)), 2: ("", date(2025, 12, 2)), 3: (GROUP, None)}
        for case, (opinion, decided) in stored.items():
            conn.execute(
                text(
                    "INSERT INTO renewal_cases (id, round_id, filing_id, status, opinion,"
                    " decided_on, dropped_projects) VALUES (:i, 1, :i, :s, :o, :d, '[]')"
                ),
                {"i": case, "s": "合格" if decided else "评估中", "o": opinion, "d": decided},
            )
        entries = [
            ("提交评估组意见", _opinion_change(1, "", GROUP)),
            ("提交评估组意见", _opinion_change(2, "", GROUP + "（二）")),
            ("提交评估组意见", _opinion_change(3, "", GROUP)),
            ("研究确定续期评估结果", _decision_change(1, GROUP, CITY)),
            ("研究确定续期评估结果", _decision_change(2, GROUP + "（二）", "")),
        ]
        for command, changes in entries:
            audit.append(conn, actor="officer370100", command=command, rule_ids=(), changes=changes)
    return store


def cases(store: Store) -> dict[int, tuple[str, str]]:
    with store.read() as conn:
        rows = conn.execute(
            select(renewal_cases.c.id, renewal_cases.c.opinion, renewal_cases.c.decision_note)
        )
        return {int(i): (str(o), str(n)) for i, o, n in rows}


def test_upgrading_restores_the_groups_opinion_and_keeps_the_citys_decision_apart_ren_05(
    tmp_path: Path,
) -> None:
    store = old_store(tmp_path)

    migrate.upgrade(store)

    assert cases(store) == {
        1: (GROUP, CITY),
        2: (GROUP + "（二）", ""),
        3: (GROUP, ""),
    }
    with store.read() as conn:
        assert audit.verify(conn) == []  # the log is only read
    store.dispose()


def test_the_audit_log_is_left_as_it_was(tmp_path: Path) -> None:
    store = old_store(tmp_path)
    with store.read() as conn:
        before = conn.execute(text("SELECT seq, hash, changes FROM audit_log")).all()

    migrate.upgrade(store)

    with store.read() as conn:
        after = conn.execute(text("SELECT seq, hash, changes FROM audit_log")).all()
    assert after == before
    assert json.loads(after[0][2])[0]["after"]["opinion"] == GROUP
    store.dispose()


def test_downgrading_puts_the_citys_text_back_where_the_old_code_read_it(tmp_path: Path) -> None:
    store = old_store(tmp_path)
    migrate.upgrade(store)

    _downgrade(store)

    with store.read() as conn:
        rows = dict(conn.execute(text("SELECT id, opinion FROM renewal_cases")).all())
    assert rows == {1: CITY, 2: "", 3: GROUP}
    store.dispose()


def _downgrade(store: Store) -> None:
    from alembic import command

    with store.write_connection() as conn, conn.begin():
        command.downgrade(migrate._config(conn), "0006")
