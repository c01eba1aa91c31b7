"""研究确定 — the renewal half (REN-05, REN-06): the city decides on the renewal group's
Attachment 6.

The page computes Attachment 6 from the members' submitted sheets with
``scoring.renewal_outcome`` (as the leader's view does), shows the group's opinion,
the projects without assessment during the term that will not be renewed (REN-05) and any veto
finding (REN-06: the decision opens a supervision case at once). 确定评估结果 calls
:func:`registry.decide_renewal`, which recomputes all of it on the server.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import lifecycle, rules, scoring
from casework.domain.terms import term_of
from casework.errors import NotFound
from casework.queries.decisions import renewal_record
from casework.queries.keys import RENEWAL, case_number_of
from casework.queries.renewal_outcome import GroupOutcome, renewal_outcome_of
from casework.queries.scope import project_name_map
from casework.registry.renewal import projects_without_assessment
from casework.ui.archiving import archive_after
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.gates import require_own_city
from casework.ui.kit import WIDE, Messages, esc, guarded, info, section, table_html, title

GROUP_HEADERS = {"group": "一级指标", "max_points": "分值", "points": "评估组平均得分"}


def group_of(ctx: AppContext, record: dict[str, Any]) -> GroupOutcome | None:
    """The group's Attachment 6 outcome (:func:`renewal_outcome_of`); None before the group is
    constituted (REN-04). Its ``summary`` is None while a member's sheet is missing."""
    if record["panel_id"] is None:
        return None
    return renewal_outcome_of(ctx.store, int(record["renewal_id"]))


def attachment6_html(
    outcome: scoring.Attachment6Summary, rubric: Any, names: dict[str, str]
) -> str:
    """Members' totals, per 一级指标, composite and grade, self-vs-group and veto findings."""
    totals = pd.DataFrame(
        {
            "专家": [names.get(str(m), str(m)) for m in outcome.member_totals.index],
            "专家评分": [f"{float(v):g}" for v in outcome.member_totals],
        }
    )
    groups = (
        outcome.group_totals.groupby(["group_no", "group"], as_index=False)
        .agg(points=("points", "mean"), max_points=("max_points", "first"))
        .assign(
            points=lambda f: f.points.map(lambda v: f"{scoring.round_half_up(v):g}"),
            max_points=lambda f: f.max_points.map(lambda v: f"{v:g}"),
        )
    )
    parts = [table_html(totals), "<p></p>", table_html(groups, GROUP_HEADERS)]
    if outcome.delta is not None:
        d = outcome.delta
        parts.append(
            f"<p>机构自评 {d.self_total:g} 分，评估组平均 {d.group_mean_total:g} 分，"
            f"相差 {d.delta_total:g} 分</p>"
        )
    parts.append(
        f'<p class="cw-total">综合得分：{outcome.composite:g}　等次：{esc(outcome.grade.label)}'
        f"（综合得分{outcome.grade.pass_mark:g}分及以上且无不合格项为合格，REN-05）</p>"
    )
    texts = rubric.veto_items.set_index("veto_id")["text"]
    if outcome.veto.found_items:
        found = "；".join(f"{v} {texts.get(v, '')}" for v in outcome.veto.found_items)
        parts.append(
            f"<p class='cw-overdue'>不合格项：{esc(found)}（REN-06：评估不合格，"
            "确定后立即登记监管事项进行调查）</p>"
        )
    else:
        parts.append("<p>不合格项：无（REN-06）</p>")
    return "".join(parts)


