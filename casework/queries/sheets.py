"""Read models for evaluators: the panels a user sits on and the state of each sheet."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.queries.lookup import one_or_none
from casework.queries.panels import panel_roster
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    filings,
    institutions,
    panel_members,
    panels,
    renewal_cases,
    sheets,
)


def my_panels(store: Store, username: str, purpose: str | None = None) -> pd.DataFrame:
    """Panels ``username`` sits on: panel_id, purpose, institution, case status, is_leader,
    coi_declared, sheet_status (草稿/已提交/未填写)."""
    inst_app = institutions.alias("ia")
    inst_ren = institutions.alias("ir")
    q = (
        select(
            panels.c.id.label("panel_id"),
            panels.c.purpose,
            panels.c.application_id,
            panels.c.renewal_id,
            panels.c.rubric_id,
            panel_members.c.is_leader,
            panel_members.c.coi_declared_at,
            applications.c.status.label("application_status"),
            renewal_cases.c.status.label("renewal_status"),
            inst_app.c.name.label("applicant"),
            inst_ren.c.name.label("renewing"),
        )
        .join(panel_members, panel_members.c.panel_id == panels.c.id)
        .outerjoin(applications, applications.c.id == panels.c.application_id)
        .outerjoin(inst_app, inst_app.c.id == applications.c.institution_id)
        .outerjoin(renewal_cases, renewal_cases.c.id == panels.c.renewal_id)
        .outerjoin(filings, filings.c.id == renewal_cases.c.filing_id)
        .outerjoin(inst_ren, inst_ren.c.id == filings.c.institution_id)
        .where(panel_members.c.username == username)
        .order_by(panels.c.id.desc())
    )
    if purpose:
        q = q.where(panels.c.purpose == purpose)
    sq = select(sheets.c.panel_id, sheets.c.status).where(sheets.c.author == username)
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        mine = pd.read_sql(sq, conn)
    frame["institution"] = frame["applicant"].fillna(frame["renewing"]).fillna("")
    frame["case_status"] = frame["application_status"].fillna(frame["renewal_status"]).fillna("")
    frame["coi_declared"] = frame["coi_declared_at"].notna()
    status = mine.set_index("panel_id")["status"]
    frame["sheet_status"] = [status.get(p, "未填写") for p in frame["panel_id"]]
    return frame[
        [
            "panel_id",
            "purpose",
            "application_id",
            "renewal_id",
            "rubric_id",
            "institution",
            "case_status",
            "is_leader",
            "coi_declared",
            "sheet_status",
        ]
    ]


def my_sheet(store: Store, panel_id: int, username: str) -> dict[str, Any] | None:
    with store.read() as conn:
        return one_or_none(conn, sheets, "评估表", panel_id=panel_id, author=username)


def panel_members_of(store: Store, panel_id: int) -> list[dict[str, Any]]:
    """The panel's roster (:func:`casework.queries.panels.panel_roster`) as plain records:
    ``coi_declared_at`` is None until the member has declared."""
    records = [
        {str(k): v for k, v in r.items()} for r in panel_roster(store, panel_id).to_dict("records")
    ]
    for r in records:
        at = r["coi_declared_at"]
        r["panel_id"] = panel_id
        r["coi_declared_at"] = None if pd.isna(at) else at.to_pydatetime()
    return records
