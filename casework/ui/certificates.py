"""证书维护 — certificate records after assessment (EXIT-10, SUP-04).

An institution head looks up one of the institution's own certificates and submits a
correction or a revocation — also after the institution left the catalog, and nothing else
then. A city officer sees the city's corrections and revocations and may reject one with a
reason, and marks certificates obtained through the practices of SUP-02 as 不予认定. Anyone of
those roles can ask "is certificate N valid, and since when not" for the certificates they may
see. Every write is a registry command, which re-checks role, binding, city and input.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain.certificates import CORRECT, IN_FORCE, INSTITUTION_ACTIONS, REVOKE
from casework.errors import CaseworkError, NotFound, PermissionDenied
from casework.queries.certificates import (
    CertificateStatus,
    certificate_changes,
    certificate_status,
)
from casework.queries.scope import project_name_map
from casework.registry.actors import CITY_ROLES, INSTITUTION
from casework.ui.context import AppContext
from casework.ui.gates import require_roles
from casework.ui.kit import (
    GuardedDropdown,
    GuardedText,
    GuardedToggleButtons,
    Messages,
    app_entry,
    fields_html,
    guard,
    guarded,
    refusal_page,
    table_html,
    text_area,
    title,
)

HEADING = "证书维护"
CHANGE_COLUMNS = {
    "id": "编号",
    "cert_no": "证书编号",
    "institution": "考核机构",
    "action": "处理",
    "reason": "理由",
    "status": "状态",
    "submitted_on": "提交日期",
    "review_note": "驳回理由",
}


def visible(ctx: AppContext, status: CertificateStatus) -> bool:
    """An institution sees its own certificates, a city those of its institutions (SUP-01)."""
    if ctx.actor.role == INSTITUTION:
        return status.institution_id == ctx.actor.institution_id
    return status.city_code == ctx.actor.city_code


def status_html(status: CertificateStatus) -> str:
    rows = [
        ("证书编号", status.cert_no),
        ("考核机构", status.institution),
        ("考核项目", status.project),
        ("发证日期", status.issued_on),
        ("状态", "有效" if status.valid else f"自{status.invalid_since}起无效"),
        ("无效原因", status.invalid_reason),
    ]
    return fields_html(rows)


class CertificatesPage:
    """Look up a certificate; an institution corrects or revokes, a city reviews."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.is_city = ctx.actor.role in CITY_ROLES
        self.messages = Messages()
        self.cert_no = GuardedText(description="证书编号", placeholder="输入证书编号")
        self.look = w.Button(description="查询")
        self.look.on_click(guarded(ctx, self.messages, "查询证书", self._look))
        self.found = w.HTML()
        self.status: CertificateStatus | None = None
        names = project_name_map(ctx.store)
        self.action = guard(
            GuardedToggleButtons(options=list(INSTITUTION_ACTIONS), value=CORRECT),
            ctx,
            "证书处理方式",
        )
        self.reason = text_area("理由（复核发现的问题）")
        self.new_id = GuardedText(
            description="身份证号", placeholder="更正后的身份证号（不改则留空）"
        )
        self.new_project = guard(
            GuardedDropdown(
                options=[("（不改）", ""), *((f"{c}　{n}", c) for c, n in sorted(names.items()))],
                value="",
                description="考核项目",
            ),
            ctx,
            "更正后的考核项目",
        )
        self.new_issued = w.DatePicker(description="发证日期")
        self.submit = w.Button(description="提交", button_style="primary", disabled=True)
        self.submit.on_click(guarded(ctx, self.messages, "提交证书更正或撤销", self._submit))
        self.changes = w.HTML()
        parts: list[w.Widget] = [
            title(HEADING, "考核机构对历史证书数据复核、更正、撤销（EXIT-10）"),
            w.HBox([self.cert_no, self.look]),
            self.found,
        ]
        if not self.is_city:
            parts += [
                w.HTML("<h4>更正或撤销</h4>"),
                self.action,
                self.reason,
                self.new_id,
                self.new_project,
                self.new_issued,
                self.submit,
            ]
        else:
            parts += self._city_parts()
        parts += [self.messages.widget, w.HTML("<h4>更正、撤销和不予认定记录</h4>"), self.changes]
        self.widget = w.VBox(parts)
        self.refresh()

    def _city_parts(self) -> list[w.Widget]:
        self.reject_choice = guard(
            GuardedDropdown(options=[], value=None, description="驳回"), self.ctx, "驳回的记录"
        )
        self.reject_note = text_area("驳回理由")
        self.reject = w.Button(description="驳回", button_style="warning")
        self.reject.on_click(guarded(self.ctx, self.messages, "驳回证书更正或撤销", self._reject))
        self.refuse_nos = text_area("不予认定的证书编号（每行一个）")
        self.refuse_reason = text_area("查实的违规情形（SUP-02）")
        self.refuse = w.Button(description="不予认定", button_style="danger")
        self.refuse.on_click(guarded(self.ctx, self.messages, "认定考核结果不予认可", self._refuse))
        return [
            w.HTML("<h4>驳回机构的更正或撤销</h4>"),
            self.reject_choice,
            self.reject_note,
            self.reject,
            w.HTML("<h4>考核结果不予认定（SUP-04）</h4>"),
            self.refuse_nos,
            self.refuse_reason,
            self.refuse,
        ]

    def refresh(self) -> None:
        frame = (
            certificate_changes(self.ctx.store, city_code=self.ctx.actor.city_code)
            if self.is_city
            else certificate_changes(self.ctx.store, institution_id=self.ctx.actor.institution_id)
        )
        shown = frame.drop(columns=["corrections"]) if "corrections" in frame else frame
        self.changes.value = (
            table_html(shown, CHANGE_COLUMNS)
            if not frame.empty
            else '<div class="cw-info">尚无记录</div>'
        )
        if self.is_city:
            open_ = frame[frame["action"].isin(INSTITUTION_ACTIONS) & (frame["status"] == IN_FORCE)]
            self.reject_choice.options = [
                (f"{r['id']}　{r['cert_no']}　{r['action']}：{r['reason']}", int(r["id"]))
                for r in open_.to_dict("records")
            ]
            self.reject_choice.value = None

    def _look(self, _button: Any = None) -> None:
        self.status, self.submit.disabled = None, True
        number = str(self.cert_no.value).strip()
        try:
            status = certificate_status(self.ctx.store, number)
        except NotFound:
            status = None
        if status is None or not visible(self.ctx, status):
            self.found.value = ""
            raise NotFound(f"未找到本机构（本市）证书编号为“{number}”的证书")
        self.status = status
        self.found.value = status_html(status)
        self.submit.disabled = not status.valid

    def _submit(self, _button: Any = None) -> None:
        if self.status is None:
            raise CaseworkError("请先查询证书")
        action = str(self.action.value)
        corrections: dict[str, str] = {}
        if action == CORRECT:
            if str(self.new_id.value).strip():
                corrections["id_number"] = str(self.new_id.value).strip()
            if self.new_project.value:
                corrections["project_code"] = str(self.new_project.value)
            if self.new_issued.value is not None:
                corrections["issued_on"] = self.new_issued.value.isoformat()
        self.ctx.run(
            registry.request_certificate_change,
            cert_no=self.status.cert_no,
            action=action,
            reason=self.reason.value,
            corrections=corrections,
            on=self.ctx.today,
        )
        self.reason.value = ""
        cert = self.status.cert_no
        self.refresh()
        self._look()
        self.messages.ok(f"证书{cert}已{'更正' if action == CORRECT else REVOKE}")

    def _reject(self, _button: Any = None) -> None:
        if self.reject_choice.value is None:
            raise CaseworkError("请选择要驳回的记录")
        self.ctx.run(
            registry.reject_certificate_change,
            action_id=int(self.reject_choice.value),
            note=self.reject_note.value,
            on=self.ctx.today,
        )
        self.reject_note.value = ""
        self.refresh()
        self.messages.ok("已驳回")

    def _refuse(self, _button: Any = None) -> None:
        numbers = [n.strip() for n in str(self.refuse_nos.value).splitlines() if n.strip()]
        count = self.ctx.run(
            registry.refuse_recognition,
            cert_nos=numbers,
            reason=self.refuse_reason.value,
            on=self.ctx.today,
        )
        self.refuse_nos.value = ""
        self.refresh()
        self.messages.ok(f"已将{count}张证书认定为不予认定")


def build(ctx: AppContext) -> w.Widget:
    try:
        require_roles(ctx, HEADING, (INSTITUTION, *CITY_ROLES))
        if ctx.actor.role == INSTITUTION and ctx.actor.institution_id is None:
            raise PermissionDenied(f"{ctx.actor.label}未绑定考核机构")
        return CertificatesPage(ctx).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point."""
    return app_entry(HEADING, build)
