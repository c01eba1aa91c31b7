"""Every (state, command) pair that a lifecycle forbids is tried and refused, with nothing
written (issue "The registry"; the machines of ``casework/domain/lifecycle.py``).

One module-scoped store holds a real case in every reachable state of every machine the
registry drives, each built through the public commands. For each forbidden pair the real
registry command is called on that case; it must raise IllegalTransition naming the state and
leave every table (but ``refusals``, which logs the attempt) exactly as it was.

Three kinds of pair are told apart, and a completeness test checks that together they cover
every pair of ``Machine.forbidden_pairs()``:

- *refused*: the command aims at the case and is refused (most pairs);
- *swept*: the action is applied by a sweep over many cases (``advance`` for expiry, lapse and
  the cancellation of renewals; ``record_extinction`` for closing exit cases): run on a copy of
  the store, the sweep must leave the case's row untouched, or refuse with nothing written;
- *unaddressable*: the command reaches the case only through a record that cannot exist in
  that state (no panel before one is constituted, no notice before publication); the test
  proves that record is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from casework import registry as r
from casework.domain import lifecycle
from casework.domain.terms import filing_term
from casework.errors import CaseworkError, IllegalTransition
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, SYSTEM_ACTOR, Actor
from casework.store.engine import Store, open_store
from casework.store.tables import (
    applications,
    calls,
    exit_cases,
    filings,
    incidents,
    notice_items,
    notices,
    panels,
    refusals,
    renewal_cases,
)
from tests.backend import copy_store, store_url, table_rows

from .conftest import JINAN, PROJECTS, World

OFFICER = scenario.city_officer(JINAN)
ON = date(2025, 6, 2)
"""The day every refused attempt is dated (a Monday in a year the calendar knows)."""
SWEEP_TODAY = date(2031, 1, 2)
EXTINCT_ON = date(2029, 6, 30)
PLAN = {
    "收尾计划": "在考批次年底前结束",
    "证书维护": "持续维护已发证书数据",
    "档案管理": "纸质档案保存3年、电子档案5年",
    "参评人员服务": "设专人答复查询",
}
LEGACY_PROJECTS = ("P006", "P007")
Handles = dict[str, Any]
BASIS = "鲁人社函〔2025〕23号 三（二）、四（三）"
"""The notice's clauses a revocation cites (EXIT-06, Attachment 8)."""


# --- the tries: registry calls, each attempting some actions of one machine -----------------
@dataclass(frozen=True)
class H:
    """A handle of the case in its state (its id, or the id of a record linked to it)."""

    key: str


@dataclass(frozen=True)
class Try:
    """A registry call attempting ``actions``; ``kwargs`` values may be handles or
    ``(world, handles) -> value`` functions, resolved when the call runs."""

    name: str
    actions: tuple[str, ...]
    command: Callable[..., Any]
    actor: Callable[[World, Handles], Actor]
    kwargs: dict[str, Any]
    sweep: bool = False

    @property
    def handles(self) -> tuple[str, ...]:
        return tuple(v.key for v in self.kwargs.values() if isinstance(v, H))

    def run(self, world: World, h: Handles) -> object:
        args = {
            k: h[v.key] if isinstance(v, H) else v(world, h) if callable(v) else v
            for k, v in self.kwargs.items()
        }
        if self.command is r.ensure_may_assess:  # a guard, not a command: it takes a connection
            with world.store.read() as conn:
                return self.command(conn, *args.values())
        return self.command(world.store, self.actor(world, h), **args)


def officer(w: World, h: Handles) -> Actor:
    return OFFICER


def first_expert(w: World, h: Handles) -> Actor:
    return scenario.expert(w.experts[JINAN][0])


def institution_user(w: World, h: Handles) -> Actor:
    actor = Actor(f"inst{h['institution_id']}", INSTITUTION, institution_id=h["institution_id"])
    return scenario.ensure_user(w.store, actor)


def members(w: World, h: Handles) -> list[dict[str, Any]]:
    return [{"username": e, "is_leader": i == 0} for i, e in enumerate(w.experts[JINAN][:3])]


