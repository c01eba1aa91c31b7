"""续期评估 — a renewal group member scores Attachment 4; the leader sees Attachment 6.

The Attachment 4 form itself (:mod:`casework.ui.attachment4_form`) shows each item with its
indicator, criterion and points, offers only the points the verdict allows (REN-07) and keeps
group subtotals and the running total from :mod:`casework.domain.scoring`; this page saves the draft
to the store as it is typed. Submitting validates the whole sheet and locks it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import rubrics
from casework.errors import CaseworkError, PermissionDenied
from casework.queries.panels import reads_once
from casework.queries.renewal_outcome import renewal_outcome_of
from casework.queries.sheets import my_panels, my_sheet
from casework.queries.stored_sheets import SUBMITTED
from casework.ui.attachment4_form import Attachment4Form
from casework.ui.case_documents import renewal_documents
from casework.ui.context import AppContext
from casework.ui.evidence import renewal_hints
from casework.ui.kit import (
    Messages,
    app_entry,
    case_picker,
    esc,
    guarded,
    in_background,
    refusal_page,
    soon,
    table_html,
    title,
)

HEADING = "续期评估（附件4 评分）"


class RenewalScoringSheet:
    """One member's Attachment 4 sheet for one renewal group."""

    def __init__(self, ctx: AppContext, panel_id: int) -> None:
        self.ctx = ctx
        self.panel_id = panel_id
        panels = my_panels(ctx.store, ctx.actor.username, "续期")  # only the actor's own groups
        mine = panels[panels.panel_id == panel_id]
        if mine.empty:
            raise PermissionDenied(f"{ctx.actor.label}不是该续期评估组成员")
        info = mine.iloc[0]
        self.is_leader = bool(info["is_leader"])
        self.institution = str(info["institution"])
        self.renewal_id = int(info["renewal_id"])
        self.rubric = rubrics.by_id(str(info["rubric_id"]))
        self.messages = Messages()
        self.form = Attachment4Form(ctx, self.rubric, self._on_change, author=ctx.actor.username)
        # the evidence hints (REN-03) follow the sheet, read once it is on screen and in a worker
        # thread: they never delay the page, and the expert can score meanwhile
        renewal = self.renewal_id
        self.form.when_shown(
            lambda: in_background(
                lambda: renewal_hints(ctx.store, renewal), self.form.show_hints, "hints"
            )
        )
        # the form's inputs, under the names the page and its tests use
        self.verdicts, self.points, self.vetoes = (
            self.form.verdicts,
            self.form.points,
            self.form.vetoes,
        )
        self.total = self.form.total
        self.saving = w.HTML()
        self.submit_button = w.Button(
            description="提交评分表", button_style="primary", disabled=True
        )
        self.submit_button.on_click(guarded(ctx, self.messages, "提交评估表", self._submit))
        self.widget = w.VBox(
            [
                title(HEADING, f"考核机构：{self.institution}　评分细则版本：{self.rubric.id}"),
                self.form.widget,
                w.HBox([self.submit_button, self.saving]),
                self.messages.widget,
            ]
        )
        self._load_draft()
        self._update_button()

    # --- state ---------------------------------------------------------------------------
    def batch(self) -> AbstractContextManager[None]:
        """Apply several changes, then refresh and save the draft once."""
        return self.form.batch()

    def rows(self) -> list[dict[str, Any]]:
        return self.form.rows()

    def veto_rows(self) -> list[dict[str, Any]]:
        return self.form.veto_rows()

    def filled(self) -> pd.DataFrame:
        return self.form.filled()

    def complete(self) -> bool:
        return self.form.complete()

    def running_total(self) -> float:
        return self.form.running_total()

    def _update_button(self) -> None:
        self.submit_button.disabled = self.locked or not self.complete()

    def _on_change(self) -> None:
        self._update_button()
        try:
            self.ctx.run(
                registry.save_sheet, panel_id=self.panel_id, rows=self.rows(), veto=self.veto_rows()
            )
            self.saving.value = "<span style='color:#666'>草稿已自动保存</span>"
        except CaseworkError as exc:
            self.messages.error(exc)

    @property
    def locked(self) -> bool:
        return self.form.locked

    def _load_draft(self) -> None:
        sheet = my_sheet(self.ctx.store, self.panel_id, self.ctx.actor.username)
        if sheet is None:
            return
        self.form.load(sheet["rows"], sheet["veto"])
        if sheet["status"] == SUBMITTED:
            self._lock()

    def _lock(self) -> None:
        self.form.lock()
        self.submit_button.disabled = True
        self.messages.info("评分表已提交并锁定，仅供查看")

    def _submit(self, _button: Any = None) -> None:
        self.ctx.run(
            registry.save_sheet,
            panel_id=self.panel_id,
            rows=self.rows(),
            veto=self.veto_rows(),
            submit=True,
        )
        self._lock()
        self.messages.ok(f"评分表已提交：合计 {self.running_total():g} 分")


