"""本市看板 — one city at a glance (市级负责人, 市级经办; read-only, own city only, SUP-01)."""

from __future__ import annotations

import ipywidgets as w

from casework.dashboard import without_test_extras
from casework.errors import CaseworkError, PermissionDenied
from casework.registry.actors import CITY_ROLES
from casework.ui.context import AppContext
from casework.ui.kit import app_entry, refusal_page

HEADING = "本市考核机构管理看板"


def build(ctx: AppContext) -> w.Widget:
    """The city dashboard of the signed-in city user; other roles get a refusal page."""
    from casework.dashboard.board import Dashboard
    from casework.dashboard.filters import check_viewer

    try:
        check_viewer(ctx.store, ctx.actor)
        if ctx.actor.role not in CITY_ROLES:
            raise PermissionDenied(f"{ctx.actor.label}请使用“全省看板”")
        return Dashboard(ctx, HEADING).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's city dashboard."""
    without_test_extras()
    return app_entry(HEADING, build)
