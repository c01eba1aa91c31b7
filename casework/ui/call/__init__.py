"""征集公告 — a city officer publishes a call for assessment institutions (SEL-01, SEL-02).

The projects offered are exactly the city's chosen projects for the year (SEL-01; the same set
as :func:`casework.registry.catalog.city_project_codes`); a crafted value outside that list is
refused and logged, and :func:`registry.publish_call` checks the scope again on the server. The
page lists the city's calls with their status and the applications each received, and closes a
call (:func:`registry.close_call`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework.errors import RuleViolation
from casework.queries.calls import city_calls
from casework.ui.call.detail import CallDetail
from casework.ui.call.form import CallForm
from casework.ui.context import AppContext
from casework.ui.gates import page_or_refusal, require_city_role
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    Messages,
    app_entry,
    guard,
    guarded,
    options,
    section,
    table_html,
    title,
)

HEADING = "征集公告"
CALL_HEADERS = {
    "call_id": "编号",
    "year": "年度",
    "title": "标题",
    "projects": "征集范围",
    "period": "申报时间",
    "status": "状态",
    "applications": "已收申请",
}


class CallPage:
    """The whole page: the form, the city's calls, and the chosen call's detail."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.ctx, self.city_code = ctx, city_code
        self.messages = Messages()
        self.form = CallForm(ctx, city_code, self._published)
        self.listing = w.HTML()
        self.picker = guard(
            GuardedDropdown(options=[], description="征集公告", layout=WIDE), ctx, "征集公告"
        )
        self.open_button = w.Button(description="查看", button_style="info")
        self.open_button.on_click(guarded(ctx, self.messages, "打开征集公告", self._open))
        self.holder = w.VBox()
        calls_box = section(
            "本市征集公告",
            self.listing,
            w.HBox([self.picker, self.open_button]),
            self.messages.widget,
            self.holder,
        )
        self.widget = w.VBox([title(HEADING), self.form.widget, calls_box])
        self.refresh()

    def refresh(self) -> None:
        frame = city_calls(self.ctx.store, self.city_code)
        self.listing.value = (
            table_html(frame, CALL_HEADERS) if len(frame) else "<p>本市尚未发布征集公告</p>"
        )
        current = self.picker.value
        self.picker.options = options(
            frame, "call_id", lambda r: f"{r['call_id']} {r['title']}（{r['status']}）"
        )
        ids = [value for _, value in self.picker.options]
        self.picker.value = current if current in ids else (ids[0] if ids else None)
        self.open_button.disabled = not ids

    def _published(self, call_id: int) -> None:
        self.refresh()
        self.picker.value = call_id

    def _open(self, _button: Any = None) -> None:
        if self.picker.value is None:
            raise RuleViolation("请先选择征集公告")
        self.holder.children = [CallDetail(self.ctx, int(self.picker.value), self.refresh).widget]


def build(ctx: AppContext, call_id: int | None = None) -> w.Widget:
    """The page for the acting user: a given call's detail, or the form and the city's calls."""

    def make() -> w.Widget:
        city = require_city_role(ctx, "打开征集公告")
        if call_id is None:
            return CallPage(ctx, city).widget
        return w.VBox([title(HEADING), CallDetail(ctx, int(call_id)).widget])

    return page_or_refusal(HEADING, make)


def app(call_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, call_id)
