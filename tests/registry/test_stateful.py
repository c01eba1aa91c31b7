"""Random command sequences on a real SQLite store keep the registry's invariants.

A hypothesis ``RuleBasedStateMachine`` files institutions, adds and removes projects, opens and
closes investigations, withdraws, records extinctions, renews and moves the clock, each through
the public registry commands on a fresh store. A command the rules refuse may raise a
CaseworkError; the machine then checks that nothing was written. After every step:

- SEL-07: at most 5 institutions per project per city and 5 projects per institution, unless a
  quota override was recorded for it;
- at most one live (有效/暂停) filing per institution; institution codes are unique (SEL-05);
- EXIT-01: a terminated filing stays terminated, with the same reason and end date;
- ATT2-TERM: every term (``filing_terms`` and the filing's own term) spans exactly 36 months;
- the audit log's hash chain verifies.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from casework import registry as r
from casework.domain import calendar, lifecycle, rules
from casework.errors import CalendarNotConfigured, CaseworkError
from casework.registry import scenario
from casework.registry.actors import SYSTEM_ACTOR
from casework.store import audit
from casework.store.engine import Store, open_store
from casework.store.tables import (
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    institution_codes,
    quota_overrides,
    refusals,
    renewal_cases,
)
from tests.backend import copy_store, drop_store, on_postgres, store_url, table_rows

from .conftest import JINAN, PROJECTS

OFFICER = scenario.city_officer(JINAN)
MANAGER = scenario.city_manager(JINAN)
START = date(2025, 3, 3)
FIRST_PROJECTS = PROJECTS[:3]
"""New institutions apply for few projects, so that the per-project quota is reached."""
HISTORY = (("P001", "P002", "P003", "P004"), ("P001", "P002"), ("P001",), ("P001", "P005"))
"""Filings every example starts from: P001 one short of its quota of 5 institutions, and one
institution one project short of its quota of 5 projects (SEL-07)."""
PLAN = {
    "收尾计划": "在考批次年底前结束",
    "证书维护": "持续维护已发证书数据",
    "档案管理": "纸质档案保存3年、电子档案5年",
    "参评人员服务": "设专人答复查询",
}
OPEN_VIOLATION = ("调查中", "已告知", "已申辩", "收尾中")
LIVE = (lifecycle.ACTIVE, lifecycle.SUSPENDED)
BASIS = "鲁人社函〔2025〕23号 三（二）、四（三）"
"""The notice's clauses a revocation cites (EXIT-06, Attachment 8)."""


