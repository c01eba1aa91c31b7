"""公示与备案 — a city officer notices the proposed filings, handles objections, and files
(SEL-05, ATT2-TERM).

The notice's last day is shown live as :func:`casework.domain.calendar.notice_end` of the chosen
start: at least 5 working days, with the working days the period covers counted (a year whose
holidays are not configured is flagged provisional). A shorter custom end date is refused by
:func:`registry.open_notice`. After the notice has ended (:func:`registry.close_notice` refuses
earlier), each application without an upheld objection is filed (:func:`registry.
file_application`) and the page shows the receipt data of Attachments 2 and 2-1.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain import rules
from casework.domain.calendar import planning_calendar
from casework.errors import NotFound, RuleViolation
from casework.queries.notices import (
    application_record,
    city_applications,
    city_notices,
    receipt,
)
from casework.ui.archiving import archive_after
from casework.ui.city_cases import (
    WIDE,
    chosen,
    options,
    page_or_refusal,
    require_city_role,
    require_own_city,
    section,
)
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft, batched
from casework.ui.kit import (
    GuardedDropdown,
    GuardedSelectMultiple,
    Messages,
    app_entry,
    esc,
    guard,
    guarded,
    table_html,
    title,
)
from casework.ui.notice_filing_parts import NoticePanel, receipt_html

HEADING = "公示与备案"
PROPOSED, CLEARED, FILED = "拟备案", "公示无异议", "已备案"
APP_HEADERS = {
    "application_id": "申请编号",
    "institution": "申报单位",
    "kind": "类型",
    "projects": "考核项目",
    "status": "状态",
}
NOTICE_HEADERS = {
    "notice_id": "编号",
    "title": "公示",
    "opens_on": "开始",
    "ends_on": "截止",
    "status": "状态",
}


def _label(row: dict[str, Any]) -> str:
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
        self.apps.options = options(frame, "application_id", _label)
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


class FilingSection:
    """SEL-05, ATT2-TERM: file the applications whose notice ended without an upheld
    objection, and show any filed application's receipt data."""

    def __init__(self, page: NoticeFilingPage) -> None:
        ctx = page.ctx
        self.page, self.ctx = page, ctx
        self.messages = Messages()
        self.listing = w.HTML()
        self.apps = guard(
            GuardedSelectMultiple(options=[], rows=4, description="备案对象", layout=WIDE),
            ctx,
            "备案对象",
        )
        self.file_button = w.Button(description="出具备案回执", button_style="success")
        self.file_button.on_click(guarded(ctx, self.messages, "出具备案回执", self._file))
        self.filed = guard(
            GuardedDropdown(options=[], description="已备案", layout=WIDE), ctx, "已备案申请"
        )
        self.receipt = w.HTML()
        self.apps.observe(lambda _c: self._buttons(), names="value")
        self.filed.observe(lambda _c: self.show_receipt(), names="value")
        self.widget = section(
            "备案与回执（SEL-05、ATT2-TERM）",
            self.listing,
            self.apps,
            self.file_button,
            self.messages.widget,
            self.filed,
            self.receipt,
        )

    def refresh(self) -> None:
        city = self.page.city_code
        cleared = city_applications(self.ctx.store, city, (CLEARED,))
        self.listing.value = (
            table_html(cleared, APP_HEADERS)
            if len(cleared)
            else "<p>暂无公示期满无异议、待备案的申请</p>"
        )
        keep = self.apps.value
        self.apps.options = options(cleared, "application_id", _label)
        ids = {value for _, value in self.apps.options}
        self.apps.value = tuple(v for v in keep if v in ids)
        filed = city_applications(self.ctx.store, city, (FILED,))
        current = self.filed.value
        self.filed.options = options(filed, "application_id", _label)
        done = [value for _, value in self.filed.options]
        self.filed.value = current if current in done else None
        self._buttons()
        self.show_receipt()

    def _buttons(self) -> None:
        self.file_button.disabled = not self.apps.value

    def show_receipt(self) -> None:
        data = receipt(self.ctx.store, int(self.filed.value)) if self.filed.value else None
        self.receipt.value = receipt_html(data) if data else ""

    def _file(self, _button: Any = None) -> None:
        if not self.apps.value:
            raise RuleViolation("请先选择要备案的申请", rule_id="SEL-05")
        done: list[int] = []
        try:
            for app_id in chosen(int(v) for v in self.apps.value):
                filing_id = self.ctx.run(
                    registry.file_application, application_id=app_id, on=self.ctx.today
                )
                done.append(app_id)
                procedure = "scope" if is_scope_addition(self.ctx.store, app_id) else "filing"
                archive_after(self.ctx, self.messages, procedure, int(filing_id))
        finally:
            if done:
                self.page.refresh()
                self.filed.value = done[-1]
        self.messages.ok(f"已备案并出具回执：申请{'、'.join(str(d) for d in done)}")