def call(
    command: Callable[..., Any],
    actions: str,
    *,
    name: str = "",
    actor: Callable[[World, Handles], Actor] = officer,
    sweep: bool = False,
    **kwargs: Any,
) -> Try:
    return Try(name or command.__name__, tuple(actions.split()), command, actor, kwargs, sweep)


EXTINCTION: dict[str, Any] = {
    "filing_id": H("filing_id"),
    "extinct_on": EXTINCT_ON,
    "evidence": "注销登记通知书",
    "on": EXTINCT_ON,
}
ADVANCE: dict[str, Any] = {"today": SWEEP_TODAY}
FINISHED: dict[str, Any] = {"closing_work": "已完成", "on": ON}

TRIES: dict[str, tuple[Try, ...]] = {
    "filing": (
        call(r.ensure_may_assess, "assess", filing_id=H("filing_id"), code="P006", on=ON),
        call(r.remove_projects, "adjust_scope", filing_id=H("filing_id"), project_codes=["P007"],
             on=ON, reason="不再开展"),
        call(r.file_application, "adjust_scope", application_id=H("scope_application_id"), on=ON),
        call(r.decide_renewal, "renew", renewal_id=H("renewal_id"), on=ON),
        call(r.open_investigation, "suspend", filing_id=H("filing_id"), grounds="举报", on=ON),
        call(r.restore_filing, "restore", case_id=H("violation_case_id"), reason="不实", on=ON),
        call(r.apply_withdrawal, "withdraw", filing_id=H("filing_id"), plan=PLAN, on=ON),
        call(r.complete_withdrawal, "withdraw", case_id=H("withdrawal_case_id"), **FINISHED),
        call(r.advance, "expire fail_renewal", actor=lambda w, h: SYSTEM_ACTOR, sweep=True,
             **ADVANCE),
        call(r.revoke_filing, "revoke", case_id=H("closing_case_id"), **FINISHED),
        call(r.record_extinction, "extinguish", **EXTINCTION),
    ),
    "call": (
        call(r.submit_application, "apply", call_id=H("call_id"),
             institution_id=H("institution_id"), project_codes=["P005"], on=ON),
        call(r.close_call, "close", call_id=H("call_id")),
    ),
    "application": (
        call(r.accept_application, "accept", application_id=H("application_id"), on=ON),
        call(r.return_application, "return_for_correction", application_id=H("application_id"),
             missing=["人员花名册"], on=ON),
        call(r.resubmit_application, "resubmit", application_id=H("application_id"), on=ON),
        call(r.constitute_panel, "constitute_panel", application_id=H("application_id"),
             members=members, on=ON),
        call(r.save_sheet, "submit_sheet", actor=first_expert, panel_id=H("panel_id"),
             rows=lambda w, h: scenario.full_selection_rows()),
        call(r.decide_application, "approve", name="decide_application(approve=True)",
             application_id=H("application_id"), approve=True, on=ON),
        call(r.decide_application, "reject", name="decide_application(approve=False)",
             application_id=H("application_id"), approve=False, on=ON),
        call(r.open_notice, "publish_notice", city_code=JINAN,
             application_ids=lambda w, h: [h["application_id"]], opens_on=ON),
        call(r.close_notice, "close_notice_clear uphold_objection", notice_id=H("notice_id"),
             on=ON),
        call(r.file_application, "file", application_id=H("application_id"), on=ON),
        call(r.withdraw_application, "withdraw", application_id=H("application_id")),
    ),
    "notice": (
        call(r.record_objection, "object", notice_id=H("notice_id"),
             application_id=H("application_id"), received_on=ON, text="考评人员系挂靠"),
        call(r.resolve_objection, "object", objection_id=H("objection_id"), upheld=False,
             resolution="不实", on=ON),
        call(r.close_notice, "close", notice_id=H("notice_id"), on=ON),
    ),
    "renewal": (
        call(r.submit_renewal, "submit", renewal_id=H("renewal_id"),
             application=lambda w, h: scenario.attachment5(w.store, h["filing_id"]),
             self_rows=lambda w, h: scenario.renewal_rows(90.0),
             self_veto=lambda w, h: scenario.veto_rows(), on=ON),
        call(r.save_self_evaluation, "submit", actor=institution_user,
             renewal_id=H("renewal_id"), rows=[], veto=[]),
        call(r.advance, "lapse", actor=lambda w, h: SYSTEM_ACTOR, sweep=True, **ADVANCE),
        call(r.constitute_group, "constitute_group", renewal_id=H("renewal_id"),
             members=members, on=ON),
        call(r.save_sheet, "submit_sheet", actor=first_expert, panel_id=H("panel_id"),
             rows=lambda w, h: scenario.renewal_rows(80.0),
             veto=lambda w, h: scenario.veto_rows()),
        call(r.decide_renewal, "pass fail", renewal_id=H("renewal_id"), on=ON),
        call(r.record_extinction, "cancel", sweep=True, **EXTINCTION),
    ),
    "violation": (
        call(r.serve_findings, "serve_findings", case_id=H("case_id"), findings="经查……",
             received_on=ON),
        call(r.record_statement, "record_statement", case_id=H("case_id"), statement="申辩",
             received_on=ON),
        call(r.confirm_violation, "confirm", case_id=H("case_id"), circumstance="滥发倒卖证书",
             basis=BASIS, on=ON),
        call(r.revoke_filing, "revoke", case_id=H("case_id"), **FINISHED),
        call(r.restore_filing, "restore", case_id=H("case_id"), reason="不实", on=ON),
        call(r.record_extinction, "close_extinct", sweep=True, **EXTINCTION),
    ),
    "withdrawal": (
        call(r.accept_withdrawal_plan, "accept_plan", case_id=H("case_id"), on=ON),
        call(r.complete_withdrawal, "complete", case_id=H("case_id"), **FINISHED),
        call(r.cancel_withdrawal, "cancel", case_id=H("case_id"), on=ON),
        call(r.record_extinction, "close_extinct", sweep=True, **EXTINCTION),
    ),
    "incident": (
        call(r.follow_up_incident, "follow_up", incident_id=H("incident_id"), text="约谈", on=ON),
        call(r.close_incident, "close", incident_id=H("incident_id"), conclusion="已整改", on=ON),
        call(r.escalate_incident, "escalate", incident_id=H("incident_id"), grounds="核实", on=ON),
    ),
}  # fmt: skip
"""For each machine the registry drives, a call per action (more where two commands apply)."""