def months_spanned(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def spans_a_full_term(first: date, last: date) -> bool:
    """ATT2-TERM: from the 1st of a month to the last day of the 36th month."""
    return (
        first.day == 1
        and (last + timedelta(days=1)).day == 1
        and months_spanned(first, last) == rules.TERM_MONTHS
    )


snapshot = table_rows


REFUSED = object()


class RegistryMachine(RuleBasedStateMachine):
    """One city, one officer, one manager, five experts, a catalog of seven projects."""

    template: ClassVar[str]
    scratch: ClassVar[Path]
    history: ClassVar[tuple[int, ...]]
    start: ClassVar[date]
    filings = Bundle("filings")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.scratch))
        self.store = Store(copy_store(self.template, self.dir))
        self.experts = [f"expert{JINAN}_{i}" for i in range(1, 6)]
        self.today = self.start
        self.serial = 100
        self.renewals = 0
        self.terminated: dict[int, tuple[str, date]] = {}

    def teardown(self) -> None:
        self.store.dispose()
        drop_store(self.store.url)
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------
    def attempt(self, command: Callable[..., Any], actor: Any = OFFICER, **kwargs: Any) -> Any:
        """Run a command the rules may refuse; a refusal must leave every table unchanged and
        be logged once in ``refusals``."""
        before, logged = snapshot(self.store), self.refusals()
        try:
            return command(self.store, actor, **kwargs)
        except CaseworkError as exc:
            assert snapshot(self.store) == before, f"{command.__name__} wrote while refusing"
            assert self.refusals() == logged + 1
            event(f"refused: {command.__name__} ({type(exc).__name__})")
            return REFUSED

    def refusals(self) -> int:
        with self.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(refusals)).scalar_one())

    def calendar_known(self) -> bool:
        """Selection counts working days; only years with an official schedule are usable."""
        try:
            calendar.add_workdays(self.today, 30)
        except CalendarNotConfigured:
            return False
        return True

    def filing(self, filing_id: int) -> Any:
        with self.store.read() as conn:
            return conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().one()

    def run_selection(self, institution_id: int, codes: list[str], override: bool) -> int | None:
        """Drive one application through selection; None where a step was refused."""
        on = self.today
        call = r.publish_call(
            self.store,
            OFFICER,
            city_code=JINAN,
            year=on.year,
            title=f"{on.year}年征集公告",
            project_codes=codes,
            opens_on=on,
            closes_on=on + timedelta(days=30),
            published_on=on,
        )
        app = self.attempt(
            r.submit_application,
            call_id=call,
            institution_id=institution_id,
            project_codes=codes,
            on=on,
        )
        if app is REFUSED:
            return None
        members: list[dict[str, Any]] = [
            {"username": e, "is_leader": i == 0} for i, e in enumerate(self.experts[:3])
        ]
        r.accept_application(self.store, OFFICER, application_id=app, on=on)  # SEL-02
        panel = r.constitute_panel(self.store, OFFICER, application_id=app, members=members, on=on)
        for m in members:
            who = scenario.expert(m["username"])
            r.declare_conflict_of_interest(self.store, who, panel_id=panel, no_conflict=True)
            r.save_sheet(
                self.store, who, panel_id=panel, rows=scenario.full_selection_rows(), submit=True
            )
        decided = calendar.add_workdays(on, 10)
        verdict = self.attempt(
            r.decide_application,
            MANAGER if override else OFFICER,
            application_id=app,
            approve=True,
            on=decided,
            override_reason="本市该项目需求量大，经局务会研究同意" if override else "",
        )
        if verdict is REFUSED:
            r.decide_application(self.store, OFFICER, application_id=app, approve=False, on=decided)
            return None
        opens = calendar.add_workdays(decided, 1)
        notice = r.open_notice(
            self.store, OFFICER, city_code=JINAN, application_ids=[app], opens_on=opens
        )
        closes = calendar.notice_end(opens) + timedelta(days=1)
        r.close_notice(self.store, OFFICER, notice_id=notice, on=closes)
        filed_on = closes + timedelta(days=2)
        filing_id = self.attempt(r.file_application, application_id=app, on=filed_on)
        self.today = max(self.today, filed_on)
        return None if filing_id is REFUSED else int(filing_id)

    # --- rules -----------------------------------------------------------------------------
    @initialize(target=filings)
    def start_from_the_history(self) -> Any:
        return multiple(*self.history)

    @precondition(lambda self: self.calendar_known())
    @rule(
        target=filings,
        codes=st.lists(st.sampled_from(FIRST_PROJECTS), min_size=1, max_size=3, unique=True),
        override=st.booleans(),
    )
    def file_a_new_institution(self, codes: list[str], override: bool) -> Any:
        self.serial += 1
        inst = scenario.new_institution(
            self.store, JINAN, f"济南第{self.serial}职业技能考核中心", self.serial
        )
        filing_id = self.run_selection(inst, codes, override)
        return multiple() if filing_id is None else filing_id

    @precondition(lambda self: self.calendar_known())
    @rule(
        target=filings,
        filing=filings,
        codes=st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=3, unique=True),
        override=st.booleans(),
    )
    def apply_again_through_a_call(self, filing: int, codes: list[str], override: bool) -> Any:
        """SEL-06: a live filing adds scope; a removed institution may apply anew."""
        filing_id = self.run_selection(self.filing(filing)["institution_id"], codes, override)
        return multiple() if filing_id is None or filing_id == filing else filing_id

    @rule(filing=filings, code=st.sampled_from(PROJECTS))
    def remove_a_project(self, filing: int, code: str) -> None:
        self.attempt(
            r.remove_projects, filing_id=filing, project_codes=[code], on=self.today, reason="调整"
        )

    @rule(filing=filings)
    def open_an_investigation(self, filing: int) -> None:
        self.attempt(r.open_investigation, filing_id=filing, grounds="群众举报", on=self.today)

    @rule(filing=filings, revoke=st.booleans())
    def close_an_investigation(self, filing: int, revoke: bool) -> None:
        with self.store.read() as conn:
            case = conn.execute(
                select(exit_cases.c.id).where(
                    exit_cases.c.filing_id == filing, exit_cases.c.status.in_(OPEN_VIOLATION)
                )
            ).scalar()
        if case is None:
            return
        if not revoke:
            self.attempt(r.restore_filing, case_id=case, reason="查无实据", on=self.today)
            return
        steps: list[tuple[Callable[..., Any], dict[str, Any]]] = [
            (r.serve_findings, {"findings": "经查……", "received_on": self.today}),
            (r.record_statement, {"statement": "申辩", "received_on": self.today}),
            (
                r.confirm_violation,
                {"circumstance": "滥发倒卖证书", "basis": BASIS, "on": self.today},
            ),
            (r.revoke_filing, {"closing_work": "已完成", "on": self.today}),
        ]
        for command, kwargs in steps:
            if self.attempt(command, case_id=case, **kwargs) is REFUSED:
                return

    @rule(filing=filings)
    def withdraw_voluntarily(self, filing: int) -> None:
        case = self.attempt(r.apply_withdrawal, filing_id=filing, plan=PLAN, on=self.today)
        if case is REFUSED:
            return
        r.accept_withdrawal_plan(self.store, OFFICER, case_id=case, on=self.today)
        self.attempt(r.complete_withdrawal, case_id=case, closing_work="已完成", on=self.today)

    @rule(filing=filings)
    def record_an_extinction(self, filing: int) -> None:
        self.attempt(
            r.record_extinction,
            filing_id=filing,
            extinct_on=self.today,
            evidence="注销登记通知书",
            on=self.today,
        )

    @precondition(lambda self: self.renewals == 0)
    @rule(filing=filings, passes=st.booleans())
    def renew(self, filing: int, passes: bool) -> None:
        """REN-01…REN-05: the clock moves to 120 days before the filing's term ends and a
        renewal round runs (once per example: scoring a renewal is slow)."""
        due = self.filing(filing)["term_end"] - timedelta(days=120)
        if self.today < due:
            self.advance_the_clock((due - self.today).days)
        row = self.filing(filing)
        if row["status"] not in LIVE:
            return
        self.renewals += 1
        round_id = r.open_round(
            self.store,
            OFFICER,
            city_code=JINAN,
            expiring_from=row["term_end"],
            expiring_to=row["term_end"],
            deadline=self.today + timedelta(days=30),
            on=self.today,
        )
        with self.store.read() as conn:
            case = conn.execute(
                select(renewal_cases.c.id).where(
                    renewal_cases.c.round_id == round_id, renewal_cases.c.filing_id == filing
                )
            ).scalar()
        if case is None:
            return
        submitted = self.attempt(
            r.submit_renewal,
            renewal_id=case,
            application=scenario.attachment5(self.store, filing),
            self_rows=scenario.renewal_rows(90.0),
            self_veto=scenario.veto_rows(),
            on=self.today,
        )
        if submitted is REFUSED:
            return
        members: list[dict[str, Any]] = [
            {"username": e, "is_leader": i == 0} for i, e in enumerate(self.experts[:3])
        ]
        panel = r.constitute_group(
            self.store, OFFICER, renewal_id=case, members=members, on=self.today
        )
        for m in members:
            who = scenario.expert(m["username"])
            r.declare_conflict_of_interest(self.store, who, panel_id=panel, no_conflict=True)
            r.save_sheet(
                self.store,
                who,
                panel_id=panel,
                rows=scenario.renewal_rows(85.0 if passes else 40.0),
                veto=scenario.veto_rows(),
                submit=True,
            )
        outcome = self.attempt(r.decide_renewal, renewal_id=case, on=self.today)
        if outcome is not REFUSED:
            event(f"renewal: {outcome['grade']}")

    @rule(days=st.integers(min_value=1, max_value=1200))
    def advance_the_clock(self, days: int) -> None:
        self.today += timedelta(days=days)
        r.advance(self.store, SYSTEM_ACTOR, today=self.today)

    # --- invariants ------------------------------------------------------------------------
    @invariant()
    def quotas_hold_unless_overridden_sel_07(self) -> None:
        with self.store.read() as conn:
            held = conn.execute(
                select(filings.c.institution_id, filing_projects.c.project_code)
                .join(filing_projects, filing_projects.c.filing_id == filings.c.id)
                .where(filings.c.status.in_(LIVE), filing_projects.c.removed_on.is_(None))
            ).all()
            overrides = conn.execute(
                select(
                    quota_overrides.c.kind,
                    quota_overrides.c.project_code,
                    quota_overrides.c.institution_id,
                )
            ).all()
        per_project: dict[str, set[int]] = {}
        per_institution: dict[int, set[str]] = {}
        for inst, code in held:
            per_project.setdefault(code, set()).add(inst)
            per_institution.setdefault(inst, set()).add(code)
        project_overrides = {p for kind, p, _ in overrides if kind == "项目机构数"}
        institution_overrides = {i for kind, _, i in overrides if kind == "机构项目数"}
        for code, insts in per_project.items():
            assert (
                len(insts) <= rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY
                or code in project_overrides
            ), (code, insts)
        for inst, codes in per_institution.items():
            assert (
                len(codes) <= rules.MAX_PROJECTS_PER_INSTITUTION or inst in institution_overrides
            ), (inst, codes)

    @invariant()
    def one_live_filing_per_institution_and_unique_codes_sel_05(self) -> None:
        with self.store.read() as conn:
            live = conn.execute(
                select(filings.c.institution_id, func.count())
                .where(filings.c.status.in_(LIVE))
                .group_by(filings.c.institution_id)
                .having(func.count() > 1)
            ).all()
            codes = conn.execute(select(filings.c.code)).scalars().all()
            issued = set(conn.execute(select(institution_codes.c.code)).scalars())
        assert live == []
        assert len(codes) == len(set(codes))
        assert set(codes) <= issued

    @invariant()
    def a_terminated_filing_stays_terminated_exit_01(self) -> None:
        with self.store.read() as conn:
            rows = conn.execute(
                select(filings.c.id, filings.c.status, filings.c.end_reason, filings.c.ended_on)
            ).all()
        for filing_id, status, reason, ended_on in rows:
            if filing_id in self.terminated:
                assert (status, reason, ended_on) == (
                    lifecycle.TERMINATED,
                    *self.terminated[filing_id],
                ), filing_id
            elif status == lifecycle.TERMINATED:
                assert reason in lifecycle.END_REASONS
                self.terminated[filing_id] = (reason, ended_on)
                event(f"terminated: {reason}")

    @invariant()
    def every_term_spans_thirty_six_months_att2_term(self) -> None:
        with self.store.read() as conn:
            terms = conn.execute(select(filing_terms).order_by("filing_id", "seq")).all()
            own = conn.execute(select(filings.c.id, filings.c.term_start, filings.c.term_end)).all()
        latest: dict[int, tuple[date, date]] = {}
        for t in terms:
            assert spans_a_full_term(t.first_day, t.last_day), t
            if t.filing_id in latest:
                assert t.first_day == latest[t.filing_id][1] + timedelta(days=1), t
            latest[t.filing_id] = (t.first_day, t.last_day)
        for filing_id, start, end in own:
            assert spans_a_full_term(start, end), filing_id
            assert latest[filing_id] == (start, end), filing_id

    @invariant()
    def the_audit_chain_verifies(self) -> None:
        with self.store.read() as conn:
            assert audit.verify(conn) == []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with the city's users, the catalog and the filings of ``HISTORY``; each example
    starts from a copy of it."""
    folder = tmp_path_factory.mktemp("stateful")
    RegistryMachine.scratch = folder
    store = open_store(store_url(folder / "template.db"))
    scenario.seed_reference(store)
    experts = scenario.seed_city_users(store, JINAN)
    for year in range(START.year, START.year + 4):
        scenario.ensure_city_catalog(store, JINAN, year, PROJECTS)
    history = []
    for serial, codes in enumerate(HISTORY, 1):
        inst = scenario.new_institution(store, JINAN, f"济南历史考核机构{serial}", serial)
        ids = scenario.select_and_file(
            store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=codes,
            on=START,
            experts=experts,
        )
        history.append(int(ids["filing_id"]))
    with store.read() as conn:
        last_filed = conn.execute(select(func.max(filings.c.filed_on))).scalar_one()
    store.dispose()
    RegistryMachine.history = tuple(history)
    RegistryMachine.start = last_filed
    return store.url


def test_random_command_sequences_keep_the_registry_invariants(template: str) -> None:
    RegistryMachine.template = template

    run_state_machine_as_test(
        RegistryMachine,
        settings=settings(
            # the PostgreSQL run repeats fewer random histories: the engine, not the history,
            # is what that run varies
            max_examples=5 if on_postgres() else 10,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
