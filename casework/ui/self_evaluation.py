"""续期自评 — the institution head self-scores Attachment 4 and fills Attachment 5 (REN-02).

Both are saved as drafts as they are typed (Attachment 4 through ``save_self_evaluation``,
Attachment 5 through ``save_renewal_application_draft``) and submitted together with
``submit_renewal`` by the round's deadline; the registry refuses a late submission (REN-02),
and the page says so before anyone tries. Submitting first lists everything still missing in
both attachments at once; once submitted, the page is read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import lifecycle, rubrics
from casework.domain.calendar import PlanningCalendar
from casework.errors import CaseworkError, NotFound, PermissionDenied, ValidationFailed
from casework.queries.renewals import (
    institution_renewals,
    renewal_case,
    scope_projects,
    self_sheet,
)
from casework.queries.stored_sheets import SUBMITTED
from casework.registry.actors import INSTITUTION
from casework.registry.self_evaluation_drafts import save_renewal_application_draft
from casework.ui.attachment4_form import Attachment4Form
from casework.ui.attachment5_form import Attachment5Form
from casework.ui.case_documents import renewal_documents
from casework.ui.context import AppContext
from casework.ui.kit import (
    Messages,
    app_entry,
    case_picker,
    esc,
    guarded,
    refusal_page,
    title,
)

log = logging.getLogger("casework.ui")
HEADING = "续期自评（附件4 自评、附件5 续期申请）"
SELF_VETO_HEADING = "不合格项（如实填写本机构是否存在下列情形，REN-06）"


TENURE_SITES = {"自有": "自有场地", "租赁": "租用场地"}
STAFF_ALIASES = {
    "evaluators": "evaluators",
    "supervisors": "supervisors",
    "item_writers": "question_experts",
    "staff": "staff",
}


def prefill_of(store: Any, filing_id: int) -> dict[str, Any]:
    """Attachment 5 values from the intake's assessment data (ATT5-STATS).

    The page must open even when the intake data cannot be read: a failure is logged and the
    inputs start empty.
    """
    from casework.queries.evidence import attachment5_prefill

    try:
        found = attachment5_prefill(store, filing_id)
        return normalise_prefill(found) if found else {}
    except Exception:
        log.exception("attachment5_prefill failed for filing %s", filing_id)
        return {}


def normalise_prefill(found: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence module's Attachment 5 keys mapped onto the form's (ATT5-STATS)."""
    out: dict[str, Any] = {k: found[k] for k in ("projects", "first_assessment_on") if k in found}
    out["question_banks"] = [
        {**b, "papers": b.get("papers", b.get("paper_sets"))}
        for b in found.get("question_banks") or []
        if isinstance(b, Mapping)
    ]
    staff = found.get("staff")
    counts = staff if isinstance(staff, Mapping) else found
    for key, alias in STAFF_ALIASES.items():
        value = counts.get(key, counts.get(alias))
        if value is not None and not isinstance(value, Mapping):
            out[key] = value
    tenures = list(found.get("site_tenure") or [])
    if len(tenures) == 1 and tenures[0] in TENURE_SITES:
        out["site"] = TENURE_SITES[tenures[0]]
    if found.get("site_addresses"):
        out["site_address"] = "；".join(map(str, found["site_addresses"]))
    return out


def require_institution_head(ctx: AppContext) -> int:
    """The acting user's institution; only an institution head may self-evaluate (REN-02)."""
    if ctx.actor.role != INSTITUTION or ctx.actor.institution_id is None:
        raise PermissionDenied(f"{ctx.actor.label}不是考核机构用户，续期自评由考核机构负责人填写")
    return int(ctx.actor.institution_id)


def deadline_html(today: Any, deadline: Any) -> str:
    """The deadline with working days left (REN-02); provisional counts say so."""
    if today > deadline:
        return (
            f'<div class="cw-error"><b class="cw-overdue">已超过提交截止日（{deadline}）。</b>'
            "逾期未提交备案续期申请的，不再进行续期评估，备案期满后自动退出考核机构目录"
            "（REN-02）。</div>"
        )
    left = PlanningCalendar().workdays_left(today, deadline)
    when = "今天是提交截止日" if today == deadline else f"还剩 {left.value} 个工作日"
    note = f"<br><span style='color:#666'>{esc(left.note)}</span>" if left.provisional else ""
    return (
        f'<div class="cw-info">自评及续期申请提交截止日：<b>{deadline}</b>，{when}'
        f"（REN-02）{note}</div>"
    )


