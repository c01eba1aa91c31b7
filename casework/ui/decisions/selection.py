"""研究确定 — the selection half (SEL-04, SEL-07): the city decides on the panel's verdict.

For the chosen application the panel verdict (eligibility, priority, unmet conditions — computed
with :func:`casework.domain.scoring.evaluate_selection` by :class:`SelectionVerdictView`), then
拟备案 or 不予备案 with a note through :func:`registry.decide_application`. Only an eligible
applicant may be approved (SEL-04); a 6th institution per project or a 6th project per
institution needs an override reason and a 市级负责人 (SEL-07) — the registry enforces both and
the page shows its message.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import lifecycle, rubrics
from casework.errors import NotFound
from casework.queries.decisions import selection_record
from casework.queries.keys import APPLICATION, case_number_of
from casework.registry.actors import CITY_MANAGER
from casework.ui.archiving import archive_after
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.gates import require_own_city
from casework.ui.kit import (
    WIDE,
    Messages,
    esc,
    guarded,
    info,
    section,
    title,
)
from casework.ui.quota import QuotaSection
from casework.ui.selection_verdict import SelectionVerdictView

QUOTA_EXPLAINED = (
    "拟备案后本市同一考核项目的考核机构超过5家、或该机构考核项目超过5个的（SEL-07），"
    "须填写突破理由，并由市级负责人研究确定。"
)


class SelectionDecisionPage:
    """One application of the acting user's city, decided on the panel verdict."""

    def __init__(self, ctx: AppContext, application_id: int) -> None:
        record = selection_record(ctx.store, application_id)
        if record is None:
            raise NotFound(f"未找到备案申请（编号{application_id}）")
        require_own_city(ctx, record["city_code"], f"{record['institution']}的申请", "打开研究确定")
        self.ctx, self.application_id = ctx, application_id
        self.messages = Messages()
        self.header = w.HTML()
        self.verdict_view: SelectionVerdictView | None = None
        verdict: w.Widget = info("尚未组建遴选评估组，不能研究确定")
        if record["panel_id"] is not None:
            supplementary = pd.DataFrame(
                list(record["supplementary"] or []), columns=["sub_id", "text"]
            )
            self.verdict_view = SelectionVerdictView(
                ctx, int(record["panel_id"]), rubrics.by_id(str(record["rubric_id"])), supplementary
            )
            self.verdict_view.widget.children[0].value = "<h3>评估组意见（SEL-04）</h3>"
            self.verdict_view.body.observe(lambda _c: self._buttons(), names="value")
            verdict = self.verdict_view.widget
        self.note = w.Textarea(
            description="决定说明",
            continuous_update=False,
            layout=WIDE,
            placeholder="研究确定的意见",
        )
        self.override_reason = w.Textarea(
            description="突破理由",
            continuous_update=False,
            layout=WIDE,
            placeholder="仅在突破数量限制时填写（SEL-07，须市级负责人）",
        )
        self.approve_button = w.Button(
            description=lifecycle.APPLICATION_PROPOSED, button_style="success"
        )
        self.approve_button.on_click(guarded(ctx, self.messages, "研究确定拟备案", self._approve))
        self.reject_button = w.Button(description="不予备案", button_style="danger")
        self.reject_button.on_click(guarded(ctx, self.messages, "研究确定不予备案", self._reject))
        self.decided = w.HTML()
        self.quota = QuotaSection(ctx, record["city_code"], int(record["institution_id"]))
        role_note = (
            ""
            if ctx.actor.role == CITY_MANAGER
            else "　您是市级经办：突破数量限制须由市级负责人决定"
        )
        self.widget = w.VBox(
            [
                self.header,
                verdict,
                section(
                    "研究确定（SEL-04、SEL-07）",
                    info(QUOTA_EXPLAINED + role_note),
                    self.note,
                    self.override_reason,
                    w.HBox([self.approve_button, self.reject_button]),
                    self.decided,
                ),
                self.messages.widget,
                self.quota.widget,
            ]
        )
        self.refresh()
        fields = {"note": self.note, "override_reason": self.override_reason}
        self.draft = FormDraft(ctx, "decisions:selection", str(application_id), fields)

    def record(self) -> dict[str, Any]:
        record = selection_record(self.ctx.store, self.application_id)
        if record is None:
            raise NotFound(f"未找到备案申请（编号{self.application_id}）")
        return record

    def refresh(self) -> None:
        record = self.record()
        self.header.value = title(
            f"研究确定（遴选）：{record['institution']}",
            f"申请编号 {case_number_of(self.ctx.store, APPLICATION, self.application_id)}　"
            f"{record['kind']}　申报项目：{record['projects']}　"
            f"征集公告：{record['call_title']}　状态：{record['status']}",
        ).value
        if self.verdict_view is not None:
            self.verdict_view.refresh()
        self.decided.value = (
            f"<p><b>已于{record['decided_on']}研究确定：{esc(record['status'])}</b>"
            f"　{esc(record['decision_note'] or '')}</p>"
            if record["decided_on"] is not None
            else ""
        )
        self.quota.refresh()
        self._buttons()

    def _buttons(self) -> None:
        open_ = (
            self.verdict_view is not None
            and self.verdict_view.verdict is not None
            and self.record()["status"] == lifecycle.APPLICATION_EVALUATING
        )
        # approve stays enabled for an ineligible applicant: the registry refuses it and
        # names the unmet conditions (SEL-04)
        self.approve_button.disabled = not open_
        self.reject_button.disabled = not open_

    def _decide(self, approve: bool) -> dict[str, Any]:
        result: dict[str, Any] = self.ctx.run(
            registry.decide_application,
            application_id=self.application_id,
            approve=approve,
            on=self.ctx.today,
            note=self.note.value.strip(),
            override_reason=self.override_reason.value.strip() if approve else "",
        )
        self.draft.clear(reset=True)
        archive_after(self.ctx, self.messages, "selection", self.application_id)
        self.refresh()
        return result

    def _approve(self, _button: Any = None) -> None:
        result = self._decide(True)
        priority = "，优先备案" if result["priority"] else ""
        self.messages.ok(f"已研究确定：拟备案{priority}；可在“公示与备案”中公示")

    def _reject(self, _button: Any = None) -> None:
        self._decide(False)
        self.messages.ok("已研究确定：不予备案（未通过）")
