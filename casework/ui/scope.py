"""考核范围调整 — a city officer adjusts a filed institution's scope (SEL-06, SEL-07).

The page shows the filing's current projects and their history (each 新增项目 / 删除项目 with
its date and reason), and its institution code and term, which a scope change leaves
unchanged. Projects are deleted with :func:`registry.remove_projects` (deleting every project
is a withdrawal, and the registry refuses it). Projects are added only through an application
inside one of the city's open calls, with the same conditions, materials and procedure as any
applicant (SEL-06): the page lists the calls whose scope holds projects the institution lacks
and submits an application, which the registry records as 范围新增. Quota use for the city is
shown against "原则上不超过5" with any overrides and their reasons (SEL-07).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain import lifecycle
from casework.errors import NotFound, RuleViolation
from casework.queries.scope import (
    addition_calls,
    city_filings,
    current_scope,
    filing_record,
    project_name_map,
    scope_applications,
    scope_history,
    scope_rows,
)
from casework.ui.archiving import archive_after
from casework.ui.case_documents import Offer, documents_section
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft, batched
from casework.ui.gates import page_or_refusal, require_city_role, require_own_city
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedSelectMultiple,
    Messages,
    app_entry,
    chosen,
    guard,
    guarded,
    info,
    options,
    section,
    table_html,
    title,
)
from casework.ui.quota import QuotaSection

HEADING = "考核范围调整"
SCOPE_HEADERS = {"project_code": "项目代码", "project": "考核项目", "added_on": "纳入日期"}
HISTORY_HEADERS = {
    "on": "日期",
    "project_code": "项目代码",
    "project": "考核项目",
    "change": "调整情况",
    "detail": "依据 / 原因",
}
PENDING_HEADERS = {
    "application_id": "申请编号",
    "call": "征集公告",
    "projects": "新增项目",
    "submitted_on": "申报日期",
    "status": "状态",
}
CALL_HEADERS = {
    "call_id": "编号",
    "title": "征集公告",
    "period": "申报时间",
    "addable_names": "可新增项目",
}
FILING_HEADERS = {"code": "机构代码", "institution": "考核机构", "projects": "考核项目"}
ADD_EXPLAINED = (
    "新增考核项目须在本市考核机构征集遴选期间，以“范围新增”申请办理：与其他申报单位同条件、"
    "同材料、同程序评估，新增项目须在征集公告的征集范围内（SEL-06）。经公示无异议后出具范围"
    "调整回执（附件3），机构代码和有效期不变。"
)


def _project_label(code: str, names: dict[str, str]) -> tuple[str, str]:
    return (f"{code} {names.get(code, '')}".strip(), code)


class ScopePage:
    """One filing of the acting user's city."""

    def __init__(self, ctx: AppContext, filing_id: int) -> None:
        record = filing_record(ctx.store, filing_id)
        if record is None:
            raise NotFound(f"未找到备案（编号{filing_id}）")
        require_own_city(ctx, record["city_code"], f"{record['institution']}的备案", "打开范围调整")
        self.ctx, self.filing_id = ctx, filing_id
        self.messages = Messages()
        self.header = w.HTML()
        self.scope = w.HTML()
        self.history = w.HTML()
        self.remove = guard(
            GuardedSelectMultiple(options=[], rows=5, description="删除项目", layout=WIDE),
            ctx,
            "删除项目",
        )
        self.reason = w.Textarea(description="删除原因", continuous_update=False, layout=WIDE)
        self.remove_button = w.Button(description="删除所选项目", button_style="danger")
        self.remove_button.on_click(guarded(ctx, self.messages, "删除考核项目", self._remove))
        self.calls = w.HTML()
        self.call = guard(
            GuardedDropdown(options=[], description="征集公告", layout=WIDE), ctx, "征集公告"
        )
        self.add = guard(
            GuardedSelectMultiple(options=[], rows=5, description="新增项目", layout=WIDE),
            ctx,
            "新增项目",
        )
        self.add_button = w.Button(description="提交范围新增申请", button_style="primary")
        self.add_button.on_click(guarded(ctx, self.messages, "提交范围新增申请", self._apply))
        self.pending = w.HTML()
        self.quota = QuotaSection(ctx, record["city_code"], int(record["institution_id"]))
        self.remove.observe(lambda _c: self._buttons(), names="value")
        self.add.observe(lambda _c: self._buttons(), names="value")
        self.call.observe(lambda _c: self._load_addable(), names="value")
        self._names = project_name_map(ctx.store)
        self._addable: dict[int, list[str]] = {}
        self.widget = w.VBox(
            [
                self.header,
                section("当前考核范围", self.scope, w.HTML("<b>调整记录</b>"), self.history),
                section("删除考核项目（SEL-06）", self.remove, self.reason, self.remove_button),
                section(
                    "新增考核项目（SEL-06）",
                    info(ADD_EXPLAINED),
                    self.calls,
                    self.call,
                    self.add,
                    self.add_button,
                    w.HTML("<b>本机构的范围新增申请</b>"),
                    self.pending,
                ),
                self.messages.widget,
                self.quota.widget,
                documents_section(
                    ctx,
                    [Offer("scope", filing_id, str(record["institution"]))],
                    archived=[("scope", filing_id)],
                ),
            ]
        )
        self.drafts: list[FormDraft] = []
        self.refresh()
        key = str(filing_id)
        removal = {"projects": self.remove, "reason": self.reason}
        self.removal_draft = FormDraft(ctx, "scope:remove", key, removal)
        addition = {"call": self.call, "projects": self.add}
        self.addition_draft = FormDraft(ctx, "scope:addition", key, addition)
        self.drafts += [self.removal_draft, self.addition_draft]

    @property
    def record(self) -> dict[str, Any]:
        record = filing_record(self.ctx.store, self.filing_id)
        if record is None:
            raise NotFound(f"未找到备案（编号{self.filing_id}）")
        return record

    @property
    def active(self) -> bool:
        return bool(self.record["status"] == lifecycle.ACTIVE)

    def refresh(self) -> None:
        with batched(self.drafts):  # reloading the options and putting the choices back
            self._reload()

    def _reload(self) -> None:
        record = self.record
        rows = scope_rows(self.ctx.store, self.filing_id)
        now = current_scope(rows)
        self.header.value = title(
            f"{HEADING}：{record['institution']}",
            f"机构代码：{record['code']}　{record['receipt_text']}　备案状态：{record['status']}"
            "　（调整考核范围，机构代码和有效期不变，SEL-06）",
        ).value
        self.scope.value = table_html(now, SCOPE_HEADERS)
        self.history.value = table_html(scope_history(rows), HISTORY_HEADERS)
        keep = self.remove.value
        self.remove.options = [_project_label(c, self._names) for c in now["project_code"]]
        self.remove.value = tuple(v for v in keep if v in set(now["project_code"]))
        self._load_calls(set(now["project_code"]))
        pending = scope_applications(self.ctx.store, self.filing_id)
        self.pending.value = table_html(pending, PENDING_HEADERS) if len(pending) else "<p>无</p>"
        self.quota.refresh()
        self._buttons()

    def _load_calls(self, held: set[str]) -> None:
        frame = addition_calls(self.ctx.store, self.record["city_code"], held, self.ctx.today)
        self._addable = {int(r["call_id"]): list(r["addable"]) for r in frame.to_dict("records")}
        self.calls.value = (
            table_html(frame, CALL_HEADERS)
            if len(frame)
            else "<p>本市目前没有可申请新增本机构尚未备案项目的征集公告</p>"
        )
        current = self.call.value
        self.call.options = options(frame, "call_id", lambda r: f"{r['call_id']} {r['title']}")
        ids = list(self._addable)
        self.call.value = current if current in ids else (ids[0] if ids else None)
        self._load_addable()

    def _load_addable(self) -> None:
        with batched(self.drafts):
            self._reload_addable()

    def _reload_addable(self) -> None:
        codes = self._addable.get(int(self.call.value), []) if self.call.value else []
        keep = self.add.value  # what was chosen stays chosen while the call still offers it
        self.add.options = [_project_label(c, self._names) for c in codes]
        self.add.value = tuple(c for c in keep if c in codes)
        self._buttons()

    def _buttons(self) -> None:
        active = self.active
        self.remove_button.disabled = not active or not self.remove.value
        self.add_button.disabled = not active or self.call.value is None or not self.add.value

    def _remove(self, _button: Any = None) -> None:
        codes = chosen(self.remove.value)
        self.ctx.run(
            registry.remove_projects,
            filing_id=self.filing_id,
            project_codes=codes,
            on=self.ctx.today,
            reason=self.reason.value,
        )
        self.removal_draft.clear(reset=True)
        archive_after(self.ctx, self.messages, "scope", self.filing_id)
        self.refresh()
        self.messages.ok(f"已删除考核项目{'、'.join(codes)}；机构代码和有效期不变")

    def _apply(self, _button: Any = None) -> None:
        if self.call.value is None:
            raise RuleViolation("请先选择征集公告", rule_id="SEL-06")
        app_id = self.ctx.run(
            registry.submit_application,
            call_id=int(self.call.value),
            institution_id=int(self.record["institution_id"]),  # from the filing, not a widget
            project_codes=chosen(self.add.value),
            on=self.ctx.today,
        )
        self.addition_draft.clear(reset=True)
        self.refresh()
        self.messages.ok(f"已提交范围新增申请（编号{app_id}），将按遴选程序评估（SEL-06）")


