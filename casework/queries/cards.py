"""Case-officer read models: an institution's card and a filing's dated timeline.

:func:`institution_card` gathers what an officer asks first about an institution (name, USCC,
city, filing code, term, status, current projects). :func:`filing_timeline` lists a filing's
dated events — filed, scope changes, renewals, supervision incidents, exit steps — from the
tables, and names who recorded each one and when from the hash-chained audit log; steps whose
date only the audit log knows (a violation confirmed, a wind-down plan accepted) come from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series
from sqlalchemy import Connection, or_, select

from casework.domain import lifecycle
from casework.domain.terms import FilingTerm, term_of
from casework.domain.timing import ended_by_date
from casework.errors import NotFound
from casework.queries.exits import LIVE
from casework.queries.lookup import one_or_none, one_or_not_found
from casework.queries.timing import latest_renewal_status
from casework.store.engine import Store
from casework.store.tables import (
    audit_log,
    cities,
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    incidents,
    institutions,
    projects,
    renewal_cases,
)

NOT_FILED = "未备案"


@dataclass(frozen=True)
class InstitutionCard:
    """An institution at a glance, with its current (or latest) filing."""

    institution_id: int
    name: str
    uscc: str
    city_code: str
    city: str
    filing_id: int | None
    code: str
    term: str
    status: str
    end_reason: str
    ended_on: date | None
    extinct_on: date | None
    projects: tuple[str, ...]


def _card(
    conn: Connection, inst: Any, filing: Any | None, on: date | None = None
) -> InstitutionCard:
    city = conn.execute(select(cities.c.name).where(cities.c.city_code == inst["city_code"]))
    names: tuple[str, ...] = ()
    if filing is not None and on is not None:
        reason = ended_by_date(
            filing["status"], filing["term_end"], on, latest_renewal_status(conn, filing["id"])
        )
        if reason is not None:  # EXIT-03: ended that day, recorded or not
            filing = {
                **dict(filing),
                "status": lifecycle.TERMINATED,
                "end_reason": reason,
                "ended_on": filing["term_end"],
            }
    if filing is not None:
        q = (
            select(projects.c.name)
            .join(filing_projects, filing_projects.c.project_code == projects.c.project_code)
            .where(filing_projects.c.filing_id == filing["id"])
            .order_by(projects.c.name)
        )
        if filing["ended_on"] is None:
            q = q.where(filing_projects.c.removed_on.is_(None))
        else:  # an ended filing: the scope it ended with (as in the catalog)
            q = q.where(
                or_(
                    filing_projects.c.removed_on.is_(None),
                    filing_projects.c.removed_on > filing["ended_on"],
                )
            )
        names = tuple(conn.execute(q).scalars())
    return InstitutionCard(
        institution_id=int(inst["id"]),
        name=inst["name"],
        uscc=inst["uscc"],
        city_code=inst["city_code"],
        city=city.scalar_one(),
        filing_id=None if filing is None else int(filing["id"]),
        code="" if filing is None else filing["code"],
        term="" if filing is None else term_of(filing).text,
        status=NOT_FILED if filing is None else filing["status"],
        end_reason="" if filing is None else filing["end_reason"] or "",
        ended_on=None if filing is None else filing["ended_on"],
        extinct_on=inst["extinct_on"],
        projects=names,
    )


def institution_card(store: Store, institution_id: int, on: date | None = None) -> InstitutionCard:
    """The card of an institution: its live filing, else its latest one (NotFound if none);
    with ``on``, as it stands that day (EXIT-03)."""
    with store.read() as conn:
        inst = one_or_none(conn, institutions, "考核机构", id=institution_id)
        if inst is None:
            raise NotFound(f"未找到考核机构（编号{institution_id}）")
        rows = (
            conn.execute(
                select(filings)
                .where(filings.c.institution_id == institution_id)
                .order_by(filings.c.id)
            )
            .mappings()
            .all()
        )
        live = [f for f in rows if f["status"] in LIVE]
        filing = live[-1] if live else (rows[-1] if rows else None)
        return _card(conn, inst, filing, on)


def filing_card(store: Store, filing_id: int, on: date | None = None) -> InstitutionCard:
    """The card of one filing's institution, showing that filing (as of ``on``, EXIT-03)."""
    with store.read() as conn:
        filing = one_or_none(conn, filings, "备案", id=filing_id)
        if filing is None:
            raise NotFound(f"未找到备案（编号{filing_id}）")
        inst = one_or_not_found(conn, institutions, "考核机构", id=filing["institution_id"])
        return _card(conn, inst, filing, on)


# --- the timeline ---------------------------------------------------------------------------
class TimelineTable(pa.DataFrameModel):
    """A filing's dated events, oldest first."""

    date: Series[pd.Timestamp]
    event: Series[str]
    detail: Series[str]
    rule_id: Series[str]
    recorded_by: Series[str]
    command: Series[str]

    class Config:
        strict = True
        coerce = True


TIMELINE_HEADERS = {
    "date": "日期",
    "event": "事项",
    "detail": "内容",
    "rule_id": "规则",
    "recorded_by": "登记人",
    "command": "登记操作",
}

