"""The dashboard's tabs, part 2: investigations and exits, renewal outcomes, the catalog."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from casework.dashboard import charts
from casework.dashboard.filters import Filters
from casework.dashboard.sections import Section, note
from casework.dashboard.tables import SortableTable
from casework.domain import lifecycle, rules
from casework.queries import catalog as rq
from casework.queries import dashboard as dq
from casework.ui.downloads import download_link
from casework.ui.kit import GuardedDropdown, Messages, guard, guarded

# --- investigations and exits (EXIT-01…EXIT-07) ----------------------------------------------
INVESTIGATION_COLUMNS = {
    "institution": "考核机构",
    "city": "城市",
    "code": "机构代码",
    "kind": "类型",
    "status": "办理状态",
    "filing_status": "备案状态",
    "opened_on": "立案／申请日期",
    "statement_due": "陈述申辩截止",
    "grounds": "事由",
}


class Exits(Section):
    """Open investigations (the filing suspended, EXIT-04) and withdrawals; exits by reason."""

    title = "调查与退出"

    def setup(self) -> None:
        self.table = SortableTable(
            self.ctx,
            "investigations",
            INVESTIGATION_COLUMNS,
            sort_by="opened_on",
            row_class=lambda p: (p["kind"] == "违规").map({True: "cw-suspended-row", False: ""}),
            empty_text="没有未结的调查或撤销申请",
        )

    def draw(self, f: Filters) -> None:
        cases = dq.open_investigations(self.ctx.store, f)
        exits = dq.exits_by_reason(self.ctx.store, f)
        investigations = int((cases["kind"] == "违规").sum())
        suspended = int((cases["filing_status"] == lifecycle.SUSPENDED).sum())
        period = f"{f.year}年" if f.year else "历年"
        chart = charts.bar_chart(
            exits.set_index("reason")["filings"],
            title=f"{period}终止备案（按原因，EXIT-01）",
            unit="家",
            color="#9aa3ad",
            css_class="cw-chart-exits",
        )
        self.table.set_frame(cases)
        self.widget.children = [
            w.HTML(
                f'<div class="cw-note cw-investigations" data-value="{investigations}">'
                f"未结违规调查 {investigations} 件（其中备案暂停 {suspended} 家，EXIT-04），"
                f"自愿撤销办理中 {len(cases) - investigations} 件。</div>"
            ),
            self.table.widget,
            w.HTML(chart),
        ]


# --- renewal outcomes and inter-rater spread (REN-04…REN-07) ---------------------------------
OUTCOME_COLUMNS = {
    "institution": "考核机构",
    "city": "城市",
    "code": "机构代码",
    "decided_on": "决定日期",
    "composite": "综合得分",
    "grade": "等次",
    "veto_found": "否决项报告",
}
SPREAD_COLUMNS = {
    "institution": "考核机构",
    "city": "城市",
    "member_name": "评估组成员",
    "total": "评分",
    "group_mean": "组均分",
    "deviation": "偏离",
    "distance": "偏离幅度",
    "members": "组人数",
}
SCORE_BANDS = [0, rules.PASS_MARK, 70, 80, 90, rules.MAX_SCORE + 0.01]
BAND_LABELS = ["60分以下", "60–70分", "70–80分", "80–90分", "90分以上"]


class Outcomes(Section):
    """Composite scores, grades and veto reports; members far from their group's mean."""

    title = "续期结果"

    def setup(self) -> None:
        self.outcomes = SortableTable(
            self.ctx,
            "outcomes",
            OUTCOME_COLUMNS,
            sort_by="decided_on",
            descending=True,
            row_class=lambda p: (p["grade"] != rules.GRADE_PASS).map(
                {True: "cw-overdue-row", False: ""}
            ),
            empty_text="本期间没有已决定的续期评估",
        )
        self.spread = SortableTable(
            self.ctx,
            "spread",
            SPREAD_COLUMNS,
            sort_by="distance",
            descending=True,
            row_class=lambda p: p["flagged"].map({True: "cw-over-row", False: ""}),
            empty_text="没有可比较的评估组评分",
        )

    def draw(self, f: Filters) -> None:
        frame = dq.outcomes(self.ctx.store, f)
        spread = dq.rater_spread(self.ctx.store, f)
        passed = int((frame["grade"] == rules.GRADE_PASS).sum())
        vetoes = int(frame["veto_found"].sum())
        bands = pd.cut(frame["composite"], SCORE_BANDS, right=False, labels=BAND_LABELS)
        chart = charts.bar_chart(
            bands.value_counts().reindex(BAND_LABELS, fill_value=0),
            title="综合得分分布（60分及以上为合格，REN-05）",
            unit="家",
            css_class="cw-chart-scores",
        )
        flagged = spread[spread["flagged"]]
        self.outcomes.set_frame(frame)
        self.spread.set_frame(spread.assign(distance=spread["deviation"].abs()))
        self.widget.children = [
            w.HTML(
                f'<div class="cw-note cw-outcomes" data-value="{len(frame)}">'
                f"已决定 {len(frame)} 件：合格 {passed} 件，不合格 {len(frame) - passed} 件；"
                f"否决项报告 {vetoes} 件（REN-06）。</div>" + chart
            ),
            self.outcomes.widget,
            w.HTML(
                "<h4>评分离散：成员评分与本组均分之差</h4>"
                + note(
                    f"偏离 ≥ {dq.SPREAD_POINTS:g} 分的成员标为橙色（{len(flagged)} 人次），"
                    "供复核评分尺度，不影响结论。"
                )
            ),
            self.spread.widget,
        ]


