"""The dashboard's tab of work waiting between the city and the province (issue #14).

- 全省看板: the cities' reports waiting for the province's acknowledgement (SEL-08, REN-08)
  and the latest catalog edition — number, date, changes (SEL-09);
- 本市看板: the applications cleared by their 公示 and not yet reported to the province
  (SEL-08: the receipt waits for the report), and the filings whose closing work after expiry,
  a failed renewal or extinction is still open (EXIT-08).

Every query runs with the scoped :class:`~casework.dashboard.filters.Filters`: a city role's
own city, the province's chosen city or all.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from casework.dashboard.filters import Filters
from casework.dashboard.sections import Section, note
from casework.dashboard.tables import SortableTable
from casework.errors import NotFound
from casework.queries.closing import open_closing_work
from casework.queries.province import (
    applications_to_report,
    catalog_edition,
    province_reports_of,
)
from casework.store.engine import Store
from casework.ui.context import AppContext
from casework.ui.markup import esc

REPORT_COLUMNS = {
    "report_id": "报送编号",
    "city": "城市",
    "kind": "报送事项",
    "sent_on": "报送日期",
    "sent_by": "报送人",
    "institutions": "考核机构",
}
TO_REPORT_COLUMNS = {
    "application_id": "申请编号",
    "institution": "考核机构",
    "kind": "申请类型",
    "projects": "考核项目",
    "decided_on": "公示结束日期",
}
CLOSING_COLUMNS = {
    "institution": "考核机构",
    "code": "机构代码",
    "reason": "终止原因",
    "opened_on": "终止日期",
    "parts_done": "已完成的收尾事项",
}


def waiting_reports(
    store: Store, city_code: str | None, city_names: dict[str, str]
) -> pd.DataFrame:
    """Reports of the cities (or of ``city_code``) the province has not acknowledged."""
    rows = [
        {
            "report_id": r.id,
            "city": city_names.get(r.city_code, r.city_code),
            "kind": r.kind,
            "sent_on": r.sent_on,
            "sent_by": r.sent_by,
            "institutions": "、".join(r.institutions),
        }
        for r in province_reports_of(store, city_code)
        if r.acknowledged_on is None
    ]
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def edition_html(store: Store) -> str:
    """The latest catalog edition in one line (SEL-09), or that none is published yet."""
    try:
        edition = catalog_edition(store)
    except NotFound:
        return '<div class="cw-note cw-edition" data-value="0">尚未发布考核机构目录（SEL-09）</div>'
    return (
        f'<div class="cw-note cw-edition" data-value="{edition.number}">'
        f"最新考核机构目录：第{edition.number}期，{edition.published_on}发布，"
        f"收录 {len(edition.entries)} 家，较上期变化 {len(edition.changes)} 项"
        f"（发布人：{esc(edition.published_by)}，SEL-09）。</div>"
    )


class Pending(Section):
    """Reports and catalog (province); reports due and closing work open (city)."""

    title = "报送与收尾"

    def __init__(self, ctx: AppContext, *, province: bool, city_names: dict[str, str]) -> None:
        super().__init__(ctx, province=province)
        self.city_names = city_names

    def setup(self) -> None:
        if self.province:
            self.reports = SortableTable(
                self.ctx,
                "reports",
                REPORT_COLUMNS,
                sort_by="sent_on",
                empty_text="没有待确认的市级报送",
            )
            return
        self.to_report = SortableTable(
            self.ctx,
            "to_report",
            TO_REPORT_COLUMNS,
            sort_by="decided_on",
            empty_text="没有待报省厅的申请",
        )
        self.closing = SortableTable(
            self.ctx,
            "closing",
            CLOSING_COLUMNS,
            sort_by="opened_on",
            empty_text="没有未完成的收尾工作",
        )

    def draw(self, f: Filters) -> None:
        store = self.ctx.store
        if self.province:
            frame = waiting_reports(store, f.city_code or None, self.city_names)
            self.reports.set_frame(frame)
            self.widget.children = [
                w.HTML(edition_html(store)),
                w.HTML(
                    f'<h4>待确认的市级报送</h4><div class="cw-note cw-reports-waiting" '
                    f'data-value="{len(frame)}">各市报送省厅、尚待确认的 {len(frame)} 份'
                    "（公示无异议的备案、范围调整和续期结果，SEL-08、REN-08）。</div>"
                ),
                self.reports.widget,
            ]
            return
        due = applications_to_report(store, f.city_code)
        closing = open_closing_work(store, f.city_code)
        self.to_report.set_frame(due)
        self.closing.set_frame(closing)
        self.widget.children = [
            w.HTML(
                f'<h4>待报省厅的申请</h4><div class="cw-note cw-to-report" '
                f'data-value="{len(due)}">公示无异议、尚未报送省厅的 {len(due)} 件；'
                "报送后方可出具备案回执（SEL-08）。</div>"
            ),
            self.to_report.widget,
            w.HTML(
                f'<h4>未完成的收尾工作</h4><div class="cw-note cw-closing-open" '
                f'data-value="{len(closing)}">到期未续、续期不合格或主体灭失后，'
                f"收尾工作尚未完成的 {len(closing)} 家（EXIT-08）。</div>"
            ),
            self.closing.widget,
            w.HTML(note("逐项登记收尾工作，请在“退出”页面打开该备案。")),
        ]