AuditHit = tuple[str, str, str]  # command, actor, at
AuditIndex = dict[tuple[str, str, str], list[AuditHit]]
TIMELINE_TABLES = (
    "filings",
    "filing_terms",
    "filing_projects",
    "renewal_cases",
    "incidents",
    "exit_cases",
)


def _key(raw: Any) -> str:
    if isinstance(raw, dict):
        return "|".join(str(v) for v in raw.values())
    if isinstance(raw, list | tuple):
        return "|".join(str(v) for v in raw)
    return str(raw)


def audit_index(conn: Connection) -> AuditIndex:
    """(table, key, column) → the audit entries that set it, oldest first; ``status=<value>``
    entries record the commands that moved a row into that state."""
    likes = [audit_log.c.changes.like(f'%"table":"{t}"%') for t in TIMELINE_TABLES]
    q = select(audit_log.c.command, audit_log.c.actor, audit_log.c.at, audit_log.c.changes)
    index: AuditIndex = {}
    for row in conn.execute(q.where(or_(*likes)).order_by(audit_log.c.seq)):
        for change in json.loads(row.changes):
            table, key = change.get("table"), _key(change.get("key"))
            if table not in TIMELINE_TABLES:
                continue
            after = change.get("after") or {}
            hit = (row.command, row.actor, row.at)
            columns = [*after, *([f"status={after['status']}"] if "status" in after else [])]
            if change.get("op") == "insert":
                columns.append("id")  # an insert's key is not among its values
            for column in columns:
                index.setdefault((table, key, column), []).append(hit)
    return index


class Event(NamedTuple):
    """One dated event and where the audit log recorded it (table, key, column)."""

    on: date
    event: str
    detail: str
    rule_id: str
    table: str
    key: Any
    column: str = "id"
    nth: int = 0  # which of the entries that set ``column`` (the n-th follow-up)


def _scope_events(conn: Connection, filing_id: int) -> Iterator[Event]:
    q = (
        select(filing_projects, projects.c.name)
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .where(filing_projects.c.filing_id == filing_id)
        .order_by(filing_projects.c.id)
    )
    added: dict[tuple[Any, str], list[Any]] = {}
    removed: dict[tuple[Any, str], list[Any]] = {}
    for r in conn.execute(q).mappings():
        added.setdefault((r["added_on"], r["added_by"]), []).append(r)
        if r["removed_on"] is not None:
            removed.setdefault((r["removed_on"], r["removal_reason"] or ""), []).append(r)
    for (on, how), group in added.items():
        names = "、".join(r["name"] for r in group)
        label = "新增考核项目" if how == "范围新增" else "备案考核项目"
        yield Event(on, label, f"{names}（{how}）", "SEL-06", "filing_projects", group[0]["id"])
    for (on, why), group in removed.items():
        names = "、".join(r["name"] for r in group)
        first = group[0]["id"]
        yield Event(
            on, "删除考核项目", f"{names}：{why}", "SEL-06", "filing_projects", first, "removed_on"
        )


def _filing_events(conn: Connection, filing: Any) -> Iterator[Event]:
    fid = filing["id"]
    terms = (
        conn.execute(
            select(filing_terms).where(filing_terms.c.filing_id == fid).order_by(filing_terms.c.seq)
        )
        .mappings()
        .all()
    )
    first = (
        FilingTerm.spanning(terms[0]["first_day"], terms[0]["last_day"])
        if terms
        else term_of(filing)
    ).text
    yield Event(
        filing["filed_on"], "备案", f"机构代码{filing['code']}，{first}", "SEL-05", "filings", fid
    )
    for t in terms[1:]:
        text = FilingTerm.spanning(t["first_day"], t["last_day"]).text
        yield Event(
            t["first_day"], "新备案期开始", text, "REN-05", "filing_terms", f"{fid}|{t['seq']}"
        )
    rq = select(renewal_cases).where(renewal_cases.c.filing_id == fid).order_by(renewal_cases.c.id)
    for c in conn.execute(rq).mappings():
        if c["submitted_on"] is not None:
            text = "附件4自评、附件5续期申请"
            yield Event(
                c["submitted_on"],
                "提交续期申请",
                text,
                "REN-02",
                "renewal_cases",
                c["id"],
                "submitted_on",
            )
        if c["decided_on"] is not None:
            text = f"综合得分{c['composite']:g}，{c['grade']}" if c["composite"] is not None else ""
            if c["decision_note"]:  # the city's words, never the group's (REN-05)
                text += f"{'；' if text else ''}研究确定意见：{c['decision_note']}"
            label = f"续期评估{c['status']}"
            yield Event(
                c["decided_on"], label, text, "REN-05", "renewal_cases", c["id"], "decided_on"
            )


def _end_events(filing: Any) -> Iterator[Event]:
    if filing["ended_on"] is not None:
        reason = filing["end_reason"] or ""
        yield Event(
            filing["ended_on"],
            lifecycle.FILING_TERMINATED,
            reason,
            "EXIT-01",
            "filings",
            filing["id"],
            "ended_on",
        )


