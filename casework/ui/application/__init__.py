"""申请 — an institution applies to an open call of its city (SEL-02, SEL-03, SEL-06, SEL-07).

An institution head (role 机构, bound to an institution) fills the application for their own
institution: its identity, the call and its projects (the count against the SEL-07 limit of 5
projects per institution shown), the Attachment 1 material as data uploads through the intake
(人员花名册, 场地, 考核题库), a statement per supplementary condition of the city, and the
integrity declaration. The form is kept as a draft as it is typed; submitting locks it.

A city officer sees the city's applications, checks each for completeness (受理, or 退回补正
with the missing items listed), and may enter a paper application on an institution's behalf
— recorded as such — registering a new applicant unit first (USCC checked per GB 32100). A
returned application is corrected and resubmitted on the same page; a withdrawal is recorded
with its date and reason. A filed institution's application is a scope addition (SEL-06).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain.evidence.vocabulary import INSTITUTION_KINDS
from casework.domain.identifiers import is_shandong_uscc, validate_uscc
from casework.errors import CaseworkError, PermissionDenied, RuleViolation
from casework.queries.application_intake import (
    city_applications,
    city_institutions,
    institution_applications,
)
from casework.registry.actors import CITY_ROLES, INSTITUTION
from casework.ui.application.form import ApplicationForm
from casework.ui.application.review import ApplicationReview
from casework.ui.context import AppContext
from casework.ui.gates import page_or_refusal, refuse
from casework.ui.institution_data import APPLICATION_KINDS, UploadSection, page_institution
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedText,
    Messages,
    app_entry,
    as_id,
    guard,
    guarded,
    info,
    options,
    section,
    table_html,
    title,
)

HEADING = "备案申请"
APPLICATION_HEADERS = {
    "application_id": "编号",
    "institution": "申报单位",
    "call": "征集公告",
    "kind": "类型",
    "projects": "申报项目",
    "submitted_on": "申报日期",
    "status": "状态",
    "entry": "录入人",
    "missing": "需补正事项",
}
UPLOADS_EXPLAINED = (
    "附件1材料以数据形式上传：先下载模板，按模板填写后上传；导入时一次列出全部问题，"
    "有问题的文件一条也不写入。上传的数据供遴选评估组核验（SEL-03）。"
)


def _picker(
    ctx: AppContext, label: str, frame: Any, key: str, text: Any, action: str
) -> tuple[GuardedDropdown, w.Button]:
    dropdown = guard(
        GuardedDropdown(options=options(frame, key, text), description=label, layout=WIDE),
        ctx,
        label,
    )
    return dropdown, w.Button(description="打开", button_style="info", disabled=frame.empty)


class ApplicantWorkspace:
    """One institution's applications, a new application and its Attachment 1 uploads."""

    def __init__(self, ctx: AppContext, institution_id: int) -> None:
        self.institution = page_institution(ctx, institution_id, "打开备案申请")
        self.ctx, self.institution_id = ctx, institution_id
        self.messages = Messages()
        self.listing = w.HTML()
        self.picker = guard(
            GuardedDropdown(options=[], description="申请", layout=WIDE), ctx, "申请"
        )
        self.open_button = w.Button(description="打开", button_style="info")
        self.open_button.on_click(guarded(ctx, self.messages, "打开备案申请", self._open))
        self.holder = w.VBox()
        self.form = ApplicationForm(ctx, self.institution, self._submitted)
        self.uploads = UploadSection(ctx, institution_id, APPLICATION_KINDS)
        self.widget = w.VBox(
            [
                section(
                    f"{self.institution['name']}的申请",
                    self.listing,
                    w.HBox([self.picker, self.open_button]),
                    self.messages.widget,
                    self.holder,
                ),
                section(
                    "提交新申请（SEL-02；已备案机构申请新增项目即范围新增，SEL-06）",
                    self.form.widget,
                ),
                section("附件1材料（数据上传）", info(UPLOADS_EXPLAINED), self.uploads.widget),
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        frame = institution_applications(self.ctx.store, self.institution_id)
        shown = table_html(frame, APPLICATION_HEADERS) if len(frame) else "<p>尚无申请</p>"
        self.listing.value = shown
        current = self.picker.value
        self.picker.options = options(
            frame, "application_id", lambda r: f"{r['application_id']} {r['call']}（{r['status']}）"
        )
        ids = [v for _, v in self.picker.options]
        self.picker.value = current if current in ids else (ids[0] if ids else None)
        self.open_button.disabled = not ids

    def _submitted(self, application_id: int) -> None:
        self.refresh()
        self.picker.value = application_id

    def _open(self, _button: Any = None) -> None:
        if self.picker.value is None:
            raise RuleViolation("请先选择申请")
        review = ApplicationReview(self.ctx, int(self.picker.value), self.refresh)
        self.holder.children = [review.widget]


class NewInstitutionForm:
    """A city officer registers a new applicant unit of the city (ATT1-REGION, GB 32100)."""

    def __init__(self, ctx: AppContext, city_code: str, on_done: Any) -> None:
        self.ctx, self.city_code, self.on_done = ctx, city_code, on_done
        self.messages = Messages()

        def text(label: str) -> Any:
            return guard(
                GuardedText(description=label, continuous_update=False, layout=WIDE), ctx, label
            )

        self.name, self.uscc = text("单位名称"), text("统一社会信用代码")
        self.kind = guard(
            GuardedDropdown(options=list(INSTITUTION_KINDS), description="单位类型"),
            ctx,
            "单位类型",
        )
        self.address, self.contact, self.phone = text("单位地址"), text("联系人"), text("联系电话")
        self.button = w.Button(description="登记申报单位", button_style="primary")
        self.button.on_click(guarded(ctx, self.messages, "登记申报单位", self._register))
        self.widget = w.VBox(
            [
                self.name,
                self.uscc,
                self.kind,
                self.address,
                self.contact,
                self.phone,
                self.button,
                self.messages.widget,
            ]
        )

    def _register(self, _button: Any = None) -> None:
        name = self.name.value.strip()
        if not name:
            raise RuleViolation("请填写单位名称", rule_id="ATT1-REGION")
        try:
            code = validate_uscc(self.uscc.value)
        except CaseworkError as exc:
            raise RuleViolation(f"统一社会信用代码：{exc}", rule_id="ATT1-REGION") from None
        if not is_shandong_uscc(code):
            raise RuleViolation(
                f"统一社会信用代码{code}不是山东省行政区域内登记的单位", rule_id="ATT1-REGION"
            )
        institution_id = int(
            self.ctx.run(
                registry.register_institution,
                name=name,
                uscc=code,
                city_code=self.city_code,  # the officer's own city, not a widget
                kind=str(self.kind.value),
                address=self.address.value.strip(),
                contact=self.contact.value.strip(),
                phone=self.phone.value.strip(),
            )
        )
        for field in (self.name, self.uscc, self.address, self.contact, self.phone):
            field.value = ""
        self.on_done(institution_id)
        self.messages.ok(f"已登记申报单位“{name}”（{code}）")


class OfficerPage:
    """The city's applications to check, and paper applications entered on a unit's behalf."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.ctx, self.city_code = ctx, city_code
        self.messages = Messages()
        self.listing = w.HTML()
        self.app_picker = guard(
            GuardedDropdown(options=[], description="申请", layout=WIDE), ctx, "申请"
        )
        self.app_button = w.Button(description="打开", button_style="info")
        self.app_button.on_click(
            guarded(ctx, self.messages, "打开备案申请", self._open_application)
        )
        self.review = w.VBox()
        self.unit_picker = guard(
            GuardedDropdown(options=[], description="申报单位", layout=WIDE), ctx, "申报单位"
        )
        self.unit_button = w.Button(description="代为录入", button_style="info")
        self.unit_button.on_click(guarded(ctx, self.messages, "代为录入纸质申请", self._open_unit))
        self.workspace = w.VBox()
        self.register = NewInstitutionForm(ctx, city_code, self._registered)
        self.widget = w.VBox(
            [
                title(HEADING, "本市收到的申请：核对材料是否齐全，受理或退回补正（SEL-02）"),
                section(
                    "本市收到的申请",
                    self.listing,
                    w.HBox([self.app_picker, self.app_button]),
                    self.messages.widget,
                    self.review,
                ),
                section(
                    "代为录入纸质申请（记录为经办人代为录入）",
                    w.HBox([self.unit_picker, self.unit_button]),
                    self.workspace,
                ),
                section("登记新申报单位", self.register.widget),
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        frame = city_applications(self.ctx.store, self.city_code)
        self.listing.value = (
            table_html(frame, APPLICATION_HEADERS) if len(frame) else "<p>尚未收到申请</p>"
        )
        current = self.app_picker.value
        self.app_picker.options = options(
            frame,
            "application_id",
            lambda r: f"{r['application_id']} {r['institution']}（{r['status']}）",
        )
        ids = [v for _, v in self.app_picker.options]
        self.app_picker.value = current if current in ids else (ids[0] if ids else None)
        self.app_button.disabled = not ids
        units = city_institutions(self.ctx.store, self.city_code)
        chosen_unit = self.unit_picker.value
        self.unit_picker.options = options(
            units, "institution_id", lambda r: f"{r['name']}（{r['uscc']}）"
        )
        unit_ids = [v for _, v in self.unit_picker.options]
        self.unit_picker.value = (
            chosen_unit if chosen_unit in unit_ids else (unit_ids[0] if unit_ids else None)
        )
        self.unit_button.disabled = not unit_ids

    def _open_application(self, _button: Any = None) -> None:
        if self.app_picker.value is None:
            raise RuleViolation("请先选择申请")
        self.review.children = [
            ApplicationReview(self.ctx, int(self.app_picker.value), self.refresh).widget
        ]

    def _open_unit(self, _button: Any = None) -> None:
        if self.unit_picker.value is None:
            raise RuleViolation("请先选择申报单位")
        workspace = ApplicantWorkspace(self.ctx, int(self.unit_picker.value))
        self.workspace.children = [workspace.widget]

    def _registered(self, institution_id: int) -> None:
        self.refresh()
        self.unit_picker.value = institution_id


def build(ctx: AppContext, application_id: Any = None) -> w.Widget:
    """The page for the acting user: an institution head's own applications, or the city
    officer's applications to check (a given application opened directly)."""

    def make() -> w.Widget:
        actor = ctx.actor
        if actor.role == INSTITUTION and actor.institution_id is not None:
            page: w.Widget = ApplicantWorkspace(ctx, int(actor.institution_id)).widget
            head = title(HEADING, "选择征集公告、申报项目，上传附件1材料，作出诚信承诺后提交")
            parts = [head, page]
        elif actor.role in CITY_ROLES and actor.city_code:
            parts = [OfficerPage(ctx, actor.city_code).widget]
        else:
            raise refuse(
                ctx,
                "打开备案申请",
                PermissionDenied(
                    f"{actor.label}无权使用本页面（打开备案申请）：仅限考核机构负责人、"
                    "市级经办、市级负责人",
                    rule_id="SUP-01",
                ),
            )
        if application_id is not None:
            review = ApplicationReview(ctx, as_id(application_id, "备案申请"))
            parts.insert(1, review.widget)
        return w.VBox(parts)

    return page_or_refusal(HEADING, make)


def app(application_id: Any = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, application_id)
