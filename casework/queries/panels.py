"""Panels: the case a selection panel evaluates and every panel's roster (SEL-03, REN-04).

Read-only: every function reads the store and returns plain values or DataFrames.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series
from sqlalchemy import Connection, select

from casework.queries.lookup import one_or_none, require_keys
from casework.queries.stored_sheets import SELF, SUBMITTED
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
        row = one_or_none(conn, q, "遴选评估组", panel_id=panel_id)
        if row is None:
            return None
        listed = conn.execute(pq).all()
    case = row
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


class RosterTable(pa.DataFrameModel):
    """A panel's members (SEL-03, REN-04): leader first, then by user name."""

    username: Series[str]
    display_name: Series[str]
    unit: Series[str]
    is_leader: Series[bool]
    coi_declared: Series[bool]
    coi_declared_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    sheet_status: Series[str]

    class Config:
        strict = True
        coerce = True


def empty_roster() -> DataFrame[RosterTable]:
    """The roster of a panel not yet constituted."""
    columns = list(RosterTable.to_schema().columns)
    return DataFrame[RosterTable](RosterTable.validate(pd.DataFrame(columns=columns)))


def roster_in(conn: Connection, panel_id: int) -> DataFrame[RosterTable]:
    """The roster of ``panel_id`` read on an open connection (commands and queries share it)."""
    require_keys("评估组", panel_id=panel_id)
    q = (
        select(
            panel_members.c.username,
            users.c.display_name,
            users.c.unit,
            panel_members.c.is_leader,
            panel_members.c.coi_declared_at,
        )
        .join(users, users.c.username == panel_members.c.username)
        .where(panel_members.c.panel_id == panel_id)
        .order_by(panel_members.c.is_leader.desc(), panel_members.c.username)
    )
    sq = select(sheets.c.author, sheets.c.status).where(
        sheets.c.panel_id == panel_id, sheets.c.kind != SELF
    )
    columns = ["username", "display_name", "unit", "is_leader", "coi_declared_at"]
    frame = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()], columns=columns)
    mine = {str(a): str(s) for a, s in conn.execute(sq)}
    frame["display_name"] = frame["display_name"].fillna(frame["username"]).astype(str)
    frame["unit"] = frame["unit"].fillna("").astype(str)
    frame["is_leader"] = frame["is_leader"].astype(bool)
    frame["coi_declared_at"] = pd.to_datetime(frame["coi_declared_at"])
    frame["coi_declared"] = frame["coi_declared_at"].notna()
    frame["sheet_status"] = [mine.get(str(u), "未填写") for u in frame["username"]]
    return DataFrame[RosterTable](
        RosterTable.validate(frame[list(RosterTable.to_schema().columns)])
    )


def panel_roster(store: Store, panel_id: int) -> DataFrame[RosterTable]:
    """Members of a panel: username, display_name, unit, is_leader, coi_declared(_at),
    sheet_status (草稿/已提交/未填写) — the one roster every page, document and report reads."""
    with store.read() as conn:
        return roster_in(conn, panel_id)


def submitted_sheets_in(
    conn: Connection, panel_id: int, members: list[str]
) -> list[dict[str, Any]]:
    """The submitted sheets of the members of exactly this panel (SEL-03 or REN-04), by author;
    never the institution's self-evaluation."""
    require_keys("评估组", panel_id=panel_id)
    q = (
        select(sheets)
        .where(
            sheets.c.panel_id == panel_id,
            sheets.c.kind != SELF,
            sheets.c.status == SUBMITTED,
            sheets.c.author.in_(members),
        )
        .order_by(sheets.c.author)
    )
    return [dict(r) for r in conn.execute(q).mappings().all()]


def submitted_sheets(store: Store, panel_id: int) -> list[dict[str, Any]]:
    """The submitted sheets of this panel's members (SEL-03, REN-04), by author; never the
    institution's self-evaluation. A renewal group's outcome reads
    :func:`casework.queries.renewal_outcome.renewal_outcome_of` instead."""
    with store.read() as conn:
        members = [str(u) for u in roster_in(conn, panel_id)["username"]]
        return submitted_sheets_in(conn, panel_id, members)