class Attachment6View:
    """The leader's view: every member's total, the composite and grade, self-vs-group delta."""

    def __init__(self, ctx: AppContext, panel_id: int, renewal_id: int) -> None:
        self.ctx, self.panel_id, self.renewal_id = ctx, panel_id, renewal_id
        self.messages = Messages()
        self.body = w.HTML()
        self.opinion = w.Textarea(
            placeholder="评估组对考核机构的意见建议", layout=w.Layout(width="90%", height="80px")
        )
        self.send = w.Button(description="提交评估组意见（附件6）", button_style="success")
        self.send.on_click(guarded(ctx, self.messages, "提交评估组意见", self._send))
        self.refresh_button = w.Button(description="刷新")
        self.refresh_button.on_click(guarded(ctx, self.messages, "刷新", lambda _b: self.refresh()))
        self.widget = w.VBox(
            [
                w.HTML("<h3>续期评估组意见反馈表（附件6）</h3>"),
                self.body,
                self.opinion,
                w.HBox([self.send, self.refresh_button]),
                self.messages.widget,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        group = renewal_outcome_of(self.ctx.store, self.renewal_id)
        self.send.disabled = not group.complete
        # members by name (issue #13: names, never user names, on every page), from the roster
        # the outcome was read with
        names = group.names
        if group.summary is None:
            waiting = "、".join(names.get(u, u) for u in group.waiting)
            self.body.value = f'<div class="cw-info">尚未提交：{esc(waiting)}</div>'
            return
        outcome = group.summary
        totals = pd.DataFrame(
            {
                "专家": [names.get(str(m), str(m)) for m in outcome.member_totals.index],
                "专家评分": list(outcome.member_totals),
            }
        )
        veto = "、".join(outcome.veto.found_items) or "无"
        self.body.value = (
            table_html(totals)
            + f'<p class="cw-total">综合得分：{outcome.composite:g}　'
            + f"等次：{esc(outcome.grade.label)}</p>"
            + f"<p>不合格项：{esc(veto)}"
            + (
                "　<b class='cw-overdue'>须立即报告备案所属市人社局（REN-06）</b>"
                if outcome.grade.report_immediately
                else ""
            )
            + "</p>"
        )

    def _send(self, _button: Any = None) -> None:
        self.ctx.run(
            registry.submit_group_opinion, panel_id=self.panel_id, opinion=self.opinion.value
        )
        self.messages.ok("评估组意见已提交")


def build(ctx: AppContext, panel_id: int | None = None) -> w.Widget:
    """The whole page: pick a renewal group, score, and (for the leader) Attachment 6."""
    panels = my_panels(ctx.store, ctx.actor.username, "续期")
    if panel_id is None:
        if panels.empty:
            return refusal_page(HEADING, "您目前没有参加的续期评估组")
        return picker(ctx, panels)
    try:
        return sheet_page(ctx, panel_id)
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def sheet_page(ctx: AppContext, panel_id: int) -> w.Widget:
    """The sheet behind the conflict-of-interest gate (SUP-03). One open reads each fact once
    (:func:`reads_once`: the gate, the leader's view and the documents share the roster and the
    group outcome); signing the declaration later opens the sheet with fresh reads."""
    from casework.ui.conflict import conflict_gate

    with reads_once():
        return conflict_gate(ctx, panel_id, lambda: _sheet_and_summary(ctx, panel_id))


def _sheet_and_summary(ctx: AppContext, panel_id: int) -> w.Widget:
    with reads_once():  # inside the open's own block, or a fresh one after signing
        return _compose(ctx, panel_id)


def _compose(ctx: AppContext, panel_id: int) -> w.Widget:
    """The sheet at once; below it, once the sheet is shown, the leader's Attachment 6 view and
    the case's documents (a third of the page's widgets: the expert can score meanwhile)."""
    sheet = RenewalScoringSheet(ctx, panel_id)
    page = w.VBox([sheet.widget])

    def below() -> None:
        with reads_once():
            try:
                parts = [sheet.widget]
                if sheet.is_leader:
                    parts.append(Attachment6View(ctx, panel_id, sheet.renewal_id).widget)
                parts.append(renewal_documents(ctx, sheet.renewal_id))
            except CaseworkError as exc:  # shown, as the page would have shown it
                shown = Messages()
                shown.error(exc)
                parts = [sheet.widget, shown.widget]
        page.children = parts

    soon(below, "renewal summary and documents")
    return page


def picker(ctx: AppContext, panels: pd.DataFrame) -> w.Widget:
    options = [
        (
            f"{r['institution']}（{r['case_status']}，我的评分表：{r['sheet_status']}）",
            int(r["panel_id"]),
        )
        for r in panels.to_dict("records")
    ]
    return case_picker(
        ctx,
        HEADING,
        "评估组",
        options,
        lambda pid: sheet_page(ctx, pid),
        "打开续期评估",
        address="panel",  # the index's 待办 links name the group
    )


def app(panel_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page (the picker opens the group its address
    names, ``?panel=``: the index's 待办 links)."""
    return app_entry(HEADING, build, panel_id)
