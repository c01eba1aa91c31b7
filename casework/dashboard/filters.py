"""Dashboard filters (city, project, status, period) and their server-side scope.

The province (省级管理) sees every city. A city role (市级负责人, 市级经办) sees its own city
only ("谁遴选、谁监管", SUP-01): :func:`scope_filters` forces the city filter to the user's
city, and a request naming another city is refused, logged in ``refusals`` and answered with
nothing. Experts and institutions may not open the dashboards at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, FromClause, and_, exists, extract, func, or_, select, union

from casework.domain import lifecycle
from casework.errors import PermissionDenied
from casework.registry.actors import CITY_ROLES, PROVINCE, Actor
from casework.registry.uow import log_refusal
from casework.store.engine import Store
from casework.store.tables import (
    cities,
    city_projects,
    filing_projects,
    filing_terms,
    filings,
    projects,
)

VIEWERS = (PROVINCE, *CITY_ROLES)
ACTION = "查看管理看板"
STATUSES = (lifecycle.ACTIVE, lifecycle.SUSPENDED, lifecycle.TERMINATED)


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: empty strings and ``year=0`` mean "all"."""

    city_code: str = ""
    project_code: str = ""
    status: str = ""
    year: int = 0


def check_viewer(store: Store, actor: Actor) -> None:
    """Only the province and city roles may read the dashboards (refusal logged otherwise)."""
    if actor.role == PROVINCE or (actor.role in CITY_ROLES and actor.city_code):
        return
    log_refusal(store, actor, ACTION, "界面：无权查看管理看板的角色打开了看板")
    raise PermissionDenied(f"{actor.label}无权查看管理看板（仅限省级管理和市级负责人、经办）")


def scope_filters(store: Store, actor: Actor, requested: Filters) -> Filters:
    """The filters a query may run with for ``actor`` (SUP-01).

    Raises:
        PermissionDenied: the role may not read dashboards, or a city role asked for another
            city (the attempt is logged in ``refusals``).
    """
    check_viewer(store, actor)
    if actor.role == PROVINCE:
        return requested
    if requested.city_code not in ("", actor.city_code):
        log_refusal(
            store,
            actor,
            ACTION,
            f"界面：请求查看其他城市（{requested.city_code!r}）的数据，已拒绝（SUP-01）",
        )
        raise PermissionDenied(f"{actor.label}只能查看本市的数据（SUP-01）")
    return replace(requested, city_code=str(actor.city_code))


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


def filter_options(store: Store, actor: Actor) -> FilterOptions:
    """Options for ``actor``: a city role is offered its own city and its projects only."""
    scope = scope_filters(store, actor, Filters())
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
