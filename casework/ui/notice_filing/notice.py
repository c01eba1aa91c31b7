"""The notices of the 公示与备案 page (SEL-05): publishing a notice of the proposed filings
with its end date shown live, and one notice's objections, their resolution and closing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from casework import registry
from casework.domain import lifecycle, rules
from casework.domain.calendar import planning_calendar
from casework.errors import NotFound, RuleViolation
from casework.queries.notices import (
    city_applications,
    notice_applications,
    notice_objections,
    notice_record,
)
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft, batched
from casework.ui.gates import require_own_city
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedSelectMultiple,
    GuardedToggleButtons,
    Messages,
    chosen,
    esc,
    guard,
    guarded,
    options,
    section,
    table_html,
)

if TYPE_CHECKING:
    from casework.ui.notice_filing import NoticeFilingPage

PROPOSED, CLEARED, FILED = (
    lifecycle.APPLICATION_PROPOSED,
    lifecycle.APPLICATION_CLEARED,
    lifecycle.APPLICATION_FILED,
)
APP_HEADERS = {
    "application_id": "申请编号",
    "institution": "申报单位",
    "kind": "类型",
    "projects": "考核项目",
    "status": "状态",
}
OPEN_NOTICE = lifecycle.NOTICE_OPEN
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


def application_label(row: dict[str, Any]) -> str:
    return f"{row['application_id']} {row['institution']}（{row['projects']}）"


class NoticeForm:
    """SEL-05: open a notice for chosen 拟备案 applications; the end date is shown live."""

    def __init__(self, page: NoticeFilingPage) -> None:
        ctx = page.ctx
        self.page, self.ctx = page, ctx
        self.messages = Messages()
        self.listing = w.HTML()
        self.apps = guard(
            GuardedSelectMultiple(options=[], rows=5, description="公示对象", layout=WIDE),
            ctx,
            "公示对象",
        )
        self.start = w.DatePicker(description="公示开始", value=ctx.today)
        self.custom_end = w.DatePicker(description="自定截止", value=None)
        self.period = w.HTML()
        self.notice_title = w.Text(
            description="公示标题", placeholder="可不填", continuous_update=False, layout=WIDE
        )
        self.publish_button = w.Button(description="发布公示", button_style="primary")
        self.publish_button.on_click(guarded(ctx, self.messages, "发布公示", self._publish))
        for field in (self.apps, self.start, self.custom_end):
            field.observe(lambda _c: self.show_period(), names="value")
        self.widget = section(
            "拟备案名单公示（SEL-05）",
            self.listing,
            self.apps,
            w.HBox([self.start, self.custom_end]),
            self.period,
            self.notice_title,
            self.publish_button,
            self.messages.widget,
        )
        self.drafts: list[FormDraft] = []
        self.refresh()  # the applications to choose from, before the draft chooses among them
        fields = {
            "applications": self.apps,
            "start": self.start,
            "custom_end": self.custom_end,
            "title": self.notice_title,
        }
        self.draft = FormDraft(ctx, "notice_filing:notice", page.city_code, fields)
        self.drafts.append(self.draft)

    def refresh(self) -> None:
        with batched(self.drafts):  # reloading the options and putting the choice back
            self._reload()

    def _reload(self) -> None:
        frame = city_applications(self.ctx.store, self.page.city_code, (PROPOSED,))
        self.listing.value = (
            table_html(frame, APP_HEADERS) if len(frame) else "<p>暂无拟备案的申请</p>"
        )
        keep = self.apps.value
        self.apps.options = options(frame, "application_id", application_label)
        ids = {value for _, value in self.apps.options}
        self.apps.value = tuple(v for v in keep if v in ids)
        self.show_period()

    def show_period(self) -> None:
        """The earliest end (5 working days, SEL-05) and the working days the period covers."""
        start = self.start.value
        self.publish_button.disabled = start is None or not self.apps.value
        if start is None:
            self.period.value = ""
            return
        planner = planning_calendar()
        earliest = planner.notice_end(start, rules.NOTICE_MIN_WORKDAYS)
        end = self.custom_end.value or earliest.value
        covered = planner.count_workdays(start, end)
        text = (
            f"公示期：{start} 至 <b>{end}</b>"
            f"（至少{rules.NOTICE_MIN_WORKDAYS}个工作日，本公示期含 {covered.value} 个工作日）"
        )
        if end < earliest.value:
            text += (
                f"<br><span class='cw-overdue'>截止日早于最短截止日{earliest.value}，"
                f"不足{rules.NOTICE_MIN_WORKDAYS}个工作日（SEL-05）</span>"
            )
        note = earliest.note or covered.note
        if note:
            text += f"<br><span style='color:#a15c00'>{esc(note)}</span>"
        self.period.value = f'<div class="cw-info">{text}</div>'

    def _publish(self, _button: Any = None) -> None:
        if self.start.value is None:
            raise RuleViolation("请选择公示开始日期", rule_id="SEL-05")
        notice_id = self.ctx.run(
            registry.open_notice,
            city_code=self.page.city_code,
            application_ids=chosen(int(v) for v in self.apps.value),
            opens_on=self.start.value,
            ends_on=self.custom_end.value,
            title=self.notice_title.value.strip(),
        )
        self.draft.clear(reset=True)
        self.messages.ok(f"已发布公示（编号{notice_id}）")
        self.page.refresh()
        self.page.show_notice(int(notice_id))


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
