"""One call of the city (SEL-02): its contents, the applications it received, and closing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.errors import NotFound
from casework.queries.calls import OPEN_CALL, call_applications, call_record
from casework.ui.case_documents import Offer, documents_section
from casework.ui.context import AppContext
from casework.ui.gates import require_own_city
from casework.ui.kit import Messages, esc, guarded, section, table_html

APPLICATION_HEADERS = {
    "application_id": "申请编号",
    "institution": "申报单位",
    "kind": "类型",
    "projects": "申报项目",
    "submitted_on": "申报日期",
    "status": "状态",
}


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
        self.documents = documents_section(ctx, [Offer("call", call_id, record["title"])])
        self.widget = section(
            "征集公告详情", self.body, self.close_button, self.messages.widget, self.documents
        )
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
