"""退出 — a city officer handles the exit of a filing (EXIT-02…EXIT-07).

Pick a filing of the city; the page shows its status and its open exit case, and offers only
the actions the lifecycle allows now: a voluntary withdrawal (EXIT-02), the violation due
process — investigation with the filing suspended (EXIT-04), written findings and the
statement period of 15 working days with a countdown (EXIT-05), confirmation, closing work
and revocation or restoration (EXIT-06) — and extinction (EXIT-07). After a filing ended by
its term, a failed renewal or extinction, its closing work (EXIT-08) is shown part by part and
each part is recorded done here (:mod:`casework.ui.exits.closing`). Every action is a registry
command, which re-checks role, city, state and input.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain import lifecycle, rules
from casework.errors import CaseworkError, NotFound
from casework.queries.catalog import catalog
from casework.queries.closing import closing_work_of
from casework.queries.exits import exit_cases_of, filing_row
from casework.registry.exits import VIOLATION, WIND_DOWN_PARTS, WITHDRAWAL
from casework.ui.archiving import archive_after
from casework.ui.case_documents import Offer, documents_section
from casework.ui.context import AppContext
from casework.ui.exits.closing import closing_action, closing_html
from casework.ui.exits.revocation_form import RevocationForm
from casework.ui.exits.views import (
    case_html,
    countdown_html,
    history_html,
    planning_due,
    status_html,
)
from casework.ui.gates import require_city_role, require_own_city
from casework.ui.kit import (
    SUSPENDED_BANNER,
    Action,
    ActionPanel,
    Messages,
    app_entry,
    as_id,
    blank,
    case_picker,
    date_field,
    esc,
    guarded,
    picked_date,
    refusal_page,
    text_area,
    title,
)

HEADING = "退出"


class ExitsPage:
    """The exit page of one filing of the actor's city."""

    def __init__(self, ctx: AppContext, filing_id: int) -> None:
        filing = filing_row(ctx.store, filing_id)
        if filing is None:
            raise NotFound(f"未找到备案（编号{filing_id}）")
        require_own_city(ctx, filing["city_code"], f"备案{filing['code']}", "打开退出办理")
        self.ctx, self.filing_id = ctx, filing_id
        self.messages = Messages()
        self.status = w.HTML()
        self.case = w.HTML()
        self.countdown = w.HTML()
        self.history = w.HTML()
        self.closing = w.HTML()
        self.panel = ActionPanel(ctx, self.messages, [], self.refresh)
        self.body = w.VBox()
        refresh = w.Button(description="刷新")
        refresh.on_click(guarded(ctx, self.messages, "刷新", lambda _b: self.refresh()))
        self.widget = w.VBox([title(HEADING), self.body, refresh, self.messages.widget])
        self.refresh()

    def refresh(self) -> None:
        filing = filing_row(self.ctx.store, self.filing_id)
        if filing is None:
            raise NotFound(f"未找到备案（编号{self.filing_id}）")
        cases = exit_cases_of(self.ctx.store, self.filing_id)
        open_cases = [c for c in cases.to_dict("records") if c["open"]]
        self.status.value = status_html(filing)
        self.case.value = "".join(case_html(c) for c in open_cases)
        due = [
            c["statement_due"] for c in open_cases if c["status"] == lifecycle.VIOLATION_NOTIFIED
        ]
        self.countdown.value = countdown_html(self.ctx.today, due[0]) if due else ""
        self.history.value = history_html(cases)
        work = closing_work_of(self.ctx.store, self.filing_id)
        self.closing.value = closing_html(self.ctx, work)
        acts = self.actions(filing, open_cases)
        closing = closing_action(self.ctx, self.filing_id, work) if work else None
        self.panel = ActionPanel(
            self.ctx,
            self.messages,
            [*acts, closing] if closing else acts,
            self.refresh,
            drafts=("exits", str(self.filing_id)),
        )
        self.body.children = [
            self.status,
            self.case,
            self.countdown,
            self.closing,
            self.panel.widget,
            self.history,
            documents_section(
                self.ctx, exit_offers(filing, cases), archived=[("exit", self.filing_id)]
            ),
        ]

    # --- what may be done now ------------------------------------------------------------
    def actions(self, filing: dict[Any, Any], open_cases: list[dict[Any, Any]]) -> list[Action]:
        """The actions the lifecycle allows now, for the open cases and for the filing."""
        acts: list[Action] = []
        for case in open_cases:
            machine = lifecycle.VIOLATION if case["kind"] == VIOLATION else lifecycle.WITHDRAWAL
            for action in machine.allowed(case["status"]):
                make = CASE_ACTIONS.get((case["kind"], action))
                if make is not None:
                    acts.append(make(self, case))
        allowed = lifecycle.FILING.allowed(filing["status"])
        if "withdraw" in allowed and not open_cases:
            acts.append(self.apply_withdrawal(filing))
        if "suspend" in allowed and all(c["kind"] != VIOLATION for c in open_cases):
            acts.append(self.open_investigation(filing))
        if "extinguish" in allowed:
            acts.append(self.record_extinction(filing))
        return acts

    # --- the filing ----------------------------------------------------------------------
    def apply_withdrawal(self, filing: dict[Any, Any]) -> Action:
        parts = {p: text_area(f"{p}（必填）", description=p) for p in WIND_DOWN_PARTS}
        on = date_field("申请日期", self.ctx.today)

        def run() -> str:
            plan = {p: t.value for p, t in parts.items()}
            day = picked_date(self.ctx, on, "EXIT-02")
            self.ctx.run(registry.apply_withdrawal, filing_id=self.filing_id, plan=plan, on=day)
            return "已登记撤销备案申请及终止考核工作实施方案（EXIT-02）"

        note = "登记考核机构提交的撤销备案申请；终止考核工作实施方案须包括以下四部分（EXIT-02）"
        return Action("apply_withdrawal", "申请撤销备案", run, {**parts, "on": on}, note=note)

    def open_investigation(self, filing: dict[Any, Any]) -> Action:
        grounds = text_area("立案调查的事由（违反法律法规或职业技能评价工作有关规定的情形）")

        def run() -> str:
            self.ctx.run(
                registry.open_investigation,
                filing_id=self.filing_id,
                grounds=grounds.value,
                on=self.ctx.today,
            )
            return f"已立案调查，备案暂停：{SUSPENDED_BANNER}"

        note = f"立案后备案即暂停：{SUSPENDED_BANNER}"
        return Action("open_investigation", "立案调查", run, {"grounds": grounds}, note=note)

    def record_extinction(self, filing: dict[Any, Any]) -> Action:
        extinct_on = date_field("主体灭失日期", None)
        evidence = text_area("破产、关闭或注销的证明材料（文号、登记机关、日期）")

        def run() -> str:
            day = picked_date(self.ctx, extinct_on, "EXIT-07")
            self.ctx.run(
                registry.record_extinction,
                filing_id=self.filing_id,
                extinct_on=day,
                evidence=evidence.value,
                on=self.ctx.today,
            )
            archive_after(self.ctx, self.messages, "exit", self.filing_id)
            return f"已登记主体灭失：备案自{day}起自动撤销（EXIT-07）"

        fields = {"extinct_on": extinct_on, "evidence": evidence}
        note = "考核机构破产关闭、注销等主体灭失的，自主体灭失之日起自动撤销备案（EXIT-07）"
        return Action("record_extinction", "登记主体灭失", run, fields, note=note)

    # --- a voluntary withdrawal (EXIT-02) ------------------------------------------------
    def accept_plan(self, case: dict[Any, Any]) -> Action:
        def run() -> str:
            self.ctx.run(registry.accept_withdrawal_plan, case_id=case["id"], on=self.ctx.today)
            return "收尾方案已评估通过，请指导考核机构完成收尾工作（EXIT-02）"

        return Action("accept_plan", label("accept_plan", WITHDRAWAL), run)

    def complete(self, case: dict[Any, Any]) -> Action:
        work = text_area("收尾工作完成情况（合规数据已上报、证书已发放等）")

        def run() -> str:
            self.ctx.run(
                registry.complete_withdrawal,
                case_id=case["id"],
                closing_work=work.value,
                on=self.ctx.today,
            )
            archive_after(self.ctx, self.messages, "exit", self.filing_id)
            return "已出具撤销备案函，备案终止（自愿撤销，EXIT-02）"

        return Action("complete", label("complete", WITHDRAWAL), run, {"closing_work": work})

    def cancel(self, case: dict[Any, Any]) -> Action:
        def run() -> str:
            self.ctx.run(registry.cancel_withdrawal, case_id=case["id"], on=self.ctx.today)
            return "撤销备案申请已撤回，备案继续有效"

        return Action("cancel", label("cancel", WITHDRAWAL), run)

    # --- the violation due process (EXIT-04…EXIT-06) -------------------------------------
    def serve_findings(self, case: dict[Any, Any]) -> Action:
        findings = text_area("书面核查意见：相关事实、理由和依据")
        received = date_field("考核机构收到日期", self.ctx.today)
        preview = w.HTML()

        def show_due(_change: Any = None) -> None:
            if received.value is None:
                preview.value = ""
                return
            due = planning_due(received.value)
            preview.value = f'<div class="cw-info">陈述申辩截止日期：{esc(due)}</div>'

        received.observe(show_due, names="value")
        show_due()

        def run() -> str:
            day = picked_date(self.ctx, received, "EXIT-05")
            if day < case["opened_on"]:
                raise CaseworkError(
                    f"收到日期{day}早于立案日期{case['opened_on']}", rule_id="EXIT-05"
                )
            due = self.ctx.run(
                registry.serve_findings,
                case_id=case["id"],
                findings=findings.value,
                received_on=day,
            )
            days = rules.STATEMENT_WORKDAYS
            return f"书面核查意见已送达；陈述申辩截止日期：{due}（{days}个工作日，EXIT-05）"

        fields = {"findings": findings, "received_on": received, "due": preview}
        return Action("serve_findings", label("serve_findings", VIOLATION), run, fields)

    def record_statement(self, case: dict[Any, Any]) -> Action:
        statement = text_area("书面陈述和申辩的要点")
        received = date_field("收到日期", self.ctx.today)

        def run() -> str:
            day = picked_date(self.ctx, received, "EXIT-05")
            self.ctx.run(
                registry.record_statement,
                case_id=case["id"],
                statement=statement.value,
                received_on=day,
            )
            return "已登记陈述申辩"

        note = f"陈述申辩应在{case['statement_due']}（含）前收到（EXIT-05）"
        fields = {"statement": statement, "received_on": received}
        return Action(
            "record_statement", label("record_statement", VIOLATION), run, fields, note=note
        )

    def confirm(self, case: dict[Any, Any]) -> Action:
        """EXIT-06: confirm the violation; Attachment 8's circumstance is chosen from the
        notice's list and its wording previewed before anything is recorded."""
        filing = filing_row(self.ctx.store, self.filing_id) or {}
        form = RevocationForm(self.ctx, case, filing)
        blocked = ""
        if (
            case["status"] == lifecycle.VIOLATION_NOTIFIED
            and self.ctx.today <= case["statement_due"]
        ):
            blocked = f"陈述申辩期至{case['statement_due']}，期满前不能认定（EXIT-05）"

        def run() -> str:
            self.ctx.run(
                registry.confirm_violation,
                case_id=case["id"],
                on=self.ctx.today,
                **form.record_fields(),
            )
            return "已认定违规，请指导考核机构完成收尾工作（EXIT-06）"

        return Action("confirm", label("confirm", VIOLATION), run, form.fields, blocked=blocked)

    def revoke(self, case: dict[Any, Any]) -> Action:
        work = text_area("收尾工作完成情况")

        def run() -> str:
            self.ctx.run(
                registry.revoke_filing,
                case_id=case["id"],
                closing_work=work.value,
                on=self.ctx.today,
            )
            archive_after(self.ctx, self.messages, "exit", self.filing_id)
            return "已出具撤销备案函，备案终止（违规撤销，EXIT-06）"

        return Action("revoke", label("revoke", VIOLATION), run, {"closing_work": work})

    def restore(self, case: dict[Any, Any]) -> Action:
        reason = text_area("不予撤销的理由")

        def run() -> str:
            self.ctx.run(
                registry.restore_filing, case_id=case["id"], reason=reason.value, on=self.ctx.today
            )
            return "调查结束，备案恢复有效（EXIT-06）"

        return Action("restore", label("restore", VIOLATION), run, {"reason": reason})