MACHINES = {m.name: m for m in lifecycle.MACHINES}
RECORDS: dict[str, tuple[Table, str]] = {
    "filing": (filings, "filing_id"),
    "call": (calls, "call_id"),
    "application": (applications, "application_id"),
    "notice": (notices, "notice_id"),
    "renewal": (renewal_cases, "renewal_id"),
    "violation": (exit_cases, "case_id"),
    "withdrawal": (exit_cases, "case_id"),
    "incident": (incidents, "incident_id"),
}
"""Where each machine keeps its state, and the handle naming the case's row."""

UNADDRESSABLE = {
    # a sheet is saved on a panel: there is none before one is constituted
    ("application", "已提交", "save_sheet"),
    ("application", "待补正", "save_sheet"),
    ("application", "已受理", "save_sheet"),
    ("renewal", "待自评", "save_sheet"),
    ("renewal", "已提交", "save_sheet"),
    ("renewal", "未提交", "save_sheet"),
    # a notice is closed as a whole: an application not (yet) published is on none
    ("application", "已提交", "close_notice"),
    ("application", "待补正", "close_notice"),
    ("application", "已受理", "close_notice"),
    ("application", "评估中", "close_notice"),
    ("application", "拟备案", "close_notice"),
    ("application", "已撤回", "close_notice"),
}
LINKS = {"panel_id", "notice_id"}

