"""全省看板 — the province at a glance (省级管理; read-only)."""

from __future__ import annotations

import ipywidgets as w

from casework.dashboard import without_test_extras
from casework.errors import CaseworkError, PermissionDenied
from casework.registry.actors import PROVINCE
from casework.ui.context import AppContext
from casework.ui.kit import app_entry, refusal_page

HEADING = "全省考核机构管理看板"


def build(ctx: AppContext) -> w.Widget:
    """The province dashboard; any other role gets a refusal page (city roles: their own)."""
    from casework.dashboard.board import Dashboard
    from casework.dashboard.filters import check_viewer

    try:
        check_viewer(ctx.store, ctx.actor)
        if ctx.actor.role != PROVINCE:
            raise PermissionDenied(f"{ctx.actor.label}请使用“本市看板”查看本市数据（SUP-01）")
        return Dashboard(ctx, HEADING).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's province dashboard."""
    without_test_extras()
    return app_entry(HEADING, build)
