"""The demo province (``casework demo``): built only through the registry's commands, it shows
every state the dashboards know, obeys every rule and leaves an intact audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Column, ColumnElement, Select, select

from casework.demo import build_demo
from casework.demo.build import effective_today, plan
from casework.demo.exits import VIOLATION_STAGES
from casework.domain import lifecycle
from casework.domain.identifiers import is_shandong_uscc
from casework.domain.reference import cities
from casework.errors import RuleViolation
from casework.queries import catalog as queries
from casework.registry import scenario
from casework.store import audit
from casework.store.engine import Store, open_store
from casework.store.tables import (
    applications,
    calls,
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    incidents,
    institutions,
    notices,
    objections,
    panels,
    quota_overrides,
    refusals,
    renewal_cases,
    renewal_rounds,
    sheets,
)
from tests.backend import store_url
from tests.demo_store import INSTITUTIONS, TODAY, shared_demo

pytestmark = pytest.mark.slow  # the module's demo runs ~800 commands, scoring included

SMALL = INSTITUTIONS


@dataclass
class Demo:
    store: Store
    counts: dict[str, int]

    def table(self, query: Select[Any]) -> pd.DataFrame:
        with self.store.read() as conn:
            return pd.read_sql(query, conn)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A copy of the run's demo province (``tests.demo_store``: seed 2025, SMALL institutions)."""
    shared = shared_demo(tmp_path_factory)
    store = open_store(shared.copy(tmp_path_factory.mktemp("demo")), migrate=False)
    yield Demo(store, shared.counts)
    store.dispose()


def test_all_16_cities_have_institutions(demo: Demo) -> None:
    found = demo.table(select(institutions.c.city_code))

    assert set(found.city_code) == set(cities().city_code)
    assert len(found) == demo.counts["institutions"] == SMALL


def test_institutions_have_unique_names_and_shandong_credit_codes_att1_region(
    demo: Demo,
) -> None:
    found = demo.table(select(institutions.c.name, institutions.c.uscc))

    assert found.name.is_unique and found.uscc.is_unique
    assert found.uscc.map(is_shandong_uscc).all()


def test_every_filing_status_appears_exit_01(demo: Demo) -> None:
    found = demo.table(select(filings.c.status))

    assert set(found.status) == set(queries.STATUSES)


def test_every_end_reason_appears_exit_01(demo: Demo) -> None:
    found = demo.table(select(filings.c.end_reason).where(filings.c.status == "终止备案"))

    assert set(found.end_reason) == set(lifecycle.END_REASONS)


@pytest.mark.parametrize("stage", VIOLATION_STAGES)
def test_a_violation_case_is_in_each_due_process_stage_exit_04_to_06(
    demo: Demo, stage: str
) -> None:
    found = demo.table(select(exit_cases.c.status).where(exit_cases.c.kind == "违规"))

    assert stage in set(found.status)


def test_the_noticed_violation_case_still_awaits_its_statement_exit_05(demo: Demo) -> None:
    found = demo.table(select(exit_cases.c.statement_due).where(exit_cases.c.status == "已告知"))

    assert (pd.to_datetime(found.statement_due) > pd.Timestamp(TODAY)).all()
    assert len(found) >= 1


def test_voluntary_withdrawals_are_both_done_and_winding_down_exit_02(demo: Demo) -> None:
    found = demo.table(select(exit_cases.c.status).where(exit_cases.c.kind == "自愿撤销"))

    assert {"已撤销", "收尾中"} <= set(found.status)


def test_a_quota_override_records_the_managers_reason_sel_07(demo: Demo) -> None:
    found = demo.table(select(quota_overrides))

    assert len(found) >= 1
    assert (found.reason.str.len() > 10).all()
    assert found.officer.str.startswith("manager").all()