REFUSED_BY_LINKED_RECORD = {
    # A live filing's only violation case is closed (已恢复): the case's machine refuses first.
    ("filing", "有效", "restore_filing"): "已恢复",
    ("filing", "有效", "revoke_filing"): "已恢复",
    # Termination cancels every open renewal case and closes every open exit case, so their
    # machines refuse first.
    ("filing", "终止备案", "decide_renewal"): "已终止",
    ("filing", "终止备案", "restore_filing"): "已终结",
    ("filing", "终止备案", "revoke_filing"): "已终结",
    ("filing", "终止备案", "complete_withdrawal"): "已终结",
    # The application's notice is over: the notice machine refuses first.
    ("application", "公示无异议", "close_notice"): "已结束",
    ("application", "已备案", "close_notice"): "已结束",
    ("application", "未通过", "close_notice"): "已结束",
}
"""The state the refusal names where a linked record's machine refuses before the case's."""


def classify(machine: str, state: str, attempt: Try) -> str:
    if attempt.sweep:
        return "sweep"
    return "unaddressable" if (machine, state, attempt.name) in UNADDRESSABLE else "refused"


def pairs(kind: str) -> list[Any]:
    """The (machine, state, try) triples of one kind, with ids like filing-暂停-remove_projects."""
    out = []
    for name, tries in TRIES.items():
        machine = MACHINES[name]
        for state in machine.states:
            forbidden = set(machine.actions) - set(machine.allowed(state))
            for t in tries:
                if set(t.actions) & forbidden and classify(name, state, t) == kind:
                    out.append(pytest.param(name, state, t, id=f"{name}-{state}-{t.name}"))
    return out


# --- the store with a case in every state ----------------------------------------------------
@dataclass
class Cases:
    world: World
    handles: dict[tuple[str, str], Handles] = field(default_factory=dict)

    def put(self, machine: str, state: str, **handles: Any) -> None:
        self.handles[(machine, state)] = handles


class Builder:
    """Builds cases through the public commands only."""

    def __init__(self, world: World) -> None:
        self.store = world.store
        self.experts = world.experts[JINAN]
        self.serial = 100

    def institution(self, name: str) -> int:
        self.serial += 1
        return scenario.new_institution(self.store, JINAN, name, self.serial)

    def existing(self, name: str, term_start: date) -> tuple[int, int]:
        """A filing taken over from before casework, with a term of our choosing (cheap)."""
        inst = self.institution(name)
        filing = r.register_existing_filing(
            self.store,
            OFFICER,
            institution_id=inst,
            code=f"3701LEGACY{self.serial:03d}",
            term_start=term_start,
            project_codes=LEGACY_PROJECTS,
            filed_on=term_start,
            source="鲁人社字〔2023〕22号试点备案",
        )
        return inst, filing

    def investigate(self, filing_id: int, on: date, steps: int = 0) -> int:
        """A violation case taken ``steps`` moves along (findings, statement, confirm, revoke)."""
        case = r.open_investigation(self.store, OFFICER, filing_id=filing_id, grounds="举报", on=on)
        moves: list[tuple[Callable[..., Any], dict[str, Any]]] = [
            (r.serve_findings, {"findings": "经查……", "received_on": on}),
            (r.record_statement, {"statement": "申辩", "received_on": on}),
            (r.confirm_violation, {"circumstance": "滥发倒卖证书", "basis": BASIS, "on": on}),
            (r.revoke_filing, {"closing_work": "已完成", "on": on}),
        ]
        for command, kwargs in moves[:steps]:
            command(self.store, OFFICER, case_id=case, **kwargs)
        return case

    def withdrawal(self, filing_id: int, on: date, accept: bool = False) -> int:
        case = r.apply_withdrawal(self.store, OFFICER, filing_id=filing_id, plan=PLAN, on=on)
        if accept:
            r.accept_withdrawal_plan(self.store, OFFICER, case_id=case, on=on)
        return case

    def extinguish(self, filing_id: int, on: date) -> None:
        r.record_extinction(
            self.store, OFFICER, filing_id=filing_id, extinct_on=on, evidence="注销", on=on
        )

    def application(
        self,
        name: str,
        stop_at: str | None,
        project: str,
        institution: int | None = None,
    ) -> Handles:
        inst = institution if institution is not None else self.institution(name)
        ids = scenario.select_and_file(
            self.store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=[project],
            on=date(2025, 3, 3),
            experts=self.experts,
            stop_at=stop_at,
        )
        return {"institution_id": inst, **ids}

    def declare(self, panel_id: int) -> None:
        for e in self.experts[:3]:
            r.declare_conflict_of_interest(
                self.store, scenario.expert(e), panel_id=panel_id, no_conflict=True
            )

    def renewal(self, name: str, term_start: date, stop_at: str | None, **kw: Any) -> Handles:
        """A filing of its own (terms end in distinct months) and a renewal case on it."""
        inst, filing = self.existing(name, term_start)
        ids = scenario.renew(
            self.store,
            city_code=JINAN,
            filing_id=filing,
            term_end=filing_term(term_start).last_day,
            experts=self.experts,
            stop_at=stop_at,
            **kw,
        )
        return {"institution_id": inst, "filing_id": filing, **ids}

    def links(self, handles: Handles) -> Handles:
        """Locate the panel and notice of an application or renewal case (None where absent)."""
        out = dict(handles)
        with self.store.read() as conn:
            if "application_id" in out:
                app = out["application_id"]
                out["panel_id"] = conn.execute(
                    select(panels.c.id).where(panels.c.application_id == app)
                ).scalar()
                out["notice_id"] = conn.execute(
                    select(notice_items.c.notice_id).where(notice_items.c.application_id == app)
                ).scalar()
            elif "renewal_id" in out:
                out["panel_id"] = conn.execute(
                    select(panels.c.id).where(panels.c.renewal_id == out["renewal_id"])
                ).scalar()
        return out


