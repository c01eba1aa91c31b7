"""Parts of the 考核范围调整 page: quota use against SEL-07's "原则上不超过5" and the
overrides recorded with their reasons."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from casework.domain import rules
from casework.queries import catalog as queries
from casework.queries.scope import city_overrides
from casework.ui.context import AppContext
from casework.ui.kit import esc, section, table_html

AT_LIMIT, OVER = "已达上限", "超出上限"
OVERRIDE_HEADERS = {
    "kind": "突破类型",
    "project_code": "项目",
    "institution": "考核机构",
    "count_after": "突破后数量",
    "reason": "理由",
    "officer": "决定人",
    "recorded_on": "日期",
}


def flag(count: int, limit: int) -> str:
    if count > limit:
        return OVER
    return AT_LIMIT if count == limit else ""


def quota_table(frame: pd.DataFrame, columns: dict[str, str], count: str) -> str:
    """An HTML table whose rows at the limit are bold and over the limit red (SEL-07)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in [*columns.values(), "提示"])
    rows = []
    for record in frame.to_dict("records"):
        mark = flag(int(record[count]), int(record["limit"]))
        style = (
            " class='cw-overdue'" if mark == OVER else (" style='font-weight:600'" if mark else "")
        )
        cells = "".join(f"<td>{esc(record[c])}</td>" for c in columns)
        rows.append(f"<tr{style}>{cells}<td>{esc(mark)}</td></tr>")
    return (
        f'<table class="cw-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def quota_html(ctx: AppContext, city_code: str, institution_id: int | None = None) -> str:
    """SEL-07 for the city: institutions per project and projects per institution, each
    against "原则上不超过5", and the overrides recorded with their reasons."""
    per_project = queries.quota_use(ctx.store, city_code=city_code)
    per_institution = queries.institution_quota_use(ctx.store, city_code=city_code)
    overrides = city_overrides(ctx.store, city_code)
    parts = [
        f"<p>每个考核项目在本市原则上不超过<b>{rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY}</b>"
        f"家考核机构，每家考核机构原则上不超过<b>{rules.MAX_PROJECTS_PER_INSTITUTION}</b>"
        "个考核项目（SEL-07）；确需突破的，须由市级负责人录入理由。</p>"
    ]
    if institution_id is not None:
        mine = per_institution[per_institution["institution_id"] == institution_id]
        held = int(mine["projects"].iloc[0]) if len(mine) else 0
        mark = flag(held, rules.MAX_PROJECTS_PER_INSTITUTION)
        parts.append(
            f"<p>本机构备案考核项目 <b>{held}</b> 个（原则上不超过"
            f"{rules.MAX_PROJECTS_PER_INSTITUTION}个）{esc(mark)}</p>"
        )
    parts.append("<p><b>各考核项目的考核机构数</b></p>")
    parts.append(
        quota_table(
            per_project,
            {
                "project_code": "项目代码",
                "project": "考核项目",
                "institutions": "考核机构数",
                "limit": "原则上不超过",
                "override_reasons": "突破理由",
            },
            "institutions",
        )
        if len(per_project)
        else "<p>本市暂无备案考核机构</p>"
    )
    parts.append("<p><b>各考核机构的考核项目数</b></p>")
    parts.append(
        quota_table(
            per_institution,
            {
                "institution": "考核机构",
                "projects": "考核项目数",
                "limit": "原则上不超过",
                "override_reasons": "突破理由",
            },
            "projects",
        )
        if len(per_institution)
        else "<p>本市暂无备案考核机构</p>"
    )
    parts.append("<p><b>已录入的突破理由</b></p>")
    parts.append(
        table_html(overrides, OVERRIDE_HEADERS) if len(overrides) else "<p>无突破数量限制的情形</p>"
    )
    return "".join(parts)


class QuotaSection:
    """The quota view of the city, refreshed after every change of scope."""

    def __init__(self, ctx: AppContext, city_code: str, institution_id: int | None = None) -> None:
        self.ctx, self.city_code, self.institution_id = ctx, city_code, institution_id
        self.body = w.HTML()
        self.widget = section("考核数量（SEL-07）", self.body)
        self.refresh()

    def refresh(self) -> None:
        self.body.value = quota_html(self.ctx, self.city_code, self.institution_id)