class SelfEvaluationPage:
    """One renewal case of the user's own institution: Attachment 4 and Attachment 5."""

    def __init__(self, ctx: AppContext, renewal_id: int) -> None:
        own = require_institution_head(ctx)
        case = renewal_case(ctx.store, renewal_id)
        if case is None:
            raise NotFound(f"未找到续期评估（编号{renewal_id}）")
        if int(case["institution_id"]) != own:
            raise PermissionDenied(f"{ctx.actor.label}只能办理本机构的续期评估")
        self.ctx, self.renewal_id, self.case = ctx, renewal_id, case
        self.rubric = rubrics.by_id(str(case["rubric_id"]))
        self.overdue = ctx.today > case["deadline"]
        self.messages = Messages()
        self.saving = w.HTML()
        self.a4 = Attachment4Form(
            ctx,
            self.rubric,
            self._on_a4_change,
            author=ctx.actor.username,
            veto_heading=SELF_VETO_HEADING,
        )
        self.a5 = Attachment5Form(ctx, case, self._projects(), self._on_a5_change)
        self.submit_button = w.Button(
            description="提交自评及续期申请", button_style="primary", layout=w.Layout(width="auto")
        )
        self.submit_button.on_click(guarded(ctx, self.messages, "提交续期申请", self._submit))
        tabs = w.Tab(children=[self.a4.widget, self.a5.widget])
        tabs.titles = ("附件4 续期评估明细表（自评）", "附件5 备案续期申请表")
        self.widget = w.VBox(
            [
                title(
                    HEADING,
                    f"考核机构：{case['institution']}　机构代码：{case['filing_code']}　"
                    f"{case['round_title']}",
                ),
                w.HTML(deadline_html(ctx.today, case["deadline"])),
                tabs,
                w.HBox([self.submit_button, self.saving]),
                self.messages.widget,
                renewal_documents(ctx, renewal_id),
            ]
        )
        self._load()

    def _projects(self) -> pd.DataFrame:
        """The filing's scope; a submitted application keeps the projects it reported."""
        scope = scope_projects(self.ctx.store, int(self.case["filing_id"]))
        reported = (self.case["application"] or {}).get("projects") or []
        if self.case["status"] == lifecycle.RENEWAL_AWAITING_SELF or not reported:
            return scope
        names = dict(zip(scope.project_code, scope.name, strict=True))
        codes = [str(p.get("project_code")) for p in reported]
        return pd.DataFrame({"project_code": codes, "name": [names.get(c, "") for c in codes]})

    # --- loading and locking ----------------------------------------------------------------
    def _load(self) -> None:
        sheet = self_sheet(self.ctx.store, self.renewal_id, self.ctx.actor.username)
        if sheet is not None:
            self.a4.load(sheet["rows"], sheet["veto"])
        application = self.case["application"]
        if application:
            self.a5.load(application)
        elif self.case["status"] == lifecycle.RENEWAL_AWAITING_SELF:
            found = prefill_of(self.ctx.store, int(self.case["filing_id"]))
            if found:
                self.a5.load(found)
                self.messages.info("考核情况已按本机构上报的考核数据预填，请核对后再提交")
        if self.case["status"] != lifecycle.RENEWAL_AWAITING_SELF or (
            sheet and sheet["status"] == SUBMITTED
        ):
            when = f"已于{self.case['submitted_on']}" if self.case["submitted_on"] else ""
            self._lock(f"续期申请{when}提交（当前状态：{self.case['status']}），仅供查看")
        elif self.overdue:
            self._lock("已超过提交截止日，不能再提交续期申请（REN-02）")

    @property
    def locked(self) -> bool:
        return self.a4.locked

    def _lock(self, why: str) -> None:
        self.a4.lock()
        self.a5.lock()
        self.submit_button.disabled = True
        self.messages.info(why)

    # --- saving -----------------------------------------------------------------------------
    def _saved(self) -> None:
        self.saving.value = "<span style='color:#666'>草稿已自动保存</span>"

    def _on_a4_change(self) -> None:
        try:
            self.ctx.run(
                registry.save_self_evaluation,
                renewal_id=self.renewal_id,
                rows=self.a4.rows(),
                veto=self.a4.veto_rows(),
            )
            self._saved()
        except CaseworkError as exc:
            self.messages.error(exc)

    def _on_a5_change(self) -> None:
        try:
            self.ctx.run(
                save_renewal_application_draft,
                renewal_id=self.renewal_id,
                application=self.a5.value(),
            )
            self._saved()
        except CaseworkError as exc:
            self.messages.error(exc)

    def problems(self) -> pd.DataFrame:
        """Everything missing in both attachments, one row each."""
        rows = [{"附件": "附件4", **p} for p in self.a4.problems()]
        rows += [{"附件": "附件5", **p} for p in self.a5.problems()]
        return pd.DataFrame(rows, columns=["附件", "项目", "问题", "规则"])

    def _submit(self, _button: Any = None) -> None:
        problems = self.problems()
        if not problems.empty:
            raise ValidationFailed(
                f"续期申请尚不完整，共 {len(problems)} 处须补全后再提交：",
                problems,
                rule_id="REN-02",
            )
        self.ctx.run(
            registry.submit_renewal,
            renewal_id=self.renewal_id,
            application=self.a5.value(),
            self_rows=self.a4.rows(),
            self_veto=self.a4.veto_rows(),
            on=self.ctx.today,
        )
        self._lock("续期申请已提交并锁定，仅供查看")
        self.messages.ok(
            f"自评（附件4）及续期申请（附件5）已提交：自评得分 {self.a4.running_total():g} 分"
        )


def build(ctx: AppContext, renewal_id: int | None = None) -> w.Widget:
    """The whole page: pick one of the institution's renewal cases, then fill and submit."""
    try:
        own = require_institution_head(ctx)
        if renewal_id is not None:
            return SelfEvaluationPage(ctx, renewal_id).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)
    cases = institution_renewals(ctx.store, own)
    if cases.empty:
        return refusal_page(HEADING, "本机构目前没有续期评估事项")
    return picker(ctx, cases)


def picker(ctx: AppContext, cases: pd.DataFrame) -> w.Widget:
    """The institution's renewal cases; the chosen one is re-checked when its page opens."""
    options = [
        (f"{r['round_title']}（{r['status']}，提交截止 {r['deadline']}）", int(r["renewal_id"]))
        for r in cases.to_dict("records")
    ]
    return case_picker(
        ctx,
        HEADING,
        "续期评估",
        options,
        lambda rid: SelfEvaluationPage(ctx, rid).widget,
        "打开续期自评",
    )


def app(renewal_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, renewal_id)