def build_filings_and_renewals(b: Builder, cases: Cases) -> dict[str, Any]:
    """Filings in every state, renewal cases in every state, and the first tick of the clock."""
    store = b.store
    # Two filings that expire at the first tick, one while investigated (withdrawal winding
    # down, scope addition awaiting its receipt), one whose violation is winding down; the
    # expiry closes their exit cases (已终结).
    t1_inst, t1 = b.existing("济南旧备案甲职业培训学校", date(2022, 4, 1))
    t1_withdrawal = b.withdrawal(t1, date(2025, 1, 6), accept=True)
    # its scope addition is noticed before its term ends on 2025-03-31 (EXIT-03 refuses after)
    t1_scope = b.application("", "公示无异议", "P003", institution=t1_inst)
    t1_case = b.investigate(t1, date(2025, 2, 20))
    _, t2 = b.existing("济南旧备案乙职业培训学校", date(2022, 3, 1))
    t2_case = b.investigate(t2, date(2025, 1, 6), steps=3)
    # A renewal case whose self-evaluation deadline passes at that tick.
    lapse_inst, lapse_filing = b.existing("济南逾期自评技能学校", date(2022, 7, 1))
    r.open_round(
        store,
        OFFICER,
        city_code=JINAN,
        expiring_from=date(2025, 6, 30),
        expiring_to=date(2025, 6, 30),
        deadline=date(2025, 3, 31),
        on=date(2025, 3, 3),
    )
    ticked = r.advance(store, SYSTEM_ACTOR, today=date(2025, 4, 15))
    assert sorted(ticked["expired"]) == sorted([t1, t2])
    (lapsed,) = ticked["lapsed_renewals"]
    cases.put(
        "renewal",
        "未提交",
        **b.links({"renewal_id": lapsed, "filing_id": lapse_filing, "institution_id": lapse_inst}),
    )

    cases.put(
        "renewal", "待自评", **b.links(b.renewal("济南待自评中心", date(2023, 5, 1), "待自评"))
    )
    cases.put(
        "renewal", "已提交", **b.links(b.renewal("济南已提交中心", date(2023, 6, 1), "已提交"))
    )
    cases.put("renewal", "合格", **b.links(b.renewal("济南续期合格中心", date(2023, 7, 1), None)))
    failed = b.renewal("济南续期不合格中心", date(2023, 8, 1), None, scores=(40.0, 45.0, 50.0))
    cases.put("renewal", "不合格", **b.links(failed))
    cancelled = b.renewal("济南续期终止中心", date(2023, 9, 1), "评估中")
    b.declare(cancelled["panel_id"])
    b.extinguish(cancelled["filing_id"], date(2026, 7, 1))
    cases.put("renewal", "已终止", **b.links(cancelled))

    # A suspended filing: scope addition awaiting its receipt, withdrawal winding down, renewal
    # fully scored, then an investigation.
    susp_inst, susp = b.existing("济南暂停备案培训学校", date(2023, 4, 1))
    susp_scope = b.application("", "公示无异议", "P003", institution=susp_inst)
    susp_withdrawal = b.withdrawal(susp, date(2025, 5, 6), accept=True)
    evaluating = scenario.renew(
        store,
        city_code=JINAN,
        filing_id=susp,
        term_end=date(2026, 3, 31),
        experts=b.experts,
        stop_at="评估中",
    )
    b.declare(evaluating["panel_id"])
    for e in b.experts[:3]:
        r.save_sheet(
            store,
            scenario.expert(e),
            panel_id=evaluating["panel_id"],
            rows=scenario.renewal_rows(85.0),
            veto=scenario.veto_rows(),
            submit=True,
        )
    susp_case = b.investigate(susp, date(2026, 1, 5))
    renewing = {"renewal_id": evaluating["renewal_id"], "filing_id": susp}
    cases.put("renewal", "评估中", institution_id=susp_inst, **b.links(renewing))

    active_inst, active = b.existing("济南有效备案培训学校", date(2025, 1, 1))
    restored = b.investigate(active, date(2025, 4, 20))
    r.restore_filing(store, OFFICER, case_id=restored, reason="举报不实", on=date(2025, 5, 6))
    cases.put(
        "filing", "有效", filing_id=active, violation_case_id=restored, closing_case_id=restored
    )
    cases.put(
        "filing",
        "暂停",
        filing_id=susp,
        scope_application_id=susp_scope["application_id"],
        renewal_id=evaluating["renewal_id"],
        withdrawal_case_id=susp_withdrawal,
    )
    cases.put(
        "filing",
        "终止备案",
        filing_id=t1,
        scope_application_id=t1_scope["application_id"],
        renewal_id=cancelled["renewal_id"],
        violation_case_id=t1_case,
        withdrawal_case_id=t1_withdrawal,
        closing_case_id=t2_case,
    )
    cases.put("violation", "调查中", case_id=susp_case, filing_id=susp)
    cases.put("violation", "已恢复", case_id=restored, filing_id=active)
    return {"active_inst": active_inst}


