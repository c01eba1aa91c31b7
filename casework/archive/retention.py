"""Retention (EXIT-08): paper ≥ 3 years, electronic ≥ 5 years from the case's closing.

A record's *subject* is the case whose closing starts its clock: the filing (``filing:12``),
or an application that never became one (``application:3``). A filing closes when it ends
(终止备案); until then nothing about it may be destroyed. Expired records are listed for a
destruction decision (销毁 or 继续保存), which is recorded — with who, when and why — and kept
for good; a legal hold on the subject blocks destruction altogether.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from casework.archive.manifest import ELECTRONIC, entries
from casework.archive.objects import ObjectStore
from casework.domain import rules
from casework.errors import NotFound, RuleViolation
from casework.registry.actors import CITY_MANAGER, PROVINCE, Actor
from casework.registry.uow import Tx, command
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    archive_disposals,
    archive_entries,
    archive_holds,
    calls,
    filings,
)

DESTROY, KEEP = "销毁", "继续保存"
DECISIONS = (DESTROY, KEEP)
DECIDERS = (CITY_MANAGER, PROVINCE)
SUBJECT = re.compile(r"^(filing|application):(\d+)$")
STATUS_OPEN, STATUS_KEPT, STATUS_DUE = "未结案", "保管中", "已到期"
STATUS_HELD, STATUS_DESTROYED = "法律保全", "已销毁"


def years_after(d: date, years: int) -> date:
    """The same day ``years`` later (29 February → 28 February)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def keep_until(closing: date, medium: str) -> date:
    """EXIT-08: the first day a record may be destroyed — 5 years (electronic) or 3 years
    (paper) after the case's closing."""
    years = rules.ARCHIVE_ELECTRONIC_YEARS if medium == ELECTRONIC else rules.ARCHIVE_PAPER_YEARS
    return years_after(closing, years)


def closing_of(conn: Connection, subject: str) -> date | None:
    """The day the subject's case closed, or None while it is open."""
    found = SUBJECT.match(subject)
    if found is None:
        raise RuleViolation(f"档案主体“{subject}”格式应为 filing:编号 或 application:编号")
    kind, key = found[1], int(found[2])
    if kind == "filing":
        return conn.execute(select(filings.c.ended_on).where(filings.c.id == key)).scalar()
    app = conn.execute(select(applications).where(applications.c.id == key)).mappings().first()
    if app is None:
        return None
    if app["status"] == "已备案":
        filing_id = (
            app["filing_id"]
            or conn.execute(select(filings.c.id).where(filings.c.application_id == key)).scalar()
        )
        return closing_of(conn, f"filing:{filing_id}") if filing_id else None
    if app["status"] in ("未通过", "已撤回"):
        return app["decided_on"] or app["submitted_on"]
    return None


def subject_city(conn: Connection, subject: str) -> str:
    """The city the subject's case belongs to (SUP-01): the filing's, or the call's of an
    application.

    Raises:
        RuleViolation: the subject is not ``filing:N`` or ``application:N``.
        NotFound: no such filing or application.
    """
    found = SUBJECT.match(subject)
    if found is None:
        raise RuleViolation(f"档案主体“{subject}”格式应为 filing:编号 或 application:编号")
    kind, key = found[1], int(found[2])
    if kind == "filing":
        q = select(filings.c.city_code).where(filings.c.id == key)
    else:
        q = (
            select(calls.c.city_code)
            .join(applications, applications.c.call_id == calls.c.id)
            .where(applications.c.id == key)
        )
    city = conn.execute(q).scalar()
    if city is None:
        what = "备案" if kind == "filing" else "申请"
        raise NotFound(f"未找到档案主体“{subject}”（编号为{key}的{what}）")
    return str(city)


def _holds(conn: Connection) -> dict[str, list[int]]:
    q = select(archive_holds.c.id, archive_holds.c.subject).where(
        archive_holds.c.released_at.is_(None)
    )
    out: dict[str, list[int]] = {}
    for row in conn.execute(q):
        out.setdefault(row.subject, []).append(int(row.id))
    return out


def _destroyed(conn: Connection) -> set[int]:
    q = select(archive_disposals.c.entry_seq).where(archive_disposals.c.decision == DESTROY)
    return set(conn.execute(q).scalars())


def retention_table(store: Store, today: date) -> pd.DataFrame:
    """Every entry with its subject's closing, its keep-until date and status
    (未结案 · 保管中 · 已到期 · 法律保全 · 已销毁)."""
    listed = entries(store)
    rows = []
    with store.read() as conn:
        holds, destroyed = _holds(conn), _destroyed(conn)
        closings = {e.subject: closing_of(conn, e.subject) for e in listed}
    for e in listed:
        closing = closings[e.subject]
        due = keep_until(closing, e.medium) if closing else None
        if e.seq in destroyed:
            status = STATUS_DESTROYED
        elif e.subject in holds:
            status = STATUS_HELD
        elif due is None:
            status = STATUS_OPEN
        else:
            status = STATUS_DUE if today >= due else STATUS_KEPT
        rows.append((e.seq, e.procedure, e.case_id, e.subject, e.medium, closing, due, status))
    columns = ["seq", "procedure", "case_id", "subject", "medium", "closing", "keep_until"]
    return pd.DataFrame(rows, columns=[*columns, "status"])


