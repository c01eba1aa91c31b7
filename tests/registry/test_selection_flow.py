"""The selection procedure end to end: call, application, panel, decision, notice, filing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from casework import registry as r
from casework.errors import IllegalTransition, QuotaExceeded, RuleViolation
from casework.registry import scenario
from casework.store import audit
from casework.store.tables import audit_log, filings, quota_overrides

from .conftest import JINAN, START, World


def audit_count(world: World) -> int:
    with world.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar() or 0)


def test_a_filed_institution_gets_a_code_and_a_three_year_term_att2_term(world: World) -> None:
    ids = world.filed("济南鲁锦织造有限公司", ("P001", "P002"))

    with world.store.read() as conn:
        filing = (
            conn.execute(select(filings).where(filings.c.id == ids["filing_id"])).mappings().one()
        )
    assert filing["status"] == "有效"
    assert filing["code"].startswith("3701ZK2025")
    assert filing["term_start"].month == filing["filed_on"].month
    assert (filing["term_end"].year - filing["term_start"].year) * 12 + (
        filing["term_end"].month - filing["term_start"].month
    ) == 35


def test_every_command_appends_one_verifiable_audit_entry(world: World) -> None:
    before = audit_count(world)

    world.filed("济南煎饼制作学校")

    assert audit_count(world) > before
    with world.store.read() as conn:
        assert audit.verify(conn) == []


def test_notice_cannot_be_closed_before_its_fifth_working_day_sel_05(world: World) -> None:
    inst = world.institution("济南周村烧饼研究院")
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=["P001"],
        on=START,
        experts=world.experts[JINAN],
        stop_at="公示中",
    )
    before = audit_count(world)

    with pytest.raises(RuleViolation) as err:
        r.close_notice(
            world.store, scenario.city_officer(JINAN), notice_id=ids["notice_id"], on=START
        )

    assert err.value.rule_id == "SEL-05"
    assert audit_count(world) == before


def test_a_short_notice_is_refused_sel_05(world: World) -> None:
    inst = world.institution("济南草柳编织合作社")
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=["P001"],
        on=START,
        experts=world.experts[JINAN],
        stop_at="拟备案",
    )

    with pytest.raises(RuleViolation, match="工作日") as err:
        r.open_notice(
            world.store,
            scenario.city_officer(JINAN),
            city_code=JINAN,
            application_ids=[ids["application_id"]],
            opens_on=date(2025, 9, 29),
            ends_on=date(2025, 10, 10),
        )

    assert err.value.rule_id == "SEL-05"


def test_sixth_institution_for_a_project_in_a_city_is_refused_without_override_sel_07(
    world: World,
) -> None:
    for i in range(5):
        world.filed(f"济南第{i + 1}考核中心", ("P003",))
    inst = world.institution("济南第6考核中心")
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=["P003"],
        on=START,
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    scenario.submit_selection_sheets(
        world.store, ids["panel_id"], world.experts[JINAN][:3], scenario.full_selection_rows()
    )

    with pytest.raises(QuotaExceeded) as err:
        r.decide_application(
            world.store,
            scenario.city_officer(JINAN),
            application_id=ids["application_id"],
            approve=True,
            on=START,
        )
    assert err.value.rule_id == "SEL-07"

    r.decide_application(
        world.store,
        scenario.city_manager(JINAN),
        application_id=ids["application_id"],
        approve=True,
        on=START,
        override_reason="本市该项目需求量大，经局务会研究同意",
    )
    with world.store.read() as conn:
        reasons = conn.execute(select(quota_overrides.c.reason, quota_overrides.c.officer)).all()
    assert reasons == [("本市该项目需求量大，经局务会研究同意", "manager370100")]


def test_an_application_missing_a_mandatory_condition_cannot_be_approved_sel_04(
    world: World,
) -> None:
    inst = world.institution("济南面塑工作室")
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=["P002"],
        on=START,
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    scenario.submit_selection_sheets(
        world.store,
        ids["panel_id"],
        world.experts[JINAN][:3],
        scenario.full_selection_rows(failing=["4.1"]),
    )

    with pytest.raises(RuleViolation) as err:
        r.decide_application(
            world.store,
            scenario.city_officer(JINAN),
            application_id=ids["application_id"],
            approve=True,
            on=START,
        )

    assert err.value.rule_id == "SEL-04"
    assert "4.1" in str(err.value)


def test_filing_twice_is_an_illegal_transition(world: World) -> None:
    ids = world.filed("济南黑陶制作有限公司")

    with pytest.raises(IllegalTransition):
        r.file_application(
            world.store,
            scenario.city_officer(JINAN),
            application_id=ids["application_id"],
            on=START,
        )