def build_exits_and_incidents(b: Builder, cases: Cases, active_inst: int) -> None:
    store = b.store
    for state, steps in (("已告知", 1), ("已申辩", 2), ("收尾中", 3), ("已撤销", 4)):
        _, filing = b.existing(f"济南违规{state}培训学校", date(2025, 1, 1))
        case = b.investigate(filing, date(2025, 4, 30), steps=steps)
        cases.put("violation", state, case_id=case, filing_id=filing)
    _, ended = b.existing("济南调查中灭失培训学校", date(2025, 1, 1))
    cases.put(
        "violation", "已终结", case_id=b.investigate(ended, date(2025, 4, 20)), filing_id=ended
    )
    b.extinguish(ended, date(2025, 6, 15))

    def withdrawal(state: str) -> int:
        _, filing = b.existing(f"济南撤销{state}培训学校", date(2025, 1, 1))
        case = b.withdrawal(filing, date(2025, 5, 6), accept=state in ("收尾中", "已撤销"))
        cases.put("withdrawal", state, case_id=case, filing_id=filing)
        return case

    withdrawal("已申请")
    withdrawal("收尾中")
    r.complete_withdrawal(store, OFFICER, case_id=withdrawal("已撤销"), **FINISHED)
    r.cancel_withdrawal(store, OFFICER, case_id=withdrawal("已撤回"), on=ON)
    withdrawal("已终结")
    b.extinguish(cases.handles[("withdrawal", "已终结")]["filing_id"], date(2025, 6, 15))

    def incident(institution_id: int) -> int:
        return r.open_incident(
            store, OFFICER, institution_id=institution_id, category="日常检查",
            description="例行检查", on=date(2025, 5, 6),
        )  # fmt: skip

    cases.put("incident", "处理中", incident_id=incident(active_inst))
    closed = incident(active_inst)
    r.close_incident(store, OFFICER, incident_id=closed, conclusion="无问题", on=date(2025, 5, 7))
    cases.put("incident", "已办结", incident_id=closed)
    escalated = incident(b.existing("济南转立案培训学校", date(2025, 1, 1))[0])
    r.escalate_incident(store, OFFICER, incident_id=escalated, grounds="核实", on=date(2025, 5, 8))
    cases.put("incident", "已立案调查", incident_id=escalated)


