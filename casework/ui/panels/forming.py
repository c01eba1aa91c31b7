"""Form a selection panel (SEL-03) or a renewal group (REN-04) of 3–5 pool experts with a
leader, and replace a member who withdraws before anyone submitted a sheet.

The page offers only the city's active pool experts who may sit on the chosen case (same unit
and declared conflicts left out, SUP-03); a crafted choice outside the offer is refused and
logged by the guarded widgets, and the registry (``constitute_panel``, ``constitute_group``,
``replace_panel_member``) checks the case state, the city, the group and the pool again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import limits, rules
from casework.errors import RuleViolation
from casework.queries.experts import RENEWAL, awaiting_panel, evaluating_panels, pool_of
from casework.queries.panels import panel_roster
from casework.registry.renewal import RENEWAL_METHODS
from casework.registry.selection import SELECTION_METHODS
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedSelectMultiple,
    GuardedText,
    Messages,
    guard,
    guarded,
    section,
    table_html,
)

ROSTER_HEADERS = {
    "display_name": "姓名",
    "unit": "工作单位",
    "role": "职务",
    "coi": "利益冲突声明",
    "sheet_status": "评估表",
}
STYLE = {"description_width": "initial"}


def eligible(pool: pd.DataFrame, institution_id: int, institution: str) -> pd.DataFrame:
    """Active pool experts who may sit on this institution's case: not of its unit, no declared
    conflict with it (SUP-03)."""
    active = pool[pool["active"]]
    same_unit = active["unit"].str.strip() == institution.strip()
    conflict = active["conflicts"].map(lambda ids: institution_id in ids)
    return active[~same_unit & ~conflict]


def expert_label(row: Any) -> str:
    specialty = f"，{row['specialty']}" if row["specialty"] else ""
    return f"{row['display_name']}（{row['unit']}{specialty}）"


class FormingSection:
    """The form of a new panel or group for a case waiting for one."""

    def __init__(self, ctx: AppContext, city_code: str, on_change: Callable[[], None]) -> None:
        self.ctx, self.city_code, self.on_change = ctx, city_code, on_change
        self.messages = Messages()
        self.case = guard(
            GuardedDropdown(options=[], description="待组建评估组的案件", layout=WIDE, style=STYLE),
            ctx,
            "案件",
        )
        self.members = guard(
            GuardedSelectMultiple(
                options=[], rows=8, description="评估组成员", layout=WIDE, style=STYLE
            ),
            ctx,
            "评估组成员",
        )
        self.leader = guard(
            GuardedDropdown(options=[], description="组长", style=STYLE), ctx, "组长"
        )
        self.methods = guard(
            GuardedSelectMultiple(options=[], rows=5, description="评估方式", style=STYLE),
            ctx,
            "评估方式",
        )
        self.excluded = w.HTML()
        self.button = w.Button(description="组建评估组", button_style="primary")
        self.button.on_click(guarded(ctx, self.messages, "组建评估组", self._form))
        self.case.observe(lambda _c: self._case_changed(), names="value")
        self.members.observe(lambda _c: self._members_changed(), names="value")
        self.widget = section(
            f"组建评估组（{rules.PANEL_MIN}—{rules.PANEL_MAX}人，SEL-03、REN-04）",
            self.case,
            self.members,
            self.excluded,
            self.leader,
            self.methods,
            self.button,
            self.messages.widget,
        )
        self.refresh()
        self.draft = FormDraft(
            ctx,
            "panels:form",
            city_code,
            {
                "case": self.case,
                "members": self.members,
                "leader": self.leader,
                "methods": self.methods,
            },
        )

    def refresh(self) -> None:
        self.cases = awaiting_panel(self.ctx.store, self.city_code)
        self.pool = pool_of(self.ctx.store, self.city_code)
        current = self.case.value
        self.case.options = [
            (f"{r['purpose']} · {r['institution']}（{r['status']}）", r["key"])
            for r in self.cases.to_dict("records")
        ]
        keys = list(self.cases["key"])
        self.case.value = current if current in keys else (keys[0] if keys else None)
        self._case_changed()

    def _chosen_case(self) -> dict[str, Any] | None:
        row = self.cases[self.cases["key"] == self.case.value]
        return None if row.empty else row.iloc[0].to_dict()

    def _case_changed(self) -> None:
        case = self._chosen_case()
        keep_members, keep_methods = self.members.value, self.methods.value
        if case is None:
            self.members.options, self.methods.options = [], []
            self.excluded.value = "<p>本市当前没有待组建评估组的申请或续期案件</p>"
            self._members_changed()
            return
        fit = eligible(self.pool, int(case["institution_id"]), str(case["institution"]))
        self.members.options = [(expert_label(r), r["username"]) for r in fit.to_dict("records")]
        offered = set(fit["username"])
        self.members.value = tuple(m for m in keep_members if m in offered)
        methods = RENEWAL_METHODS if case["purpose"] == RENEWAL else SELECTION_METHODS
        self.methods.options = list(methods)
        kept = tuple(m for m in keep_methods if m in methods)
        self.methods.value = kept or tuple(methods[:2])
        left_out = self.pool[self.pool["active"] & ~self.pool["username"].isin(offered)]
        self.excluded.value = (
            "<span style='color:#666'>同单位或已声明回避、不能选入："
            + "、".join(str(n) for n in left_out["display_name"])
            + "（SUP-03）</span>"
            if len(left_out)
            else ""
        )
        self._members_changed()

    def _members_changed(self) -> None:
        labels = dict((v, k) for k, v in self.members.options)
        keep = self.leader.value
        self.leader.options = [(labels[m], m) for m in self.members.value if m in labels]
        chosen = list(self.members.value)
        self.leader.value = keep if keep in chosen else (chosen[0] if chosen else None)
        self.button.disabled = not (
            self._chosen_case() is not None
            and rules.PANEL_MIN <= len(chosen) <= rules.PANEL_MAX
            and self.leader.value in chosen
        )

    def _form(self, _button: Any = None) -> None:
        case = self._chosen_case()
        if case is None:
            raise RuleViolation("请选择待组建评估组的案件", rule_id="SEL-03")
        members = [{"username": m, "is_leader": m == self.leader.value} for m in self.members.value]
        methods = list(self.methods.value)
        if case["purpose"] == RENEWAL:
            panel_id = self.ctx.run(
                registry.constitute_group,
                renewal_id=int(case["case_id"]),
                members=members,
                on=self.ctx.today,
                methods=methods,
            )
        else:
            panel_id = self.ctx.run(
                registry.constitute_panel,
                application_id=int(case["case_id"]),
                members=members,
                on=self.ctx.today,
                methods=methods,
            )
        self.draft.clear()
        with self.draft.batch(save=False):
            self.refresh()
        self.on_change()
        self.messages.ok(
            f"已为{case['institution']}组建{case['purpose']}评估组（编号{panel_id}），"
            "成员登录后在首页看到本组"
        )


class ReplaceSection:
    """A panel under evaluation, its roster, and the replacement of a member who withdraws."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.ctx, self.city_code = ctx, city_code
        self.messages = Messages()
        self.panel = guard(
            GuardedDropdown(options=[], description="评估中的评估组", layout=WIDE, style=STYLE),
            ctx,
            "评估组",
        )
        self.roster = w.HTML()
        self.leaving = guard(
            GuardedDropdown(options=[], description="退出的成员", style=STYLE), ctx, "退出的成员"
        )
        self.joining = guard(
            GuardedDropdown(options=[], description="替补专家", layout=WIDE, style=STYLE),
            ctx,
            "替补专家",
        )
        self.reason = guard(
            GuardedText(
                description="更换原因",
                placeholder="如：声明存在利益冲突、因故不能参加",
                continuous_update=False,
                layout=WIDE,
                style=STYLE,
            ),
            ctx,
            "更换原因",
            limits.TITLE,
        )
        self.note = w.HTML()
        self.button = w.Button(description="更换成员", button_style="warning")
        self.button.on_click(guarded(ctx, self.messages, "更换评估组成员", self._replace))
        self.panel.observe(lambda _c: self._load(), names="value")
        self.widget = section(
            "更换评估组成员（评分前退出的成员，SEL-03、REN-04）",
            self.panel,
            self.roster,
            self.note,
            self.leaving,
            self.joining,
            self.reason,
            self.button,
            self.messages.widget,
        )
        self.refresh()
        self.draft = FormDraft(
            ctx,
            "panels:replace",
            city_code,
            {
                "panel": self.panel,
                "leaving": self.leaving,
                "joining": self.joining,
                "reason": self.reason,
            },
        )

    def refresh(self) -> None:
        self.panels = evaluating_panels(self.ctx.store, self.city_code)
        self.pool = pool_of(self.ctx.store, self.city_code)
        current = self.panel.value
        self.panel.options = [
            (f"{r['panel_id']} {r['purpose']} · {r['institution']}", int(r["panel_id"]))
            for r in self.panels.to_dict("records")
        ]
        ids = [v for _, v in self.panel.options]
        self.panel.value = current if current in ids else (ids[0] if ids else None)
        self._load()

    def _row(self) -> dict[str, Any] | None:
        row = self.panels[self.panels["panel_id"] == self.panel.value]
        return None if row.empty else row.iloc[0].to_dict()

    def _load(self) -> None:
        row = self._row()
        if row is None:
            self.roster.value, self.note.value = "<p>本市当前没有评估中的评估组</p>", ""
            self.leaving.options, self.joining.options = [], []
            self.button.disabled = True
            return
        roster = panel_roster(self.ctx.store, int(row["panel_id"]))
        shown = roster.assign(
            role=roster["is_leader"].map({True: "组长", False: "成员"}),
            coi=roster["coi_declared"].map({True: "已声明", False: "未声明"}),
        )
        self.roster.value = table_html(shown, ROSTER_HEADERS)
        keep_leaving, keep_joining = self.leaving.value, self.joining.value
        self.leaving.options = [
            (str(r["display_name"]), str(r["username"])) for r in roster.to_dict("records")
        ]
        fit = eligible(self.pool, int(row["institution_id"]), str(row["institution"]))
        fit = fit[~fit["username"].isin(set(roster["username"]))]
        self.joining.options = [(expert_label(r), r["username"]) for r in fit.to_dict("records")]
        leaving = [v for _, v in self.leaving.options]
        joining = [v for _, v in self.joining.options]
        self.leaving.value = keep_leaving if keep_leaving in leaving else None
        self.joining.value = keep_joining if keep_joining in joining else None
        locked = int(row["submitted"]) > 0
        self.note.value = (
            '<div class="cw-overdue">已有成员提交评估表，评估组不能再更换成员</div>'
            if locked
            else ""
        )
        self.button.disabled = locked

    def _replace(self, _button: Any = None) -> None:
        row = self._row()
        if row is None or self.leaving.value is None or self.joining.value is None:
            raise RuleViolation("请选择评估组、退出的成员和替补专家", rule_id="SEL-03")
        self.ctx.run(
            registry.replace_panel_member,
            panel_id=int(row["panel_id"]),
            leaving=str(self.leaving.value),
            joining=str(self.joining.value),
            reason=self.reason.value,
        )
        self.draft.clear()
        with self.draft.batch(save=False):
            self.reason.value = ""
            self.refresh()
        self.messages.ok("已更换评估组成员；新成员登录后在首页看到本组")
