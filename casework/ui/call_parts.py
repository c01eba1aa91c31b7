"""Parts of the 征集公告 page: the supplementary-conditions editor and one call's detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.errors import NotFound
from casework.queries.calls import OPEN_CALL, call_applications, call_record
from casework.ui.city_cases import require_own_city, section
from casework.ui.context import AppContext
from casework.ui.drafts import DraftList
from casework.ui.kit import Messages, esc, guarded, table_html

APPLICATION_HEADERS = {
    "application_id": "申请编号",
    "institution": "申报单位",
    "kind": "类型",
    "projects": "申报项目",
    "submitted_on": "申报日期",
    "status": "状态",
}


class SupplementaryEditor:
    """SEL-03 / Att.1 说明1: the city's own conditions, each an id and a text, added or removed
    row by row; ``value()`` is what :func:`registry.publish_call` takes. ``rows_field`` holds
    the rows as one list field for the form's draft: setting it rebuilds the rows."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change
        self.rows: list[tuple[w.Text, w.Text, w.Button]] = []
        self.rows_field = DraftList()
        self._syncing = False
        self.rows_field.observe(self._rebuild, names="value")
        self.box = w.VBox()
        self.add_button = w.Button(description="添加补充条件", icon="plus")
        self.add_button.on_click(lambda _b: self.add())
        self.widget = w.VBox(
            [
                w.HTML("<b>本市补充条件</b>（可选；评估组与附件1必备条件一并核验，SEL-03）"),
                self.box,
                self.add_button,
            ]
        )

    def add(self, sub_id: str = "", text: str = "") -> None:
        used = {r[0].value for r in self.rows}
        n = len(self.rows) + 1
        while not sub_id and f"S{n}" in used:
            n += 1
        self._add_row(sub_id or f"S{n}", text)
        self._show()

    def _add_row(self, sub_id: str, text: str) -> None:
        ident = w.Text(
            value=sub_id,
            placeholder="编号",
            continuous_update=False,
            layout=w.Layout(width="90px"),
        )
        body = w.Text(
            value=text,
            placeholder="补充条件内容",
            continuous_update=False,
            layout=w.Layout(width="60%"),
        )
        remove = w.Button(description="删除", layout=w.Layout(width="70px"))
        row = (ident, body, remove)
        remove.on_click(lambda _b, r=row: self.remove(r))
        ident.observe(lambda _c: self._changed(), names="value")
        body.observe(lambda _c: self._changed(), names="value")
        self.rows.append(row)

    def remove(self, row: tuple[w.Text, w.Text, w.Button]) -> None:
        self.rows = [r for r in self.rows if r is not row]
        self._show()

    def _show(self) -> None:
        self.box.children = [w.HBox(list(r)) for r in self.rows]
        self._changed()

    def _changed(self) -> None:
        self._syncing = True
        try:
            self.rows_field.value = [{"sub_id": i.value, "text": t.value} for i, t, _ in self.rows]
        finally:
            self._syncing = False
        self.on_change()

    def _rebuild(self, change: Any) -> None:
        """The rows from a list set from outside (a restored draft, a reset)."""
        if self._syncing:
            return
        self.rows = []
        for item in change["new"]:
            if isinstance(item, dict):
                self._add_row(str(item.get("sub_id", "")), str(item.get("text", "")))
        self.box.children = [w.HBox(list(r)) for r in self.rows]
        self.on_change()

    def value(self) -> list[dict[str, str]]:
        return [{"sub_id": i.value.strip(), "text": t.value.strip()} for i, t, _ in self.rows]


class CallDetail:
    """One call of the acting user's city: its contents, the applications it received and the
    action to close it (SEL-02)."""

    def __init__(
        self, ctx: AppContext, call_id: int, on_change: Callable[[], None] | None = None
    ) -> None:
        record = call_record(ctx.store, call_id)
        if record is None:
            raise NotFound(f"未找到征集公告（编号{call_id}）")
        require_own_city(ctx, record["city_code"], f"征集公告“{record['title']}”", "打开征集公告")
        self.ctx, self.call_id, self.on_change = ctx, call_id, on_change
        self.messages = Messages()
        self.body = w.HTML()
        self.close_button = w.Button(description="截止征集", button_style="warning")
        self.close_button.on_click(guarded(ctx, self.messages, "截止征集", self._close))
        self.widget = section("征集公告详情", self.body, self.close_button, self.messages.widget)
        self.refresh()

    def refresh(self) -> None:
        record = call_record(self.ctx.store, self.call_id)
        if record is None:
            raise NotFound(f"未找到征集公告（编号{self.call_id}）")
        supplementary = pd.DataFrame(list(record["supplementary"]), columns=["sub_id", "text"])
        apps = call_applications(self.ctx.store, self.call_id)
        rows = [
            ("标题", record["title"]),
            ("年度", record["year"]),
            ("征集范围", record["projects"]),
            ("申报条件", record["conditions"] or "—"),
            ("申报要求", record["requirements"] or "—"),
            ("申报时间", f"{record['opens_on']} 至 {record['closes_on']}"),
            ("发布日期", record["published_on"]),
            ("状态", record["status"]),
            ("已收申请", f"{len(apps)} 份"),
        ]
        card = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
        extra = (
            "<p><b>本市补充条件</b></p>"
            + table_html(supplementary, {"sub_id": "编号", "text": "补充条件"})
            if len(supplementary)
            else ""
        )
        received = table_html(apps, APPLICATION_HEADERS) if len(apps) else "<p>尚未收到申请</p>"
        self.body.value = (
            f'<table class="cw-table">{card}</table>{extra}<p><b>收到的申请</b></p>{received}'
        )
        self.close_button.disabled = record["status"] != OPEN_CALL

    def _close(self, _button: Any = None) -> None:
        self.ctx.run(registry.close_call, call_id=self.call_id)
        self.refresh()
        self.messages.ok("已截止征集，不再接收新的申请")
        if self.on_change is not None:
            self.on_change()
