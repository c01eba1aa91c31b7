"""研究确定 — the city decides on the panel's or the group's opinion (SEL-04, SEL-07, REN-05,
REN-06).

The city's cases ready for a decision: applications in 评估中 whose panel members have all
submitted (decided in :mod:`casework.ui.decisions.selection`) and renewal cases whose group has
(decided in :mod:`casework.ui.decisions.renewal`).

The notebook parameter ``case_id`` is ``"selection:<application id>"`` or
``"renewal:<renewal case id>"`` (a bare number is an application id).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework.errors import NotFound, RuleViolation
from casework.queries.decisions import (
    renewal_cases_assessing,
    selection_cases,
)
from casework.ui.case_documents import documents_section, renewal_documents
from casework.ui.context import AppContext
from casework.ui.decisions.renewal import RenewalDecisionPage
from casework.ui.decisions.selection import SelectionDecisionPage
from casework.ui.gates import page_or_refusal, require_city_role
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    Messages,
    app_entry,
    esc,
    guard,
    guarded,
    options,
    section,
    table_html,
    title,
)

HEADING = "研究确定"
SELECTION, RENEWAL = "selection", "renewal"
SELECTION_HEADERS = {
    "application_id": "申请编号",
    "institution": "申报单位",
    "kind": "类型",
    "projects": "申报项目",
    "progress": "已提交核验表",
}
RENEWAL_HEADERS = {
    "renewal_id": "案件编号",
    "institution": "考核机构",
    "code": "机构代码",
    "term_end": "有效期至",
    "progress": "已提交评分表",
}


def parse_case_id(case_id: int | str) -> tuple[str, int]:
    """``"selection:12"`` / ``"renewal:3"`` (or a bare application id) → (kind, id)."""
    text = str(case_id).strip()
    kind, _, number = text.rpartition(":")
    kind = kind or SELECTION
    if kind not in (SELECTION, RENEWAL) or not number.isdigit():
        raise NotFound(f"案件编号“{text}”无效：应为 selection:申请编号 或 renewal:续期案件编号")
    return kind, int(number)


class DecisionsHome:
    """The city's cases ready for a decision: applications and renewal cases."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.ctx = ctx
        self.messages = Messages()
        self.holder = w.VBox()
        apps = selection_cases(ctx.store, city_code)
        cases = renewal_cases_assessing(ctx.store, city_code)
        self.application = self._picker(apps, "application_id", "申报单位")
        self.renewal = self._picker(cases, "renewal_id", "续期机构")
        self.open_application = self._button(SELECTION, self.application)
        self.open_renewal = self._button(RENEWAL, self.renewal)
        self.widget = w.VBox(
            [
                title(HEADING, "根据评估组意见研究确定遴选结果和续期评估结果"),
                section(
                    "遴选：评估组成员已全部提交核验表的申请（SEL-04、SEL-07）",
                    self._listing(apps, SELECTION_HEADERS, "本市暂无可研究确定的申请"),
                    w.HBox([self.application, self.open_application]),
                ),
                section(
                    "续期：评估组已全部提交评分表的案件（REN-05、REN-06）",
                    self._listing(cases, RENEWAL_HEADERS, "本市暂无可研究确定的续期案件"),
                    w.HBox([self.renewal, self.open_renewal]),
                ),
                self.messages.widget,
                self.holder,
            ]
        )

    def _picker(self, frame: pd.DataFrame, key: str, label: str) -> Any:
        ready = frame[frame["ready"]]
        return guard(
            GuardedDropdown(
                options=options(ready, key, lambda r: f"{r[key]} {r['institution']}"),
                description=label,
                layout=WIDE,
            ),
            self.ctx,
            label,
        )

    def _button(self, kind: str, picker: Any) -> w.Button:
        button = w.Button(description="打开", button_style="primary", disabled=not picker.options)
        button.on_click(
            guarded(self.ctx, self.messages, "打开研究确定", lambda _b: self._open(kind, picker))
        )
        return button

    @staticmethod
    def _listing(frame: pd.DataFrame, headers: dict[str, str], empty: str) -> w.HTML:
        """The ready cases as a table; those still waiting for sheets named below it."""
        ready, waiting = frame[frame["ready"]], frame[~frame["ready"]]
        text = table_html(ready, headers) if len(ready) else f"<p>{esc(empty)}</p>"
        if len(waiting):
            names = "、".join(
                f"{r['institution']}（{r['progress']}）" for r in waiting.to_dict("records")
            )
            text += f"<p style='color:#666'>尚待评估组提交的：{esc(names)}</p>"
        return w.HTML(text)

    def _open(self, kind: str, picker: Any) -> None:
        if picker.value is None:
            raise RuleViolation("请先选择案件")
        self.holder.children = [case_page(self.ctx, kind, int(picker.value))]


def case_page(ctx: AppContext, kind: str, number: int) -> w.Widget:
    """The case's decision page, then its 公文与归档 (Attachments 6 and 7/7-1, the round's
    results and all its Attachment 7, the archived reports)."""
    if kind == RENEWAL:
        page = RenewalDecisionPage(ctx, number).widget
        return w.VBox([page, renewal_documents(ctx, number)])
    page = SelectionDecisionPage(ctx, number).widget
    return w.VBox([page, documents_section(ctx, archived=[("selection", number)])])


def build(ctx: AppContext, case_id: int | str | None = None) -> w.Widget:
    """The page for the acting user: one case, or the city's cases ready for a decision."""

    def make() -> w.Widget:
        city = require_city_role(ctx, "打开研究确定")
        if case_id is None:
            return DecisionsHome(ctx, city).widget
        return case_page(ctx, *parse_case_id(case_id))

    return page_or_refusal(HEADING, make)


def app(case_id: int | str | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, case_id)
