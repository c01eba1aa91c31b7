"""报送省厅 — what a city reports to the province, and the province's acknowledgement.

A city officer reports the applications whose public notice ended without objection (new
filings before their receipt, scope additions; SEL-08) and the decided renewal cases (REN-08);
the province's manager sees every city's reports and acknowledges them. Every action is a
registry command, which re-checks role, city, state and input.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.errors import CaseworkError
from casework.queries.province import (
    ProvinceReport,
    applications_to_report,
    province_reports_of,
    renewals_to_report,
)
from casework.registry.actors import CITY_ROLES, PROVINCE
from casework.registry.province import FILING_REPORT, RENEWAL_REPORT, SCOPE_REPORT
from casework.registry.selection import SCOPE_ADDITION
from casework.ui.case_documents import Offer, documents_section
from casework.ui.context import AppContext
from casework.ui.gates import require_roles
from casework.ui.kit import (
    GuardedDropdown,
    GuardedSelectMultiple,
    Messages,
    app_entry,
    guard,
    guarded,
    refusal_page,
    table_html,
    text_area,
    title,
)
from casework.ui.markup import esc

HEADING = "报送省厅"
REPORT_COLUMNS = {
    "id": "编号",
    "kind": "类型",
    "city": "城市",
    "subjects": "报送事项",
    "sent_on": "报送日期",
    "sent_by": "报送人",
    "acknowledged": "省厅确认",
}


def reports_frame(reports: list[ProvinceReport]) -> pd.DataFrame:
    rows = [
        {
            "id": r.id,
            "kind": r.kind,
            "city": r.city_code,
            "subjects": "；".join(
                f"{s['institution']}（{s.get('result') or '、'.join(s.get('projects', []))}）"
                for s in r.content
            ),
            "sent_on": r.sent_on,
            "sent_by": r.sent_by,
            "acknowledged": (
                f"{r.acknowledged_on}（{r.acknowledged_by}）" if r.acknowledged_on else "待确认"
            ),
        }
        for r in reports
    ]
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


class CityReportsPage:
    """A city's reports: what waits to be reported, and what was sent."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.city = str(ctx.actor.city_code)
        self.messages = Messages()
        self.kind = guard(
            GuardedDropdown(
                options=[FILING_REPORT, SCOPE_REPORT, RENEWAL_REPORT],
                value=FILING_REPORT,
                description="报送类型",
            ),
            ctx,
            "报送类型",
        )
        self.kind.observe(lambda _c: self.refresh(), names="value")
        self.cases = guard(
            GuardedSelectMultiple(options=[], description="报送事项", rows=8),
            ctx,
            "报送事项",
        )
        self.cases.layout = w.Layout(width="90%")
        self.note = text_area("报送说明（可不填）")
        self.send = w.Button(description="报送省厅", button_style="primary")
        self.send.on_click(guarded(ctx, self.messages, "报送省厅", self._send))
        self.sent = w.HTML()
        self.documents = w.VBox()
        self.widget = w.VBox(
            [
                title(HEADING, "公示无异议的拟备案机构、范围调整和续期结果报省人力资源社会保障厅"),
                w.HTML(
                    '<div class="cw-info">拟备案机构须在报省厅后方可出具备案回执（SEL-08）；'
                    "续期评估结果研究确定后报送（REN-08）。</div>"
                ),
                self.kind,
                self.cases,
                self.note,
                self.send,
                self.messages.widget,
                w.HTML("<h4>已报送</h4>"),
                self.sent,
                self.documents,
            ]
        )
        self.refresh()

    def waiting(self) -> list[tuple[str, int]]:
        """The cases of the chosen kind that wait to be reported, as (label, id)."""
        if self.kind.value == RENEWAL_REPORT:
            frame = renewals_to_report(self.ctx.store, self.city)
            return [
                (
                    f"续期{r['renewal_id']}　{r['institution']}（{r['code']}）：{r['status']}",
                    int(r["renewal_id"]),
                )
                for r in frame.to_dict("records")
            ]
        frame = applications_to_report(self.ctx.store, self.city)
        scope = frame["kind"] == SCOPE_ADDITION
        frame = frame[scope] if self.kind.value == SCOPE_REPORT else frame[~scope]
        return [
            (
                f"申请{r['application_id']}　{r['institution']}：{r['projects']}",
                int(r["application_id"]),
            )
            for r in frame.to_dict("records")
        ]

    def refresh(self) -> None:
        options = self.waiting()
        self.cases.options = options
        self.cases.value = ()
        self.send.disabled = not options
        sent = province_reports_of(self.ctx.store, self.city)
        self.documents.children = [report_documents(self.ctx, sent)]
        frame = reports_frame(sent)
        self.sent.value = (
            table_html(frame, REPORT_COLUMNS)
            if not frame.empty
            else '<div class="cw-info">尚未报送</div>'
        )

    def _send(self, _button: Any = None) -> None:
        offered = {v for _, v in self.waiting()}
        chosen = [int(v) for v in self.cases.value]
        if not chosen:
            raise CaseworkError("请选择要报送的事项")
        if not set(chosen) <= offered:
            raise CaseworkError("所选事项不在待报送之列")
        report_id = self.ctx.run(
            registry.report_to_province,
            city_code=self.city,
            kind=str(self.kind.value),
            case_ids=chosen,
            on=self.ctx.today,
            note=self.note.value,
        )
        self.note.value = ""
        self.refresh()
        self.messages.ok(f"已报送省厅（报送记录{report_id}）")


