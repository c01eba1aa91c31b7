"""本地考核项目目录 — the city adjusts its local project list as its filings change (SEL-10).

The page shows the list in force today, takes projects in or out with a reason and the date the
change takes effect, and keeps the history; calls draw on the list of their date.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.errors import CaseworkError
from casework.queries.province import (
    city_project_history,
    city_projects_today,
    city_year_projects,
    year_catalog,
)
from casework.queries.scope import project_name_map
from casework.ui.context import AppContext
from casework.ui.gates import require_city_role
from casework.ui.kit import (
    GuardedSelectMultiple,
    Messages,
    app_entry,
    chosen,
    date_field,
    guard,
    guarded,
    picked_date,
    refusal_page,
    table_html,
    text_area,
    title,
)

HEADING = "本地考核项目目录"


class CityProjectsPage:
    """The actor's city's local project list: in force, changes, history."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.city = str(ctx.actor.city_code)
        self.messages = Messages()
        self.current = w.HTML()
        self.include = guard(
            GuardedSelectMultiple(options=[], description="纳入", rows=6), ctx, "纳入的项目"
        )
        self.exclude = guard(
            GuardedSelectMultiple(options=[], description="移出", rows=6), ctx, "移出的项目"
        )
        self.reason = text_area("调整理由（如：本地已无培训需求、新增产业需要）")
        self.effective = date_field("生效日期", ctx.today)
        self.save = w.Button(description="调整目录", button_style="primary")
        self.save.on_click(guarded(ctx, self.messages, "调整本地考核项目目录", self._save))
        self.history = w.HTML()
        self.year = ctx.today.year
        self.choose = guard(
            GuardedSelectMultiple(options=[], description="选定", rows=6),
            ctx,
            "本年度考核项目",
        )
        self.choose_button = w.Button(description="确定本年度考核项目", button_style="primary")
        self.choose_button.on_click(guarded(ctx, self.messages, "确定本市考核项目", self._choose))
        self.widget = w.VBox(
            [
                title(HEADING, "各市根据考核机构备案情况动态调整本地考核项目目录（SEL-10）"),
                w.HTML("<h4>当前目录</h4>"),
                self.current,
                w.HTML(f"<h4>从{self.year}年全省考核项目目录中确定本市项目（SEL-01）</h4>"),
                self.choose,
                self.choose_button,
                w.HTML("<h4>调整目录</h4>"),
                w.HBox([self.include, self.exclude]),
                self.reason,
                self.effective,
                self.save,
                self.messages.widget,
                w.HTML("<h4>调整记录</h4>"),
                self.history,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        today = city_projects_today(self.ctx.store, self.city, self.ctx.today)
        self.current.value = (
            table_html(today, {"project_code": "项目代码", "name": "项目名称"})
            if not today.empty
            else '<div class="cw-info">目录为空</div>'
        )
        names = project_name_map(self.ctx.store)
        held = set(today["project_code"])
        self.include.options = [
            (f"{code}　{name}", code) for code, name in sorted(names.items()) if code not in held
        ]
        self.exclude.options = [(f"{c}　{names.get(c, c)}", c) for c in sorted(held)]
        self.include.value = ()
        self.exclude.value = ()
        catalog = year_catalog(self.ctx.store, self.year)
        chosen_now = city_year_projects(self.ctx.store, self.city, self.year)
        self.choose.options = [
            (f"{r['project_code']}　{r['name']}", r["project_code"])
            for r in catalog.to_dict("records")
            if r["project_code"] not in chosen_now
        ]
        self.choose.value = ()
        self.choose_button.disabled = not self.choose.options
        history = city_project_history(self.ctx.store, self.city)
        self.history.value = (
            table_html(history) if not history.empty else '<div class="cw-info">尚无调整</div>'
        )

    def _save(self, _button: Any = None) -> None:
        count = self.ctx.run(
            registry.adjust_city_projects,
            city_code=self.city,
            include=chosen(self.include.value),
            exclude=chosen(self.exclude.value),
            reason=self.reason.value,
            on=picked_date(self.ctx, self.effective, "SEL-10"),
        )
        self.reason.value = ""
        self.refresh()
        self.messages.ok(f"已调整本地考核项目目录（{count}项）")

    def _choose(self, _button: Any = None) -> None:
        count = self.ctx.run(
            registry.choose_city_projects,
            city_code=self.city,
            year=self.year,
            project_codes=chosen(self.choose.value),
        )
        self.refresh()
        self.messages.ok(f"已确定{self.year}年度本市考核项目（新增{count}项）")


def build(ctx: AppContext) -> w.Widget:
    try:
        require_city_role(ctx, "调整本地考核项目目录")
        return CityProjectsPage(ctx).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point."""
    return app_entry(HEADING, build)