def _incident_events(conn: Connection, filing: Any) -> Iterator[Event]:
    q = (
        select(incidents)
        .where(
            incidents.c.institution_id == filing["institution_id"],
            incidents.c.opened_on >= filing["filed_on"],
        )
        .order_by(incidents.c.id)
    )
    for inc in conn.execute(q).mappings():
        key = inc["id"]
        text = f"{inc['category']}：{inc['description']}"
        yield Event(inc["opened_on"], "登记监管事项", text, "SUP-01", "incidents", key)
        for n, f in enumerate(inc["follow_ups"] or [], start=1):  # entry 0 opened it
            on = date.fromisoformat(f["on"])
            yield Event(on, "监管跟进", f["text"], "SUP-01", "incidents", key, "follow_ups", n)
        if inc["closed_on"] is not None:
            escalated = inc["status"] == lifecycle.INCIDENT_ESCALATED
            label = "转立案调查" if escalated else "监管事项办结"
            text = inc["conclusion"]
            yield Event(inc["closed_on"], label, text, "SUP-02", "incidents", key, "closed_on")


def _exit_events(conn: Connection, filing_id: int, index: AuditIndex) -> Iterator[Event]:
    q = select(exit_cases).where(exit_cases.c.filing_id == filing_id).order_by(exit_cases.c.id)
    for c in conn.execute(q).mappings():
        key, violation = c["id"], c["kind"] == "违规"
        if violation:
            yield Event(
                c["opened_on"], "立案调查（备案暂停）", c["grounds"], "EXIT-04", "exit_cases", key
            )
        else:
            text = "附终止考核工作实施方案"
            yield Event(c["opened_on"], "申请撤销备案", text, "EXIT-02", "exit_cases", key)
        if c["findings_received_on"] is not None:
            text = f"陈述申辩截止{c['statement_due']}"
            on = c["findings_received_on"]
            yield Event(on, "送达书面核查意见", text, "EXIT-05", "exit_cases", key, "findings")
        if c["statement_received_on"] is not None:
            on = c["statement_received_on"]
            yield Event(
                on, "收到陈述申辩", c["statement"], "EXIT-05", "exit_cases", key, "statement"
            )
        winding_up = f"status={lifecycle.VIOLATION_WINDING_UP}"  # the withdrawal's too
        hits = index.get(("exit_cases", str(key), winding_up))
        if hits:  # the date of this step is known from the audit log only
            label = "认定违规、指导收尾" if violation else "评估收尾方案、指导收尾"
            text = f"{c['circumstance']}（{c['basis']}）" if violation else ""
            rule = "EXIT-06" if violation else "EXIT-02"
            on = date.fromisoformat(hits[0][2][:10])
            yield Event(on, label, text, rule, "exit_cases", key, winding_up)
        if c["decided_on"] is not None:
            label = lifecycle_label(c["kind"], c["status"])
            text = c["closing_work"] or c["circumstance"]
            closed = c["status"] in (lifecycle.VIOLATION_CLOSED, lifecycle.WITHDRAWAL_CLOSED)
            rule = "EXIT-07" if closed else ("EXIT-06" if violation else "EXIT-02")
            yield Event(
                c["decided_on"], label, text, rule, "exit_cases", key, f"status={c['status']}"
            )


def lifecycle_label(kind: str, status: str) -> str:
    """The label of the transition that moved an exit case into its final ``status``."""
    machine = lifecycle.VIOLATION if kind == "违规" else lifecycle.WITHDRAWAL
    for t in machine.transitions:
        if t.target == status:
            return t.label
    return status


@pa.check_types
def filing_timeline(store: Store, filing_id: int) -> DataFrame[TimelineTable]:
    """A filing's dated events, oldest first (NotFound for an unknown filing)."""
    with store.read() as conn:
        filing = one_or_none(conn, filings, "备案", id=filing_id)
        if filing is None:
            raise NotFound(f"未找到备案（编号{filing_id}）")
        index = audit_index(conn)
        events = [
            *_filing_events(conn, filing),
            *_scope_events(conn, filing_id),
            *_incident_events(conn, filing),
            *_exit_events(conn, filing_id, index),
            *_end_events(filing),  # last on its day
        ]
    rows = []
    for e in events:
        hits = index.get((e.table, str(e.key), e.column)) or []
        command, actor, _at = hits[e.nth] if e.nth < len(hits) else ("", "", "")
        rows.append((e.on, e.event, e.detail or "", e.rule_id, actor, command))
    frame = pd.DataFrame(rows, columns=list(TIMELINE_HEADERS))
    frame["date"] = pd.to_datetime(frame["date"])
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    return DataFrame[TimelineTable](frame)


@dataclass(frozen=True)
class FilingTimeline:
    """A filing's timeline with its heading (what ``%timeline`` displays)."""

    filing_id: int
    code: str
    institution: str
    frame: pd.DataFrame


def timeline_of(store: Store, filing_id: int) -> FilingTimeline:
    card = filing_card(store, filing_id)
    return FilingTimeline(filing_id, card.code, card.name, filing_timeline(store, filing_id))
