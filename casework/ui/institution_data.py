"""机构数据 — an institution's own data, uploaded in the app (SUP-01, ATT5-STATS).

The seven intake kinds (:data:`casework.intake.KINDS`: 机构名录, 人员花名册, 场地, 考核题库,
考核批次, 考生成绩, 证书发放), each with its template to download and an upload that the
intake validates all at once (:func:`casework.intake.import_file`; every problem in one
table, nothing written on any problem). An institution head sees and uploads the data of
their own institution only; a city officer those of an institution of their city (SUP-01).

The page is bound to one institution: a file whose rows name another institution (by its
统一社会信用代码) is refused before the import, and the import re-checks the user's access on
the server. Templates are offered as ``data:`` links (the hardened server serves no files).
"""

from __future__ import annotations

import base64
import unicodedata
from typing import Any

import ipywidgets as w
import pandas as pd

from casework.errors import CaseworkError, NotFound, PermissionDenied, ValidationFailed
from casework.intake import KINDS, import_file, read_table
from casework.intake.kinds import Kind
from casework.intake.templates import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, template
from casework.queries.application_intake import (
    city_institutions,
    institution_record,
    intake_counts,
)
from casework.registry.actors import CITY_ROLES, INSTITUTION
from casework.ui.context import AppContext
from casework.ui.gates import page_or_refusal, refuse, require_own_city
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    Messages,
    app_entry,
    as_id,
    case_picker,
    esc,
    guard,
    guarded,
    options,
    section,
    table_html,
    title,
)

HEADING = "机构数据"
ACTION = "上传机构数据"
APPLICATION_KINDS = ("staff", "sites", "banks")
"""The Attachment 1 material an applicant uploads with its application (SEL-03)."""


def data_url(data: bytes, media: str) -> str:
    """``data:`` URL of ``data`` (the hardened server serves no files)."""
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def template_links(kind: Kind) -> str:
    """HTML links downloading the kind's xlsx and csv templates."""

    def link(fmt: str, media: str) -> str:
        href = data_url(template(kind, fmt), media)
        name = esc(f"{kind.label}模板.{fmt}")
        return f'<a download="{name}" href="{href}" target="_blank">{name}</a>'

    return f"下载模板：{link('xlsx', XLSX_MEDIA_TYPE)} · {link('csv', CSV_MEDIA_TYPE)}"


