"""The page gates of the city officer's apps: city role and own city (SUP-01).

The gates here decide, from ``ctx.actor`` only, whether a page may open: the user must hold a
city role, and a case must belong to the user's city (SUP-01 "谁遴选、谁监管"). A refusal is
logged like any refused command. The registry commands check the same again on every write.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from casework.errors import CaseworkError, PermissionDenied
from casework.registry.actors import CITY_ROLES
from casework.registry.uow import log_refusal
from casework.ui.context import AppContext
from casework.ui.kit import refusal_page


def refuse(ctx: AppContext, action: str, exc: PermissionDenied) -> PermissionDenied:
    """Log a refusal made by a page (not by a command) and return the error to raise."""
    log_refusal(ctx.store, ctx.actor, action, str(exc))
    return exc


def require_roles(ctx: AppContext, action: str, roles: tuple[str, ...]) -> None:
    """Refuse (and log) a user whose role the page is not for."""
    if ctx.actor.role not in roles:
        raise refuse(
            ctx,
            action,
            PermissionDenied(f"{ctx.actor.label}无权使用本页面：仅限{'、'.join(roles)}"),
        )


def require_city_role(ctx: AppContext, action: str) -> str:
    """The acting user's city; refuses users without a city role."""
    if ctx.actor.role not in CITY_ROLES or not ctx.actor.city_code:
        raise refuse(
            ctx,
            action,
            PermissionDenied(
                f"{ctx.actor.label}无权使用本页面（{action}）：仅限市级经办、市级负责人",
                rule_id="SUP-01",
            ),
        )
    return ctx.actor.city_code


def require_own_city(ctx: AppContext, city_code: str | None, what: str, action: str) -> None:
    """SUP-01: a city officer opens only the cases of their own city."""
    if city_code is None or city_code != ctx.actor.city_code:
        raise refuse(
            ctx,
            action,
            PermissionDenied(
                f"{ctx.actor.label}属于其他城市，不能查看或办理{what}", rule_id="SUP-01"
            ),
        )


def page_or_refusal(heading: str, make: Callable[[], w.Widget]) -> w.Widget:
    """The page ``make`` builds, or a refusal page naming why it cannot open."""
    try:
        return make()
    except CaseworkError as exc:
        return refusal_page(heading, exc)