class NoticeFilingPage:
    """The whole page for the acting user's city; ``focus`` preselects one application."""

    def __init__(self, ctx: AppContext, city_code: str, focus: dict[str, Any] | None) -> None:
        self.ctx, self.city_code = ctx, city_code
        self.messages = Messages()
        self.form = NoticeForm(self)
        self.filing = FilingSection(self)
        self.notices = w.HTML()
        self.notice_picker = guard(
            GuardedDropdown(options=[], description="公示", layout=WIDE), ctx, "公示"
        )
        self.open_button = w.Button(description="打开公示", button_style="info")
        self.open_button.on_click(guarded(ctx, self.messages, "打开公示", self._open))
        self.holder = w.VBox()
        self.panel: NoticePanel | None = None
        notices_box = section(
            "公示与异议（SEL-05）",
            self.notices,
            w.HBox([self.notice_picker, self.open_button]),
            self.messages.widget,
            self.holder,
        )
        head = [title(HEADING, _focus_text(focus))]
        self.widget = w.VBox([*head, self.form.widget, notices_box, self.filing.widget])
        self.refresh()
        if focus is not None:
            self._focus(focus)

    def refresh(self) -> None:
        self.form.refresh()
        self.filing.refresh()
        frame = city_notices(self.ctx.store, self.city_code)
        self.notices.value = (
            table_html(frame, NOTICE_HEADERS) if len(frame) else "<p>本市尚无公示</p>"
        )
        current = self.notice_picker.value
        self.notice_picker.options = options(
            frame, "notice_id", lambda r: f"{r['notice_id']} {r['title']}（{r['status']}）"
        )
        ids = [value for _, value in self.notice_picker.options]
        self.notice_picker.value = current if current in ids else (ids[0] if ids else None)
        self.open_button.disabled = not ids
        if self.panel is not None:
            self.panel.refresh()

    def show_notice(self, notice_id: int) -> None:
        self.panel = NoticePanel(self.ctx, notice_id, self.refresh)
        self.holder.children = [self.panel.widget]
        if notice_id in [value for _, value in self.notice_picker.options]:
            self.notice_picker.value = notice_id

    def _open(self, _button: Any = None) -> None:
        if self.notice_picker.value is None:
            raise RuleViolation("请先选择公示")
        self.show_notice(int(self.notice_picker.value))

    def _focus(self, focus: dict[str, Any]) -> None:
        app_id, status = int(focus["application_id"]), focus["status"]
        if status == PROPOSED:
            with self.form.draft.batch(save=False):  # a preselection, not something typed
                self.form.apps.value = (app_id,)
        elif status == CLEARED:
            self.filing.apps.value = (app_id,)
        elif status == FILED:
            self.filing.filed.value = app_id
        if focus["notice_id"] is not None and status != PROPOSED:
            self.show_notice(int(focus["notice_id"]))


def _focus_text(focus: dict[str, Any] | None) -> str:
    if focus is None:
        return ""
    return f"申请{focus['application_id']}：{focus['institution']}（{focus['status']}）"


def build(ctx: AppContext, application_id: int | None = None) -> w.Widget:
    """The page for the acting user's city, focused on ``application_id`` when given."""

    def make() -> w.Widget:
        city = require_city_role(ctx, "打开公示与备案")
        focus = None
        if application_id is not None:
            focus = application_record(ctx.store, int(application_id))
            if focus is None:
                raise NotFound(f"未找到备案申请（编号{application_id}）")
            require_own_city(ctx, focus["city_code"], f"申请{application_id}", "打开公示与备案")
        return NoticeFilingPage(ctx, city, focus).widget

    return page_or_refusal(HEADING, make)


def app(application_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, application_id)


def is_scope_addition(store: Any, application_id: int) -> bool:
    from sqlalchemy import select

    from casework.registry.selection import SCOPE_ADDITION
    from casework.store.tables import applications

    with store.read() as conn:
        kind = conn.execute(
            select(applications.c.kind).where(applications.c.id == application_id)
        ).scalar_one()
    return bool(kind == SCOPE_ADDITION)
