"""征集公告 — a city officer publishes a call for assessment institutions (SEL-01, SEL-02).

The projects offered are exactly the city's chosen projects for the year (SEL-01; the same set
as :func:`casework.registry.catalog.city_project_codes`); a crafted value outside that list is
refused and logged, and :func:`registry.publish_call` checks the scope again on the server. The
page lists the city's calls with their status and the applications each received, and closes a
call (:func:`registry.close_call`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import ipywidgets as w

from casework import registry
from casework.errors import RuleViolation
from casework.queries.calls import city_calls, city_projects_of, city_years
from casework.ui.call_parts import CallDetail, SupplementaryEditor
from casework.ui.city_cases import (
    WIDE,
    info,
    options,
    page_or_refusal,
    require_city_role,
    section,
)
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft, batched
from casework.ui.kit import (
    GuardedDropdown,
    GuardedSelectMultiple,
    Messages,
    app_entry,
    guard,
    guarded,
    table_html,
    title,
)

HEADING = "征集公告"
DEFAULT_PERIOD_DAYS = 30
CALL_HEADERS = {
    "call_id": "编号",
    "year": "年度",
    "title": "标题",
    "projects": "征集范围",
    "period": "申报时间",
    "status": "状态",
    "applications": "已收申请",
}


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


class CallPage:
    """The whole page: the form, the city's calls, and the chosen call's detail."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.ctx, self.city_code = ctx, city_code
        self.messages = Messages()
        self.form = CallForm(ctx, city_code, self._published)
        self.listing = w.HTML()
        self.picker = guard(
            GuardedDropdown(options=[], description="征集公告", layout=WIDE), ctx, "征集公告"
        )
        self.open_button = w.Button(description="查看", button_style="info")
        self.open_button.on_click(guarded(ctx, self.messages, "打开征集公告", self._open))
        self.holder = w.VBox()
        calls_box = section(
            "本市征集公告",
            self.listing,
            w.HBox([self.picker, self.open_button]),
            self.messages.widget,
            self.holder,
        )
        self.widget = w.VBox([title(HEADING), self.form.widget, calls_box])
        self.refresh()

    def refresh(self) -> None:
        frame = city_calls(self.ctx.store, self.city_code)
        self.listing.value = (
            table_html(frame, CALL_HEADERS) if len(frame) else "<p>本市尚未发布征集公告</p>"
        )
        current = self.picker.value
        self.picker.options = options(
            frame, "call_id", lambda r: f"{r['call_id']} {r['title']}（{r['status']}）"
        )
        ids = [value for _, value in self.picker.options]
        self.picker.value = current if current in ids else (ids[0] if ids else None)
        self.open_button.disabled = not ids

    def _published(self, call_id: int) -> None:
        self.refresh()
        self.picker.value = call_id

    def _open(self, _button: Any = None) -> None:
        if self.picker.value is None:
            raise RuleViolation("请先选择征集公告")
        self.holder.children = [CallDetail(self.ctx, int(self.picker.value), self.refresh).widget]


def build(ctx: AppContext, call_id: int | None = None) -> w.Widget:
    """The page for the acting user: a given call's detail, or the form and the city's calls."""

    def make() -> w.Widget:
        city = require_city_role(ctx, "打开征集公告")
        if call_id is None:
            return CallPage(ctx, city).widget
        return w.VBox([title(HEADING), CallDetail(ctx, int(call_id)).widget])

    return page_or_refusal(HEADING, make)


def app(call_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, call_id)