def test_renewal_outcomes_include_pass_and_fail_ren_05(demo: Demo) -> None:
    found = demo.table(select(renewal_cases.c.status, renewal_cases.c.composite))

    passed = found[found.status == "合格"]
    assert {"合格", "不合格"} <= set(found.status)
    assert (passed.composite >= 60).all()


def test_a_veto_item_failed_a_renewal_and_opened_a_supervision_case_ren_06(demo: Demo) -> None:
    vetoed = demo.table(select(renewal_cases.c.status).where(renewal_cases.c.veto_found))
    opened = demo.table(select(incidents.c.id).where(incidents.c.category == "续期评估否决项"))

    assert set(vetoed.status) == {"不合格"}
    assert len(opened) == len(vetoed) >= 1


def test_a_project_never_assessed_is_dropped_on_renewal_ren_05(demo: Demo) -> None:
    cases = demo.table(
        select(renewal_cases.c.dropped_projects).where(renewal_cases.c.status == "合格")
    )
    removed = demo.table(
        select(filing_projects.c.project_code).where(
            filing_projects.c.removal_reason.like("备案期内未开展考核%")
        )
    )

    dropped = {p for projects in cases.dropped_projects for p in projects}
    assert dropped and dropped <= set(removed.project_code)


def test_every_submitted_renewal_has_a_self_evaluation_ren_02(demo: Demo) -> None:
    submitted = demo.table(
        select(renewal_cases.c.id).where(renewal_cases.c.submitted_on.is_not(None))
    )
    own = demo.table(
        select(sheets.c.renewal_id).where(sheets.c.kind == "自评", sheets.c.status == "已提交")
    )

    assert len(submitted) > 0
    assert set(submitted.id) == set(own.renewal_id)


def test_today_finds_renewal_and_selection_work_in_progress(demo: Demo) -> None:
    renewals = demo.table(select(renewal_cases.c.status))
    apps = demo.table(select(applications.c.status))

    assert {"待自评", "已提交", "评估中"} <= set(renewals.status)
    assert {"已提交", "评估中", "公示中"} <= set(apps.status)


def test_objections_one_upheld_and_one_dismissed_sel_05(demo: Demo) -> None:
    found = demo.table(select(objections.c.upheld))

    assert set(found.upheld) == {True, False}


def test_scope_is_both_extended_and_reduced_sel_06(demo: Demo) -> None:
    added = demo.table(select(applications.c.status).where(applications.c.kind == "范围新增"))
    removed = demo.table(
        select(filing_projects.c.removal_reason).where(filing_projects.c.removed_on.is_not(None))
    )

    assert "已备案" in set(added.status)
    assert len(removed) >= 1


def test_taken_over_filings_keep_their_original_codes(demo: Demo) -> None:
    found = demo.table(
        select(filings.c.code, filing_terms.c.source)
        .join(filing_terms, filing_terms.c.filing_id == filings.c.id)
        .where(filings.c.application_id.is_(None), filing_terms.c.seq == 1)
    )

    assert len(found) >= 1
    assert found.code.str.match(r"^SD37\d{2}-202[34]-\d{3}$").all()
    assert found.source.str.startswith("存量：鲁人社字〔2023〕22号").all()


def test_incidents_are_open_followed_up_closed_and_escalated_sup_01(demo: Demo) -> None:
    found = demo.table(select(incidents.c.status, incidents.c.follow_ups))

    assert set(found.status) == {"处理中", "已办结", "已立案调查"}
    assert (found.follow_ups.map(len) > 0).any()


def test_no_command_of_the_demo_was_refused(demo: Demo) -> None:
    found = demo.table(select(refusals))

    assert found.empty


def test_the_audit_chain_verifies(demo: Demo) -> None:
    with demo.store.read() as conn:
        problems = audit.verify(conn)

    assert problems == []
    assert demo.counts["audit_entries"] > 10 * SMALL