def _code(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")


def require_data_role(ctx: AppContext, action: str) -> None:
    """Only an institution head (bound to an institution) or a city officer may open it."""
    bound = ctx.actor.role == INSTITUTION and ctx.actor.institution_id is not None
    city = ctx.actor.role in CITY_ROLES and bool(ctx.actor.city_code)
    if not (bound or city):
        raise refuse(
            ctx,
            action,
            PermissionDenied(
                f"{ctx.actor.label}无权使用本页面（{action}）：仅限考核机构负责人、市级经办、"
                "市级负责人",
                rule_id="SUP-01",
            ),
        )


def page_institution(ctx: AppContext, institution_id: int, action: str) -> dict[str, Any]:
    """The institution, if the acting user may see its data (SUP-01); refuses (and logs) else."""
    require_data_role(ctx, action)
    record = institution_record(ctx.store, institution_id)
    if record is None:
        raise NotFound(f"未找到申报单位（编号{institution_id}）")
    if ctx.actor.role == INSTITUTION and ctx.actor.institution_id != institution_id:
        raise refuse(
            ctx,
            action,
            PermissionDenied(
                f"{ctx.actor.label}只能查看和办理本机构的事项，不能打开{record['name']}",
                rule_id="SUP-01",
            ),
        )
    if ctx.actor.role in CITY_ROLES:
        require_own_city(ctx, record["city_code"], f"{record['name']}的数据", action)
    return record


class UploadSection:
    """Upload one of ``kinds`` for one institution: template links, file, import, outcome."""

    def __init__(
        self,
        ctx: AppContext,
        institution_id: int,
        kinds: tuple[str, ...] = tuple(KINDS),
        on_done: Any = None,
    ) -> None:
        self.ctx, self.institution_id, self.on_done = ctx, institution_id, on_done
        self.messages = Messages()
        self.kind = guard(
            GuardedDropdown(
                options=[(f"{KINDS[k].label}", k) for k in kinds],
                value=kinds[0],
                description="数据类型",
                layout=WIDE,
            ),
            ctx,
            "数据类型",
        )
        self.links = w.HTML()
        self.upload = w.FileUpload(accept=".xlsx,.csv", multiple=False, description="选择文件")
        self.button = w.Button(description="导入", button_style="primary", icon="upload")
        self.button.on_click(guarded(ctx, self.messages, ACTION, self._import))
        self.kind.observe(lambda _c: self._show_links(), names="value")
        self._show_links()
        self.widget = w.VBox(
            [self.kind, self.links, w.HBox([self.upload, self.button]), self.messages.widget]
        )

    def _show_links(self) -> None:
        kind = KINDS[self.kind.value]
        note = f"<div>{esc(kind.note)}</div>" if kind.note else ""
        self.links.value = f"{template_links(kind)}{note}"

    def _own_rows(self, kind: Kind, data: bytes, name: str) -> None:
        """Refuse a file naming another institution than the page's (SUP-01)."""
        record = page_institution(self.ctx, self.institution_id, ACTION)  # re-checked per click
        try:
            raw = read_table(data, name, kind)
        except ValidationFailed:
            return  # the import reports every problem of an unreadable file
        if "uscc" not in raw.frame:
            return
        codes = {_code(v) for v in raw.frame["uscc"] if not pd.isna(v) and str(v).strip()}
        others = sorted(codes - {record["uscc"]})
        if others:
            raise refuse(
                self.ctx,
                ACTION,
                PermissionDenied(
                    f"文件“{name}”的“机构统一社会信用代码”列含其他机构（{'、'.join(others[:5])}）："
                    f"本页只能导入{record['name']}（{record['uscc']}）的数据",
                    rule_id="SUP-01",
                ),
            )

    def _import(self, _button: Any = None) -> None:
        if self.kind.value not in KINDS:
            raise CaseworkError("请选择数据类型")
        files = self.upload.value
        if not files:
            raise CaseworkError("请先选择要导入的文件（xlsx 或 csv）")
        chosen = files[0]
        name = str(chosen.get("name") or "上传文件")
        data = bytes(chosen["content"])
        kind = KINDS[self.kind.value]
        self._own_rows(kind, data, name)
        result = import_file(self.ctx.store, self.ctx.actor, kind.key, data, name)
        self.upload.value = ()
        if self.on_done is not None:
            self.on_done()
        self.messages.ok(result.summary)


class InstitutionDataPage:
    """One institution's data: what it stored per kind, and the uploads."""

    def __init__(self, ctx: AppContext, institution_id: int) -> None:
        record = page_institution(ctx, institution_id, "打开机构数据")
        self.ctx, self.institution_id = ctx, institution_id
        self.counts = w.HTML()
        self.uploads = UploadSection(ctx, institution_id, on_done=self.refresh)
        self.widget = w.VBox(
            [
                title(f"{HEADING}：{record['name']}", f"统一社会信用代码：{record['uscc']}"),
                section("已导入的数据", self.counts),
                section("上传数据（先下载模板，按模板填写后上传）", self.uploads.widget),
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        counts = intake_counts(self.ctx.store, self.institution_id)
        frame = pd.DataFrame(
            [{"kind": KINDS[k].label, "rows": counts.get(k, 0)} for k in KINDS],
        )
        self.counts.value = table_html(frame, {"kind": "数据类型", "rows": "已有记录"})


def build(ctx: AppContext, institution_id: Any = None) -> w.Widget:
    """The institution head's own data; a city officer picks an institution of the city."""

    def make() -> w.Widget:
        require_data_role(ctx, "打开机构数据")
        if institution_id is not None:
            return InstitutionDataPage(ctx, as_id(institution_id, "申报单位")).widget
        if ctx.actor.role == INSTITUTION:
            return InstitutionDataPage(ctx, int(ctx.actor.institution_id or 0)).widget
        frame = city_institutions(ctx.store, str(ctx.actor.city_code))
        return case_picker(
            ctx,
            HEADING,
            "申报单位",
            options(frame, "institution_id", lambda r: f"{r['name']}（{r['uscc']}）"),
            lambda i: InstitutionDataPage(ctx, i).widget,
            "打开机构数据",
        )

    return page_or_refusal(HEADING, make)


def app(institution_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, institution_id)
