"""考核机构目录 — the province publishes the catalog of institutions as dated editions (SEL-09).

The province's manager sees what changed since the last edition (新增、范围调整、续期、终止备案
with reason, 暂停/恢复) and publishes a new edition; every edition is kept and can be
downloaded as xlsx, csv, a static web page or a JSON file a website can read. City roles see
and download the editions (read only).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.errors import CaseworkError, NotFound, PermissionDenied
from casework.queries.province import (
    CHANGE_COLUMNS,
    CatalogEdition,
    catalog_edition,
    catalog_editions_list,
    edition_export,
    preview_changes,
)
from casework.registry.actors import CITY_ROLES, PROVINCE
from casework.ui.context import AppContext
from casework.ui.downloads import download_link
from casework.ui.gates import require_roles
from casework.ui.kit import (
    GuardedDropdown,
    Messages,
    app_entry,
    guard,
    guarded,
    refusal_page,
    table_html,
    text_area,
    title,
)

HEADING = "考核机构目录"
FORMATS = ("xlsx", "csv", "html", "json")


def changes_html(changes: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> str:
    if not changes:
        return '<div class="cw-info">自上一期以来没有变化</div>'
    frame = pd.DataFrame(list(changes), columns=[*CHANGE_COLUMNS, "filing_id"])
    return table_html(frame[list(CHANGE_COLUMNS)], CHANGE_COLUMNS)


class EditionsPage:
    """Every edition, its changes and downloads; publishing for the province."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.messages = Messages()
        self.may_publish = ctx.actor.role == PROVINCE
        self.preview = w.HTML()
        self.publish = w.Button(description="发布新一期目录", button_style="primary")
        self.publish.on_click(guarded(ctx, self.messages, "发布考核机构目录", self._publish))
        self.list = w.HTML()
        self.edition = guard(
            GuardedDropdown(options=[], value=None, description="期数"), ctx, "目录期数"
        )
        self.edition.observe(lambda _c: self._show(), names="value")
        self.fmt = guard(
            GuardedDropdown(options=list(FORMATS), value="xlsx", description="格式"),
            ctx,
            "下载格式",
        )
        self.download = w.Button(description="生成下载")
        self.download.on_click(guarded(ctx, self.messages, "下载目录", self._download))
        self.link = w.HTML()
        self.detail = w.HTML()
        self.catalog_year = w.BoundedIntText(
            value=ctx.today.year, min=2000, max=2100, description="目录年度"
        )
        self.catalog_lines = text_area(
            "每行一个项目：项目代码,项目名称[,类别]（已有项目只写代码即可）"
        )
        self.catalog_button = w.Button(description="发布年度考核项目目录")
        self.catalog_button.on_click(
            guarded(ctx, self.messages, "发布考核项目目录", self._publish_projects)
        )
        projects_box = (
            [
                w.HTML("<h4>全省考核项目目录（SEL-01）</h4>"),
                self.catalog_year,
                self.catalog_lines,
                self.catalog_button,
            ]
            if self.may_publish
            else []
        )
        publish_box = (
            [w.HTML("<h4>自上一期以来的变化（发布前预览）</h4>"), self.preview, self.publish]
            if self.may_publish
            else []
        )
        self.widget = w.VBox(
            [
                title(HEADING, "省人力资源社会保障厅统一向社会公布考核机构目录（SEL-09）"),
                *projects_box,
                *publish_box,
                w.HTML("<h4>已发布的目录</h4>"),
                self.list,
                w.HBox([self.edition, self.fmt, self.download]),
                self.link,
                self.detail,
                self.messages.widget,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        if self.may_publish:
            changes = preview_changes(self.ctx.store, self.ctx.today)
            self.preview.value = changes_html(changes)
            self.publish.disabled = not changes
        frame = catalog_editions_list(self.ctx.store)
        self.list.value = (
            table_html(frame) if not frame.empty else '<div class="cw-info">尚未发布目录</div>'
        )
        self.edition.options = [(f"第{n}期", int(n)) for n in frame["期数"].tolist()]
        self.edition.value = int(frame["期数"].iloc[0]) if not frame.empty else None
        self._show()

    def chosen(self) -> CatalogEdition:
        if self.edition.value is None:
            raise NotFound("尚未发布考核机构目录")
        return catalog_edition(self.ctx.store, int(self.edition.value))

    def _show(self) -> None:
        self.link.value = ""
        if self.edition.value is None:
            self.detail.value = ""
            return
        edition = self.chosen()
        self.detail.value = (
            f"<h4>{edition.title}：本期变化</h4>{changes_html(edition.changes)}"
            f'<div class="cw-info">共{len(edition.entries)}家；SHA-256：{edition.digest}</div>'
        )

    def _publish(self, _button: Any = None) -> None:
        if not self.may_publish:
            raise PermissionDenied(f"{self.ctx.actor.label}无权发布考核机构目录")
        number = self.ctx.run(registry.publish_catalog_edition, on=self.ctx.today)
        self.refresh()
        self.messages.ok(f"已发布第{number}期考核机构目录")

    def _publish_projects(self, _button: Any = None) -> None:
        if not self.may_publish:
            raise PermissionDenied(f"{self.ctx.actor.label}无权发布考核项目目录")
        entries = catalog_entries_from_text(str(self.catalog_lines.value))
        added = self.ctx.run(
            registry.publish_catalog, year=int(self.catalog_year.value), entries=entries
        )
        self.catalog_lines.value = ""
        self.messages.ok(f"已发布{int(self.catalog_year.value)}年考核项目目录（新列入{added}项）")

    def _download(self, _button: Any = None) -> None:
        fmt = str(self.fmt.value)
        if fmt not in FORMATS:
            raise CaseworkError(f"不支持的格式：{fmt}")
        edition = self.chosen()
        name = f"山东省专项职业能力考核机构目录_第{edition.number}期.{fmt}"
        self.link.value = download_link(name, edition_export(edition, fmt))


def catalog_entries_from_text(text: str) -> list[dict[str, str]]:
    """Lines ``代码,名称[,类别]`` (commas or full-width commas) as catalog entries; the registry
    checks them (SEL-01)."""
    entries = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if not any(parts):
            continue
        entries.append(
            {
                "project_code": parts[0],
                "name": parts[1] if len(parts) > 1 else "",
                "category": parts[2] if len(parts) > 2 else "",
            }
        )
    if not entries:
        raise CaseworkError("请至少填写一个项目（项目代码,项目名称）", rule_id="SEL-01")
    return entries


def build(ctx: AppContext) -> w.Widget:
    """Editions for the province (publish) and the cities (read only)."""
    try:
        require_roles(ctx, HEADING, (PROVINCE, *CITY_ROLES))
        return EditionsPage(ctx).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point."""
    return app_entry(HEADING, build)
