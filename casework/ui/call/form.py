"""The form of a new call (SEL-01, SEL-02): its scope inside the city's chosen projects, its
conditions, requirements and period, and the city's supplementary conditions (SEL-03)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import ipywidgets as w

from casework import registry
from casework.errors import RuleViolation
from casework.queries.calls import (
    city_projects_of,
    city_years,
)
from casework.ui.context import AppContext
from casework.ui.drafts import DraftList, FormDraft, batched
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedSelectMultiple,
    Messages,
    guard,
    guarded,
    info,
    section,
)

DEFAULT_PERIOD_DAYS = 30


class SupplementaryEditor:
    """SEL-03 / Att.1 说明1: the city's own conditions, each an id and a text, added or removed
    row by row; ``value()`` is what :func:`registry.publish_call` takes. ``rows_field`` holds
    the rows as one list field for the form's draft: setting it rebuilds the rows."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change
        self.rows: list[tuple[w.Text, w.Text, w.Button]] = []
        self.rows_field = DraftList()
        self._syncing = False
        self.rows_field.observe(self._rebuild, names="value")
        self.box = w.VBox()
        self.add_button = w.Button(description="添加补充条件", icon="plus")
        self.add_button.on_click(lambda _b: self.add())
        self.widget = w.VBox(
            [
                w.HTML("<b>本市补充条件</b>（可选；评估组与附件1必备条件一并核验，SEL-03）"),
                self.box,
                self.add_button,
            ]
        )

    def add(self, sub_id: str = "", text: str = "") -> None:
        used = {r[0].value for r in self.rows}
        n = len(self.rows) + 1
        while not sub_id and f"S{n}" in used:
            n += 1
        self._add_row(sub_id or f"S{n}", text)
        self._show()

    def _add_row(self, sub_id: str, text: str) -> None:
        ident = w.Text(
            value=sub_id,
            placeholder="编号",
            continuous_update=False,
            layout=w.Layout(width="90px"),
        )
        body = w.Text(
            value=text,
            placeholder="补充条件内容",
            continuous_update=False,
            layout=w.Layout(width="60%"),
        )
        remove = w.Button(description="删除", layout=w.Layout(width="70px"))
        row = (ident, body, remove)
        remove.on_click(lambda _b, r=row: self.remove(r))
        ident.observe(lambda _c: self._changed(), names="value")
        body.observe(lambda _c: self._changed(), names="value")
        self.rows.append(row)

    def remove(self, row: tuple[w.Text, w.Text, w.Button]) -> None:
        self.rows = [r for r in self.rows if r is not row]
        self._show()

    def _show(self) -> None:
        self.box.children = [w.HBox(list(r)) for r in self.rows]
        self._changed()

    def _changed(self) -> None:
        self._syncing = True
        try:
            self.rows_field.value = [{"sub_id": i.value, "text": t.value} for i, t, _ in self.rows]
        finally:
            self._syncing = False
        self.on_change()

    def _rebuild(self, change: Any) -> None:
        """The rows from a list set from outside (a restored draft, a reset)."""
        if self._syncing:
            return
        self.rows = []
        for item in change["new"]:
            if isinstance(item, dict):
                self._add_row(str(item.get("sub_id", "")), str(item.get("text", "")))
        self.box.children = [w.HBox(list(r)) for r in self.rows]
        self.on_change()

    def value(self) -> list[dict[str, str]]:
        return [{"sub_id": i.value.strip(), "text": t.value.strip()} for i, t, _ in self.rows]