def expired(store: Store, today: date) -> pd.DataFrame:
    """Entries past their retention and not held: the list for a destruction decision."""
    table = retention_table(store, today)
    return table[table["status"] == STATUS_DUE].reset_index(drop=True)


@command("档案法律保全", rules=("EXIT-08",), roles=DECIDERS)
def place_hold(tx: Tx, *, subject: str, reason: str) -> int:
    """A legal hold: nothing archived about ``subject`` may be destroyed until it is released.

    A city manager holds only its own city's records (SUP-01, re-checked here whatever a page
    offered); a province manager may hold any.
    """
    tx.require_city(subject_city(tx.conn, subject))
    if not reason.strip():
        raise RuleViolation("须写明法律保全的理由", rule_id="EXIT-08")
    now = datetime.now(UTC).replace(tzinfo=None)
    values: dict[str, Any] = {"subject": subject, "reason": reason.strip()}
    values |= {"placed_by": tx.actor.username, "placed_at": now, "release_reason": ""}
    return int(tx.insert(archive_holds, **values))


@command("解除法律保全", rules=("EXIT-08",), roles=DECIDERS)
def release_hold(tx: Tx, *, hold_id: int, reason: str) -> None:
    """Release a legal hold; a city manager only one on its own city's records (SUP-01)."""
    hold = tx.get(archive_holds, "法律保全", id=hold_id)
    tx.require_city(subject_city(tx.conn, str(hold["subject"])))
    if hold["released_at"] is not None:
        raise RuleViolation(f"法律保全{hold_id}已于{hold['released_at']:%Y-%m-%d}解除")
    if not reason.strip():
        raise RuleViolation("须写明解除法律保全的理由", rule_id="EXIT-08")
    now = datetime.now(UTC).replace(tzinfo=None)
    tx.update(
        archive_holds,
        {"id": hold_id},
        released_by=tx.actor.username,
        released_at=now,
        release_reason=reason.strip(),
    )


@command("档案处置决定", rules=("EXIT-08",), roles=DECIDERS)
def decide_disposal(
    tx: Tx, *, entry_seqs: Sequence[int], decision: str, reason: str, on: date
) -> list[int]:
    """Record a decision on expired entries: 销毁 (destroy) or 继续保存 (keep).

    Destruction is refused for an entry still inside its retention (EXIT-08) and for any entry
    whose subject is under a legal hold. Returns the decision ids.
    """
    if decision not in DECISIONS:
        raise RuleViolation(f"处置决定应为“销毁”或“继续保存”，而不是“{decision}”")
    if not reason.strip() or not entry_seqs:
        raise RuleViolation("须列明处置的档案并写明理由", rule_id="EXIT-08")
    holds, destroyed = _holds(tx.conn), _destroyed(tx.conn)
    ids = []
    for seq in dict.fromkeys(entry_seqs):
        row = tx.get(archive_entries, "归档记录", seq=seq)
        tx.require_city(row["city_code"])
        if seq in destroyed:
            raise RuleViolation(f"第{seq}号归档记录已销毁")
        if decision == DESTROY:
            if row["subject"] in holds:
                raise RuleViolation(
                    f"第{seq}号归档记录（{row['subject']}）处于法律保全中，不得销毁",
                    rule_id="EXIT-08",
                )
            closing = closing_of(tx.conn, row["subject"])
            if closing is None:
                raise RuleViolation(
                    f"第{seq}号归档记录所属案件（{row['subject']}）尚未结案，不得销毁",
                    rule_id="EXIT-08",
                )
            due = keep_until(closing, row["medium"])
            if on < due:
                raise RuleViolation(
                    f"第{seq}号归档记录为{row['medium']}档案，自{closing}结案起应保存至{due}，"
                    f"{on}不得销毁",
                    rule_id="EXIT-08",
                )
        now = datetime.now(UTC).replace(tzinfo=None)
        ids.append(
            int(
                tx.insert(
                    archive_disposals,
                    entry_seq=seq,
                    decision=decision,
                    reason=reason.strip(),
                    decided_by=tx.actor.username,
                    decided_on=on,
                    recorded_at=now,
                )
            )
        )
    return ids


def destroy(
    store: Store,
    actor: Actor,
    entry_seqs: Sequence[int],
    *,
    reason: str,
    on: date,
    root: Path | str | None = None,
) -> list[str]:
    """Decide to destroy expired entries, then delete their files (those no live entry shares).

    The decision is committed first; the files go only after it. Returns the digests removed.
    """
    decide_disposal(
        store, actor, entry_seqs=list(entry_seqs), decision=DESTROY, reason=reason, on=on
    )
    objects = ObjectStore(root, db_url=store.url)
    with store.read() as conn:
        gone = _destroyed(conn)
    live: set[str] = set()
    doomed: set[str] = set()
    for e in entries(store):
        (doomed if e.seq in gone else live).update(f.sha256 for f in e.files)
    removed = [d for d in sorted(doomed - live) if objects.remove(d)]
    return removed
