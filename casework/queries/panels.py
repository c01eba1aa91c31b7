"""Read models of the 遴选评估 page: the case a selection panel evaluates and its roster.

Read-only: every function reads the store and returns plain values or DataFrames.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    calls,
    institutions,
    panel_members,
    panels,
    projects,
    sheets,
    users,
)

SUPPLEMENTARY_COLUMNS = ["sub_id", "text"]


def selection_case(store: Store, panel_id: int) -> dict[str, Any] | None:
    """The selection panel with its application, applicant and call; None if there is none.

    Keys: panel_id, purpose, rubric_id, methods, application_id, application_status,
    institution, call_id, call_title, city_code, supplementary (list of {sub_id, text}) and
    projects (list of "code 名称").
    """
    q = (
        select(
            panels.c.id.label("panel_id"),
            panels.c.purpose,
            panels.c.rubric_id,
            panels.c.methods,
            applications.c.id.label("application_id"),
            applications.c.status.label("application_status"),
            institutions.c.name.label("institution"),
            calls.c.id.label("call_id"),
            calls.c.title.label("call_title"),
            calls.c.city_code,
            calls.c.supplementary,
        )
        .join(applications, applications.c.id == panels.c.application_id)
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .join(calls, calls.c.id == applications.c.call_id)
        .where(panels.c.id == panel_id)
    )
    pq = (
        select(application_projects.c.project_code, projects.c.name)
        .join(projects, projects.c.project_code == application_projects.c.project_code)
        .join(panels, panels.c.application_id == application_projects.c.application_id)
        .where(panels.c.id == panel_id)
        .order_by(application_projects.c.project_code)
    )
    with store.read() as conn:
        row = conn.execute(q).mappings().first()
        if row is None:
            return None
        listed = conn.execute(pq).all()
    case = dict(row)
    case["supplementary"] = list(case["supplementary"] or [])
    case["projects"] = [f"{code} {name}" for code, name in listed]
    return case


def supplementary_conditions(store: Store, panel_id: int) -> pd.DataFrame:
    """The city's supplementary conditions the panel judges (``selection.supplementary_of``):
    the call's list for a selection panel, none for a renewal group."""
    case = selection_case(store, panel_id)
    listed = case["supplementary"] if case else []
    return pd.DataFrame(
        [{"sub_id": str(s.get("sub_id", "")), "text": str(s.get("text", ""))} for s in listed],
        columns=SUPPLEMENTARY_COLUMNS,
    )


def panel_roster(store: Store, panel_id: int) -> pd.DataFrame:
    """Members of a panel: username, display_name, is_leader, coi_declared, sheet_status."""
    q = (
        select(
            panel_members.c.username,
            users.c.display_name,
            panel_members.c.is_leader,
            panel_members.c.coi_declared_at,
        )
        .join(users, users.c.username == panel_members.c.username)
        .where(panel_members.c.panel_id == panel_id)
        .order_by(panel_members.c.is_leader.desc(), panel_members.c.username)
    )
    sq = select(sheets.c.author, sheets.c.status).where(sheets.c.panel_id == panel_id)
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        mine = pd.read_sql(sq, conn)
    frame["is_leader"] = frame["is_leader"].astype(bool)
    frame["coi_declared"] = frame["coi_declared_at"].notna()
    status = mine.set_index("author")["status"]
    frame["sheet_status"] = frame["username"].map(status).astype(object).fillna("未填写")
    return frame[["username", "display_name", "is_leader", "coi_declared", "sheet_status"]]
