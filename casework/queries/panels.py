"""Panels: the case a selection panel evaluates and every panel's roster (SEL-03, REN-04).

Read-only: every function reads the store and returns plain values or DataFrames.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

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

T = TypeVar("T")
_READS: ContextVar[dict[Hashable, Any] | None] = ContextVar("casework_page_reads", default=None)


@contextmanager
def reads_once() -> Iterator[None]:
    """Within the block, each roster (and renewal group outcome) is read from the store once and
    shared by every reader: one page open reads each fact once (issue #17).

    For a page open only, which writes nothing: never wrap a command in it. A nested block shares
    the outer one; the memo ends with the outermost block, so the next click reads afresh.
    """
    if _READS.get() is not None:
        yield
        return
    token = _READS.set({})
    try:
        yield
    finally:
        _READS.reset(token)


def read_once(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or its earlier result for ``key`` inside :func:`reads_once`."""
    memo = _READS.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return cast(T, memo[key])


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


_ROSTER_COLUMNS = tuple(RosterTable.to_schema().columns)


def empty_roster() -> DataFrame[RosterTable]:
    """The roster of a panel not yet constituted."""
    frame = pd.DataFrame(columns=list(_ROSTER_COLUMNS))
    return cast("DataFrame[RosterTable]", RosterTable.validate(frame))


def roster_in(conn: Connection, panel_id: int) -> DataFrame[RosterTable]:
    """The roster of ``panel_id`` read on an open connection (commands and queries share it);
    read once inside :func:`reads_once` (a copy each time: a reader may change its frame)."""
    require_keys("评估组", panel_id=panel_id)
    found = read_once(("roster", int(panel_id)), lambda: _read_roster(conn, panel_id))
    return cast("DataFrame[RosterTable]", found.copy())


def _read_roster(conn: Connection, panel_id: int) -> DataFrame[RosterTable]:
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
    # validated once here, at the boundary (wrapping it in ``DataFrame[RosterTable](…)`` would
    # validate the same frame a second time)
    return cast("DataFrame[RosterTable]", RosterTable.validate(frame[list(_ROSTER_COLUMNS)]))


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
