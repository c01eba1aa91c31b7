"""The dashboard filters (city, project, status, period) as SQL, and the options they offer.

Reads only: every function takes :class:`Filters` that have already been through
:func:`casework.dashboard.filters.scope_filters` (the permission check, SUP-01), so a city
role's city is part of the SQL here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, FromClause, and_, exists, extract, func, or_, select, union

from casework.domain import lifecycle
from casework.store.engine import Store
from casework.store.tables import (
    cities,
    city_projects,
    filing_projects,
    filing_terms,
    filings,
    projects,
)

STATUSES = (lifecycle.FILING_VALID, lifecycle.FILING_SUSPENDED, lifecycle.FILING_TERMINATED)
"""EXIT-01: the filing states a dashboard may filter by."""


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: empty strings and ``year=0`` mean "all"."""

    city_code: str = ""
    project_code: str = ""
    status: str = ""
    year: int = 0


def in_scope(fp: FromClause = filing_projects) -> ColumnElement[bool]:
    """A filing's projects: the current scope, or the scope an ended filing ended with."""
    return or_(
        fp.c.removed_on.is_(None),
        and_(filings.c.ended_on.is_not(None), fp.c.removed_on > filings.c.ended_on),
    )


def filing_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions on ``filings`` for the city, status and project filters."""
    conditions: list[ColumnElement[bool]] = []
    if f.city_code:
        conditions.append(filings.c.city_code == f.city_code)
    if f.status:
        conditions.append(filings.c.status == f.status)
    if f.project_code:
        fp = filing_projects.alias("project_filter")  # apart from any outer filing_projects
        conditions.append(
            exists().where(
                fp.c.filing_id == filings.c.id,
                fp.c.project_code == f.project_code,
                in_scope(fp),
            )
        )
    return conditions


@dataclass(frozen=True)
class FilterOptions:
    """The options a user's filter inputs offer: (label, value) pairs, all inside the scope."""

    cities: list[tuple[str, str]]
    projects: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    years: list[tuple[str, int]]


def options_in(store: Store, scope: Filters) -> FilterOptions:
    """The options inside ``scope`` (already scoped): a city is offered its own city, the
    projects it filed or chose, and the years of its filings only (SUP-01)."""
    city_q = select(cities.c.name, cities.c.city_code).order_by(cities.c.city_code)
    filed_q = select(filing_projects.c.project_code).join(
        filings, filings.c.id == filing_projects.c.filing_id
    )
    chosen_q = select(city_projects.c.project_code)
    years_q = select(
        func.min(extract("year", filings.c.filed_on)),
        func.max(extract("year", filing_terms.c.last_day)),
    ).join(filing_terms, filing_terms.c.filing_id == filings.c.id)
    if scope.city_code:
        city_q = city_q.where(cities.c.city_code == scope.city_code)
        filed_q = filed_q.where(filings.c.city_code == scope.city_code)
        chosen_q = chosen_q.where(city_projects.c.city_code == scope.city_code)
        years_q = years_q.where(filings.c.city_code == scope.city_code)
    codes = union(filed_q, chosen_q).subquery()
    project_q = (
        select(projects.c.name, projects.c.project_code)
        .where(projects.c.project_code.in_(select(codes.c.project_code)))
        .order_by(projects.c.project_code)
    )
    with store.read() as conn:
        city_rows = [(str(n), str(c)) for n, c in conn.execute(city_q)]
        project_rows = [(f"{n}（{c}）", str(c)) for n, c in conn.execute(project_q)]
        first, last = conn.execute(years_q).one()
    years = range(int(first), int(last) + 1) if first is not None else range(0)
    return FilterOptions(
        cities=city_rows if scope.city_code else [("全省", ""), *city_rows],
        projects=[("全部项目", ""), *project_rows],
        statuses=[("全部状态", ""), *((s, s) for s in STATUSES)],
        years=[("全部年份", 0), *((f"{y}年", y) for y in years)],
    )
