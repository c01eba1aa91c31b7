"""Read models of the 研究确定 page (SEL-04, SEL-07, REN-05, REN-06): the city's applications
and renewal cases under assessment with how many panel members have submitted, one case with
its panel, and the sheets the city decides on. Read-only."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select

from casework.domain import lifecycle
from casework.queries.calls import project_names
from casework.queries.lookup import one_or_none
from casework.queries.stored_sheets import SELF, SUBMITTED
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    calls,
    filings,
    institutions,
    panel_members,
    panels,
    projects,
    renewal_cases,
    sheets,
)


def _progress(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``members``, ``submitted`` and ``ready`` (every member submitted) per panel_id."""
    members = select(panel_members.c.panel_id, func.count().label("n")).group_by(
        panel_members.c.panel_id
    )
    done = (
        select(sheets.c.panel_id, func.count(func.distinct(sheets.c.author)).label("n"))
        .join(
            panel_members,
            (panel_members.c.panel_id == sheets.c.panel_id)
            & (panel_members.c.username == sheets.c.author),
        )
        .where(sheets.c.status == SUBMITTED, sheets.c.kind != SELF)
        .group_by(sheets.c.panel_id)
    )
    with store.read() as conn:
        total = pd.read_sql(members, conn).set_index("panel_id")["n"]
        submitted = pd.read_sql(done, conn).set_index("panel_id")["n"]
    frame["members"] = [int(total.get(p, 0)) if pd.notna(p) else 0 for p in frame["panel_id"]]
    frame["submitted"] = [int(submitted.get(p, 0)) if pd.notna(p) else 0 for p in frame["panel_id"]]
    frame["ready"] = (frame["members"] > 0) & (frame["submitted"] >= frame["members"])
    frame["progress"] = frame["submitted"].astype(str) + "/" + frame["members"].astype(str)
    return frame


def selection_cases(store: Store, city_code: str) -> pd.DataFrame:
    """The city's applications in 评估中: application_id, institution, kind, projects,
    panel_id, members, submitted, progress, ready."""
    q = (
        select(
            applications.c.id.label("application_id"),
            institutions.c.name.label("institution"),
            applications.c.kind,
            panels.c.id.label("panel_id"),
        )
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .join(calls, calls.c.id == applications.c.call_id)
        .outerjoin(panels, panels.c.application_id == applications.c.id)
        .where(
            calls.c.city_code == city_code,
            applications.c.status == lifecycle.APPLICATION_EVALUATING,
        )
        .order_by(applications.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    names = project_names(store, application_projects, "application_id")
    frame["projects"] = frame["application_id"].map(names).fillna("")
    return _progress(store, frame)


def selection_record(store: Store, application_id: int) -> dict[str, Any] | None:
    """One application with its city, institution, call (supplementary conditions), projects
    and panel (panel_id, rubric_id; None before a panel is constituted), or None."""
    q = (
        select(
            applications.c.id.label("application_id"),
            applications.c.status,
            applications.c.kind,
            applications.c.institution_id,
            applications.c.eligible,
            applications.c.priority,
            applications.c.decided_on,
            applications.c.decision_note,
            calls.c.city_code,
            calls.c.title.label("call_title"),
            calls.c.supplementary,
            institutions.c.name.label("institution"),
            panels.c.id.label("panel_id"),
            panels.c.rubric_id,
        )
        .join(calls, calls.c.id == applications.c.call_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .outerjoin(panels, panels.c.application_id == applications.c.id)
        .where(applications.c.id == application_id)
    )
    with store.read() as conn:
        record = one_or_none(conn, q, "备案申请", application_id=application_id)
    if record is None:
        return None
    names = project_names(store, application_projects, "application_id")
    record["projects"] = str(names.get(application_id, ""))
    # SEL-04 (issue #14): each project applied for with the city's decision and reason
    pq = (
        select(
            application_projects.c.project_code,
            projects.c.name,
            application_projects.c.decision,
            application_projects.c.decision_reason,
        )
        .join(projects, projects.c.project_code == application_projects.c.project_code)
        .where(application_projects.c.application_id == application_id)
        .order_by(application_projects.c.project_code)
    )
    with store.read() as conn:
        record["project_decisions"] = [dict(r) for r in conn.execute(pq).mappings()]
    return record


def renewal_cases_assessing(store: Store, city_code: str) -> pd.DataFrame:
    """The city's renewal cases in 评估中: renewal_id, institution, code, term_end, panel_id,
    members, submitted, progress, ready (every member's sheet is in; the group's opinion,
    once its leader returned Attachment 6, is shown on the case page)."""
    q = (
        select(
            renewal_cases.c.id.label("renewal_id"),
            institutions.c.name.label("institution"),
            filings.c.code,
            filings.c.term_end,
            panels.c.id.label("panel_id"),
        )
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .outerjoin(panels, panels.c.renewal_id == renewal_cases.c.id)
        .where(
            filings.c.city_code == city_code, renewal_cases.c.status == lifecycle.RENEWAL_EVALUATING
        )
        .order_by(renewal_cases.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    return _progress(store, frame)


def renewal_record(store: Store, renewal_id: int) -> dict[str, Any] | None:
    """One renewal case with its filing (city_code, code, term, status), institution, the
    group's opinion (``opinion``, Attachment 6), Attachment 5 (``application``), the result once
    decided with the city's decision text (``decision_note``, REN-05) and its panel."""
    q = (
        select(
            renewal_cases.c.id.label("renewal_id"),
            renewal_cases.c.status,
            renewal_cases.c.application,
            renewal_cases.c.opinion,
            renewal_cases.c.decision_note,
            renewal_cases.c.composite,
            renewal_cases.c.grade,
            renewal_cases.c.veto_found,
            renewal_cases.c.decided_on,
            renewal_cases.c.dropped_projects,
            filings.c.id.label("filing_id"),
            filings.c.city_code,
            filings.c.code,
            filings.c.term_start,
            filings.c.term_end,
            filings.c.status.label("filing_status"),
            institutions.c.name.label("institution"),
            panels.c.id.label("panel_id"),
            panels.c.rubric_id,
        )
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .outerjoin(panels, panels.c.renewal_id == renewal_cases.c.id)
        .where(renewal_cases.c.id == renewal_id)
    )
    with store.read() as conn:
        return one_or_none(conn, q, "续期评估", renewal_id=renewal_id)
