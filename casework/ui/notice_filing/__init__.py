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

from casework.errors import NotFound, RuleViolation
from casework.queries.notices import (
    application_record,
    city_notices,
    receipt,
)
from casework.ui.case_documents import Batch, Offer, documents_section
from casework.ui.context import AppContext
from casework.ui.gates import page_or_refusal, require_city_role, require_own_city
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
from casework.ui.notice_filing.filing import FilingSection
from casework.ui.notice_filing.notice import CLEARED, FILED, PROPOSED, NoticeForm, NoticePanel

HEADING = "公示与备案"
NOTICE_HEADERS = {
    "notice_id": "编号",
    "title": "公示",
    "opens_on": "开始",
    "ends_on": "截止",
    "status": "状态",
}


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
        self.focus = focus
        self.documents = w.VBox()
        self.widget = w.VBox(
            [*head, self.form.widget, notices_box, self.filing.widget, self.documents]
        )
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
        self.show_documents(notice_id)
        if notice_id in [value for _, value in self.notice_picker.options]:
            self.notice_picker.value = notice_id

    def show_documents(self, notice_id: int | None) -> None:
        """公文与归档: the 公示 text and all its receipts (SEL-05); for the focused
        application its receipt (Attachments 2/2-1 or 3/3-1) and archived reports."""
        offers, batches, archived = [], [], []
        if notice_id is not None:
            offers.append(Offer("notice", notice_id, f"公示{notice_id}"))
            batches.append(Batch("receipts", notice_id, f"公示{notice_id}"))
        if self.focus is not None:
            app_id = int(self.focus["application_id"])
            archived.append(("selection", app_id))
            got = receipt(self.ctx.store, app_id)
            if got is not None:
                kind = "scope" if got["scope_addition"] else "receipt"
                offers.insert(0, Offer(kind, int(got["filing_id"]), str(got["institution"])))
                archived += [("filing", int(got["filing_id"])), ("scope", int(got["filing_id"]))]
        self.documents.children = [documents_section(self.ctx, offers, batches, archived)]

    def show_filed(self, application_id: int) -> None:
        """公文与归档 of a filed application chosen in 备案与回执: its receipt (Attachments
        2/2-1 or 3/3-1), its notice and archived reports, as when the page is opened on it."""
        if not hasattr(self, "documents"):  # still building the page
            return
        record = application_record(self.ctx.store, application_id)
        if record is None:
            return
        self.focus = record
        notice_id = record["notice_id"]
        self.show_documents(None if notice_id is None else int(notice_id))

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
        else:
            self.show_documents(None)


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
