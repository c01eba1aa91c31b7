"""Parts of the 公示与备案 page: one notice (objections, their resolution, closing) and the
filing receipt (Attachments 2/2-1, or 3/3-1 for a scope addition)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain import rules
from casework.errors import NotFound, RuleViolation
from casework.queries.notices import (
    notice_applications,
    notice_objections,
    notice_record,
)
from casework.ui.city_cases import WIDE, options, require_own_city, section
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft, batched
from casework.ui.kit import (
    GuardedDropdown,
    GuardedToggleButtons,
    Messages,
    esc,
    guard,
    guarded,
    table_html,
)

OPEN_NOTICE = "公示中"
UPHELD, NOT_UPHELD = "异议成立", "异议不成立"
ITEM_HEADERS = {
    "application_id": "申请编号",
    "institution": "申报单位",
    "projects": "考核项目",
    "status": "状态",
}
OBJECTION_HEADERS = {
    "objection_id": "异议编号",
    "institution": "申报单位",
    "received_on": "收到日期",
    "objector": "异议人",
    "text": "异议内容",
    "verdict": "核查结论",
    "resolution": "处理意见",
}


class NoticePanel:
    """One notice of the acting user's city (SEL-05): its applications, the objections received
    during it and their resolution, and closing it once its last day has passed."""

    def __init__(
        self, ctx: AppContext, notice_id: int, on_change: Callable[[], None] | None = None
    ) -> None:
        notice = notice_record(ctx.store, notice_id)
        if notice is None:
            raise NotFound(f"未找到公示（编号{notice_id}）")
        require_own_city(ctx, notice["city_code"], f"公示“{notice['title']}”", "打开公示")
        self.ctx, self.notice_id, self.on_change = ctx, notice_id, on_change
        self.messages = Messages()
        self.summary = w.HTML()
        self.objection_app = guard(
            GuardedDropdown(options=[], description="异议对象", layout=WIDE), ctx, "异议对象"
        )
        self.received_on = w.DatePicker(description="收到日期", value=ctx.today)
        self.objector = w.Text(
            description="异议人", placeholder="姓名或单位（可不填）", continuous_update=False
        )
        self.objection_text = w.Textarea(
            description="异议内容", continuous_update=False, layout=WIDE
        )
        self.record_button = w.Button(description="登记异议")
        self.record_button.on_click(guarded(ctx, self.messages, "登记公示异议", self._record))
        self.objection = guard(
            GuardedDropdown(options=[], description="待处理异议", layout=WIDE), ctx, "待处理异议"
        )
        self.verdict = guard(
            GuardedToggleButtons(options=[UPHELD, NOT_UPHELD], value=None), ctx, "核查结论"
        )
        self.resolution = w.Textarea(description="处理意见", continuous_update=False, layout=WIDE)
        self.resolve_button = w.Button(description="处理异议")
        self.resolve_button.on_click(guarded(ctx, self.messages, "处理公示异议", self._resolve))
        self.close_button = w.Button(description="结束公示", button_style="warning")
        self.close_button.on_click(guarded(ctx, self.messages, "结束公示", self._close))
        for field in (self.objection, self.verdict):
            field.observe(lambda _c: self._buttons(), names="value")
        self.widget = section(
            "公示",
            self.summary,
            w.HTML("<b>登记异议</b>（公示期内收到的异议）"),
            self.objection_app,
            w.HBox([self.received_on, self.objector]),
            self.objection_text,
            self.record_button,
            w.HTML("<b>处理异议</b>"),
            self.objection,
            self.verdict,
            self.resolution,
            self.resolve_button,
            self.close_button,
            self.messages.widget,
        )
        self.drafts: list[FormDraft] = []
        self.refresh()
        objection = {
            "application": self.objection_app,
            "received_on": self.received_on,
            "objector": self.objector,
            "text": self.objection_text,
        }
        self.objection_draft = FormDraft(ctx, "notice_filing:objection", str(notice_id), objection)
        resolution = {
            "objection": self.objection,
            "verdict": self.verdict,
            "resolution": self.resolution,
        }
        self.resolution_draft = FormDraft(
            ctx, "notice_filing:resolution", str(notice_id), resolution
        )
        self.drafts += [self.objection_draft, self.resolution_draft]

    @property
    def notice(self) -> dict[str, Any]:
        notice = notice_record(self.ctx.store, self.notice_id)
        if notice is None:
            raise NotFound(f"未找到公示（编号{self.notice_id}）")
        return notice

    @property
    def is_open(self) -> bool:
        return bool(self.notice["status"] == OPEN_NOTICE)

    def refresh(self) -> None:
        with batched(self.drafts):  # reloading the options and putting the choices back
            self._reload()

    def _reload(self) -> None:
        notice = self.notice
        items = notice_applications(self.ctx.store, self.notice_id)
        objs = notice_objections(self.ctx.store, self.notice_id)
        objs["verdict"] = [
            "待处理" if v is None else (UPHELD if v else NOT_UPHELD) for v in objs["upheld"]
        ]
        shown = table_html(objs, OBJECTION_HEADERS) if len(objs) else "<p>未收到异议</p>"
        self.summary.value = (
            f"<p><b>{esc(notice['title'])}</b>　公示期：{esc(notice['opens_on'])} 至 "
            f"{esc(notice['ends_on'])}（不少于{rules.NOTICE_MIN_WORKDAYS}个工作日，SEL-05）　"
            f"状态：{esc(notice['status'])}</p>"
            + table_html(items, ITEM_HEADERS)
            + "<p><b>异议</b></p>"
            + shown
        )
        pending = objs[objs["upheld"].isna()]
        choices = [
            (
                self.objection_app,
                options(
                    items, "application_id", lambda r: f"{r['application_id']} {r['institution']}"
                ),
            ),
            (
                self.objection,
                options(
                    pending,
                    "objection_id",
                    lambda r: f"{r['objection_id']} {r['institution']}：{r['text']}",
                ),
            ),
        ]
        for field, offered in choices:
            keep = field.value  # what was chosen stays chosen while it is still offered
            field.options = offered
            ids = [value for _, value in offered]
            field.value = keep if keep in ids else (ids[0] if ids else None)
        self._buttons()

    def _buttons(self) -> None:
        is_open = self.is_open
        self.record_button.disabled = not is_open or self.objection_app.value is None
        self.resolve_button.disabled = (
            not is_open or self.objection.value is None or self.verdict.value is None
        )
        self.close_button.disabled = not is_open

    def _changed(self, text: str) -> None:
        if self.on_change is not None:
            self.on_change()  # the page refreshes its lists and this panel
        else:
            self.refresh()
        self.messages.ok(text)

    def _record(self, _button: Any = None) -> None:
        if self.received_on.value is None or self.objection_app.value is None:
            raise RuleViolation("请选择异议对象并填写收到日期", rule_id="SEL-05")
        objection_id = self.ctx.run(
            registry.record_objection,
            notice_id=self.notice_id,
            application_id=int(self.objection_app.value),
            received_on=self.received_on.value,
            text=self.objection_text.value,
            objector=self.objector.value,
        )
        self.objection_draft.clear(reset=True)
        self._changed(f"已登记异议（编号{objection_id}）")

    def _resolve(self, _button: Any = None) -> None:
        if self.objection.value is None or self.verdict.value is None:
            raise RuleViolation("请选择待处理的异议和核查结论", rule_id="SEL-05")
        self.ctx.run(
            registry.resolve_objection,
            objection_id=int(self.objection.value),
            upheld=self.verdict.value == UPHELD,
            resolution=self.resolution.value,
            on=self.ctx.today,
        )
        self.resolution_draft.clear(reset=True)
        self._changed("异议已处理")

    def _close(self, _button: Any = None) -> None:
        outcome = self.ctx.run(registry.close_notice, notice_id=self.notice_id, on=self.ctx.today)
        shown = "；".join(f"申请{k}：{v}" for k, v in sorted(outcome.items()))
        self._changed(f"公示已结束。{shown}")


def receipt_html(data: dict[str, Any]) -> str:
    """The receipt as the city issues it: Attachment 2 with 2-1, or 3 with 3-1 (SEL-06)."""
    name, code = esc(data["institution"]), esc(data["code"])
    fields = [
        ("考核机构名称", data["institution"]),
        ("机构代码", data["code"]),
        ("回执有效期", data["receipt_text"]),
    ]
    card = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in fields)
    basis = f"根据{rules.PILOT_SCHEME_NO}等文件要求，经评估，"
    if data["scope_addition"]:
        heading = f"关于同意{name}调整专项职业能力考核范围信息的函"
        body = (
            f"{basis}同意你单位调整考核范围信息。机构代码（{code}）及有效期"
            f"（{esc(data['term_text'])}）不变。"
        )
        table_title = f"附件3-1　{name}调整专项职业能力考核项目范围"
    else:
        heading = f"关于同意{name}开展专项职业能力考核工作的函"
        body = (
            f"{basis}同意你单位面向社会开展专项职业能力考核工作。"
            f"机构代码为{code}，{esc(data['receipt_text'])}。"
        )
        table_title = f"附件2-1　{name}开展专项职业能力考核项目范围"
    return (
        f'<table class="cw-table">{card}</table>'
        f"<div style='border:1px solid #ccd;padding:8px;margin:6px 0'>"
        f"<p><b>{esc(data['attachment'])}　{heading}</b></p><p>{name}：</p><p>{body}</p>"
        f"<p style='text-align:right'>{esc(data['bureau'])}<br>{esc(data['issued_on'])}</p>"
        f"<p><b>{table_title}</b></p>{table_html(data['projects'])}</div>"
    )
