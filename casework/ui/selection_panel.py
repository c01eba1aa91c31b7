"""遴选评估 — a selection panel member checks Attachment 1; the leader sees the panel verdict.

Every sub-condition of Attachment 1 (items 1–10, 必备 and 优先 marked) and every supplementary
condition of the city's call is judged 符合/不符合 with an optional note (SEL-03). The draft is
saved to the store as it is typed; submitting checks that every condition is judged (SEL-04)
and locks the checklist. Once every member has submitted, the leader sees how each member judged
each condition, whether the applicant meets every mandatory and supplementary condition and
whether it has priority (SEL-04). The decision itself is the city's (``decide_application``).

Per project (issue #14): when the applicant applied for more than one project, each condition
the rubric marks ``per_project`` (the project's site, examiners, experts, question bank and
experience: Att.1 2.3, 4.3, 4.4, 5.1, 5.2, 6.1, 6.2) is shown once per project and judged for
it (a row with ``project_code``; its toggle is keyed ``sub_id@code``). With one project every
condition is judged once, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import pandas as pd
from ipywidgets.widgets.widget_string import TextStyle

from casework import registry
from casework.domain import lifecycle, rubrics
from casework.domain.rubrics import MANDATORY, PRIORITY
from casework.domain.scoring import SUPPLEMENTARY
from casework.errors import CaseworkError, NotFound, PermissionDenied
from casework.queries.panels import selection_case, supplementary_conditions
from casework.queries.sheets import my_panels, my_sheet, panel_members_of
from casework.queries.stored_sheets import SUBMITTED
from casework.ui.context import AppContext
from casework.ui.evidence import selection_hints
from casework.ui.kit import (
    GuardedText,
    GuardedToggleButtons,
    Messages,
    app_entry,
    case_picker,
    esc,
    guard,
    guarded,
    layout,
    plain_html,
    refusal_page,
    style,
    title,
)

HEADING = "遴选评估（附件1 核验）"
MET, NOT_MET = "符合", "不符合"
SECTIONS = {
    MANDATORY: "一、必备条件（第1—7项，须全部符合）",
    PRIORITY: "二、优先条件（第8—10项，符合其一者可优先备案）",
    SUPPLEMENTARY: "三、本市补充条件（须全部符合）",
}
BADGE = "<span style='color:#fff;background:{};padding:0 5px;border-radius:3px'>{}</span>"
BADGES = {
    MANDATORY: BADGE.format("#a61b1b", "必备"),
    PRIORITY: BADGE.format("#2f5fa8", "优先"),
    SUPPLEMENTARY: BADGE.format("#8a5a00", "补充"),
}


def all_conditions(rubric: Any, supplementary: pd.DataFrame) -> pd.DataFrame:
    """Attachment 1's sub-conditions in order, then the city's: sub_id, item_no, item_name,
    kind, text."""
    base = rubric.conditions[["sub_id", "item_no", "item_name", "kind", "text"]]
    extra = supplementary.assign(item_no=None, item_name="本市补充条件", kind=SUPPLEMENTARY)
    return pd.concat([base, extra[base.columns]], ignore_index=True)


class SelectionChecklist:
    """One member's Attachment 1 checklist for one selection panel (SEL-03, SEL-04)."""

    def __init__(self, ctx: AppContext, panel_id: int) -> None:
        self.ctx, self.panel_id = ctx, panel_id
        me = [
            m for m in panel_members_of(ctx.store, panel_id) if m["username"] == ctx.actor.username
        ]
        if not me:
            raise PermissionDenied(f"{ctx.actor.label}不是该遴选评估组成员")
        case = selection_case(ctx.store, panel_id)
        if case is None:
            raise NotFound(f"未找到遴选评估组（编号{panel_id}）")
        self.case, self.is_leader = case, bool(me[0]["is_leader"])
        self.rubric: Any = rubrics.by_id(str(case["rubric_id"]))
        self.supplementary = supplementary_conditions(ctx.store, panel_id)
        self.conditions = all_conditions(self.rubric, self.supplementary)
        listed = [str(p).split(" ", 1) for p in case["projects"]]
        self.project_names = {p[0]: (p[1] if len(p) > 1 else p[0]) for p in listed}
        # SEL-04: with several projects, the per-project conditions are judged for each one.
        rubric = self.rubric
        per = rubric.per_project if isinstance(rubric, rubrics.SelectionRubric) else ()
        self.split = set(per) if len(listed) > 1 else set()
        self.hints = selection_hints(ctx.store, int(case["application_id"]))
        self.messages = Messages()
        self.toggles: dict[str, Any] = {}
        self.notes: dict[str, Any] = {}
        self.progress, self.saving = plain_html(""), plain_html("")
        self.submit_button = w.Button(
            description="提交核验表", button_style="primary", disabled=True
        )
        self.submit_button.on_click(guarded(ctx, self.messages, "提交评估表", self._submit))
        self.locked = False
        self._loading = True
        self.widget = w.VBox(self._build())
        self._load_draft()
        self._loading = False
        self._refresh()

    # --- building -----------------------------------------------------------------------
    def _build(self) -> list[w.Widget]:
        case = self.case
        parts: list[w.Widget] = [
            title(
                HEADING,
                f"申报单位：{case['institution']}　征集公告：{case['call_title']}　"
                f"申报项目：{'、'.join(case['projects'])}　评估条件版本：{self.rubric.id}",
            ),
            plain_html(
                '<div class="cw-info">'
                + "<br>".join(f"{i}. {esc(n)}" for i, n in enumerate(self.rubric.notes, 1))
                + "</div>"
            ),
        ]
        for kind, section in SECTIONS.items():
            block = self.conditions[self.conditions.kind == kind]
            if block.empty:
                continue
            parts.append(plain_html(f"<h3>{esc(section)}</h3>"))
            for _name, item in block.groupby("item_name", sort=False):
                parts.append(self._item_box(item))
        parts += [self.progress, w.HBox([self.submit_button, self.saving]), self.messages.widget]
        return parts

    def _item_box(self, item: pd.DataFrame) -> w.Widget:
        first = item.iloc[0]
        number = "" if pd.isna(first["item_no"]) else f"{int(first['item_no'])}. "
        badge = BADGES[str(first["kind"])]
        rows: list[w.Widget] = [
            plain_html(f"<b>{esc(number)}{esc(first['item_name'])}</b> {badge}")
        ]
        for cond in item.itertuples():
            sub_id = str(cond.sub_id)
            text = f"<b>{esc(sub_id)}</b> {esc(cond.text)}{self.hints.get(sub_id, '')}"
            if sub_id not in self.split:
                rows.append(self._condition_row(sub_id, text, sub_id))
                continue
            rows.append(plain_html(text + "<br><i>按申报项目逐项核验：</i>"))
            for code, name in self.project_names.items():
                label = f"　　{esc(sub_id)}　<b>{esc(code)} {esc(name)}</b>"
                rows.append(self._condition_row(f"{sub_id}@{code}", label, f"{sub_id}（{code}）"))
        return w.VBox(
            rows, layout=layout(border="1px solid #dfe3e8", padding="6px", margin="4px 0")
        )

    def _condition_row(self, key: str, text: str, label: str) -> w.Widget:
        """One 符合/不符合 toggle with its note: a condition, or a condition for a project."""
        # shared layouts and styles (kit.shared): a checklist of 24 conditions was 350 models
        toggle = guard(
            GuardedToggleButtons(
                options=[MET, NOT_MET],
                value=None,
                layout=layout(),
                style=style(w.ToggleButtonsStyle, button_width="64px"),
            ),
            self.ctx,
            f"条件{label}",
        )
        note = guard(
            GuardedText(
                placeholder="备注（可选）",
                continuous_update=False,
                layout=layout(width="22%"),
                style=style(TextStyle),
            ),
            self.ctx,
            f"条件{label}备注",
        )
        toggle.observe(self._on_change, names="value")
        note.observe(self._on_change, names="value")
        self.toggles[key], self.notes[key] = toggle, note
        hook = key.replace(".", "-").replace("@", "-")
        # a stable hook for browser tests, given at creation (add_class sends one more message)
        return w.HBox(
            [plain_html(text, width="58%"), toggle, note],
            layout=layout(),
            _dom_classes=(f"cw-cond-{hook}",),
        )

    # --- state ---------------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply several changes, then refresh and save the draft once."""
        outer, self._loading = self._loading, True
        try:
            yield
        finally:
            self._loading = outer
        self._on_change()

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for key, toggle in self.toggles.items():
            sub_id, _, code = key.partition("@")
            row = {
                "sub_id": sub_id,
                "met": None if toggle.value is None else toggle.value == MET,
                "note": str(self.notes[key].value or ""),
            }
            if code:
                row["project_code"] = code
            out.append(row)
        return out

    def judged(self) -> int:
        return sum(t.value is not None for t in self.toggles.values())

    def complete(self) -> bool:
        return self.judged() == len(self.toggles)

    def _refresh(self) -> None:
        self.progress.value = (
            f'<div class="cw-progress">已核验 {self.judged()}/{len(self.toggles)} 项条件</div>'
        )
        self.submit_button.disabled = self.locked or not self.complete()

    def _on_change(self, _change: Any = None) -> None:
        if self._loading:
            return
        self._refresh()
        if self.locked:
            return
        try:
            self.ctx.run(registry.save_sheet, panel_id=self.panel_id, rows=self.rows())
            self.saving.value = "<span style='color:#666'>草稿已自动保存</span>"
        except CaseworkError as exc:
            self.messages.error(exc)

    def _load_draft(self) -> None:
        sheet = my_sheet(self.ctx.store, self.panel_id, self.ctx.actor.username)
        for row in sheet["rows"] if sheet else []:
            sub_id, code = str(row.get("sub_id")), row.get("project_code")
            if code:
                keys = [f"{sub_id}@{code}"]
            elif sub_id in self.split:  # a draft from before: the same for every project
                keys = [f"{sub_id}@{c}" for c in self.project_names]
            else:
                keys = [sub_id]
            for key in (k for k in keys if k in self.toggles):
                if isinstance(row.get("met"), bool):
                    self.toggles[key].value = MET if row["met"] else NOT_MET
                self.notes[key].value = str(row.get("note") or "")
        if sheet is not None and sheet["status"] == SUBMITTED:
            self._lock("核验表已提交并锁定，仅供查看")
        elif self.case["application_status"] != lifecycle.APPLICATION_EVALUATING:
            self._lock(f"该申请当前处于“{self.case['application_status']}”状态，核验表不能再修改")

    def _lock(self, why: str) -> None:
        self.locked = True
        for widget in [*self.toggles.values(), *self.notes.values()]:
            widget.disabled = True
        self.submit_button.disabled = True
        self.messages.info(why)

    def _submit(self, _button: Any = None) -> None:
        self.ctx.run(registry.save_sheet, panel_id=self.panel_id, rows=self.rows(), submit=True)
        self._lock("核验表已提交并锁定，仅供查看")
        unmet = [
            r["sub_id"] + (f"（{r['project_code']}）" if "project_code" in r else "")
            for r in self.rows()
            if r["met"] is False
        ]
        self.messages.ok(
            "核验表已提交" + (f"；判定不符合的条件：{'、'.join(unmet)}" if unmet else "")
        )


