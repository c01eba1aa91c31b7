"""The dashboard's tabs, part 1: overview, quota map, renewal pipeline, deadlines.

A section renders from scoped :class:`~casework.dashboard.filters.Filters` only; it is drawn
when its tab is first shown and again after a filter changes (tabs not shown are not queried).
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from casework.dashboard import charts
from casework.dashboard.filters import STATUSES, Filters
from casework.dashboard.tables import SortableTable
from casework.domain import rules
from casework.queries import catalog as rq
from casework.queries import dashboard as dq
from casework.ui.context import AppContext
from casework.ui.markup import esc

LIMIT_PROJECT = rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY
LIMIT_INSTITUTION = rules.MAX_PROJECTS_PER_INSTITUTION
TOP_PROJECTS = 20


class Section:
    """One tab: a title, a widget, and how to draw it for a set of filters."""

    title = ""

    def __init__(self, ctx: AppContext, *, province: bool) -> None:
        self.ctx, self.province = ctx, province
        self.widget = w.VBox([w.HTML('<div class="cw-info">加载中…</div>')])
        self.widget.add_class(f"cw-section-{type(self).__name__.lower()}")
        self.stale = True
        self.built = False

    def setup(self) -> None:
        """Make the section's own inputs and tables — on first show, so a page sends the
        browser only the widgets of the tabs a manager opens."""

    def render(self, f: Filters) -> None:
        if not self.built:
            self.setup()
            self.built = True
        self.draw(f)

    def draw(self, f: Filters) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


def note(text: str) -> str:
    return f'<div class="cw-note">{esc(text)}</div>'


def scroll(html: str, height: int = 520) -> str:
    return f'<div class="cw-scroll" style="max-height:{height}px">{html}</div>'


# --- overview --------------------------------------------------------------------------------
def kpi_html(counts: pd.DataFrame) -> str:
    """Tiles: filings per status and in all; each tile carries its number in ``data-value``."""
    per_status = counts.groupby("status")["filings"].sum().reindex(STATUSES, fill_value=0)
    tiles = [(s, int(n)) for s, n in per_status.items()] + [("合计", int(per_status.sum()))]
    return (
        '<div class="cw-kpis cw-dash-ready">'
        + "".join(
            f'<div class="cw-kpi" data-status="{esc(s)}" data-value="{n}">'
            f'<div class="cw-kpi-n">{n}</div><div class="cw-kpi-l">{esc(s)}</div></div>'
            for s, n in tiles
        )
        + "</div>"
    )


class Overview(Section):
    """Filings by status; active institutions by city (province) and by project."""

    title = "概览"

    def draw(self, f: Filters) -> None:
        counts = dq.status_counts(self.ctx.store, f)
        parts = [kpi_html(counts)]
        if self.province and not counts.empty:
            by_city = counts.pivot_table(
                index="city", columns="status", values="filings", aggfunc="sum", fill_value=0
            ).reindex(columns=[s for s in STATUSES if s in set(counts.status)])
            order = counts.drop_duplicates("city").set_index("city")["city_code"]
            by_city = by_city.loc[order.sort_values().index]
            parts.append(
                charts.stacked_columns(
                    by_city,
                    title="各市备案机构（按状态）",
                    colors=charts.STATUS_COLORS,
                    css_class="cw-chart-cities",
                    unit="家",
                )
            )
        status = f.status or STATUSES[0]
        projects = dq.project_counts(self.ctx.store, f)
        shown = projects[projects.status == status].sort_values(
            ["institutions", "project_code"], ascending=[False, True]
        )
        label = shown["project"] + "（" + shown["project_code"] + "）"
        values = pd.Series(shown["institutions"].to_numpy(), index=label.to_numpy())
        parts.append(
            charts.bar_chart(
                values.head(TOP_PROJECTS),
                title=f"各考核项目{status}备案机构数",
                unit="家",
                color=charts.STATUS_COLORS.get(status, charts.BLUE),
                css_class="cw-chart-projects",
            )
        )
        if len(values) > TOP_PROJECTS:
            parts.append(note(f"另有 {len(values) - TOP_PROJECTS} 个项目未列出（按机构数排序）"))
        self.widget.children = [w.HTML("".join(parts))]


# --- quota map (SEL-07) ----------------------------------------------------------------------
QUOTA_COLUMNS = {
    "institution": "考核机构",
    "city_code": "城市代码",
    "projects": "备案项目数",
    "limit": "上限",
    "override_reasons": "突破上限的理由（SEL-07）",
}
OVERRIDE_COLUMNS = {
    "city": "城市",
    "project": "考核项目",
    "institutions": "机构数",
    "limit": "上限",
    "override_reasons": "突破上限的理由（SEL-07）",
}


class QuotaMap(Section):
    """SEL-07: institutions per project per city against 5, projects per institution
    against 5; overrides outlined with their reasons."""

    title = "配额"

    def setup(self) -> None:
        self.overrides = SortableTable(self.ctx, "quota-overrides", OVERRIDE_COLUMNS)
        self.institutions = SortableTable(
            self.ctx,
            "quota-institutions",
            QUOTA_COLUMNS,
            sort_by="projects",
            descending=True,
            row_class=lambda p: p["over"].map({True: "cw-over-row", False: ""}),
        )

    def draw(self, f: Filters) -> None:
        use = rq.quota_use(self.ctx.store, city_code=f.city_code or None)
        if f.project_code:
            use = use[use.project_code == f.project_code]
        use = use.assign(row=use["project"] + "（" + use["project_code"] + "）")
        if self.province:
            grid = use.pivot_table(
                index="row", columns="city", values="institutions", aggfunc="sum", fill_value=0
            )
            ordered = use.sort_values(["project_code", "city_code"])
            grid = grid.reindex(
                index=ordered["row"].unique(),
                columns=ordered.sort_values("city_code")["city"].unique(),
            )
            overridden = use[use.override_reasons != ""]
            notes = dict(
                zip(
                    zip(overridden["row"], overridden["city"], strict=True),
                    overridden["override_reasons"],
                    strict=True,
                )
            )
            chart = charts.heat_map(
                grid,
                limit=LIMIT_PROJECT,
                title=f"考核项目 × 城市：备案机构数（上限 {LIMIT_PROJECT} 家）",
                notes=notes,
                css_class="cw-chart-quota",
            )
        else:
            values = pd.Series(use["institutions"].to_numpy(), index=use["row"].to_numpy())
            colours = {str(r): charts.heat_colour(int(n), LIMIT_PROJECT) for r, n in values.items()}
            chart = charts.bar_chart(
                values,
                title=f"各考核项目备案机构数（上限 {LIMIT_PROJECT} 家）",
                unit="家",
                color=colours,
                css_class="cw-chart-quota",
                scale_to=LIMIT_PROJECT + 1,
            )
        per_institution = rq.institution_quota_use(self.ctx.store, city_code=f.city_code or None)
        near = per_institution[per_institution.projects >= LIMIT_INSTITUTION]
        self.overrides.set_frame(use[(use.override_reasons != "") | use.over])
        self.institutions.set_frame(near)
        self.widget.children = [
            w.HTML(
                note("按有效和暂停的备案统计；红色超过上限，黄色已满，粗框星号为经批准突破。")
                + scroll(chart)
            ),
            w.HTML("<h4>项目机构数突破上限（每市每项目原则上不超过5家）</h4>"),
            self.overrides.widget,
            w.HTML(f"<h4>备案项目数达到上限的机构（每家原则上不超过{LIMIT_INSTITUTION}个）</h4>"),
            self.institutions.widget,
        ]


# --- renewal pipeline (REN-01, REN-02) -------------------------------------------------------
MISSED_COLUMNS = {
    "institution": "考核机构",
    "city": "城市",
    "code": "机构代码",
    "term_end": "有效期届满",
    "deadline": "自评截止",
    "status": "续期状态",
    "days_overdue": "逾期天数",
}


class Pipeline(Section):
    """Terms ending per month by renewal stage; who missed the self-evaluation deadline."""

    title = "续期进度"

    def setup(self) -> None:
        self.missed = SortableTable(
            self.ctx,
            "missed",
            MISSED_COLUMNS,
            sort_by="days_overdue",
            descending=True,
            row_class=lambda p: pd.Series("cw-overdue-row", index=p.index),
            empty_text="没有逾期未提交自评的机构",
        )

    def draw(self, f: Filters) -> None:
        frame = dq.pipeline(self.ctx.store, f)
        frame["label"] = frame["year"].astype(str) + "-" + frame["month"].astype(str).str.zfill(2)
        grid = frame.pivot_table(
            index="label", columns="stage", values="filings", aggfunc="sum", fill_value=0
        ).reindex(columns=[s for s in dq.STAGES if s in set(frame.stage)])
        chart = charts.stacked_columns(
            grid,
            title="按有效期届满月份的续期进度",
            colors=charts.STAGE_COLORS,
            css_class="cw-chart-pipeline",
            unit="家",
        )
        self.missed.set_frame(dq.missed_deadlines(self.ctx.store, f, self.ctx.today))
        self.widget.children = [
            w.HTML(note("期间筛选按有效期届满日期。") + scroll(chart, 320)),
            w.HTML("<h4>逾期未提交续期自评（REN-02）</h4>"),
            self.missed.widget,
        ]


# --- deadlines -------------------------------------------------------------------------------
DEADLINE_COLUMNS = {
    "kind": "事项",
    "subject": "对象",
    "city": "城市",
    "due": "截止日期",
    "workdays_left": "剩余工作日",
    "rule_id": "规则",
}


class Deadlines(Section):
    """Notices ending, statements due, self-evaluation deadlines; overdue in red."""

    title = "期限"

    def __init__(self, ctx: AppContext, *, province: bool, city_names: dict[str, str]) -> None:
        super().__init__(ctx, province=province)
        self.city_names = city_names

    def setup(self) -> None:
        self.table = SortableTable(
            self.ctx,
            "deadlines",
            DEADLINE_COLUMNS,
            sort_by="due",
            row_class=lambda p: p["overdue"].map({True: "cw-overdue-row", False: ""}),
            empty_text="没有未到期或逾期的事项",
        )
        self.notes = w.HTML()

    def draw(self, f: Filters) -> None:
        frame = rq.open_deadlines(
            self.ctx.store, today=self.ctx.today, city_code=f.city_code or None
        )
        frame["city"] = frame["city_code"].map(self.city_names).fillna(frame["city_code"])
        self.table.set_frame(frame)
        overdue = int(frame["overdue"].sum())
        text = f"共 {len(frame)} 项，其中逾期 {overdue} 项（红色）；仅按城市筛选。"
        if frame["provisional"].any():
            text += "部分年份的法定节假日尚未公布，剩余工作日按周末估算（暂定）。"
        self.notes.value = note(text)
        self.widget.children = [self.notes, self.table.widget]
