"""Read models of the 公示与备案 page (SEL-05, ATT2-TERM): the city's applications by state,
its notices and objections, and the data of a filing receipt (Attachments 2 and 2-1, or 3 and
3-1 for a scope addition). Read-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import or_, select

from casework.domain import lifecycle
from casework.domain.terms import term_of
from casework.queries.lookup import one_or_none, one_or_not_found, project_names_in, rows_of
from casework.store.engine import Store
from casework.store.tables import (
    PROJECT_DECLINED,
    application_projects,
    applications,
    calls,
    cities,
    filing_projects,
    filings,
    institutions,
    notice_items,
    notices,
    objections,
    projects,
)

SCOPE_ADDITION = "范围新增"


def _noticed_names(store: Store) -> pd.Series:
    """application_id → "name、name" of the projects noticed and filed: those applied for
    that the city did not decline (SEL-04, issue #14)."""
    decision = application_projects.c.decision
    q = (
        select(application_projects.c.application_id, projects.c.name)
        .join(projects, projects.c.project_code == application_projects.c.project_code)
        .where(or_(decision.is_(None), decision != PROJECT_DECLINED))
        .order_by(application_projects.c.application_id, application_projects.c.project_code)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    return frame.groupby("application_id")["name"].agg("、".join)


def city_applications(store: Store, city_code: str, statuses: Sequence[str]) -> pd.DataFrame:
    """The city's applications in ``statuses``: application_id, institution, uscc, kind,
    projects, status, decided_on, priority."""
    q = (
        select(
            applications.c.id.label("application_id"),
            institutions.c.name.label("institution"),
            institutions.c.uscc,
            applications.c.kind,
            applications.c.status,
            applications.c.decided_on,
            applications.c.priority,
        )
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .join(calls, calls.c.id == applications.c.call_id)
        .where(calls.c.city_code == city_code, applications.c.status.in_(tuple(statuses)))
        .order_by(applications.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    names = _noticed_names(store)
    frame["projects"] = frame["application_id"].map(names).fillna("")
    return frame


def application_record(store: Store, application_id: int) -> dict[str, Any] | None:
    """One application with its city, institution and latest notice (``notice_id``), or None."""
    q = (
        select(
            applications.c.id.label("application_id"),
            applications.c.status,
            applications.c.kind,
            applications.c.filing_id,
            calls.c.city_code,
            institutions.c.name.label("institution"),
        )
        .join(calls, calls.c.id == applications.c.call_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(applications.c.id == application_id)
    )
    nq = (
        select(notice_items.c.notice_id)
        .where(notice_items.c.application_id == application_id)
        .order_by(notice_items.c.notice_id.desc())
    )
    with store.read() as conn:
        row = conn.execute(q).mappings().first()
        if row is None:
            return None
        record = dict(row)
        record["notice_id"] = conn.execute(nq).scalars().first()
    return record


def city_notices(store: Store, city_code: str) -> pd.DataFrame:
    """The city's notices, newest first: notice_id, title, opens_on, ends_on, status,
    closed_on."""
    q = (
        select(
            notices.c.id.label("notice_id"),
            notices.c.title,
            notices.c.opens_on,
            notices.c.ends_on,
            notices.c.status,
            notices.c.closed_on,
        )
        .where(notices.c.city_code == city_code)
        .order_by(notices.c.id.desc())
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)


def notice_record(store: Store, notice_id: int) -> dict[str, Any] | None:
    with store.read() as conn:
        return one_or_none(conn, notices, "公示", id=notice_id)


@dataclass(frozen=True)
class NoticeItem:
    """One application on a notice: institution, credit code, project names, kind."""

    application_id: int
    institution: str
    uscc: str
    projects: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class NoticeFacts:
    """A 公示 (SEL-05) and the applications it lists, by application id."""

    notice: dict[str, Any]
    items: tuple[NoticeItem, ...]


def notice_facts(store: Store, notice_id: int) -> NoticeFacts:
    """The notice ``notice_id`` and only its own applications (NotFound if unknown)."""
    q = (
        select(applications.c.id, applications.c.kind, institutions.c.name, institutions.c.uscc)
        .join(notice_items, notice_items.c.application_id == applications.c.id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(notice_items.c.notice_id == notice_id)
        .order_by(applications.c.id)
    )
    with store.read() as conn:
        notice = one_or_not_found(conn, notices, "公示", id=notice_id)
        items = []
        for app in conn.execute(q).mappings().all():
            linked = rows_of(conn, application_projects, "申请项目", application_id=app["id"])
            kept = [r["project_code"] for r in linked if r["decision"] != PROJECT_DECLINED]
            names = project_names_in(conn, kept)
            items.append(
                NoticeItem(int(app["id"]), app["name"], app["uscc"], tuple(names), app["kind"])
            )
    return NoticeFacts(notice=notice, items=tuple(items))


def notice_applications(store: Store, notice_id: int) -> pd.DataFrame:
    """The applications on a notice: application_id, institution, projects, status."""
    q = (
        select(
            applications.c.id.label("application_id"),
            institutions.c.name.label("institution"),
            applications.c.status,
        )
        .join(notice_items, notice_items.c.application_id == applications.c.id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(notice_items.c.notice_id == notice_id)
        .order_by(applications.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    names = _noticed_names(store)
    frame["projects"] = frame["application_id"].map(names).fillna("")
    return frame


def notice_objections(store: Store, notice_id: int) -> pd.DataFrame:
    """Objections on a notice: objection_id, application_id, institution, received_on,
    objector, text, upheld (None while open), resolution, resolved_on."""
    q = (
        select(
            objections.c.id.label("objection_id"),
            objections.c.application_id,
            institutions.c.name.label("institution"),
            objections.c.received_on,
            objections.c.objector,
            objections.c.text,
            objections.c.upheld,
            objections.c.resolution,
            objections.c.resolved_on,
        )
        .join(applications, applications.c.id == objections.c.application_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(objections.c.notice_id == notice_id)
        .order_by(objections.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    frame["upheld"] = frame["upheld"].astype(object).where(frame["upheld"].notna(), None)
    return frame


def receipt(store: Store, application_id: int) -> dict[str, Any] | None:
    """The data of the receipt of a filed application, or None before it is filed.

    A new filing: Attachment 2 (机构代码, ``有效期3年（自…至…）`` per ATT2-TERM) and the
    Attachment 2-1 project table. A scope addition: Attachment 3 (code and term unchanged,
    SEL-06) and the Attachment 3-1 table of the projects added.
    """
    record = application_record(store, application_id)
    if record is None or record["status"] != lifecycle.APPLICATION_FILED:
        return None
    fq = select(filings).where(filings.c.application_id == application_id)
    with store.read() as conn:
        filing = conn.execute(fq).mappings().first()
        if filing is None and record["filing_id"] is not None:
            filing = (
                conn.execute(select(filings).where(filings.c.id == record["filing_id"]))
                .mappings()
                .first()
            )
        if filing is None:
            return None
        bureau = conn.execute(
            select(cities.c.bureau).where(cities.c.city_code == filing["city_code"])
        ).scalar_one()
        rows = conn.execute(
            select(projects.c.name, filing_projects.c.added_on)
            .join(projects, projects.c.project_code == filing_projects.c.project_code)
            .where(
                filing_projects.c.filing_id == filing["id"],
                filing_projects.c.application_id == application_id,
            )
            .order_by(filing_projects.c.project_code)
        ).all()
    term = term_of(filing)
    addition = record["kind"] == SCOPE_ADDITION
    table = pd.DataFrame({"序号": range(1, len(rows) + 1), "考核项目": [r.name for r in rows]})
    if addition:
        table["调整情况"] = "新增项目"
    return {
        "attachment": "附件3" if addition else "附件2",
        "institution": record["institution"],
        "code": filing["code"],
        "term_text": term.text,
        "receipt_text": term.receipt_text,
        "bureau": bureau,
        "issued_on": rows[0].added_on if rows else filing["filed_on"],
        "filing_id": int(filing["id"]),
        "projects": table,
        "scope_addition": addition,
    }