EVENT_DATES: list[tuple[Column[Any], ColumnElement[bool] | None]] = [
    (calls.c.published_on, None),
    (applications.c.submitted_on, None),
    (applications.c.decided_on, None),
    (panels.c.constituted_on, None),
    (notices.c.opens_on, None),
    (notices.c.closed_on, None),
    (objections.c.received_on, None),
    (objections.c.resolved_on, None),
    (filings.c.filed_on, None),
    (filings.c.ended_on, None),
    (filing_projects.c.added_on, None),
    (filing_projects.c.removed_on, filing_projects.c.removal_reason.not_like("备案期内未开展%")),
    (quota_overrides.c.recorded_on, None),
    (renewal_rounds.c.opened_on, None),
    (renewal_cases.c.submitted_on, None),
    (renewal_cases.c.decided_on, None),
    (exit_cases.c.opened_on, None),
    (exit_cases.c.findings_received_on, None),
    (exit_cases.c.statement_received_on, None),
    (exit_cases.c.decided_on, None),
    (incidents.c.opened_on, None),
    (incidents.c.closed_on, None),
    (institutions.c.extinct_on, None),
]
"""Dates of things done. Terms, deadlines and a renewal's drop of an unassessed project (it
takes effect when the new term begins) are rightly later than today."""


@pytest.mark.parametrize(
    ("column", "where"), EVENT_DATES, ids=[f"{c.table.name}.{c.name}" for c, _ in EVENT_DATES]
)
def test_nothing_is_dated_after_today(
    demo: Demo, column: Column[Any], where: ColumnElement[bool] | None
) -> None:
    query = select(column)
    if where is not None:
        query = query.where(where)

    found = pd.to_datetime(demo.table(query).iloc[:, 0]).dropna()

    assert len(found) > 0
    assert (found <= pd.Timestamp(TODAY)).all()


def test_follow_ups_are_not_dated_after_today(demo: Demo) -> None:
    found = demo.table(select(incidents.c.follow_ups))

    days = [date.fromisoformat(f["on"]) for entries in found.follow_ups for f in entries]
    assert days and max(days) <= TODAY


def test_a_store_with_data_is_refused(demo: Demo) -> None:
    with pytest.raises(RuleViolation, match="空数据库"):
        build_demo(demo.store, today=TODAY)


def test_the_same_seed_plans_the_same_history() -> None:
    first, second = plan(2025, TODAY, SMALL), plan(2025, TODAY, SMALL)

    assert [(s.on, s.order, s.label) for s in first.timeline.steps] == [
        (s.on, s.order, s.label) for s in second.timeline.steps
    ]
    assert first.insts == second.insts and first.filings == second.filings


def test_the_same_seed_builds_the_same_catalog(tmp_path: Path) -> None:
    frames = []
    for n in (1, 2):
        store = open_store(store_url(tmp_path / f"demo{n}.db"))
        build_demo(store, seed=7, institutions=32, today=date(2025, 4, 30))
        frames.append(queries.catalog(store))
        store.dispose()

    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert len(frames[0]) > 0


def test_another_seed_plans_another_province() -> None:
    first, second = plan(1, TODAY, 32), plan(2, TODAY, 32)

    assert [i.name for i in first.insts] != [i.name for i in second.insts]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 27), date(2026, 11, 27)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2027, 3, 1), date(2026, 12, 31)),
    ],
)
def test_today_beyond_the_calendar_is_taken_as_its_last_day(today: date, expected: date) -> None:
    assert effective_today(today) == expected


def test_too_few_institutions_are_refused() -> None:
    with pytest.raises(RuleViolation, match="至少32家"):
        build_demo(Store("sqlite://"), institutions=16, today=TODAY)


def test_demo_users_match_the_scenario_actors(demo: Demo) -> None:
    from casework.store.tables import users

    found = demo.table(select(users.c.username, users.c.role))

    roles = dict(zip(found.username, found.role, strict=True))
    assert roles[scenario.PROVINCE_ACTOR.username] == "省级管理"
    assert roles[scenario.city_officer("370100").username] == "市级经办"
    assert "机构" in set(found.role)