CASE_ACTIONS = {
    (WITHDRAWAL, "accept_plan"): ExitsPage.accept_plan,
    (WITHDRAWAL, "complete"): ExitsPage.complete,
    (WITHDRAWAL, "cancel"): ExitsPage.cancel,
    (VIOLATION, "serve_findings"): ExitsPage.serve_findings,
    (VIOLATION, "record_statement"): ExitsPage.record_statement,
    (VIOLATION, "confirm"): ExitsPage.confirm,
    (VIOLATION, "revoke"): ExitsPage.revoke,
    (VIOLATION, "restore"): ExitsPage.restore,
}
"""The case actions with a form; ``close_extinct`` happens through 登记主体灭失 only."""


def exit_offers(filing: dict[Any, Any], cases: Any) -> list[Offer]:
    """The letters of the filing's exit cases: the suspension notice (EXIT-04) and the written
    findings (EXIT-05) of each investigation, Attachment 8 once the filing was revoked
    (EXIT-02, EXIT-06)."""
    offers = []
    for c in cases.to_dict("records"):
        if c["kind"] != VIOLATION:
            continue
        offers.append(Offer("suspension", int(c["id"]), f"案件{c['id']}"))
        if not blank(c["findings_received_on"]):
            offers.append(Offer("findings", int(c["id"]), f"案件{c['id']}"))
    if filing["end_reason"] in ("违规撤销", "自愿撤销"):
        offers.insert(0, Offer("revocation", int(filing["id"]), str(filing["institution"])))
    return offers


def label(action: str, kind: str) -> str:
    machine = lifecycle.VIOLATION if kind == VIOLATION else lifecycle.WITHDRAWAL
    return machine.transition(action).label


def build(ctx: AppContext, filing_id: int | None = None) -> w.Widget:
    """The whole page: pick a filing of the city, then handle its exit."""
    try:
        require_city_role(ctx, "打开退出办理")
        if filing_id is None:
            return picker(ctx)
        return exits_page(ctx, as_id(filing_id, "备案")).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def exits_page(ctx: AppContext, filing_id: int) -> ExitsPage:
    """The page of one filing; a filing of another city is refused and logged (SUP-01)."""
    return ExitsPage(ctx, filing_id)


def picker(ctx: AppContext) -> w.Widget:
    filings = catalog(ctx.store, city_code=ctx.actor.city_code)
    if filings.empty:
        return refusal_page(HEADING, "本市尚无备案的考核机构")
    options = [
        (f"{r['institution']}（{r['code']}，{r['status']}）", int(r["filing_id"]))
        for r in filings.to_dict("records")
    ]
    return case_picker(
        ctx, HEADING, "备案", options, lambda fid: exits_page(ctx, fid).widget, "打开退出办理"
    )


def app(filing_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, filing_id)
