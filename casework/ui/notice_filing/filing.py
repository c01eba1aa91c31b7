"""Filing after the notice (SEL-05, ATT2-TERM): the applications cleared by their notice are
filed, and the receipt data shown (Attachments 2/2-1, or 3/3-1 for a scope addition)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from casework import registry
from casework.domain import rules
from casework.errors import RuleViolation
from casework.queries.notices import (
    SCOPE_ADDITION,
    application_record,
    city_applications,
    receipt,
)
from casework.queries.province import reported_applications
from casework.ui.archiving import archive_after
from casework.ui.context import AppContext
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedSelectMultiple,
    Messages,
    chosen,
    esc,
    guard,
    guarded,
    options,
    section,
    table_html,
    text_area,
)
from casework.ui.notice_filing.notice import APP_HEADERS, CLEARED, FILED, application_label

if TYPE_CHECKING:
    from casework.ui.notice_filing import NoticeFilingPage


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
        self.term_months = w.BoundedIntText(
            value=rules.TERM_MONTHS,
            min=1,
            max=rules.TERM_MONTHS_MAX,
            description="有效期（月）",
        )
        self.term_reason = text_area(
            "有效期不是3年时的理由（SEL-11：一般为3年，其他期限由市级负责人决定并记录理由）"
        )
        self.file_button = w.Button(description="出具备案回执", button_style="success")
        self.file_button.on_click(guarded(ctx, self.messages, "出具备案回执", self._file))
        self.filed = guard(
            GuardedDropdown(options=[], description=FILED, layout=WIDE), ctx, "已备案申请"
        )
        self.receipt = w.HTML()
        self.apps.observe(lambda _c: self._buttons(), names="value")
        self.filed.observe(lambda _c: self.show_receipt(), names="value")
        self.widget = section(
            "备案与回执（SEL-05、ATT2-TERM）",
            self.listing,
            self.apps,
            self.term_months,
            self.term_reason,
            self.file_button,
            self.messages.widget,
            self.filed,
            self.receipt,
        )

    def refresh(self) -> None:
        city = self.page.city_code
        cleared = city_applications(self.ctx.store, city, (CLEARED,))
        reported = reported_applications(self.ctx.store, city)
        cleared["province"] = [
            "已报省厅" if a in reported else "未报省厅" for a in cleared["application_id"]
        ]
        waiting = int((cleared["province"] == "未报省厅").sum())
        self.listing.value = (
            table_html(cleared, {**APP_HEADERS, "province": "报省厅"})
            + (
                f'<div class="cw-info">{waiting}件尚未报省厅：请先在“报送省厅”中报送，'
                "报送后方可出具备案回执（SEL-08）</div>"
                if waiting
                else ""
            )
            if len(cleared)
            else "<p>暂无公示期满无异议、待备案的申请</p>"
        )
        keep = self.apps.value
        ready = cleared[cleared["province"] == "已报省厅"]
        self.apps.options = options(ready, "application_id", application_label)
        ids = {value for _, value in self.apps.options}
        self.apps.value = tuple(v for v in keep if v in ids)
        filed = city_applications(self.ctx.store, city, (FILED,))
        current = self.filed.value
        self.filed.options = options(filed, "application_id", application_label)
        done = [value for _, value in self.filed.options]
        self.filed.value = current if current in done else None
        self._buttons()
        self.show_receipt()

    def _buttons(self) -> None:
        self.file_button.disabled = not self.apps.value

    def show_receipt(self) -> None:
        data = receipt(self.ctx.store, int(self.filed.value)) if self.filed.value else None
        self.receipt.value = receipt_html(data) if data else ""
        if data is not None:  # its receipt to download in 公文与归档 (SEL-05, issue #12)
            self.page.show_filed(int(self.filed.value))

    def _file(self, _button: Any = None) -> None:
        if not self.apps.value:
            raise RuleViolation("请先选择要备案的申请", rule_id="SEL-05")
        done: list[int] = []
        try:
            for app_id in chosen(int(v) for v in self.apps.value):
                filing_id = self.ctx.run(
                    registry.file_application,
                    application_id=app_id,
                    on=self.ctx.today,
                    term_months=int(self.term_months.value),
                    term_reason=self.term_reason.value,
                )
                done.append(app_id)
                procedure = "scope" if is_scope_addition(self.ctx, app_id) else "filing"
                archive_after(self.ctx, self.messages, procedure, int(filing_id))
        finally:
            if done:
                self.page.refresh()
                self.filed.value = done[-1]
        self.messages.ok(f"已备案并出具回执：申请{'、'.join(str(d) for d in done)}")


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


def is_scope_addition(ctx: AppContext, application_id: int) -> bool:
    """Whether the application adds projects to a filing (SEL-06: its receipt is Attachment 3)."""
    record = application_record(ctx.store, application_id)
    return record is not None and record["kind"] == SCOPE_ADDITION