# --- the catalog (EXIT-01) -------------------------------------------------------------------
CATALOG_COLUMNS = {
    "institution": "考核机构名称",
    "code": "机构代码",
    "city": "备案城市",
    "projects": "考核项目",
    "term": "有效期",
    "status": "备案状态",
    "end_reason": "终止原因",
    "ended_on": "终止日期",
}


def history_links(page: pd.DataFrame) -> pd.Series:
    """Each row's institution page (机构档案), relative to the dashboard's own address."""
    return "./institution_history.ipynb?institution_id=" + page["institution_id"].astype(str)


FORMATS = [("csv", "csv"), ("Excel（xlsx）", "xlsx"), ("网页（html）", "html")]


class Catalog(Section):
    """考核机构目录 with every status, including 终止备案 and its reason (EXIT-01)."""

    title = "机构目录"

    def setup(self) -> None:
        self.filters = Filters()
        self.table = SortableTable(
            self.ctx,
            "catalog",
            CATALOG_COLUMNS,
            sort_by="code",
            row_class=lambda p: (p["status"] == lifecycle.TERMINATED).map(
                {True: "cw-ended-row", False: ""}
            ),
            link=("institution", history_links),
        )
        self.messages = Messages()
        self.format = guard(
            GuardedDropdown(options=FORMATS, value="xlsx", description="导出格式"),
            self.ctx,
            "目录导出格式",
        )
        self.export = w.Button(description="生成下载链接")
        self.export.on_click(guarded(self.ctx, self.messages, "导出考核机构目录", self._export))
        self.link = w.HTML()

    def draw(self, f: Filters) -> None:
        self.filters = f
        frame = rq.catalog(
            self.ctx.store,
            city_code=f.city_code or None,
            status=f.status or None,
            on=self.ctx.today,
        )
        # the owners of the filings in scope: the project filter applies, and names link on
        frame = frame.merge(dq.filing_owners(self.ctx.store, f), on="filing_id")
        self.table.set_frame(frame)
        self.link.value = ""
        self.widget.children = [
            w.HTML(
                note(
                    "列出全部状态的备案，含终止备案及其原因（EXIT-01）。机构的完整经历见"
                    "“机构档案”页面。"
                )
            ),
            self.table.widget,
            w.HBox([self.format, self.export, self.link]),
            self.messages.widget,
        ]

    def _export(self, _button: object = None) -> None:
        from casework.dashboard.publish import catalog_bytes

        fmt = str(self.format.value)
        data = catalog_bytes(self.ctx.store, fmt, city_code=self.filters.city_code or None)
        self.link.value = download_link(f"考核机构目录.{fmt}", data)
