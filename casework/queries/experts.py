"""A city's expert pool and the cases waiting for, or evaluated by, a panel drawn from it
(SEL-03, REN-04). Read-only; every function is scoped to one city."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select

from casework.domain import lifecycle
from casework.queries.stored_sheets import SELF, SUBMITTED
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    calls,
    expert_pool,
    filings,
    institutions,
    panels,
    renewal_cases,
    sheets,
    users,
)

SELECTION, RENEWAL = "遴选", "续期"
POOL_COLUMNS = [
    "username",
    "display_name",
    "unit",
    "specialty",
    "phone",
    "conflicts",
    "conflict_names",
    "active",
    "added_on",
]
CASE_COLUMNS = ["key", "purpose", "case_id", "institution_id", "institution", "status"]


def pool_of(store: Store, city_code: str) -> pd.DataFrame:
    """The city's pool, active experts first, by name: username, display_name, unit,
    specialty, phone, conflicts (institution ids), conflict_names, active, added_on."""
    q = (
        select(
            expert_pool.c.username,
            users.c.display_name,
            users.c.unit,
            expert_pool.c.specialty,
            expert_pool.c.phone,
            expert_pool.c.conflicts,
            expert_pool.c.active,
            expert_pool.c.added_on,
        )
        .join(users, users.c.username == expert_pool.c.username)
        .where(expert_pool.c.city_code == city_code)
        .order_by(expert_pool.c.active.desc(), users.c.display_name, expert_pool.c.username)
    )
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        names = dict(conn.execute(select(institutions.c.id, institutions.c.name)).all())
    for r in rows:
        r["conflicts"] = [int(i) for i in r["conflicts"] or []]
        r["conflict_names"] = "、".join(str(names.get(i, i)) for i in r["conflicts"])
        r["active"] = bool(r["active"])
    return pd.DataFrame(rows, columns=POOL_COLUMNS)


def city_institutions(store: Store, city_code: str) -> pd.DataFrame:
    """The institutions registered in the city (id, name), for declared conflicts."""
    q = (
        select(institutions.c.id, institutions.c.name)
        .where(institutions.c.city_code == city_code)
        .order_by(institutions.c.name)
    )
    with store.read() as conn:
        return pd.DataFrame([dict(r) for r in conn.execute(q).mappings()], columns=["id", "name"])


def awaiting_panel(store: Store, city_code: str) -> pd.DataFrame:
    """The city's cases a panel may be formed for now: applications in a state the lifecycle
    lets ``constitute_panel`` leave (SEL-03), renewals ``constitute_group`` may leave (REN-04).
    ``key`` is ``遴选:<application_id>`` or ``续期:<renewal_id>``."""
    app_states = lifecycle.APPLICATION.transition("constitute_panel").sources
    ren_states = lifecycle.RENEWAL.transition("constitute_group").sources
    aq = (
        select(
            applications.c.id.label("case_id"),
            institutions.c.id.label("institution_id"),
            institutions.c.name.label("institution"),
            applications.c.status,
        )
        .join(calls, calls.c.id == applications.c.call_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(calls.c.city_code == city_code, applications.c.status.in_(app_states))
        .order_by(applications.c.id)
    )
    rq = (
        select(
            renewal_cases.c.id.label("case_id"),
            institutions.c.id.label("institution_id"),
            institutions.c.name.label("institution"),
            renewal_cases.c.status,
        )
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(filings.c.city_code == city_code, renewal_cases.c.status.in_(ren_states))
        .order_by(renewal_cases.c.id)
    )
    with store.read() as conn:
        rows = [{**dict(r), "purpose": SELECTION} for r in conn.execute(aq).mappings()]
        rows += [{**dict(r), "purpose": RENEWAL} for r in conn.execute(rq).mappings()]
    for r in rows:
        r["key"] = f"{r['purpose']}:{r['case_id']}"
    return pd.DataFrame(rows, columns=CASE_COLUMNS)


def evaluating_panels(store: Store, city_code: str) -> pd.DataFrame:
    """The city's panels whose case is still under evaluation: panel_id, purpose, institution,
    status and how many member sheets are submitted (a panel with one is not changed)."""
    done = (
        select(sheets.c.panel_id, func.count().label("submitted"))
        .where(sheets.c.kind != SELF, sheets.c.status == SUBMITTED, sheets.c.panel_id.is_not(None))
        .group_by(sheets.c.panel_id)
        .subquery()
    )
    aq = (
        select(
            panels.c.id.label("panel_id"),
            panels.c.purpose,
            institutions.c.id.label("institution_id"),
            institutions.c.name.label("institution"),
            applications.c.status,
            func.coalesce(done.c.submitted, 0).label("submitted"),
        )
        .join(applications, applications.c.id == panels.c.application_id)
        .join(calls, calls.c.id == applications.c.call_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .outerjoin(done, done.c.panel_id == panels.c.id)
        .where(
            calls.c.city_code == city_code,
            applications.c.status == lifecycle.APPLICATION_EVALUATING,
        )
    )
    rq = (
        select(
            panels.c.id.label("panel_id"),
            panels.c.purpose,
            institutions.c.id.label("institution_id"),
            institutions.c.name.label("institution"),
            renewal_cases.c.status,
            func.coalesce(done.c.submitted, 0).label("submitted"),
        )
        .join(renewal_cases, renewal_cases.c.id == panels.c.renewal_id)
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .outerjoin(done, done.c.panel_id == panels.c.id)
        .where(
            filings.c.city_code == city_code,
            renewal_cases.c.status == lifecycle.RENEWAL_EVALUATING,
        )
    )
    with store.read() as conn:
        rows: list[dict[str, Any]] = [dict(r) for r in conn.execute(aq).mappings()]
        rows += [dict(r) for r in conn.execute(rq).mappings()]
    rows.sort(key=lambda r: int(r["panel_id"]), reverse=True)
    columns = ["panel_id", "purpose", "institution_id", "institution", "status", "submitted"]
    return pd.DataFrame(rows, columns=columns)
