"""Read models of the 考核范围调整 page (SEL-06, SEL-07): a filing's scope and its history,
the calls through which it may add projects, its pending additions and the quota overrides of
the city. Read-only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.domain import lifecycle
from casework.domain.terms import term_of
from casework.queries.calls import open_calls, project_names
from casework.queries.lookup import display_names, one_or_none
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    calls,
    filing_projects,
    filings,
    institutions,
    projects,
    quota_overrides,
)

LIVE = (lifecycle.ACTIVE, lifecycle.SUSPENDED)
ADDED, REMOVED = "新增项目", "删除项目"


def city_filings(store: Store, city_code: str) -> pd.DataFrame:
    """The city's live filings: filing_id, institution, code, status, projects."""
    q = (
        select(
            filings.c.id.label("filing_id"),
            institutions.c.name.label("institution"),
            filings.c.code,
            filings.c.status,
        )
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(filings.c.city_code == city_code, filings.c.status.in_(LIVE))
        .order_by(filings.c.code)
    )
    sq = select(filing_projects.c.filing_id, projects.c.name).join(
        projects, projects.c.project_code == filing_projects.c.project_code
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        scope = pd.read_sql(
            sq.where(filing_projects.c.removed_on.is_(None)).order_by(projects.c.name), conn
        )
    names = scope.groupby("filing_id")["name"].agg("、".join)
    frame["projects"] = frame["filing_id"].map(names).fillna("")
    return frame


def filing_record(store: Store, filing_id: int) -> dict[str, Any] | None:
    """A filing with its institution and the wording of its term (ATT2-TERM), or None."""
    q = (
        select(filings, institutions.c.name.label("institution"))
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(filings.c.id == filing_id)
    )
    with store.read() as conn:
        record = one_or_none(conn, q, "备案", filing_id=filing_id)
    if record is None:
        return None
    term = term_of(record)
    record["term_text"], record["receipt_text"] = term.text, term.receipt_text
    return record


def scope_rows(store: Store, filing_id: int) -> pd.DataFrame:
    """Every period a project was in the filing's scope: project_code, project, added_on,
    added_by, removed_on, removal_reason, application_id."""
    q = (
        select(
            filing_projects.c.project_code,
            projects.c.name.label("project"),
            filing_projects.c.added_on,
            filing_projects.c.added_by,
            filing_projects.c.removed_on,
            filing_projects.c.removal_reason,
            filing_projects.c.application_id,
        )
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .where(filing_projects.c.filing_id == filing_id)
        .order_by(filing_projects.c.added_on, filing_projects.c.project_code)
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)


def current_scope(rows: pd.DataFrame) -> pd.DataFrame:
    """The projects in scope now (rows not removed)."""
    return rows[rows["removed_on"].isna()].reset_index(drop=True)


def scope_history(rows: pd.DataFrame) -> pd.DataFrame:
    """SEL-06 / Attachment 3-1: each addition and removal as 新增项目 / 删除项目, by date.

    Columns: on, project_code, project, change, detail.
    """
    added = pd.DataFrame(
        {
            "on": rows["added_on"],
            "project_code": rows["project_code"],
            "project": rows["project"],
            "change": ADDED,
            "detail": rows["added_by"].fillna(""),
        }
    )
    gone = rows[rows["removed_on"].notna()]
    removed = pd.DataFrame(
        {
            "on": gone["removed_on"],
            "project_code": gone["project_code"],
            "project": gone["project"],
            "change": REMOVED,
            "detail": "原因：" + gone["removal_reason"].fillna(""),
        }
    )
    frames = [f for f in (added, removed) if not f.empty]
    if not frames:
        return added
    history = pd.concat(frames, ignore_index=True)
    return history.sort_values(["on", "change", "project_code"], kind="stable").reset_index(
        drop=True
    )


def project_name_map(store: Store) -> dict[str, str]:
    """project_code → name, for every project ever catalogued."""
    with store.read() as conn:
        return {
            str(c): str(n)
            for c, n in conn.execute(select(projects.c.project_code, projects.c.name))
        }


def addition_calls(store: Store, city_code: str, held: set[str], on: date) -> pd.DataFrame:
    """SEL-06: the city's calls open on ``on`` whose scope holds projects not in ``held``.

    Columns: call_id, title, opens_on, closes_on, period, project_codes, addable (codes),
    addable_names.
    """
    frame = open_calls(store, city_code, on)
    frame["addable"] = [[c for c in codes if c not in held] for codes in frame["project_codes"]]
    frame = frame[frame["addable"].map(len) > 0].reset_index(drop=True)
    names = project_name_map(store)
    frame["addable_names"] = ["、".join(names.get(c, c) for c in a) for a in frame["addable"]]
    frame["period"] = frame["opens_on"].astype(str) + " 至 " + frame["closes_on"].astype(str)
    return frame


def scope_applications(store: Store, filing_id: int) -> pd.DataFrame:
    """Scope-addition applications made for a filing: application_id, call, submitted_on,
    status, projects."""
    q = (
        select(
            applications.c.id.label("application_id"),
            calls.c.title.label("call"),
            applications.c.submitted_on,
            applications.c.status,
        )
        .join(calls, calls.c.id == applications.c.call_id)
        .where(applications.c.filing_id == filing_id)
        .order_by(applications.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    names = project_names(store, application_projects, "application_id")
    frame["projects"] = frame["application_id"].map(names).fillna("")
    return frame


def city_overrides(store: Store, city_code: str) -> pd.DataFrame:
    """SEL-07: the city's recorded quota overrides with their reasons: kind, project,
    institution, count_after, reason, officer, recorded_on."""
    q = (
        select(
            quota_overrides.c.kind,
            quota_overrides.c.project_code,
            institutions.c.name.label("institution"),
            quota_overrides.c.count_after,
            quota_overrides.c.reason,
            quota_overrides.c.officer,
            quota_overrides.c.recorded_on,
        )
        .join(institutions, institutions.c.id == quota_overrides.c.institution_id)
        .where(quota_overrides.c.city_code == city_code)
        .order_by(quota_overrides.c.recorded_on, quota_overrides.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        names = display_names(conn, (str(u) for u in frame["officer"]))
    frame["project_code"] = frame["project_code"].fillna("—")
    # the officer by name (issue #13: names, never user names, on every page)
    frame["officer"] = frame["officer"].map(lambda u: names.get(str(u), u))
    return frame
