"""Read models of the 征集公告 page (SEL-01, SEL-02): the city's projects, calls and the
applications each call received. Read-only; every write goes through the registry commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select

from casework.domain import lifecycle
from casework.queries.lookup import one_or_none, one_or_not_found, project_names_in, rows_of
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    call_projects,
    calls,
    city_projects,
    institutions,
    projects,
)

OPEN_CALL = lifecycle.CALL_OPEN


def city_years(store: Store, city_code: str) -> list[int]:
    """The years for which the city has chosen its projects (SEL-01), newest first."""
    q = (
        select(city_projects.c.year)
        .where(city_projects.c.city_code == city_code)
        .distinct()
        .order_by(city_projects.c.year.desc())
    )
    with store.read() as conn:
        return [int(y) for y in conn.execute(q).scalars()]


def city_projects_of(store: Store, city_code: str, year: int) -> pd.DataFrame:
    """SEL-01: the projects the city chose for ``year`` inside the provincial catalog —
    the same set as :func:`casework.registry.catalog.city_project_codes`.

    Columns: project_code, project.
    """
    q = (
        select(city_projects.c.project_code, projects.c.name.label("project"))
        .join(projects, projects.c.project_code == city_projects.c.project_code)
        .where(city_projects.c.city_code == city_code, city_projects.c.year == year)
        .order_by(city_projects.c.project_code)
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)


def project_names(store: Store, link: Any, key: str) -> pd.Series:
    """``key`` → "name、name" for a link table with a project_code column."""
    q = select(link.c[key], projects.c.name).join(
        projects, projects.c.project_code == link.c.project_code
    )
    with store.read() as conn:
        frame = pd.read_sql(q.order_by(link.c[key], link.c.project_code), conn)
    return frame.groupby(key)["name"].agg("、".join)


def _calls(store: Store, q: Select[Any]) -> pd.DataFrame:
    counts = (
        select(applications.c.call_id, func.count().label("applications"))
        .group_by(applications.c.call_id)
        .subquery()
    )
    q = q.add_columns(func.coalesce(counts.c.applications, 0).label("applications")).outerjoin(
        counts, counts.c.call_id == calls.c.id
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    names = project_names(store, call_projects, "call_id")
    frame["projects"] = frame["call_id"].map(names).fillna("")
    frame["period"] = frame["opens_on"].astype(str) + " 至 " + frame["closes_on"].astype(str)
    return frame


def city_calls(store: Store, city_code: str) -> pd.DataFrame:
    """The city's calls, newest first: call_id, year, title, projects, period, opens_on,
    closes_on, published_on, status, applications (how many were received)."""
    q = (
        select(
            calls.c.id.label("call_id"),
            calls.c.year,
            calls.c.title,
            calls.c.opens_on,
            calls.c.closes_on,
            calls.c.published_on,
            calls.c.status,
        )
        .where(calls.c.city_code == city_code)
        .order_by(calls.c.id.desc())
    )
    return _calls(store, q)


def call_record(store: Store, call_id: int) -> dict[str, Any] | None:
    """One call with its scope (``project_codes``, ``projects``), or None."""
    with store.read() as conn:
        row = one_or_none(conn, calls, "征集公告", id=call_id)
        if row is None:
            return None
        scope = conn.execute(
            select(call_projects.c.project_code, projects.c.name)
            .join(projects, projects.c.project_code == call_projects.c.project_code)
            .where(call_projects.c.call_id == call_id)
            .order_by(call_projects.c.project_code)
        ).all()
    record = dict(row)
    record["project_codes"] = [s.project_code for s in scope]
    record["projects"] = "、".join(s.name for s in scope)
    return record


def call_applications(store: Store, call_id: int) -> pd.DataFrame:
    """Applications received by a call: application_id, institution, kind, projects,
    submitted_on, status."""
    q = (
        select(
            applications.c.id.label("application_id"),
            institutions.c.name.label("institution"),
            applications.c.kind,
            applications.c.submitted_on,
            applications.c.status,
        )
        .join(institutions, institutions.c.id == applications.c.institution_id)
        .where(applications.c.call_id == call_id)
        .order_by(applications.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    names = project_names(store, application_projects, "application_id")
    frame["projects"] = frame["application_id"].map(names).fillna("")
    return frame


def open_calls(store: Store, city_code: str, on: date) -> pd.DataFrame:
    """The city's published calls whose application period includes ``on`` (SEL-02, SEL-06),
    with ``project_codes`` (a list per call)."""
    q = (
        select(
            calls.c.id.label("call_id"),
            calls.c.title,
            calls.c.opens_on,
            calls.c.closes_on,
        )
        .where(
            calls.c.city_code == city_code,
            calls.c.status == OPEN_CALL,
            calls.c.opens_on <= on,
            calls.c.closes_on >= on,
        )
        .order_by(calls.c.id)
    )
    sq = select(call_projects.c.call_id, call_projects.c.project_code).order_by(
        call_projects.c.project_code
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        scope = pd.read_sql(sq, conn)
    codes = scope.groupby("call_id")["project_code"].agg(list)
    frame["project_codes"] = [codes.get(c, []) for c in frame["call_id"]]
    return frame


@dataclass(frozen=True)
class CallFacts:
    """A call (征集公告, SEL-02) with the names of the projects it calls for, by code."""

    call: dict[str, Any]
    projects: tuple[str, ...]


def call_facts(store: Store, call_id: int) -> CallFacts:
    """The call ``call_id`` and its projects (NotFound if unknown)."""
    with store.read() as conn:
        call = one_or_not_found(conn, calls, "征集公告", id=call_id)
        linked = rows_of(conn, call_projects, "征集项目", call_id=call_id)
        names = project_names_in(conn, [r["project_code"] for r in linked])
    return CallFacts(call=call, projects=tuple(names))