def build_applications(b: Builder, cases: Cases, active_inst: int) -> None:
    """Applications in every state (projects spread so that no quota of SEL-07 is reached)."""
    store = b.store
    apps = {
        state: b.application(f"济南{state}申请单位", state, project)
        for state, project in (
            ("已提交", "P001"),
            ("待补正", "P003"),
            ("已受理", "P003"),
            ("评估中", "P001"),
            ("拟备案", "P001"),
            ("公示中", "P001"),
            ("公示无异议", "P002"),
        )
    }
    apps["已备案"] = b.application("济南已备案申请单位", None, "P002")
    rejected = apps["未通过"] = b.application("济南异议成立申请单位", "公示中", "P004")
    objection = r.record_objection(
        store,
        OFFICER,
        notice_id=rejected["notice_id"],
        application_id=rejected["application_id"],
        received_on=date(2025, 3, 20),
        text="考评人员系挂靠",
    )
    r.resolve_objection(
        store, OFFICER, objection_id=objection, upheld=True, resolution="属实", on=date(2025, 3, 21)
    )
    r.close_notice(store, OFFICER, notice_id=rejected["notice_id"], on=date(2025, 4, 1))
    withdrawn = apps["已撤回"] = b.application("济南撤回申请单位", "评估中", "P004")
    b.declare(withdrawn["panel_id"])
    r.withdraw_application(store, OFFICER, application_id=withdrawn["application_id"])
    for state, handles in apps.items():
        cases.put("application", state, **b.links(handles))

    cases.put("notice", "公示中", **b.links(apps["公示中"]))
    cases.put("notice", "已结束", objection_id=objection, **b.links(rejected))
    cases.put("call", "已发布", call_id=apps["已提交"]["call_id"])
    r.close_call(store, OFFICER, call_id=apps["已备案"]["call_id"])
    cases.put("call", "已截止", call_id=apps["已备案"]["call_id"], institution_id=active_inst)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cases]:
    path = tmp_path_factory.mktemp("forbidden") / "casework.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    world = World(store, {JINAN: scenario.seed_city_users(store, JINAN)}, store.url)
    for year in (2025, 2026, 2027, 2028):
        scenario.ensure_city_catalog(store, JINAN, year, PROJECTS)
    built, builder = Cases(world), Builder(world)
    made = build_filings_and_renewals(builder, built)
    build_exits_and_incidents(builder, built, made["active_inst"])
    build_applications(builder, built, made["active_inst"])
    yield built
    store.dispose()


# --- snapshots --------------------------------------------------------------------------------
snapshot = table_rows


def refused_commands(store: Store) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(select(refusals.c.command).order_by(refusals.c.id)).scalars())


