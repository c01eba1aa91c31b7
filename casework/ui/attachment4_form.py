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
from importlib import resources
from typing import Any

import anywidget
import pandas as pd
import traitlets as t
from traitlets import TraitError

from casework.domain import limits, rules, scoring
from casework.queries.stored_sheets import renewal_frames
from casework.ui.context import AppContext
from casework.ui.kit import INVALID_INPUT, esc, kernel_loop, layout, log, log_forged

VETO_NO, VETO_YES = "否", "是"
VETO_HEADING = "不合格项（存在任一项的，评估组须立即报告，REN-06）"
VERDICT, POINTS, VETO = "verdict", "points", "veto"
_STATIC = resources.files("casework.ui") / "static"
SHOWN_AT_LATEST = 3.0
"""Seconds after which :meth:`Attachment4Form.when_shown` work runs even if no page said so."""


def points_label(p: float) -> str:
    return f"{p:g} 分"


class ScoreTable(anywidget.AnyWidget):
    """The whole form as one widget model (``static/score_table.js`` draws it).

    The browser never sets a trait: it sends ``{id, field, value}`` messages, which
    :class:`Attachment4Form` checks before anything changes; a state update from the browser
    is refused and logged as forged (the browser is untrusted).
    """

    _esm = (_STATIC / "score_table.js").read_text(encoding="utf-8")
    _css = (_STATIC / "score_table.css").read_text(encoding="utf-8")
    legend = t.Unicode("").tag(sync=True)
    groups: t.List[dict[str, Any]] = t.List().tag(sync=True)
    """[{no, items: [{id, html}]}]: the items by group, each with its text."""
    vetoes: t.List[dict[str, Any]] = t.List().tag(sync=True)
    veto_heading = t.Unicode("").tag(sync=True)
    verdict_options: t.List[str] = t.List().tag(sync=True)
    veto_options: t.List[str] = t.List().tag(sync=True)
    state = t.Dict().tag(sync=True)
    """id → {v: verdict or veto answer, p: points, o: the points on offer [[label, value]]}."""
    hints = t.Dict().tag(sync=True)
    labels = t.Dict().tag(sync=True)
    total = t.Unicode("").tag(sync=True)
    locked = t.Bool(False).tag(sync=True)

    def __init__(self, ctx: AppContext, **traits: Any) -> None:
        self.ctx = ctx
        super().__init__(**traits)

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Refuse every trait the browser tries to set: answers come only as messages."""
        what = f"评分表收到浏览器直接写入的状态 {limits.shown(repr(sorted(sync_data)), 80)}"
        log_forged(self.ctx, INVALID_INPUT, what)
        log.warning("refused score table state %s", sorted(sync_data))
        self.send_state()  # the browser goes back to the kernel's values


class Answer:
    """One answer on the form (an item's verdict or points, or a veto answer), read and set as
    a widget's ``value``; setting it is a user change (checked, then saved by the form)."""

    def __init__(self, form: Attachment4Form, key: str, field: str) -> None:
        self.form, self.key, self.field = form, key, field

    @property
    def value(self) -> Any:
        return self.form._answers[self.key][self.field]

    @value.setter
    def value(self, value: Any) -> None:
        self.form.answer(self.key, self.field, value)

    @property
    def options(self) -> list[Any]:
        return self.form._options(self.key, self.field)

    @property
    def disabled(self) -> bool:
        return self.form.locked


class Attachment4Form:
    """Verdict/points inputs for every item and yes/no for every veto item of one rubric.

    Args:
        ctx: the app context (refusals are logged as its actor).
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
        self.on_change = on_change
        self._on_shown: list[Callable[[], None]] = []
        self.locked = False
        self._loading = False
        self._answers: dict[str, dict[str, Any]] = {}
        self._offered: dict[str, list[float]] = {}
        self.verdicts: dict[str, Answer] = {}
        self.points: dict[str, Answer] = {}
        self.vetoes: dict[str, Answer] = {}
        groups: list[dict[str, Any]] = []
        by_group: dict[int, list[dict[str, str]]] = {}
        for item in rubric.items.to_dict("records"):  # one pass, not a filter per group
            item_id = str(item["item_id"])
            self._answers[item_id] = {VERDICT: None, POINTS: None}
            self._offered[item_id] = []
            self.verdicts[item_id] = Answer(self, item_id, VERDICT)
            self.points[item_id] = Answer(self, item_id, POINTS)
            text = (
                f"<b>{esc(item_id)}</b> {esc(item['indicator'])}：{esc(item['criterion'])}"
                f"<span style='color:#666'>（{points_label(float(item['points']))}）</span>"
            )
            by_group.setdefault(int(item["group_no"]), []).append({"id": item_id, "html": text})
        for group in rubric.groups.to_dict("records"):
            no = int(group["group_no"])
            groups.append({"no": str(no), "items": by_group.get(no, [])})
        vetoes = []
        for veto in rubric.veto_items.itertuples():
            veto_id = str(veto.veto_id)
            self._answers[veto_id] = {VETO: None}
            self.vetoes[veto_id] = Answer(self, veto_id, VETO)
            vetoes.append({"id": veto_id, "html": f"{esc(veto.veto_id)} {esc(veto.text)}"})
        self.widget = ScoreTable(
            ctx,
            legend=str(rubric.legend),
            groups=groups,
            vetoes=vetoes,
            veto_heading=veto_heading,
            verdict_options=list(rules.VERDICTS),
            veto_options=[VETO_NO, VETO_YES],
            hints=dict(hints or {}),
            layout=layout(),
        )
        self.widget.on_msg(self._on_message)
        self.total = _Shown(self.widget, "total")
        self.refresh()

    # --- answers -------------------------------------------------------------------------
    def _options(self, key: str, field: str) -> list[Any]:
        if field == VERDICT:
            return list(rules.VERDICTS)
        if field == VETO:
            return [VETO_NO, VETO_YES]
        return [(points_label(p), p) for p in self._offered[key]]

    def _label(self, key: str, field: str) -> str:
        return {VERDICT: f"{key}结论", POINTS: f"{key}得分", VETO: f"不合格项{key}"}[field]

    def answer(self, key: str, field: str, value: Any) -> None:
        """Set one answer as the user does: checked against what the field offers; a verdict
        sets the points on offer (REN-07, a single choice taken at once); then one change.

        Raises:
            TraitError: ``value`` is not one of the field's options (``None`` clears it).
        """
        if key not in self._answers or field not in self._answers[key]:
            raise TraitError(f"评分表没有字段 {key}/{field}")
        if field == POINTS:
            if isinstance(value, bool) or not isinstance(value, int | float | None):
                raise TraitError(f"字段“{self._label(key, field)}”须为分值，收到 {value!r}")
            value = None if value is None else float(value)
            allowed: list[Any] = self._offered[key]
        else:
            allowed = self._options(key, field)
        if value is not None and value not in allowed:
            raise TraitError(f"字段“{self._label(key, field)}”只能取 {allowed}，收到 {value!r}")
        if value == self._answers[key][field]:
            return  # the same answer again (a second click): nothing changes, nothing is saved
        self._answers[key][field] = value
        if field == VERDICT:
            offered = list(scoring.allowed_points(self.rubric, key, value)) if value else []
            self._offered[key] = offered
            self._answers[key][POINTS] = offered[0] if len(offered) == 1 else None
        self._changed()

    def when_shown(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the browser has drawn the form (its first ``{shown: true}``), or after
        :data:`SHOWN_AT_LATEST` seconds; at once outside a kernel (tests, scripts). For
        auxiliary work (evidence hints) that must not delay the page."""
        loop = kernel_loop()
        if loop is None:
            fn()
            return
        self._on_shown.append(fn)
        loop.call_later(SHOWN_AT_LATEST, self._shown)

    def _shown(self) -> None:
        waiting, self._on_shown = self._on_shown, []
        for fn in waiting:
            fn()

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click or choice from the browser: checked here, whatever the page showed."""
        if content == {"shown": True}:  # the page drew the form (a repeat does nothing)
            self._shown()
            return
        try:
            if not isinstance(content, dict):
                raise TraitError("消息不是字段取值")
            key, field = str(content.get("id")), str(content.get("field"))
            if self.locked:
                raise TraitError("评分表已锁定")
            if content.get("value") is None:
                raise TraitError("浏览器不能清空取值")
            self.answer(key, field, content["value"])
        except (TraitError, TypeError, ValueError) as exc:
            what = f"评分表收到选项以外的取值 {limits.shown(repr(content), 80)}：{exc}"
            log_forged(self.ctx, INVALID_INPUT, what)
            log.warning("refused score table message %r: %s", content, exc)
            self._push()  # the browser goes back to the kernel's values

    def show_hints(self, hints: dict[str, str]) -> None:
        """Show evidence hints (HTML by item or veto id) under the items' texts (REN-03)."""
        self.widget.hints = dict(hints)

    # --- state ---------------------------------------------------------------------------
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

    def _changed(self) -> None:
        if self._loading:
            return
        self.refresh()
        if not self.locked:
            self.on_change()

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"item_id": i, "verdict": self._answers[i][VERDICT], "points": self._answers[i][POINTS]}
            for i in self.verdicts
        ]

    def veto_rows(self) -> list[dict[str, Any]]:
        found = {v: self._answers[v][VETO] for v in self.vetoes}
        return [
            {"veto_id": v, "found": None if a is None else a == VETO_YES} for v, a in found.items()
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
        """Send the answers, the group subtotals and the running total to the page."""
        filled = self.filled()
        subtotal = (
            scoring.group_totals_of(self.rubric, filled).set_index("group_no")["points"]
            if not filled.empty
            else pd.Series(dtype=float)
        )
        labels = {}
        for group in self.rubric.groups.itertuples():
            got = float(subtotal.get(group.group_no, 0.0))
            labels[str(int(group.group_no))] = (
                f"<b>{esc(group.group)}</b>（{points_label(float(group.points))}）"
                f"　小计：<b>{got:g}</b> 分"
            )
        total = (
            f'<div class="cw-total">合计：{self._total_of(filled):g} 分'
            f'<span class="cw-progress">（已评 {len(filled)}/{len(self.verdicts)} 项）</span></div>'
        )
        with self.widget.hold_sync():  # one message for the state, labels and total
            self._push()
            self.widget.labels = labels
            self.widget.total = total

    def _push(self) -> None:
        state: dict[str, dict[str, Any]] = {}
        for key, answer in self._answers.items():
            if VETO in answer:
                state[key] = {"v": answer[VETO]}
            else:
                offered = [[points_label(p), p] for p in self._offered[key]]
                state[key] = {"v": answer[VERDICT], "p": answer[POINTS], "o": offered}
        self.widget.state = state

    def load(self, rows: Sequence[dict[str, Any]], veto: Sequence[dict[str, Any]]) -> None:
        """Show a stored sheet (values outside the options are skipped, not trusted)."""
        outer, self._loading = self._loading, True
        try:
            for row in rows:
                item = row.get("item_id")
                if item in self.verdicts and row.get("verdict") in rules.VERDICTS:
                    self.answer(item, VERDICT, row["verdict"])
                    points = row.get("points")
                    if points is not None and float(points) in self._offered[item]:
                        self.answer(item, POINTS, float(points))
            for row in veto:
                key = str(row.get("veto_id"))
                if key in self.vetoes and isinstance(row.get("found"), bool):
                    self.answer(key, VETO, VETO_YES if row["found"] else VETO_NO)
        finally:
            self._loading = outer
        self.refresh()

    def lock(self) -> None:
        self.locked = True
        self.widget.locked = True


class _Shown:
    """A read-only view of one of the table's texts, as ``.value`` (the running total)."""

    def __init__(self, widget: ScoreTable, trait: str) -> None:
        self.widget, self.trait = widget, trait

    @property
    def value(self) -> str:
        return str(getattr(self.widget, self.trait))
