"""The dashboard frame shared by the province and city pages: filters, tabs, lazy drawing.

The filter inputs offer only values inside the user's scope, and refuse (and log) any other
value a crafted message sends; every query then runs with :func:`scope_filters`, which forces
a city role's own city into the SQL. Only the visible tab is queried: the others are drawn
when first opened, which keeps the page's load light.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework.dashboard.filters import Filters, check_viewer, filter_options, scope_filters
from casework.dashboard.sections import Deadlines, Overview, Pipeline, QuotaMap, Section
from casework.dashboard.sections_cases import Catalog, Exits, Outcomes
from casework.dashboard.sections_pending import Pending
from casework.registry.actors import PROVINCE
from casework.ui.context import AppContext
from casework.ui.kit import GuardedDropdown, GuardedInput, Messages, guard, guarded, title

DASH_CSS = """
<style>
.cw-kpis{display:flex;gap:12px;margin:6px 0 12px}
.cw-kpi{border:1px solid #dfe3e8;border-radius:6px;padding:8px 16px;min-width:88px;
  background:#fafbfc;text-align:center}
.cw-kpi-n{font-size:24px;font-weight:600}
.cw-kpi-l{font-size:13px;color:#555}
.cw-note{color:#555;font-size:13px;margin:4px 0}
.cw-scroll{overflow:auto;border:1px solid #eef0f3;padding:4px;margin:4px 0}
.cw-table tr.cw-overdue-row td{color:#a61b1b;font-weight:600}
.cw-table tr.cw-over-row td{background:#fff1e0}
.cw-table tr.cw-suspended-row td{background:#fff8e1}
.cw-table tr.cw-ended-row td{color:#777}
.cw-chart{margin:6px 12px 6px 0}
</style>
"""


class GuardedTab(GuardedInput, w.Tab):
    """A tab bar that refuses (and logs) a crafted tab index."""


class Dashboard:
    """Filters over tabs; ``province`` shows every city, a city page its own city only."""

    def __init__(self, ctx: AppContext, heading: str) -> None:
        check_viewer(ctx.store, ctx.actor)
        self.ctx = ctx
        self.province = ctx.actor.role == PROVINCE
        options = filter_options(ctx.store, ctx.actor)
        self.messages = Messages()
        wide = w.Layout(width="260px")
        self.city = guard(
            GuardedDropdown(options=options.cities, description="城市", layout=wide),
            ctx,
            "看板城市",
        )
        self.city.disabled = not self.province
        self.project = guard(
            GuardedDropdown(options=options.projects, description="考核项目", layout=wide),
            ctx,
            "看板考核项目",
        )
        self.status = guard(
            GuardedDropdown(options=options.statuses, description="备案状态", layout=wide),
            ctx,
            "看板备案状态",
        )
        years = [y for _, y in options.years]
        self.year = guard(
            GuardedDropdown(
                options=options.years,
                value=ctx.today.year if ctx.today.year in years else 0,
                description="期间",
                layout=wide,
            ),
            ctx,
            "看板期间",
        )
        city_names = {code: name for name, code in options.cities if code}
        self.sections: list[Section] = [
            Overview(ctx, province=self.province),
            QuotaMap(ctx, province=self.province),
            Pipeline(ctx, province=self.province),
            Deadlines(ctx, province=self.province, city_names=city_names),
            Exits(ctx, province=self.province),
            Outcomes(ctx, province=self.province),
            Catalog(ctx, province=self.province),
            Pending(ctx, province=self.province, city_names=city_names),
        ]
        self.tabs = guard(GuardedTab(children=[s.widget for s in self.sections]), ctx, "看板标签页")
        for i, section in enumerate(self.sections):
            self.tabs.set_title(i, section.title)
        scope = "全省" if self.province else f"{options.cities[0][0]}（本市）"
        who = f"{ctx.actor.display_name or ctx.actor.username}（{ctx.actor.role}）"
        self.refresh = guarded(ctx, self.messages, "看板筛选", self._refresh)
        self.draw = guarded(ctx, self.messages, "看板标签页", self._draw)
        for widget in (self.city, self.project, self.status, self.year):
            widget.observe(self.refresh, "value")
        self.tabs.observe(self.draw, "selected_index")
        self.widget = w.VBox(
            [
                title(heading, f"查看范围：{scope}　当前用户：{who}　数据日期：{ctx.today}"),
                w.HTML(DASH_CSS),
                w.HBox([self.city, self.project]),
                w.HBox([self.status, self.year]),
                self.messages.widget,
                self.tabs,
            ]
        )
        self.widget.add_class("cw-dashboard")
        self.refresh()

    def filters(self) -> Filters:
        """The chosen filters, scoped on the server (a city role gets its own city)."""
        requested = Filters(
            city_code=str(self.city.value or ""),
            project_code=str(self.project.value or ""),
            status=str(self.status.value or ""),
            year=int(self.year.value or 0),
        )
        return scope_filters(self.ctx.store, self.ctx.actor, requested)

    def _refresh(self, _change: Any = None) -> None:
        """Filters changed: every tab is out of date; the visible one is drawn now (errors,
        such as a refused city, are shown in Chinese by the guarded ``refresh``)."""
        self.messages.clear()
        for section in self.sections:
            section.stale = True
        self.draw()

    def _draw(self, _change: Any = None) -> None:
        index = self.tabs.selected_index or 0
        section = self.sections[index]
        if section.stale:
            section.render(self.filters())
            section.stale = False
