"""Dashboard filters (city, project, status, period) and their server-side scope.

The province (省级管理) sees every city. A city role (市级负责人, 市级经办) sees its own city
only ("谁遴选、谁监管", SUP-01): :func:`scope_filters` forces the city filter to the user's
city, and a request naming another city is refused, logged in ``refusals`` and answered with
nothing. Experts and institutions may not open the dashboards at all.
"""

from __future__ import annotations

from dataclasses import replace

from casework.errors import PermissionDenied
from casework.queries.dashboard_filters import (
    STATUSES,
    FilterOptions,
    Filters,
    filing_conditions,
    in_scope,
    options_in,
)
from casework.registry.actors import CITY_ROLES, PROVINCE, Actor
from casework.registry.uow import log_refusal
from casework.store.engine import Store

__all__ = [
    "STATUSES",
    "FilterOptions",
    "Filters",
    "check_viewer",
    "filing_conditions",
    "filter_options",
    "in_scope",
    "scope_filters",
]

VIEWERS = (PROVINCE, *CITY_ROLES)
ACTION = "查看管理看板"


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


def filter_options(store: Store, actor: Actor) -> FilterOptions:
    """Options for ``actor``: a city role is offered its own city and its projects only."""
    return options_in(store, scope_filters(store, actor, Filters()))
