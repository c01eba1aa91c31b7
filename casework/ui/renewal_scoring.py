"""续期评估 — a renewal group member scores Attachment 4; the leader sees Attachment 6.

Each item shows its indicator, criterion and points; the verdict (符合/基本符合/不符合) decides
which points the points field offers (REN-07); group subtotals and the running total are
computed by :mod:`casework.scoring` after every change, and the draft is saved to the store as
it is typed. Submitting validates the whole sheet and locks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry, rules, scoring
from casework.errors import CaseworkError, PermissionDenied
from casework.registry.panels import my_panels, my_sheet, panel_members_of, panel_sheets
from casework.registry.sheets import SUBMITTED, renewal_frames, rubric_by_id
from casework.ui.context import AppContext
from casework.ui.kit import (
    GuardedDropdown,
    GuardedToggleButtons,
    Messages,
    esc,
    guard,
    guarded,
    refusal_page,
    table_html,
    title,
)

HEADING = "续期评估（附件4 评分）"
VETO_NO, VETO_YES = "否", "是"


def points_label(p: float) -> str:
    return f"{p:g} 分"


class RenewalScoringSheet:
    """One member's Attachment 4 sheet for one renewal group."""

    def __init__(self, ctx: AppContext, panel_id: int) -> None:
        self.ctx = ctx
        self.panel_id = panel_id
        member = [
            m for m in panel_members_of(ctx.store, panel_id) if m["username"] == ctx.actor.username
        ]
        if not member:
            raise PermissionDenied(f"{ctx.actor.label}不是该续期评估组成员")
        self.is_leader = bool(member[0]["is_leader"])
        panels = my_panels(ctx.store, ctx.actor.username, "续期")
        info = panels[panels.panel_id == panel_id].iloc[0]
        self.institution = str(info["institution"])
        self.rubric = rubric_by_id(str(info["rubric_id"]))
        self.messages = Messages()
        self.verdicts: dict[str, Any] = {}
        self.points: dict[str, Any] = {}
        self.vetoes: dict[str, Any] = {}
        self.group_labels: dict[int, w.HTML] = {}
        self.total = w.HTML()
        self.total.add_class("cw-running-total")
        self.saving = w.HTML()
        self.submit_button = w.Button(
            description="提交评分表", button_style="primary", disabled=True
        )
        self.submit_button.on_click(guarded(ctx, self.messages, "提交评估表", self._submit))
        self._loading = True
        self.widget = w.VBox(self._build())
        self._load_draft()
        self._loading = False
        self._refresh()

    # --- building -----------------------------------------------------------------------
    def _build(self) -> list[w.Widget]:
        parts: list[w.Widget] = [
            title(HEADING, f"考核机构：{self.institution}　评分细则版本：{self.rubric.id}"),
            w.HTML(f'<div class="cw-info">{esc(self.rubric.legend)}</div>'),
        ]
        items = self.rubric.items
        for group in self.rubric.groups.itertuples():
            label = w.HTML()
            self.group_labels[int(group.group_no)] = label
            rows: list[w.Widget] = [label]
            for item in items[items.group_no == group.group_no].itertuples():
                rows.append(self._item_row(item))
            parts.append(
                w.VBox(
                    rows, layout=w.Layout(border="1px solid #dfe3e8", padding="6px", margin="4px 0")
                )
            )
        veto_rows: list[w.Widget] = [
            w.HTML("<b>不合格项（存在任一项的，评估组须立即报告，REN-06）</b>")
        ]
        for veto in self.rubric.veto_items.itertuples():
            toggle = guard(
                GuardedToggleButtons(options=[VETO_NO, VETO_YES], value=None),
                self.ctx,
                f"不合格项{veto.veto_id}",
            )
            toggle.observe(self._on_change, names="value")
            self.vetoes[str(veto.veto_id)] = toggle
            text = w.HTML(f"{esc(veto.veto_id)} {esc(veto.text)}", layout=w.Layout(width="70%"))
            veto_row = w.HBox([text, toggle])
            veto_row.add_class(f"cw-veto-{veto.veto_id}")
            veto_rows.append(veto_row)
        parts.append(w.VBox(veto_rows))
        parts += [self.total, w.HBox([self.submit_button, self.saving]), self.messages.widget]
        return parts

    def _item_row(self, item: Any) -> w.Widget:
        item_id = str(item.item_id)
        verdict = guard(
            GuardedToggleButtons(
                options=list(rules.VERDICTS), value=None, style={"button_width": "72px"}
            ),
            self.ctx,
            f"{item_id}结论",
        )
        points = guard(
            GuardedDropdown(options=[], value=None, layout=w.Layout(width="90px")),
            self.ctx,
            f"{item_id}得分",
        )
        verdict.observe(lambda change, i=item_id: self._on_verdict(i, change), names="value")
        points.observe(self._on_change, names="value")
        self.verdicts[item_id], self.points[item_id] = verdict, points
        text = (
            f"<b>{esc(item_id)}</b> {esc(item.indicator)}：{esc(item.criterion)}"
            f"<span style='color:#666'>（{points_label(float(item.points))}）</span>"
        )
        row = w.HBox([w.HTML(text, layout=w.Layout(width="55%")), verdict, points])
        row.add_class(f"cw-item-{item_id}")  # a stable hook for browser tests
        return row

    # --- state ---------------------------------------------------------------------------
    def _on_verdict(self, item_id: str, change: dict[str, Any]) -> None:
        points = self.points[item_id]
        verdict = change["new"]
        allowed = scoring.allowed_points(self.rubric, item_id, verdict) if verdict else ()
        with self.batch():  # one save for the verdict and the points it implies
            points.options = [(points_label(p), p) for p in allowed]
            points.value = allowed[0] if len(allowed) == 1 else None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply several changes, then refresh and save the draft once."""
        outer = self._loading
        self._loading = True
        try:
            yield
        finally:
            self._loading = outer
        self._on_change()

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"item_id": i, "verdict": self.verdicts[i].value, "points": self.points[i].value}
            for i in self.verdicts
        ]

    def veto_rows(self) -> list[dict[str, Any]]:
        return [
            {"veto_id": v, "found": None if t.value is None else t.value == VETO_YES}
            for v, t in self.vetoes.items()
        ]

    def filled(self) -> pd.DataFrame:
        rows = [r for r in self.rows() if r["verdict"] is not None and r["points"] is not None]
        sheet, _ = renewal_frames(rows, [], self.ctx.actor.username)
        return sheet

    def complete(self) -> bool:
        return len(self.filled()) == len(self.verdicts) and all(
            t.value is not None for t in self.vetoes.values()
        )

    def running_total(self) -> float:
        filled = self.filled()
        if filled.empty:
            return 0.0
        return float(scoring.running_total(self.rubric, filled).iloc[0])

    def _refresh(self) -> None:
        filled = self.filled()
        subtotal = (
            scoring.group_totals_of(self.rubric, filled).set_index("group_no")["points"]
            if not filled.empty
            else pd.Series(dtype=float)
        )
        for group in self.rubric.groups.itertuples():
            got = float(subtotal.get(group.group_no, 0.0))
            self.group_labels[int(group.group_no)].value = (
                f"<b>{esc(group.group)}</b>（{points_label(float(group.points))}）"
                f"　小计：<b>{got:g}</b> 分"
            )
        done = len(filled)
        self.total.value = (
            f'<div class="cw-total">合计：{self.running_total():g} 分'
            f'<span class="cw-progress">（已评 {done}/{len(self.verdicts)} 项）</span></div>'
        )
        self.submit_button.disabled = self.locked or not self.complete()

    def _on_change(self, _change: Any = None) -> None:
        if self._loading:
            return
        self._refresh()
        if self.locked:
            return
        try:
            self.ctx.run(
                registry.save_sheet, panel_id=self.panel_id, rows=self.rows(), veto=self.veto_rows()
            )
            self.saving.value = "<span style='color:#666'>草稿已自动保存</span>"
        except CaseworkError as exc:
            self.messages.error(exc)

    @property
    def locked(self) -> bool:
        return getattr(self, "_locked", False)

    def _load_draft(self) -> None:
        sheet = my_sheet(self.ctx.store, self.panel_id, self.ctx.actor.username)
        if sheet is None:
            return
        for row in sheet["rows"]:
            item = row.get("item_id")
            if item in self.verdicts and row.get("verdict") in rules.VERDICTS:
                self.verdicts[item].value = row["verdict"]
                self._on_verdict(item, {"new": row["verdict"]})
                if row.get("points") is not None:
                    self.points[item].value = float(row["points"])
        for row in sheet["veto"]:
            toggle = self.vetoes.get(row.get("veto_id"))
            if toggle is not None and row.get("found") is not None:
                toggle.value = VETO_YES if row["found"] else VETO_NO
        if sheet["status"] == SUBMITTED:
            self._lock()

    def _lock(self) -> None:
        self._locked = True
        for widget in [*self.verdicts.values(), *self.points.values(), *self.vetoes.values()]:
            widget.disabled = True
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

    def __init__(self, ctx: AppContext, panel_id: int, rubric: Any) -> None:
        self.ctx, self.panel_id, self.rubric = ctx, panel_id, rubric
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
        members = [m["username"] for m in panel_members_of(self.ctx.store, self.panel_id)]
        done = [s for s in panel_sheets(self.ctx.store, self.panel_id) if s["status"] == SUBMITTED]
        waiting = sorted(set(members) - {s["author"] for s in done})
        self.send.disabled = bool(waiting)
        if waiting:
            self.body.value = f'<div class="cw-info">尚未提交：{esc("、".join(waiting))}</div>'
            return
        pairs = [renewal_frames(s["rows"], s["veto"], s["author"]) for s in done]
        outcome = scoring.renewal_outcome(self.rubric, [p[0] for p in pairs], [p[1] for p in pairs])
        totals = (
            outcome.member_totals.rename("专家评分")
            .reset_index()
            .rename(columns={"member": "专家"})
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
    from casework.ui.conflict import conflict_gate

    return conflict_gate(ctx, panel_id, lambda: _sheet_and_summary(ctx, panel_id))


def _sheet_and_summary(ctx: AppContext, panel_id: int) -> w.Widget:
    sheet = RenewalScoringSheet(ctx, panel_id)
    if sheet.is_leader:
        return w.VBox([sheet.widget, Attachment6View(ctx, panel_id, sheet.rubric).widget])
    return sheet.widget


def picker(ctx: AppContext, panels: pd.DataFrame) -> w.Widget:
    options = [
        (
            f"{r['institution']}（{r['case_status']}，我的评分表：{r['sheet_status']}）",
            int(r["panel_id"]),
        )
        for r in panels.to_dict("records")
    ]
    dropdown = w.Dropdown(options=options, description="评估组", layout=w.Layout(width="80%"))
    holder = w.VBox()
    messages = Messages()

    def show(_b: Any = None) -> None:
        # the chosen panel is re-checked: only panels this user sits on can be opened
        if dropdown.value not in {o[1] for o in options}:
            raise PermissionDenied("所选评估组无效")
        holder.children = [sheet_page(ctx, int(dropdown.value))]

    open_button = w.Button(description="打开", button_style="primary")
    open_button.on_click(guarded(ctx, messages, "打开续期评估", show))
    return w.VBox([title(HEADING), w.HBox([dropdown, open_button]), messages.widget, holder])


def app(panel_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    from casework.ui.context import open_context

    try:
        ctx = open_context()
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)
    return build(ctx, panel_id)
