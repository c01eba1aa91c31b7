"""The application form (SEL-02, SEL-03, SEL-06, SEL-07): the applicant's identity, the call
and its projects, the statements on the city's supplementary conditions and the integrity
declaration. Saved as the user's draft as it is typed; submitting (or resubmitting a returned
application) is one registry command, which re-checks everything on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain import rules
from casework.domain.evidence.vocabulary import INSTITUTION_KINDS
from casework.errors import NotFound, RuleViolation
from casework.queries.application_intake import application_record, project_count
from casework.queries.calls import call_record, open_calls
from casework.queries.scope import project_name_map
from casework.registry.selection import INTEGRITY_DECLARATION
from casework.ui.context import AppContext
from casework.ui.drafts import DraftList, FormDraft, batched
from casework.ui.kit import (
    WIDE,
    GuardedCheckbox,
    GuardedDropdown,
    GuardedSelectMultiple,
    GuardedText,
    Messages,
    chosen,
    esc,
    fields_html,
    guard,
    guarded,
    section,
)

DRAFT_PAGE = "application:form"


def _text(ctx: AppContext, label: str, value: str) -> Any:
    return guard(
        GuardedText(
            value=value or "",
            description=label,
            continuous_update=False,
            layout=WIDE,
            style={"description_width": "initial"},
        ),
        ctx,
        label,
    )


class StatementsEditor:
    """SEL-03: one statement per supplementary condition of the chosen call. ``rows_field``
    holds ``[{"sub_id", "statement"}]`` for the draft; setting it fills the text areas."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change
        self.conditions: list[dict[str, str]] = []
        self.areas: dict[str, w.Textarea] = {}
        self.rows_field = DraftList()
        self._syncing = False
        self.rows_field.observe(self._fill, names="value")
        self.box = w.VBox()
        self.widget = w.VBox(
            [w.HTML("<b>本市补充条件的满足情况</b>（逐条说明，SEL-03）"), self.box]
        )

    def set_conditions(self, conditions: list[dict[str, str]]) -> None:
        kept = {r["sub_id"]: r["statement"] for r in self.rows_field.value}
        self.conditions = [{"sub_id": str(c["sub_id"]), "text": str(c["text"])} for c in conditions]
        self.areas = {}
        rows: list[w.Widget] = []
        for c in self.conditions:
            area = w.Textarea(
                value=kept.get(c["sub_id"], ""),
                placeholder="说明本单位满足该条件的情况",
                continuous_update=False,
                layout=w.Layout(width="80%", height="50px"),
            )
            area.observe(lambda _c: self._changed(), names="value")
            self.areas[c["sub_id"]] = area
            rows += [w.HTML(f"<div>{esc(c['sub_id'])}　{esc(c['text'])}</div>"), area]
        self.box.children = rows or [w.HTML("<div>本次征集公告没有补充条件</div>")]
        self.widget.layout.display = "" if self.conditions else "none"
        self._changed()

    def value(self) -> list[dict[str, str]]:
        return [{"sub_id": i, "statement": a.value} for i, a in self.areas.items()]

    def _changed(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.rows_field.value = self.value()
        finally:
            self._syncing = False
        self.on_change()

    def _fill(self, _change: Any = None) -> None:
        if self._syncing:
            return
        given = {r.get("sub_id"): r.get("statement", "") for r in self.rows_field.value}
        self._syncing = True
        try:
            for sub_id, area in self.areas.items():
                area.value = str(given.get(sub_id, "") or "")
        finally:
            self._syncing = False
        self.on_change()


class ApplicationForm:
    """A new application of ``institution_id``, or the correction of a returned one
    (``application_id``). The institution comes from the page, never from a widget."""

    def __init__(
        self,
        ctx: AppContext,
        institution: dict[str, Any],
        on_done: Callable[[int], None],
        application_id: int | None = None,
    ) -> None:
        self.ctx, self.institution, self.on_done = ctx, institution, on_done
        self.institution_id = int(institution["id"])
        self.application_id = application_id
        self.messages = Messages()
        self._names = project_name_map(ctx.store)
        self.identity = w.HTML(
            fields_html(
                [("单位名称", institution["name"]), ("统一社会信用代码", institution["uscc"])]
            )
        )
        kind = institution["kind"] if institution["kind"] in INSTITUTION_KINDS else None
        self.kind = guard(
            GuardedDropdown(
                options=list(INSTITUTION_KINDS), value=kind, description="单位类型", layout=WIDE
            ),
            ctx,
            "单位类型",
        )
        self.address = _text(ctx, "单位地址", institution["address"])
        self.contact = _text(ctx, "联系人", institution["contact"])
        self.phone = _text(ctx, "联系电话", institution["phone"])
        self.call = guard(
            GuardedDropdown(options=[], description="征集公告", layout=WIDE), ctx, "征集公告"
        )
        self.projects = guard(
            GuardedSelectMultiple(options=[], rows=6, description="申报项目", layout=WIDE),
            ctx,
            "申报项目",
        )
        self.count = w.HTML()
        self.statements = StatementsEditor(self._buttons)
        self.integrity = guard(
            GuardedCheckbox(value=False, description="本单位作出上述诚信承诺", indent=False),
            ctx,
            "诚信承诺",
        )
        verb = "补正后重新提交" if application_id else "提交申请"
        self.submit_button = w.Button(description=verb, button_style="primary")
        self.submit_button.on_click(guarded(ctx, self.messages, verb, self._submit))
        self._scopes: dict[int, list[str]] = {}
        self._conditions: dict[int, list[dict[str, str]]] = {}
        self.call.observe(lambda _c: self._load_call(), names="value")
        self.projects.observe(lambda _c: self._buttons(), names="value")
        self.integrity.observe(lambda _c: self._buttons(), names="value")
        self._load_calls()
        self.widget = w.VBox(
            [
                section(
                    "申报单位", self.identity, self.kind, self.address, self.contact, self.phone
                ),
                section("征集公告和申报项目", self.call, self.projects, self.count),
                self.statements.widget,
                section(
                    "诚信承诺",
                    w.HTML(f'<div class="cw-info">{esc(INTEGRITY_DECLARATION)}</div>'),
                    self.integrity,
                ),
                self.submit_button,
                self.messages.widget,
            ]
        )
        fields = {
            "kind": self.kind,
            "address": self.address,
            "contact": self.contact,
            "phone": self.phone,
            "call": self.call,
            "projects": self.projects,
            "statements": self.statements.rows_field,
            "integrity": self.integrity,
        }
        key = f"app{application_id}" if application_id else str(self.institution_id)
        self.draft = FormDraft(ctx, DRAFT_PAGE, key, fields)
        self._buttons()

    # --- options ------------------------------------------------------------------------
    def _load_calls(self) -> None:
        if self.application_id is not None:
            record = application_record(self.ctx.store, self.application_id)
            if record is None:
                raise NotFound(f"未找到备案申请（编号{self.application_id}）")
            call = call_record(self.ctx.store, int(record["call_id"]))
            assert call is not None
            self._scopes = {int(call["id"]): list(call["project_codes"])}
            self._conditions = {int(call["id"]): list(call["supplementary"] or [])}
            self.call.options = [(f"{call['id']} {call['title']}", int(call["id"]))]
            self.call.value = int(call["id"])
            self.call.disabled = True
            self._load_call()
            self.projects.value = tuple(
                c for c in record["project_codes"] if c in self._offered_codes()
            )
            given = {s["sub_id"]: s.get("statement", "") for s in record["supplementary"]}
            self.statements.rows_field.value = [
                {"sub_id": c["sub_id"], "statement": given.get(c["sub_id"], "")}
                for c in self.statements.conditions
            ]
            return
        frame = open_calls(self.ctx.store, self.institution["city_code"], self.ctx.today)
        self._scopes = {
            int(r["call_id"]): list(r["project_codes"]) for r in frame.to_dict("records")
        }
        self._conditions = {}
        for call_id in self._scopes:
            record = call_record(self.ctx.store, call_id)
            self._conditions[call_id] = list(record["supplementary"] or []) if record else []
        self.call.options = [
            (
                f"{r['call_id']} {r['title']}（{r['opens_on']} 至 {r['closes_on']}）",
                int(r["call_id"]),
            )
            for r in frame.to_dict("records")
        ]
        ids = list(self._scopes)
        self.call.value = ids[0] if ids else None
        self._load_call()

    def _offered_codes(self) -> list[str]:
        held = set(project_count(self.ctx.store, self.institution_id)["held"])
        codes = self._scopes.get(int(self.call.value), []) if self.call.value else []
        return [c for c in codes if c not in held]  # SEL-06: a filed project is not re-applied

    def _load_call(self) -> None:
        drafts = [self.draft] if hasattr(self, "draft") else []
        with batched(drafts):
            codes = self._offered_codes()
            keep = self.projects.value
            self.projects.options = [(f"{c} {self._names.get(c, '')}".strip(), c) for c in codes]
            self.projects.value = tuple(c for c in keep if c in codes)
            conditions = self._conditions.get(int(self.call.value), []) if self.call.value else []
            self.statements.set_conditions(conditions)
        self._buttons()

    def _buttons(self) -> None:
        counts = project_count(self.ctx.store, self.institution_id)
        mine = set()
        if self.application_id is not None:
            record = application_record(self.ctx.store, self.application_id)
            mine = set(record["project_codes"]) if record else set()
        applied = set(counts["applied"]) - mine
        new = set(self.projects.value) - set(counts["held"]) - applied
        total = len(counts["held"]) + len(applied) + len(new)
        over = total > rules.MAX_PROJECTS_PER_INSTITUTION
        style = "cw-overdue" if over else "cw-info"
        warn = "；超过上限的，须由市级负责人在研究确定时录入理由" if over else ""
        self.count.value = (
            f'<div class="{style}">本机构已备案项目 {len(counts["held"])} 个，其他在办申请项目 '
            f"{len(applied)} 个，本次申报 {len(new)} 个，合计 {total} 个（每个机构原则上不超过"
            f"{rules.MAX_PROJECTS_PER_INSTITUTION}个，SEL-07）{esc(warn)}</div>"
        )
        self.submit_button.disabled = (
            self.call.value is None or not self.projects.value or not self.integrity.value
        )

    # --- submit -------------------------------------------------------------------------
    def _applicant(self) -> dict[str, str]:
        if self.kind.value is None:
            raise RuleViolation("请选择单位类型", rule_id="SEL-02")
        return {
            "kind": str(self.kind.value),
            "address": self.address.value,
            "contact": self.contact.value,
            "phone": self.phone.value,
        }

    def _submit(self, _button: Any = None) -> None:
        if self.call.value is None:
            raise RuleViolation("请选择征集公告", rule_id="SEL-02")
        if not self.projects.value:
            raise RuleViolation("请选择申报项目", rule_id="SEL-02")
        common: dict[str, Any] = {
            "project_codes": chosen(self.projects.value),
            "applicant": self._applicant(),
            "supplementary": self.statements.value(),
            "integrity": bool(self.integrity.value),
        }
        if self.application_id is None:
            app_id = int(
                self.ctx.run(
                    registry.submit_application,
                    call_id=int(self.call.value),
                    institution_id=self.institution_id,  # from the page, not a widget
                    on=self.ctx.today,
                    **common,
                )
            )
            text = f"已提交申请（编号{app_id}），等待市级人社部门受理"
        else:
            app_id = self.application_id
            self.ctx.run(
                registry.resubmit_application, application_id=app_id, on=self.ctx.today, **common
            )
            text = f"申请（编号{app_id}）已补正并重新提交，等待市级人社部门受理"
        self.draft.clear(reset=True)
        self.on_done(app_id)
        self.messages.ok(text)
