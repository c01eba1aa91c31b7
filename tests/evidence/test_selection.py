"""Attachment 1 evidence: ATT1-REGION, ATT1-LEASE, ATT1-STAFF, ATT1-EXPERIENCE — records that
meet each condition and records that fail it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from casework.domain import rubrics
from casework.domain.evidence import (
    beside_conditions,
    part_timers,
    qualified_evaluator,
    selection_evidence,
)
from casework.domain.identifiers import make_uscc

from . import builders as b

START = date(2025, 3, 1)
APPLIED = pd.DataFrame({"institution_id": [1], "project_code": ["P001"]})


def evidence(**frames: pd.DataFrame) -> pd.DataFrame:
    args = {
        "institutions": b.institutions(),
        "staff": b.staff(),
        "sites": b.sites(),
        "banks": b.banks(),
        "batches": b.batches(),
        **frames,
    }
    return selection_evidence(
        args["institutions"],
        args["staff"],
        args["sites"],
        args["banks"],
        args["batches"],
        APPLIED,
        start=START,
    )


def met(table: pd.DataFrame, sub_id: str) -> object:
    row = table[table["sub_id"] == sub_id]
    assert len(row) == 1, row
    value = row["met"].iloc[0]
    return None if pd.isna(value) else bool(value)


def text(table: pd.DataFrame, sub_id: str) -> str:
    return str(table.loc[table["sub_id"] == sub_id, "evidence"].iloc[0])


@pytest.mark.parametrize(
    ("body", "expected"), [("52370100MJ0000001", True), ("91110108MA0000001", False)]
)
def test_an_applicant_registered_in_shandong_meets_att1_region_and_one_from_beijing_does_not(
    body: str, expected: bool
) -> None:
    table = evidence(institutions=b.institutions({"uscc": make_uscc(body)}))

    assert met(table, "1.1") is expected


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ({"tenure": "自有"}, True),
        ({"tenure": "租赁", "lease_end": "2028-02-29"}, True),
        ({"tenure": "租赁", "lease_end": "2028-02-28"}, False),
    ],
    ids=["owned", "lease-ends-3-years-after-start", "lease-one-day-short"],
)
def test_a_leased_site_must_run_3_years_from_the_filing_start_att1_lease(
    site: dict[str, object], expected: bool
) -> None:
    table = evidence(sites=b.sites(site))

    assert met(table, "2.1") is expected


def test_an_applicant_without_a_registered_site_does_not_meet_att1_lease() -> None:
    table = evidence(sites=b.sites())

    assert met(table, "2.1") is False
    assert "未登记场地" in text(table, "2.1")


@pytest.mark.parametrize(("people", "expected"), [(2, True), (1, False)])
def test_two_full_time_exam_affairs_staff_are_needed_att1_staff(
    people: int, expected: bool
) -> None:
    roster = b.staff(*({"id_number": b.person(i), "name": f"考务{i}"} for i in range(people)))

    table = evidence(staff=roster)

    assert met(table, "4.1") is expected


def test_part_time_exam_affairs_staff_do_not_count_towards_the_two_full_time_att1_staff() -> None:
    roster = b.staff({"id_number": b.person(1)}, {"id_number": b.person(2), "employment": "兼职"})

    table = evidence(staff=roster)

    assert met(table, "4.1") is False


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"trade_years": 2.5}, False),
        ({"level": "四级", "trade_years": 20.0}, False),
        ({"qualification": None, "level": None, "title": "中级"}, True),
        ({"qualification": None, "level": None, "title": "初级"}, False),
        ({"qualification": "技能带头人", "level": None, "trade_years": None}, True),
    ],
    ids=["三级-5-years", "三级-2.5-years", "四级", "intermediate-title", "junior-title", "master"],
)
def test_an_evaluator_needs_三级_or_an_intermediate_title_and_3_years_or_is_a_master_att1_staff(
    changes: dict[str, object], expected: bool
) -> None:
    roster = b.staff(b.evaluator(1, **changes))

    assert bool(qualified_evaluator(roster).iloc[0]) is expected


def test_three_qualified_evaluators_per_project_are_needed_naming_the_unqualified_att1_staff() -> (
    None
):
    enough = b.staff(*(b.evaluator(i) for i in (1, 2, 3)))
    short = b.staff(b.evaluator(1), b.evaluator(2), b.evaluator(3, name="张三", trade_years=1.0))

    assert met(evidence(staff=enough), "4.3") is True
    assert met(evidence(staff=short), "4.3") is False
    assert "张三（三级证书，从业1年）" in text(evidence(staff=short), "4.3")


@pytest.mark.parametrize(("experts", "expected"), [(2, True), (1, False)])
def test_two_technical_experts_per_project_are_needed_att1_staff(
    experts: int, expected: bool
) -> None:
    roster = b.staff(
        *(
            {
                "id_number": b.person(i),
                "role": "技术专家",
                "project_code": "P001",
                "employment": "兼职",
            }
            for i in range(experts)
        )
    )

    assert met(evidence(staff=roster), "4.4") is expected


@pytest.mark.parametrize(
    ("contract", "insurance", "expected"), [(12, 12, True), (11, 24, False), (24, 6, False)]
)
def test_full_time_staff_need_a_1_year_contract_and_12_months_of_insurance_att1_staff(
    contract: int, insurance: int, expected: bool
) -> None:
    roster = b.staff({"contract_months": contract, "insurance_months": insurance})

    assert met(evidence(staff=roster), "4.5") is expected


def test_a_part_timer_serving_three_units_in_the_registry_is_flagged_naming_them_att1_staff() -> (
    None
):
    units = b.institutions(
        {"institution_id": 1, "name": "甲学校"},
        {"institution_id": 2, "name": "乙公司", "uscc": make_uscc("52370100MJ0000002")},
    )
    roster = b.staff(
        b.evaluator(7, institution_id=1),
        b.evaluator(7, institution_id=2),
        b.evaluator(8, institution_id=1, other_units="丙协会"),
    )
    roster.loc[roster["id_number"] == b.person(7), "other_units"] = "丁合作社"

    flagged = part_timers(roster, units)

    seven = flagged[flagged["id_number"] == b.person(7)].iloc[0]
    eight = flagged[flagged["id_number"] == b.person(8)].iloc[0]
    assert bool(seven["flagged"]) and seven["units"] == "丁合作社、乙公司、甲学校"
    assert not bool(eight["flagged"]) and eight["unit_count"] == 2


@pytest.mark.parametrize(("first_exam", "expected"), [("2023-02-01", True), ("2024-06-01", False)])
def test_two_years_of_assessment_in_the_project_before_the_start_att1_experience(
    first_exam: str, expected: bool
) -> None:
    table = evidence(batches=b.batches({"exam_date": first_exam, "plan_date": first_exam}))

    assert met(table, "6.2") is expected


def test_no_batches_on_record_leaves_experience_to_the_panel_att1_experience() -> None:
    table = evidence(batches=b.batches())

    assert met(table, "6.2") is None
    assert "请核验申报材料" in text(table, "6.2")


@pytest.mark.parametrize(
    ("banks", "expected"), [(b.banks({}), True), (b.banks({"project_code": "P002"}), False)]
)
def test_each_project_applied_for_needs_a_question_bank(
    banks: pd.DataFrame, expected: bool
) -> None:
    assert met(evidence(banks=banks), "5.1") is expected


def test_the_evidence_stands_beside_every_mandatory_condition_it_supports() -> None:
    conditions = rubrics.load("selection").conditions

    shown = beside_conditions(conditions, evidence())

    supported = set(shown.dropna(subset=["evidence"])["sub_id"])
    assert {
        "1.1",
        "2.1",
        "2.2",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "4.5",
        "5.1",
        "6.2",
        "8.1",
    } <= supported
