"""Exit (EXIT-02…EXIT-07) and supervision (SUP-01, SUP-02) through the registry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.errors import IllegalTransition, PermissionDenied, RuleViolation
from casework.registry import scenario
from casework.store.tables import exit_cases, filings, incidents

from .conftest import JINAN, QINGDAO, START, World

OFFICER = scenario.city_officer(JINAN)
PLAN = {
    "收尾计划": "2025年底前完成在考批次",
    "证书维护": "持续维护已发证书数据",
    "档案管理": "纸质档案保存3年、电子档案5年",
    "参评人员服务": "设专人答复查询",
}


def filing(world: World, filing_id: int) -> dict:
    with world.store.read() as conn:
        return dict(conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().one())


def test_voluntary_withdrawal_needs_a_complete_wind_down_plan_exit_02(world: World) -> None:
    ids = world.filed("济南烙画工作室")

    with pytest.raises(RuleViolation) as err:
        r.apply_withdrawal(
            world.store,
            OFFICER,
            filing_id=ids["filing_id"],
            plan={"收尾计划": "尽快结束"},
            on=date(2025, 8, 1),
        )

    assert err.value.rule_id == "EXIT-02"
    assert "证书维护" in str(err.value)


def test_voluntary_withdrawal_ends_the_filing_after_closing_work_exit_02(world: World) -> None:
    ids = world.filed("济南蛋雕工作室")
    case = r.apply_withdrawal(
        world.store, OFFICER, filing_id=ids["filing_id"], plan=PLAN, on=date(2025, 8, 1)
    )
    r.accept_withdrawal_plan(world.store, OFFICER, case_id=case, on=date(2025, 8, 5))

    r.complete_withdrawal(
        world.store,
        OFFICER,
        case_id=case,
        closing_work="数据已上报、证书已发放",
        on=date(2025, 9, 1),
    )

    row = filing(world, ids["filing_id"])
    assert (row["status"], row["end_reason"], row["ended_on"]) == (
        "终止备案",
        "自愿撤销",
        date(2025, 9, 1),
    )


def test_an_investigation_suspends_the_filing_and_blocks_assessments_exit_04(world: World) -> None:
    ids = world.filed("济南茶艺培训中心")

    r.open_investigation(
        world.store,
        OFFICER,
        filing_id=ids["filing_id"],
        grounds="举报不考试就发证",
        on=date(2025, 8, 1),
    )

    assert filing(world, ids["filing_id"])["status"] == "暂停"
    with world.store.read() as conn, pytest.raises(IllegalTransition) as err:
        r.ensure_may_assess(conn, ids["filing_id"], "P001", date(2025, 8, 2))
    assert err.value.rule_id == "EXIT-04"


def test_statement_deadline_is_fifteen_working_days_after_receipt_exit_05(world: World) -> None:
    ids = world.filed("济南陶艺有限公司")
    case = r.open_investigation(
        world.store, OFFICER, filing_id=ids["filing_id"], grounds="伪造试卷", on=date(2025, 4, 20)
    )

    due = r.serve_findings(
        world.store, OFFICER, case_id=case, findings="经查……", received_on=date(2025, 4, 30)
    )

    assert due == date(2025, 5, 26)
    with pytest.raises(RuleViolation) as err:
        r.record_statement(
            world.store, OFFICER, case_id=case, statement="申辩", received_on=date(2025, 5, 27)
        )
    assert err.value.rule_id == "EXIT-05"


def test_violation_cannot_be_confirmed_before_the_statement_period_ends_exit_05(
    world: World,
) -> None:
    ids = world.filed("济南竹编合作社")
    case = r.open_investigation(
        world.store, OFFICER, filing_id=ids["filing_id"], grounds="滥发证书", on=date(2025, 4, 20)
    )
    r.serve_findings(
        world.store, OFFICER, case_id=case, findings="经查……", received_on=date(2025, 4, 30)
    )

    with pytest.raises(RuleViolation) as err:
        r.confirm_violation(
            world.store,
            OFFICER,
            case_id=case,
            circumstance="滥发证书",
            basis="鲁人社函〔2025〕23号",
            on=date(2025, 5, 26),
        )

    assert err.value.rule_id == "EXIT-05"


def test_a_confirmed_violation_revokes_the_filing_after_closing_work_exit_06(world: World) -> None:
    ids = world.filed("济南石刻研究所")
    case = r.open_investigation(
        world.store, OFFICER, filing_id=ids["filing_id"], grounds="滥发证书", on=date(2025, 4, 20)
    )
    r.serve_findings(
        world.store, OFFICER, case_id=case, findings="经查……", received_on=date(2025, 4, 30)
    )
    r.record_statement(
        world.store, OFFICER, case_id=case, statement="无异议", received_on=date(2025, 5, 6)
    )
    r.confirm_violation(
        world.store,
        OFFICER,
        case_id=case,
        circumstance="滥发倒卖证书",
        basis="鲁人社函〔2025〕23号 四（三）",
        on=date(2025, 5, 10),
    )

    r.revoke_filing(world.store, OFFICER, case_id=case, closing_work="已完成", on=date(2025, 6, 1))

    row = filing(world, ids["filing_id"])
    assert (row["status"], row["end_reason"]) == ("终止备案", "违规撤销")


def test_an_investigation_that_finds_nothing_restores_the_filing_exit_06(world: World) -> None:
    ids = world.filed("济南皮影剧社")
    case = r.open_investigation(
        world.store, OFFICER, filing_id=ids["filing_id"], grounds="举报", on=date(2025, 4, 20)
    )

    r.restore_filing(world.store, OFFICER, case_id=case, reason="举报不实", on=date(2025, 5, 1))

    assert filing(world, ids["filing_id"])["status"] == "有效"


def test_extinction_ends_the_filing_from_the_date_of_extinction_exit_07(world: World) -> None:
    ids = world.filed("济南某已注销公司")
    case = r.open_investigation(
        world.store, OFFICER, filing_id=ids["filing_id"], grounds="举报", on=date(2025, 6, 1)
    )

    r.record_extinction(
        world.store,
        OFFICER,
        filing_id=ids["filing_id"],
        extinct_on=date(2025, 6, 15),
        evidence="市场监管部门注销登记通知书",
        on=date(2025, 7, 1),
    )

    row = filing(world, ids["filing_id"])
    assert (row["status"], row["end_reason"], row["ended_on"]) == (
        "终止备案",
        "主体灭失",
        date(2025, 6, 15),
    )
    with world.store.read() as conn:
        assert (
            conn.execute(select(exit_cases.c.status).where(exit_cases.c.id == case)).scalar_one()
            == "已终结"
        )


def test_a_terminated_filing_never_comes_back(world: World) -> None:
    ids = world.filed("济南风筝坊")
    r.record_extinction(
        world.store,
        OFFICER,
        filing_id=ids["filing_id"],
        extinct_on=date(2025, 6, 15),
        evidence="注销",
        on=date(2025, 7, 1),
    )

    with pytest.raises(IllegalTransition):
        r.open_investigation(
            world.store, OFFICER, filing_id=ids["filing_id"], grounds="x", on=date(2025, 7, 2)
        )


def test_another_city_cannot_supervise_the_institution_sup_01(world: World) -> None:
    ids = world.filed("济南草编公司")

    with pytest.raises(PermissionDenied) as err:
        r.open_incident(
            world.store,
            scenario.city_officer(QINGDAO),
            institution_id=ids["institution_id"],
            category="日常检查",
            description="检查",
            on=START,
        )

    assert err.value.rule_id == "SUP-01"


def test_an_incident_can_be_escalated_to_an_investigation_sup_02(world: World) -> None:
    ids = world.filed("济南剪纸社")
    inc = r.open_incident(
        world.store,
        OFFICER,
        institution_id=ids["institution_id"],
        category="不考试就发证",
        description="群众举报",
        on=date(2025, 6, 1),
    )
    r.follow_up_incident(world.store, OFFICER, incident_id=inc, text="已约谈", on=date(2025, 6, 3))

    case = r.escalate_incident(
        world.store, OFFICER, incident_id=inc, grounds="核实存在问题", on=date(2025, 6, 10)
    )

    assert filing(world, ids["filing_id"])["status"] == "暂停"
    with world.store.read() as conn:
        assert conn.execute(select(incidents.c.status)).scalar_one() == "已立案调查"
        assert (
            conn.execute(
                select(exit_cases.c.source_incident_id).where(exit_cases.c.id == case)
            ).scalar_one()
            == inc
        )


REFUSED_WORDING = [
    ("经复核，你单位存在不考试就发证情形。", "鲁人社函〔2025〕23号 四（三）"),  # a pasted sentence
    ("自愿撤销备案", "鲁人社函〔2025〕23号 三（一）"),  # a withdrawal's circumstance
    ("不考试就发证", "四（三）"),  # a basis not citing the notice
    ("不考试就发证（另有代考）", "鲁人社函〔2025〕23号 四（三）"),  # an act where none is needed
]


@pytest.mark.parametrize(("circumstance", "basis"), REFUSED_WORDING)
def test_confirming_with_wording_attachment_8_would_refuse_writes_nothing_and_is_logged_exit_06(
    world: World, circumstance: str, basis: str
) -> None:
    """EXIT-06, issues #13/#16: the command re-checks what the exits page checks, so a crafted
    request cannot record a circumstance the revocation letter cannot be made from."""
    from casework.errors import ValidationFailed
    from casework.store.tables import refusals

    ids = world.filed("济南石刻研究所")
    case = r.open_investigation(
        world.store, OFFICER, filing_id=ids["filing_id"], grounds="滥发证书", on=date(2025, 4, 20)
    )
    r.serve_findings(
        world.store, OFFICER, case_id=case, findings="经查……", received_on=date(2025, 4, 30)
    )
    r.record_statement(
        world.store, OFFICER, case_id=case, statement="无异议", received_on=date(2025, 5, 6)
    )
    with world.store.read() as conn:
        refused = len(conn.execute(select(refusals.c.id)).all())

    with pytest.raises(ValidationFailed) as err:
        r.confirm_violation(
            world.store,
            OFFICER,
            case_id=case,
            circumstance=circumstance,
            basis=basis,
            on=date(2025, 5, 10),
        )

    with world.store.read() as conn:
        row = conn.execute(select(exit_cases).where(exit_cases.c.id == case)).mappings().one()
        reasons = conn.execute(select(refusals.c.reason)).scalars().all()
    assert err.value.rule_id == "EXIT-06" and len(err.value.problems) >= 1
    assert row["status"] == "已申辩" and row["circumstance"] == "" and row["basis"] == ""
    assert len(reasons) == refused + 1 and "附件8" in reasons[-1]