def build(ctx: AppContext, panel_id: int | None = None) -> w.Widget:
    """The whole page: pick a selection panel, check Attachment 1, and (leader) the verdict."""
    panels = my_panels(ctx.store, ctx.actor.username, "遴选")
    if panel_id is None:
        if panels.empty:
            return refusal_page(HEADING, "您目前没有参加的遴选评估组")
        return picker(ctx, panels)
    try:
        return checklist_page(ctx, panel_id)
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def checklist_page(ctx: AppContext, panel_id: int) -> w.Widget:
    """The conflict-of-interest declaration first (SUP-03), then the checklist."""
    from casework.ui.conflict import conflict_gate

    if selection_case(ctx.store, panel_id) is None:
        raise NotFound(f"未找到遴选评估组（编号{panel_id}）")
    return conflict_gate(ctx, panel_id, lambda: _checklist_and_verdict(ctx, panel_id))


def _checklist_and_verdict(ctx: AppContext, panel_id: int) -> w.Widget:
    from casework.ui.selection_verdict import SelectionVerdictView

    sheet = SelectionChecklist(ctx, panel_id)
    if sheet.is_leader:
        verdict = SelectionVerdictView(ctx, panel_id, sheet.rubric, sheet.supplementary)
        return w.VBox([sheet.widget, verdict.widget])
    return sheet.widget


def picker(ctx: AppContext, panels: pd.DataFrame) -> w.Widget:
    options = [
        (
            f"{r['institution']}（{r['case_status']}，我的核验表：{r['sheet_status']}）",
            int(r["panel_id"]),
        )
        for r in panels.to_dict("records")
    ]
    return case_picker(
        ctx,
        HEADING,
        "评估组",
        options,
        lambda pid: checklist_page(ctx, pid),
        "打开遴选评估",
        address="panel",  # the index's 待办 links name the group
    )


def app(panel_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page (the picker opens the group its address
    names, ``?panel=``: the index's 待办 links)."""
    return app_entry(HEADING, build, panel_id)
