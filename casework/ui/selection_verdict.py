"""The selection panel leader's view of the panel verdict (SEL-04).

Until every member has submitted, it lists who has not. Then it shows, per condition, how many
members judged it met and who judged it either way, the panel's finding, whether the applicant
meets every mandatory and supplementary condition (eligible) and whether it has priority (any of
items 8–10 met). The city decides on that basis in its own app (``decide_application``).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework.domain import scoring
from casework.queries.panels import panel_roster, submitted_sheets
from casework.queries.stored_sheets import SELECTION_SHEET, SUBMITTED, selection_frame
from casework.ui.context import AppContext
from casework.ui.kit import Messages, esc, guarded, table_html

SHORT_TEXT = 36
COLUMNS = {
    "sub_id": "条件",
    "kind": "类别",
    "text": "评估内容",
    "count": "判定符合",
    "met_by": "判定符合的成员",
    "not_met_by": "判定不符合的成员",
    "notes": "备注",
    "finding": "评估组意见",
}


def short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT else text[:SHORT_TEXT] + "…"


def yes_no(flag: bool) -> str:
    return "是" if flag else "否"


class SelectionVerdictView:
    """Per condition how each member judged it, eligibility, priority and the unmet conditions."""

    def __init__(
        self, ctx: AppContext, panel_id: int, rubric: Any, supplementary: pd.DataFrame
    ) -> None:
        self.ctx, self.panel_id = ctx, panel_id
        self.rubric, self.supplementary = rubric, supplementary
        self.messages = Messages()
        self.body = w.HTML()
        self.verdict: scoring.SelectionVerdict | None = None
        self.refresh_button = w.Button(description="刷新")
        self.refresh_button.on_click(
            guarded(ctx, self.messages, "刷新评估组意见", lambda _b: self.refresh())
        )
        self.widget = w.VBox(
            [
                w.HTML("<h3>评估组意见（组长查看）</h3>"),
                self.body,
                self.refresh_button,
                self.messages.widget,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        roster = panel_roster(self.ctx.store, self.panel_id)
        names = dict(zip(roster.username, roster.display_name, strict=True))
        waiting = roster[roster.sheet_status != SUBMITTED]
        if not waiting.empty:
            self.verdict = None
            self.body.value = (
                f'<div class="cw-info">尚未提交核验表（{len(roster) - len(waiting)}/'
                f"{len(roster)} 人已提交）：{esc('、'.join(waiting.display_name))}；"
                "全部成员提交后显示评估组意见</div>"
            )
            return
        done = [
            s
            for s in submitted_sheets(self.ctx.store, self.panel_id)
            if s["kind"] == SELECTION_SHEET
        ]
        frames = [selection_frame(s["rows"], s["author"]) for s in done]
        self.verdict = scoring.evaluate_selection(self.rubric, frames, self.supplementary)
        self.body.value = self._render(self.verdict, frames, names)

    def _render(
        self, verdict: scoring.SelectionVerdict, frames: list[pd.DataFrame], names: dict[str, str]
    ) -> str:
        def who(joined: str) -> str:
            return "、".join(names.get(u, u) for u in joined.split("、") if u)

        notes = pd.concat(frames, ignore_index=True)
        notes = notes[notes.note.str.strip() != ""]
        note_of = (
            notes.assign(line=notes.member.map(lambda u: names.get(u, u)) + "：" + notes.note)
            .groupby("sub_id")["line"]
            .agg("；".join)
        )
        table = verdict.per_condition.assign(
            text=verdict.per_condition.text.map(short),
            count=verdict.per_condition.members_met.astype(str)
            + "/"
            + verdict.per_condition.members_total.astype(str),
            met_by=verdict.per_condition.met_by.map(who),
            not_met_by=verdict.per_condition.not_met_by.map(who),
            notes=verdict.per_condition.sub_id.map(note_of).astype(object).fillna(""),
            finding=verdict.per_condition.panel_met.map({True: "符合", False: "不符合"}),
        )
        unmet = "、".join(verdict.unmet) or "无"
        priority = "、".join(verdict.priority_met) or "无"
        eligible = (
            "<b>符合</b>" if verdict.eligible else "<b class='cw-overdue'>不符合</b>（不能拟备案）"
        )
        return (
            f"<p>符合全部必备条件及本市补充条件（SEL-04）：{eligible}</p>"
            + per_project_html(verdict)
            + f"<p>未满足的必备/补充条件：{esc(unmet)}</p>"
            f"<p>评估组判定符合的优先条件（第8—10项）：{esc(priority)}　"
            f"优先备案：<b>{yes_no(verdict.priority)}</b></p>"
            + table_html(table, COLUMNS)
            + "<p style='color:#666'>评估组对每项条件的意见按过半数成员的判定确定；"
            "是否拟备案由备案所属市人力资源社会保障局研究确定。</p>"
        )


def per_project_html(verdict: scoring.SelectionVerdict) -> str:
    """SEL-04 (issue #14): the panel's finding project by project, when the checklists judged
    the per-project conditions for each project applied for; "" otherwise."""
    if not verdict.projects:
        return ""
    parts = []
    for code in verdict.projects:
        missing = verdict.project_unmet.get(code, ())
        if code in verdict.eligible_projects:
            parts.append(f"{esc(code)} <b>符合</b>")
        else:
            why = f"（未满足：{esc('、'.join(missing))}）" if missing else "（通用条件未满足）"
            parts.append(f"{esc(code)} <b class='cw-overdue'>不符合</b>{why}")
    return f"<p>按申报项目：{'；'.join(parts)}</p>"
