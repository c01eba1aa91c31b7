"""研究确定 — the selection half (SEL-04, SEL-07): the city decides on the panel's verdict.

For the chosen application the panel verdict (eligibility, priority, unmet conditions — computed
with :func:`casework.domain.scoring.evaluate_selection` by :class:`SelectionVerdictView`), then
拟备案 or 不予备案 with a note through :func:`registry.decide_application`. Only an eligible
applicant may be approved (SEL-04); a 6th institution per project or a 6th project per
institution needs an override reason and a 市级负责人 (SEL-07) — the registry enforces both and
the page shows its message.

Per project (issue #14): the city ticks the projects it approves (only those the panel found
the applicant qualified for are ticked to begin with) and gives a reason for each project it
declines; the registry re-checks every choice (SEL-04). After the decision the page lists each
project with its decision and reason.
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
    GuardedCheckbox,
    GuardedText,
    Messages,
    esc,
    guard,
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
        # SEL-04: one tick (approve) and one reason (if declined) per project applied for
        self.project_ticks: dict[str, Any] = {}
        self.decline_reasons: dict[str, Any] = {}
        project_rows: list[w.Widget] = []
        for p in record.get("project_decisions") or []:
            code, name = str(p["project_code"]), str(p["name"])
            tick = guard(
                GuardedCheckbox(value=True, description=f"{code} {name}", indent=False),
                ctx,
                f"拟备案项目{code}",
            )
            reason = guard(
                GuardedText(
                    placeholder="不予备案的理由（未勾选时必填）", layout=w.Layout(width="50%")
                ),
                ctx,
                f"项目{code}不予备案理由",
                200,
            )
            self.project_ticks[code], self.decline_reasons[code] = tick, reason
            project_rows.append(w.HBox([tick, reason]))
        self.projects_box = w.VBox(
            [
                w.HTML("<b>拟备案的考核项目</b>（勾选拟备案的项目；未勾选的须写明不予备案理由）"),
                *project_rows,
            ]
        )
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
                    self.projects_box,
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
            f"　{esc(record['decision_note'] or '')}</p>" + decisions_html(record)
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
        verdict = self.verdict_view.verdict if self.verdict_view is not None else None
        seed = open_ and verdict is not None and bool(verdict.projects) and not self._seeded
        for code, tick in self.project_ticks.items():
            tick.disabled = self.decline_reasons[code].disabled = not open_
            if seed:  # once: the projects the panel found qualified (the officer may untick)
                tick.value = code in verdict.eligible_projects  # type: ignore[union-attr]
        self._seeded = self._seeded or seed

    _seeded = False  # the ticks were set once from the panel's per-project finding

    def _decide(self, approve: bool) -> dict[str, Any]:
        chosen = [c for c, t in self.project_ticks.items() if t.value]
        declined = {
            c: str(self.decline_reasons[c].value or "").strip()
            for c, t in self.project_ticks.items()
            if not t.value
        }
        per_project: dict[str, Any] = (
            {"projects": chosen, "declined": declined} if approve and self.project_ticks else {}
        )
        result: dict[str, Any] = self.ctx.run(
            registry.decide_application,
            application_id=self.application_id,
            approve=approve,
            on=self.ctx.today,
            note=self.note.value.strip(),
            override_reason=self.override_reason.value.strip() if approve else "",
            **per_project,
        )
        self.draft.clear(reset=True)
        archive_after(self.ctx, self.messages, "selection", self.application_id)
        self.refresh()
        return result

    def _approve(self, _button: Any = None) -> None:
        result = self._decide(True)
        priority = "，优先备案" if result["priority"] else ""
        declined = "、".join(result.get("declined") or {})
        rest = f"；不予备案项目：{declined}" if declined else ""
        self.messages.ok(f"已研究确定：拟备案{priority}{rest}；可在“公示与备案”中公示")

    def _reject(self, _button: Any = None) -> None:
        self._decide(False)
        self.messages.ok("已研究确定：不予备案（未通过）")


def decisions_html(record: dict[str, Any]) -> str:
    """SEL-04: each project applied for with the city's decision and, if declined, why."""
    rows = [p for p in record.get("project_decisions") or [] if p.get("decision")]
    if not rows:
        return ""
    items = "".join(
        f"<li>{esc(p['project_code'])} {esc(p['name'])}：<b>{esc(p['decision'])}</b>"
        + (f"（{esc(p['decision_reason'])}）" if p.get("decision_reason") else "")
        + "</li>"
        for p in rows
    )
    return f"<ul>{items}</ul>"
