"""Reads behind an institution's history (机构档案): whether it exists and lies in a city,
the search over a scope, and its applications, filings, Attachment 6 reports and documents.

Scoped by ``institution_id`` (and by city for a city role, SUP-01); a missing id is refused.
The page that assembles the history is :mod:`casework.dashboard.history`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, exists, func, or_, select

from casework.queries.lookup import require_keys
from casework.store.engine import Store
from casework.store.tables import (
    PROJECT_DECLINED,
    application_projects,
    applications,
    cities,
    documents,
    exit_cases,
    filings,
    incidents,
    institutions,
    projects,
    renewal_cases,
)

SEARCH_LIMIT = 30


def _in_city(city_code: str) -> ColumnElement[bool]:
    """An institution registered in the city, or filed there."""
    return or_(
        institutions.c.city_code == city_code,
        exists().where(
            filings.c.institution_id == institutions.c.id, filings.c.city_code == city_code
        ),
    )


def institution_exists(store: Store, institution_id: int) -> bool:
    require_keys("考核机构", institution_id=institution_id)
    q = select(institutions.c.id).where(institutions.c.id == institution_id)
    with store.read() as conn:
        return conn.execute(q).first() is not None


def institution_in_city(store: Store, institution_id: int, city_code: str) -> bool:
    """The institution is registered or filed in ``city_code`` (SUP-01)."""
    require_keys("考核机构", institution_id=institution_id, city_code=city_code)
    q = select(institutions.c.id).where(
        institutions.c.id == institution_id, _in_city(str(city_code))
    )
    with store.read() as conn:
        return conn.execute(q).first() is not None


def search_institutions_in(store: Store, text: str, city_code: str | None) -> pd.DataFrame:
    """Institutions whose name, credit code or filing code contains ``text`` (at most
    :data:`SEARCH_LIMIT`), in ``city_code`` or — only for ``None``, the province — anywhere:
    institution_id, name, city, code."""
    codes = (
        select(filings.c.institution_id, func.max(filings.c.code).label("code"))
        .group_by(filings.c.institution_id)
        .subquery()
    )
    pattern = f"%{text.strip()}%"
    q = (
        select(
            institutions.c.id.label("institution_id"),
            institutions.c.name,
            cities.c.name.label("city"),
            func.coalesce(codes.c.code, "未备案").label("code"),
        )
        .join(cities, cities.c.city_code == institutions.c.city_code)
        .outerjoin(codes, codes.c.institution_id == institutions.c.id)
        .where(
            or_(
                institutions.c.name.like(pattern),
                institutions.c.uscc.like(pattern),
                codes.c.code.like(pattern),
            )
        )
        .order_by(institutions.c.city_code, institutions.c.name)
        .limit(SEARCH_LIMIT)
    )
    if city_code is not None:
        q = q.where(_in_city(str(city_code)))
    with store.read() as conn:
        return pd.read_sql(q, conn)


def filing_ids_of(store: Store, institution_id: int) -> list[int]:
    """The institution's filings, oldest first."""
    require_keys("考核机构", institution_id=institution_id)
    q = (
        select(filings.c.id)
        .where(filings.c.institution_id == institution_id)
        .order_by(filings.c.id)
    )
    with store.read() as conn:
        return [int(i) for i in conn.execute(q).scalars()]


def application_rows(store: Store, institution_id: int) -> tuple[pd.DataFrame, pd.Series]:
    """The institution's applications (id, kind, submitted_on, status, decided_on,
    decision_note) and application id → "name、name" of their projects."""
    require_keys("考核机构", institution_id=institution_id)
    q = select(
        applications.c.id,
        applications.c.kind,
        applications.c.submitted_on,
        applications.c.status,
        applications.c.decided_on,
        applications.c.decision_note,
    ).where(applications.c.institution_id == institution_id)
    pq = (
        select(application_projects.c.application_id, projects.c.name)
        .join(projects, projects.c.project_code == application_projects.c.project_code)
        .join(applications, applications.c.id == application_projects.c.application_id)
        .where(applications.c.institution_id == institution_id)
        .order_by(projects.c.name)
    )
    with store.read() as conn:
        apps = pd.read_sql(q, conn)
        names = pd.read_sql(pq, conn).groupby("application_id")["name"].agg("、".join)
    return apps, names


def declined_projects(store: Store, institution_id: int) -> pd.Series:
    """Application id → the projects the city declined, each with its reason (SEL-04)."""
    require_keys("考核机构", institution_id=institution_id)
    q = (
        select(
            application_projects.c.application_id,
            projects.c.name,
            application_projects.c.decision_reason,
        )
        .join(projects, projects.c.project_code == application_projects.c.project_code)
        .join(applications, applications.c.id == application_projects.c.application_id)
        .where(
            applications.c.institution_id == institution_id,
            application_projects.c.decision == PROJECT_DECLINED,
        )
        .order_by(projects.c.name)
    )
    with store.read() as conn:
        rows = pd.read_sql(q, conn)
    if rows.empty:
        return pd.Series(dtype=str)
    rows["text"] = rows["name"] + "（" + rows["decision_reason"].fillna("").astype(str) + "）"
    return rows.groupby("application_id")["text"].agg("、".join)


def group_reports(store: Store, filing_ids: list[int]) -> pd.DataFrame:
    """The decided renewal cases of these filings with the group's opinion (Attachment 6):
    date, detail."""
    q = select(
        renewal_cases.c.decided_on.label("date"), renewal_cases.c.opinion.label("detail")
    ).where(
        renewal_cases.c.filing_id.in_(filing_ids),
        renewal_cases.c.decided_on.is_not(None),
        renewal_cases.c.opinion != "",
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)


def institution_documents(store: Store, institution_id: int, filing_ids: list[int]) -> pd.DataFrame:
    """Documents filed against the institution or any of its cases: date, kind, filename,
    created_by."""
    require_keys("考核机构", institution_id=institution_id)
    owners: dict[str, Any] = {
        "institution": [institution_id],
        "filing": filing_ids,
        "application": select(applications.c.id).where(
            applications.c.institution_id == institution_id
        ),
        "renewal": select(renewal_cases.c.id).where(renewal_cases.c.filing_id.in_(filing_ids)),
        "exit_case": select(exit_cases.c.id).where(exit_cases.c.filing_id.in_(filing_ids)),
        "incident": select(incidents.c.id).where(incidents.c.institution_id == institution_id),
    }
    q = select(
        documents.c.created_at.label("date"),
        documents.c.kind,
        documents.c.filename,
        documents.c.created_by,
    ).where(
        or_(
            *(
                documents.c.entity.in_((name, f"{name}s")) & documents.c.entity_id.in_(ids)
                for name, ids in owners.items()
            )
        )
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)