class FilingPicker:
    """The city's live filings to choose from, and the city's quota use."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        frame = city_filings(ctx.store, city_code)
        self.ctx = ctx
        self.messages = Messages()
        self.picker = guard(
            GuardedDropdown(
                options=options(
                    frame, "filing_id", lambda r: f"{r['code']} {r['institution']}（{r['status']}）"
                ),
                description="备案机构",
                layout=WIDE,
            ),
            ctx,
            "备案机构",
        )
        self.open_button = w.Button(description="打开", button_style="primary")
        self.open_button.on_click(guarded(ctx, self.messages, "打开范围调整", self._open))
        self.open_button.disabled = frame.empty
        self.holder = w.VBox()
        listing = table_html(frame, FILING_HEADERS) if len(frame) else "<p>本市暂无备案考核机构</p>"
        self.widget = w.VBox(
            [
                title(HEADING),
                section(
                    "本市备案考核机构", w.HTML(listing), w.HBox([self.picker, self.open_button])
                ),
                self.messages.widget,
                self.holder,
                QuotaSection(ctx, city_code).widget,
            ]
        )

    def _open(self, _button: Any = None) -> None:
        if self.picker.value is None:
            raise RuleViolation("请先选择备案机构")
        self.holder.children = [ScopePage(self.ctx, int(self.picker.value)).widget]


def build(ctx: AppContext, filing_id: int | None = None) -> w.Widget:
    """The page for the acting user: one filing's scope, or the city's filings to choose."""

    def make() -> w.Widget:
        city = require_city_role(ctx, "打开范围调整")
        if filing_id is None:
            return FilingPicker(ctx, city).widget
        return ScopePage(ctx, int(filing_id)).widget

    return page_or_refusal(HEADING, make)


def app(filing_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, filing_id)