class RenewalDecisionPage:
    """One renewal case of the acting user's city, decided on the group's Attachment 6."""

    def __init__(self, ctx: AppContext, renewal_id: int) -> None:
        record = renewal_record(ctx.store, renewal_id)
        if record is None:
            raise NotFound(f"未找到续期评估案件（编号{renewal_id}）")
        require_own_city(
            ctx, record["city_code"], f"{record['institution']}的续期评估", "打开研究确定"
        )
        self.ctx, self.renewal_id = ctx, renewal_id
        self.names = project_name_map(ctx.store)
        self.messages = Messages()
        self.header = w.HTML()
        self.summary = w.HTML()
        self.group_opinion = w.HTML()
        self.dropped = w.HTML()
        self.result = w.HTML()
        self.opinion = w.Textarea(
            value=str(record["decision_note"] or ""),
            description="确定意见",
            placeholder="研究确定的意见（与评估组意见建议分别保存）",
            continuous_update=False,
            layout=WIDE,
        )
        self.decide_button = w.Button(description="确定评估结果", button_style="primary")
        self.decide_button.on_click(
            guarded(ctx, self.messages, "研究确定续期评估结果", self._decide)
        )
        self.refresh_button = w.Button(description="刷新")
        self.refresh_button.on_click(
            guarded(ctx, self.messages, "刷新续期评估", lambda _b: self.refresh())
        )
        self.widget = w.VBox(
            [
                self.header,
                section("续期评估组意见反馈表（附件6）", self.summary, self.group_opinion),
                section("备案期内未开展考核的项目（REN-05）", self.dropped),
                section(
                    "研究确定（REN-05、REN-06）",
                    self.opinion,
                    w.HBox([self.decide_button, self.refresh_button]),
                    self.result,
                ),
                self.messages.widget,
            ]
        )
        self.outcome: scoring.Attachment6Summary | None = None
        self.refresh()
        self.draft = FormDraft(ctx, "decisions:renewal", str(renewal_id), {"opinion": self.opinion})

    def record(self) -> dict[str, Any]:
        record = renewal_record(self.ctx.store, self.renewal_id)
        if record is None:
            raise NotFound(f"未找到续期评估案件（编号{self.renewal_id}）")
        return record

    def _label(self, code: str) -> str:
        return f"{code} {self.names.get(code, '')}".strip()

    def refresh(self) -> None:
        record = self.record()
        term = term_of(record)
        self.header.value = title(
            f"研究确定（续期评估）：{record['institution']}",
            f"续期评估案件编号 {case_number_of(self.ctx.store, RENEWAL, self.renewal_id)}　"
            f"机构代码：{record['code']}　"
            f"现有效期：{term.text}　状态：{record['status']}",
        ).value
        group = group_of(self.ctx, record)
        self.outcome = None if group is None else group.summary
        if group is None or group.summary is None:
            waiting = (
                [] if group is None else [n for u, n in group.names.items() if u in group.waiting]
            )
            self.summary.value = info(
                "评估组成员尚未全部提交评分表"
                + (f"：{'、'.join(waiting)}" if waiting else "")
                + "；全部提交后显示附件6并可研究确定"
            ).value
        else:
            self.summary.value = attachment6_html(group.summary, group.rubric, group.names)
        opinion = str(record["opinion"] or "").strip()
        self.group_opinion.value = (
            f"<p><b>评估组意见建议：</b>{esc(opinion)}</p>"
            if opinion
            else "<p>评估组组长尚未提交评估组意见建议（附件6）</p>"
        )
        self._show_dropped(record, term)
        self._show_result(record)
        self.decide_button.disabled = (
            record["status"] != lifecycle.RENEWAL_EVALUATING or self.outcome is None
        )

    def _show_dropped(self, record: dict[str, Any], term: Any) -> None:
        dropped = projects_without_assessment(record)
        held = [p["project_code"] for p in (record["application"] or {}).get("projects", [])]
        labels = "、".join(map(self._label, dropped))
        text = (
            f"<p>以下项目备案期内未开展考核，续期时不再纳入考核范围：{esc(labels)}</p>"
            if dropped
            else "<p>备案期内各项目均开展了考核</p>"
        )
        if dropped and set(dropped) >= set(held):
            text += "<p class='cw-overdue'>备案期内全部项目均未开展考核，不予续期（REN-05）</p>"
        if record["status"] == lifecycle.RENEWAL_EVALUATING:
            text += f"<p>评估合格的，新有效期为{esc(term.next_term().text)}，机构代码不变</p>"
        self.dropped.value = text

    def _show_result(self, record: dict[str, Any]) -> None:
        if record["decided_on"] is None:
            self.result.value = ""
            return
        text = (
            f"<p><b>已于{record['decided_on']}研究确定：{esc(record['grade'])}</b>"
            f"　综合得分：{float(record['composite'] or 0):g}</p>"
        )
        if record["grade"] == rules.GRADE_PASS:
            text += (
                f"<p>新有效期：{esc(term_of(record).text)}，机构代码{esc(record['code'])}不变</p>"
            )
            if record["dropped_projects"]:
                dropped = "、".join(map(self._label, record["dropped_projects"]))
                text += f"<p>不再纳入考核范围的项目：{esc(dropped)}</p>"
        else:
            text += "<p>不予续期</p>"
        if str(record["decision_note"] or "").strip():
            text += f"<p><b>研究确定意见：</b>{esc(record['decision_note'])}</p>"
        if record["veto_found"]:
            text += "<p class='cw-overdue'>存在不合格项，已登记监管事项（REN-06）</p>"
        self.result.value = text

    def _decide(self, _button: Any = None) -> None:
        outcome = self.ctx.run(
            registry.decide_renewal,
            renewal_id=self.renewal_id,
            on=self.ctx.today,
            opinion=self.opinion.value.strip(),
        )
        self.draft.clear()
        archive_after(self.ctx, self.messages, "renewal", self.renewal_id)
        self.refresh()
        self.messages.ok(
            f"已研究确定续期评估结果：{outcome['grade']}（综合得分 {outcome['composite']:g}）"
        )
