"""Read models of the 申请 and 机构数据 pages (SEL-02, SEL-03, SEL-06, SEL-07, SUP-01): an
applicant institution, the applications it made, the city's applications awaiting the
completeness check, the institution's project count, and the data it uploaded.

Every read is scoped by its key (an institution, a city, an application); a ``None`` key is
refused (:func:`casework.queries.lookup.require_keys`), never widened.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select

from casework.domain import lifecycle
from casework.queries.calls import project_names
from casework.queries.lookup import display_names, one_or_none, require_keys
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    assessment_batches,
    calls,
    candidate_results,
    certificates,
    filing_projects,
    filings,
    institutions,
    question_banks,
    sites,
    staff,
)

APPLICATION_COLUMNS = (
    applications.c.id.label("application_id"),
    applications.c.call_id,
    calls.c.title.label("call"),
    calls.c.city_code,
    applications.c.institution_id,
    institutions.c.name.label("institution"),
    applications.c.kind,
    applications.c.submitted_on,
    applications.c.status,
    applications.c.entered_by,
    applications.c.on_behalf,
    applications.c.correction_items,
    applications.c.correction_note,
)
OPEN_STATES = tuple(s for s in lifecycle.APPLICATION.states if lifecycle.APPLICATION.is_open(s))
"""SEL-07: an application that is not filed, rejected or withdrawn counts towards the limits."""


def institution_record(store: Store, institution_id: int) -> dict[str, Any] | None:
    """One institution (name, uscc, city_code, kind, address, contact, phone), or None."""
    with store.read() as conn:
        return one_or_none(conn, institutions, "申报单位", id=institution_id)


def city_institutions(store: Store, city_code: str) -> pd.DataFrame:
    """SUP-01: the institutions registered in ``city_code`` and not extinct, by name:
    institution_id, name, uscc."""
    require_keys("本市申报单位", city_code=city_code)
    q = (
        select(institutions.c.id.label("institution_id"), institutions.c.name, institutions.c.uscc)
        .where(institutions.c.city_code == city_code, institutions.c.extinct_on.is_(None))
        .order_by(institutions.c.name)
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)


def _applications(store: Store, *where: Any) -> pd.DataFrame:
    q = (
        select(*APPLICATION_COLUMNS)
        .join(calls, calls.c.id == applications.c.call_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(*where)
        .order_by(applications.c.id.desc())
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        people = display_names(conn, (str(u) for u in frame["entered_by"].dropna()))
    names = project_names(store, application_projects, "application_id")
    frame["projects"] = frame["application_id"].map(names).fillna("")
    # who entered it, by name (issue #13: names, never user names, on every page)
    frame["entry"] = [
        f"{people.get(str(who), who)}（代为录入纸质申请）"
        if behalf
        else (people.get(str(who), who) if isinstance(who, str) else "")
        for who, behalf in zip(frame["entered_by"], frame["on_behalf"], strict=True)
    ]
    frame["missing"] = [
        "、".join(items) if isinstance(items, list) else "" for items in frame["correction_items"]
    ]
    return frame


def institution_applications(store: Store, institution_id: int) -> pd.DataFrame:
    """The institution's applications, newest first: application_id, call_id, call, city_code,
    kind, projects, submitted_on, status, entry (who entered it), missing (items to correct)."""
    require_keys("申报单位的申请", institution_id=institution_id)
    return _applications(store, applications.c.institution_id == institution_id)


def city_applications(store: Store, city_code: str) -> pd.DataFrame:
    """SUP-01: the applications to the calls of ``city_code``, newest first (the columns of
    :func:`institution_applications` and the institution's name)."""
    require_keys("本市申请", city_code=city_code)
    return _applications(store, calls.c.city_code == city_code)


def application_record(store: Store, application_id: int) -> dict[str, Any] | None:
    """One application with its call's city and title, its projects (``project_codes``) and
    the call's supplementary conditions (``conditions``), or None."""
    frame = _applications(store, applications.c.id == application_id)
    if frame.empty:
        return None
    record: dict[str, Any] = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
    with store.read() as conn:
        app = one_or_none(conn, applications, "备案申请", id=application_id)
        call = one_or_none(conn, calls, "征集公告", id=record["call_id"])
        codes = conn.execute(
            select(application_projects.c.project_code)
            .where(application_projects.c.application_id == application_id)
            .order_by(application_projects.c.project_code)
        ).scalars()
        record["project_codes"] = list(codes)
    assert app is not None and call is not None
    record.update(
        applicant=app["applicant"],
        supplementary=app["supplementary"] or [],
        declared_at=app["declared_at"],
        accepted_on=app["accepted_on"],
        returned_on=app["returned_on"],
        withdrawn_on=app["withdrawn_on"],
        filing_id=app["filing_id"],
        conditions=list(call["supplementary"] or []),
    )
    return record


def project_count(store: Store, institution_id: int) -> dict[str, list[str]]:
    """SEL-07: the projects the institution holds in its live filing (``held``) and those of
    its applications still open (``applied``), each sorted."""
    require_keys("申报单位的项目数", institution_id=institution_id)
    held_q = select(filing_projects.c.project_code).where(
        filings.c.institution_id == institution_id,
        filings.c.status.in_((lifecycle.FILING_VALID, lifecycle.FILING_SUSPENDED)),
        filing_projects.c.filing_id == filings.c.id,
        filing_projects.c.removed_on.is_(None),
    )
    applied_q = select(application_projects.c.project_code).where(
        applications.c.institution_id == institution_id,
        applications.c.status.in_(OPEN_STATES),
        application_projects.c.application_id == applications.c.id,
    )
    with store.read() as conn:
        held = set(conn.execute(held_q).scalars())
        applied = set(conn.execute(applied_q).scalars()) - held
    return {"held": sorted(held), "applied": sorted(applied)}


def intake_counts(store: Store, institution_id: int) -> dict[str, int]:
    """The rows the institution has stored per intake kind (its own data only)."""
    require_keys("机构数据", institution_id=institution_id)
    own = {
        "staff": staff,
        "sites": sites,
        "banks": question_banks,
        "batches": assessment_batches,
        "certificates": certificates,
    }
    out: dict[str, int] = {}
    with store.read() as conn:
        out["institutions"] = int(
            conn.execute(
                select(func.count()).where(institutions.c.id == institution_id)
            ).scalar_one()
        )
        for key, table in own.items():
            q = select(func.count()).where(table.c.institution_id == institution_id)
            out[key] = int(conn.execute(q).scalar_one())
        out["results"] = int(
            conn.execute(
                select(func.count()).where(
                    candidate_results.c.batch_id == assessment_batches.c.id,
                    assessment_batches.c.institution_id == institution_id,
                )
            ).scalar_one()
        )
    return out