class ProvinceReportsPage:
    """The province: every city's reports, and acknowledging them."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.messages = Messages()
        self.report = guard(
            GuardedDropdown(options=[], value=None, description="报送记录"),
            ctx,
            "报送记录",
        )
        self.report.layout = w.Layout(width="80%")
        self.note = text_area("确认意见（可不填）")
        self.ack = w.Button(description="确认收到", button_style="primary")
        self.ack.on_click(guarded(ctx, self.messages, "省厅确认收到报送", self._ack))
        self.table = w.HTML()
        self.documents = w.VBox()
        self.widget = w.VBox(
            [
                title(HEADING, "各市报送的拟备案机构、范围调整和续期结果"),
                self.table,
                w.HTML("<h4>确认收到</h4>"),
                self.report,
                self.note,
                self.ack,
                self.messages.widget,
                self.documents,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        reports = province_reports_of(self.ctx.store)
        self.documents.children = [report_documents(self.ctx, reports)]
        frame = reports_frame(reports)
        self.table.value = (
            table_html(frame, REPORT_COLUMNS)
            if not frame.empty
            else '<div class="cw-info">尚无报送记录</div>'
        )
        pending = [
            (f"{r.id}　{r.city_code}　{r.kind}：{esc('、'.join(r.institutions))}", r.id)
            for r in reports
            if r.acknowledged_on is None
        ]
        self.report.options = pending
        self.report.value = None
        self.ack.disabled = not pending

    def _ack(self, _button: Any = None) -> None:
        if self.report.value is None:
            raise CaseworkError("请选择报送记录")
        self.ctx.run(
            registry.acknowledge_province_report,
            report_id=int(self.report.value),
            on=self.ctx.today,
            note=self.note.value,
        )
        self.note.value = ""
        self.refresh()
        self.messages.ok("已确认收到")


def report_documents(ctx: AppContext, reports: list[Any]) -> w.Widget:
    """公文与归档: the letter of each report to the province (报省厅, SEL-08, REN-08)."""
    offers = [Offer("province-report", int(r.id), f"报送记录{r.id}（{r.kind}）") for r in reports]
    return documents_section(ctx, offers)


def build(ctx: AppContext) -> w.Widget:
    """The city's reports for city roles, every report for the province."""
    try:
        require_roles(ctx, HEADING, (*CITY_ROLES, PROVINCE))
        if ctx.actor.role == PROVINCE:
            return ProvinceReportsPage(ctx).widget
        return CityReportsPage(ctx).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point."""
    return app_entry(HEADING, build)