# --- the specification ------------------------------------------------------------------------
def test_every_forbidden_pair_of_every_registry_machine_is_tried_swept_or_unaddressable() -> None:
    covered = {
        (p.values[0], p.values[1], action)
        for kind in ("refused", "sweep", "unaddressable")
        for p in pairs(kind)
        for action in p.values[2].actions
    }

    for name in TRIES:
        assert set(MACHINES[name].forbidden_pairs()) <= {(s, a) for m, s, a in covered if m == name}
    assert set(TRIES) == set(MACHINES)
    declared = {(p.values[0], p.values[1], p.values[2].name) for p in pairs("unaddressable")}
    assert declared == UNADDRESSABLE  # each names a real forbidden pair


def test_a_try_attempts_only_actions_that_a_state_allows_or_forbids_together() -> None:
    mixed = [
        (name, state, t.name)
        for name, tries in TRIES.items()
        for t in tries
        for state in MACHINES[name].states
        if set(t.actions) & set(MACHINES[name].allowed(state))
        and set(t.actions) - set(MACHINES[name].allowed(state))
    ]
    unknown = [
        (n, t.name)
        for n, ts in TRIES.items()
        for t in ts
        if set(t.actions) - set(MACHINES[n].actions)
    ]

    assert mixed == []
    assert unknown == []


@pytest.mark.parametrize(("machine", "state"), [(n, s) for n in TRIES for s in MACHINES[n].states])
def test_each_case_is_in_the_state_it_stands_for(cases: Cases, machine: str, state: str) -> None:
    table, key = RECORDS[machine]
    h = cases.handles[(machine, state)]

    with cases.world.store.read() as conn:
        found = conn.execute(select(table.c.status).where(table.c.id == h[key])).scalar_one()

    assert found == state


@pytest.mark.parametrize(("machine", "state", "attempt"), pairs("refused"))
def test_a_forbidden_command_is_refused_naming_the_state_and_writes_nothing(
    cases: Cases, machine: str, state: str, attempt: Try
) -> None:
    store, h = cases.world.store, cases.handles[(machine, state)]
    assert all(h.get(k) is not None for k in attempt.handles), (h, attempt.handles)
    attempt.actor(cases.world, h)  # the acting user is stored before the attempt
    before, refusals_before = snapshot(store), refused_commands(store)

    with pytest.raises(IllegalTransition) as err:
        attempt.run(cases.world, h)

    assert err.value.state == REFUSED_BY_LINKED_RECORD.get((machine, state, attempt.name), state)
    assert err.value.state in str(err.value)
    assert snapshot(store) == before
    if hasattr(attempt.command, "command_name"):
        new = refused_commands(store)[len(refusals_before) :]
        assert new == [attempt.command.command_name]


@pytest.mark.parametrize(("machine", "state", "attempt"), pairs("unaddressable"))
def test_a_command_that_needs_a_record_the_state_cannot_have_has_nothing_to_aim_at(
    cases: Cases, machine: str, state: str, attempt: Try
) -> None:
    h = cases.handles[(machine, state)]

    absent = {k for k in attempt.handles if h.get(k, "unknown") is None}

    assert absent
    assert absent <= LINKS


@pytest.mark.parametrize(("machine", "state", "attempt"), pairs("sweep"))
def test_a_sweep_leaves_a_case_whose_state_forbids_its_action_untouched(
    cases: Cases, tmp_path: Path, machine: str, state: str, attempt: Try
) -> None:
    table, key = RECORDS[machine]
    h = cases.handles[(machine, state)]
    url = copy_store(cases.world.store, tmp_path)
    copy = Store(url)
    world = World(copy, cases.world.experts, url)
    query = select(table).where(table.c.id == h[key])
    with copy.read() as conn:
        row_before = conn.execute(query).one()
    before = snapshot(copy)

    try:
        attempt.run(world, h)
        refused = False
    except CaseworkError:
        refused = True

    with copy.read() as conn:
        row_after = conn.execute(query).one()
    after = snapshot(copy)
    copy.dispose()
    assert (row_after, row_after.status) == (row_before, state)
    assert after == before or not refused