class CallForm:
    """The form of a new call: scope inside the city's list, conditions, requirements, period
    and the city's supplementary conditions."""

    def __init__(
        self, ctx: AppContext, city_code: str, on_published: Callable[[int], None]
    ) -> None:
        self.ctx, self.city_code, self.on_published = ctx, city_code, on_published
        self.messages = Messages()
        years = city_years(ctx.store, city_code)
        default = ctx.today.year if ctx.today.year in years else (years[0] if years else None)
        self.year = guard(
            GuardedDropdown(options=years, value=default, description="年度"), ctx, "年度"
        )
        self.projects = guard(
            GuardedSelectMultiple(options=[], rows=8, description="征集项目", layout=WIDE),
            ctx,
            "征集项目",
        )
        self.scope_note = w.HTML()
        self.title = w.Text(
            description="标题", placeholder="征集公告标题", continuous_update=False, layout=WIDE
        )
        self.conditions = w.Textarea(
            description="申报条件", continuous_update=False, layout=w.Layout(width="80%")
        )
        self.requirements = w.Textarea(
            description="申报要求", continuous_update=False, layout=w.Layout(width="80%")
        )
        self.opens_on = w.DatePicker(description="申报开始", value=ctx.today)
        self.closes_on = w.DatePicker(
            description="申报截止", value=ctx.today + timedelta(days=DEFAULT_PERIOD_DAYS)
        )
        self.supplementary = SupplementaryEditor(self._refresh)
        self.publish_button = w.Button(description="发布征集公告", button_style="primary")
        self.publish_button.on_click(guarded(ctx, self.messages, "发布征集公告", self._publish))
        self.year.observe(lambda _c: self._load_projects(), names="value")
        for field in (self.projects, self.title, self.opens_on, self.closes_on):
            field.observe(lambda _c: self._refresh(), names="value")
        parts: list[w.Widget] = [self.year, self.projects, self.scope_note, self.title]
        parts += [self.conditions, self.requirements, w.HBox([self.opens_on, self.closes_on])]
        parts += [self.supplementary.widget, self.publish_button, self.messages.widget]
        if not years:
            parts.insert(
                0, info("本市尚未在省级考核项目目录内确定考核项目，暂不能发布征集公告（SEL-01）")
            )
        self.widget = section("发布征集公告（SEL-01、SEL-02）", *parts)
        self.drafts: list[FormDraft] = []
        self._load_projects()
        self.draft = FormDraft(  # what the officer types comes back after a reload
            ctx,
            "call",
            city_code,
            {
                "year": self.year,
                "projects": self.projects,
                "title": self.title,
                "conditions": self.conditions,
                "requirements": self.requirements,
                "opens_on": self.opens_on,
                "closes_on": self.closes_on,
                "supplementary": self.supplementary.rows_field,
            },
        )
        self.drafts.append(self.draft)

    def _load_projects(self) -> None:
        with batched(self.drafts):  # reloading the options and putting the choice back
            self._reload_projects()

    def _reload_projects(self) -> None:
        if self.year.value is None:
            self.projects.options = []
        else:
            offered = city_projects_of(self.ctx.store, self.city_code, int(self.year.value))
            keep = self.projects.value  # what was chosen stays chosen where the year allows it
            self.projects.options = [
                (f"{r['project_code']} {r['project']}", r["project_code"])
                for r in offered.to_dict("records")
            ]
            self.projects.value = tuple(c for c in keep if c in set(offered["project_code"]))
            self.scope_note.value = (
                f"<span style='color:#666'>本市{self.year.value}年确定的考核项目共 "
                f"{len(offered)} 个；征集范围只能在其中选择（SEL-01）</span>"
            )
        self._refresh()

    def ready(self) -> bool:
        return bool(
            self.year.value is not None
            and self.projects.value
            and self.title.value.strip()
            and self.opens_on.value is not None
            and self.closes_on.value is not None
        )

    def _refresh(self) -> None:
        self.publish_button.disabled = not self.ready()

    def _publish(self, _button: Any = None) -> None:
        if not self.ready():  # e.g. a crafted re-enable of the button with a date cleared
            raise RuleViolation("请填写年度、征集项目、标题和申报时间", rule_id="SEL-02")
        call_id = self.ctx.run(
            registry.publish_call,
            city_code=self.city_code,
            year=int(self.year.value),
            title=self.title.value,
            project_codes=list(self.projects.value),
            opens_on=self.opens_on.value,
            closes_on=self.closes_on.value,
            published_on=self.ctx.today,
            conditions=self.conditions.value,
            requirements=self.requirements.value,
            supplementary=self.supplementary.value(),
        )
        self.draft.clear(reset=True)  # an empty form: a second click cannot publish it again
        self.messages.ok(f"已发布征集公告（编号{call_id}）")
        self.on_published(call_id)
