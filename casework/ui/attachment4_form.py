"""The Attachment 4 form (续期评估明细表), shared by the group's scoring and the self-evaluation.

Each item shows its indicator, criterion and points; the verdict (符合/基本符合/不符合) decides
which points the points field offers (REN-07); group subtotals and the running total are
computed by :mod:`casework.domain.scoring` after every change. The owner of the form decides what a
change means (which registry command saves the draft) through the ``on_change`` callback, which
runs once per user action — :meth:`Attachment4Form.batch` folds several changes into one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import pandas as pd
from ipywidgets.widgets.widget_string import HTMLStyle

from casework.domain import rules, scoring
from casework.queries.stored_sheets import renewal_frames
from casework.ui.context import AppContext
from casework.ui.kit import (
    GuardedDropdown,
    GuardedToggleButtons,
    esc,
    guard,
    layout,
    style,
)

VETO_NO, VETO_YES = "否", "是"
VETO_HEADING = "不合格项（存在任一项的，评估组须立即报告，REN-06）"


def points_label(p: float) -> str:
    return f"{p:g} 分"


def _html(value: str = "", width: str | None = None) -> w.HTML:
    """Read-only text with a shared layout and style: one model, not three (a sheet shows 100)."""
    sized = layout(width=width) if width else layout()
    return w.HTML(value, layout=sized, style=style(HTMLStyle))


class Attachment4Form:
    """Verdict/points inputs for every item and yes/no for every veto item of one rubric.

    Args:
        ctx: the app context (the guarded inputs log refusals as its actor).
        rubric: the Attachment 4 revision the sheet follows.
        on_change: called after every user change (not while loading or inside a batch).
        author: the member name the sheet's frames carry (for the scoring functions).
        veto_heading: the heading of the veto block.
    """

    def __init__(
        self,
        ctx: AppContext,
        rubric: Any,
        on_change: Callable[[], None],
        *,
        author: str,
        veto_heading: str = VETO_HEADING,
        hints: dict[str, str] | None = None,
    ) -> None:
        self.ctx, self.rubric, self.author = ctx, rubric, author
        self.hints = hints or {}
        self.on_change = on_change
        self.verdicts: dict[str, Any] = {}
        self.points: dict[str, Any] = {}
        self.vetoes: dict[str, Any] = {}
        self.group_labels: dict[int, w.HTML] = {}
        self.texts: dict[str, tuple[w.HTML, str]] = {}
        """item_id / veto_id → its text widget and its text without a hint."""
        self.total = _html()
        self.total.add_class("cw-running-total")  # stable hooks for browser tests
        self.locked = False
        self._loading = True
        self.widget = w.VBox(self._build(veto_heading))
        self._loading = False
        self.refresh()

    # --- building -----------------------------------------------------------------------
    def _build(self, veto_heading: str) -> list[w.Widget]:
        parts: list[w.Widget] = [_html(f'<div class="cw-info">{esc(self.rubric.legend)}</div>')]
        by_group: dict[int, list[dict[str, Any]]] = {}
        for item in self.rubric.items.to_dict("records"):  # one pass, not a filter per group
            by_group.setdefault(int(item["group_no"]), []).append(item)
        for group in self.rubric.groups.to_dict("records"):
            label = _html()
            self.group_labels[int(group["group_no"])] = label
            rows: list[w.Widget] = [label]
            rows += [self._item_row(item) for item in by_group.get(int(group["group_no"]), [])]
            parts.append(
                w.VBox(
                    rows, layout=layout(border="1px solid #dfe3e8", padding="6px", margin="4px 0")
                )
            )
        veto_rows: list[w.Widget] = [_html(f"<b>{esc(veto_heading)}</b>")]
        for veto in self.rubric.veto_items.itertuples():
            toggle = guard(
                GuardedToggleButtons(
                    options=[VETO_NO, VETO_YES],
                    value=None,
                    layout=layout(),
                    style=style(w.ToggleButtonsStyle),
                ),
                self.ctx,
                f"不合格项{veto.veto_id}",
            )
            toggle.observe(self._changed, names="value")
            self.vetoes[str(veto.veto_id)] = toggle
            hint = self.hints.get(str(veto.veto_id), "")
            plain = f"{esc(veto.veto_id)} {esc(veto.text)}"
            text = _html(plain + hint, width="70%")
            self.texts[str(veto.veto_id)] = (text, plain)
            veto_row = w.HBox(
                [text, toggle], layout=layout(), _dom_classes=(f"cw-veto-{veto.veto_id}",)
            )
            veto_rows.append(veto_row)
        parts += [w.VBox(veto_rows, layout=layout()), self.total]
        return parts

    def _item_row(self, item: dict[str, Any]) -> w.Widget:
        item_id = str(item["item_id"])
        verdict = guard(
            GuardedToggleButtons(
                options=list(rules.VERDICTS),
                value=None,
                layout=layout(),
                style=style(w.ToggleButtonsStyle, button_width="72px"),
            ),
            self.ctx,
            f"{item_id}结论",
        )
        points = guard(
            GuardedDropdown(options=[], value=None, layout=layout(width="90px"), style=style()),
            self.ctx,
            f"{item_id}得分",
        )
        verdict.observe(lambda change, i=item_id: self._on_verdict(i, change), names="value")
        points.observe(self._changed, names="value")
        self.verdicts[item_id], self.points[item_id] = verdict, points
        text = (
            f"<b>{esc(item_id)}</b> {esc(item['indicator'])}：{esc(item['criterion'])}"
            f"<span style='color:#666'>（{points_label(float(item['points']))}）</span>"
        )
        shown = _html(text + self.hints.get(item_id, ""), width="55%")
        self.texts[item_id] = (shown, text)
        # a stable hook for browser tests, given at creation (add_class would send one more
        # message a row)
        return w.HBox(
            [shown, verdict, points], layout=layout(), _dom_classes=(f"cw-item-{item_id}",)
        )

    def show_hints(self, hints: dict[str, str]) -> None:
        """Show evidence hints (HTML by item or veto id) under the items' texts (REN-03)."""
        self.hints = hints
        for key, (widget, plain) in self.texts.items():
            if key in hints:
                widget.value = plain + hints[key]

    # --- state ---------------------------------------------------------------------------
    def _on_verdict(self, item_id: str, change: dict[str, Any]) -> None:
        """REN-07: the verdict decides the points on offer; a single choice is taken at once."""
        points = self.points[item_id]
        verdict = change["new"]
        allowed = scoring.allowed_points(self.rubric, item_id, verdict) if verdict else ()
        with self.batch():  # one save for the verdict and the points it implies
            points.options = [(points_label(p), p) for p in allowed]
            points.value = allowed[0] if len(allowed) == 1 else None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply several changes, then refresh and report one change."""
        outer = self._loading
        self._loading = True
        try:
            yield
        finally:
            self._loading = outer
        self._changed()

    def _changed(self, _change: Any = None) -> None:
        if self._loading:
            return
        self.refresh()
        if not self.locked:
            self.on_change()

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
        sheet, _ = renewal_frames(rows, [], self.author)
        return sheet

    def complete(self) -> bool:
        return len(self.filled()) == len(self.verdicts) and all(
            t.value is not None for t in self.vetoes.values()
        )

    def running_total(self) -> float:
        return self._total_of(self.filled())

    def _total_of(self, filled: pd.DataFrame) -> float:
        if filled.empty:
            return 0.0
        return float(scoring.running_total(self.rubric, filled).iloc[0])

    def problems(self) -> list[dict[str, str]]:
        """Every item or veto item not yet answered, one row each (REN-07, REN-06)."""
        found: list[dict[str, str]] = []
        indicator = self.rubric.items.set_index("item_id")["indicator"]
        for row in self.rows():
            item = f"{row['item_id']} {indicator[row['item_id']]}"
            if row["verdict"] is None:
                found.append({"项目": item, "问题": "未选择结论", "规则": "REN-07"})
            elif row["points"] is None:
                found.append({"项目": item, "问题": "未选择得分", "规则": "REN-07"})
        for row in self.veto_rows():
            if row["found"] is None:
                found.append(
                    {"项目": f"不合格项{row['veto_id']}", "问题": "未选择“是/否”", "规则": "REN-06"}
                )
        return found

    def refresh(self) -> None:
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
        self.total.value = (
            f'<div class="cw-total">合计：{self._total_of(filled):g} 分'
            f'<span class="cw-progress">（已评 {len(filled)}/{len(self.verdicts)} 项）</span></div>'
        )

    def load(self, rows: Sequence[dict[str, Any]], veto: Sequence[dict[str, Any]]) -> None:
        """Show a stored sheet (values outside the options are skipped, not trusted)."""
        outer, self._loading = self._loading, True
        try:
            for row in rows:
                item = row.get("item_id")
                if item in self.verdicts and row.get("verdict") in rules.VERDICTS:
                    self.verdicts[item].value = row["verdict"]
                    self._on_verdict(item, {"new": row["verdict"]})
                    allowed = {v for _, v in self.points[item].options}
                    if row.get("points") is not None and float(row["points"]) in allowed:
                        self.points[item].value = float(row["points"])
            for row in veto:
                toggle = self.vetoes.get(str(row.get("veto_id")))
                if toggle is not None and isinstance(row.get("found"), bool):
                    toggle.value = VETO_YES if row["found"] else VETO_NO
        finally:
            self._loading = outer
        self.refresh()

    def lock(self) -> None:
        self.locked = True
        for widget in [*self.verdicts.values(), *self.points.values(), *self.vetoes.values()]:
            widget.disabled = True
