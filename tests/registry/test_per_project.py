"""Per-project decisions (issue #14): the panel judges the per-project conditions of
Attachment 1 project by project, the city approves some projects and declines others with a
reason (SEL-04), quotas count only approved projects (SEL-07), only approved projects are
noticed, filed and printed on the receipt (SEL-05), and a renewal drop (REN-05) is shown on
Attachment 7-1 and in the catalog edition (SEL-09)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework import documents
from casework import registry as r
from casework.domain import calendar, lifecycle, rubrics
from casework.errors import QuotaExceeded, RuleViolation
from casework.queries.notices import notice_facts
from casework.registry import scenario
from casework.store.tables import (
    application_projects,
    catalog_editions,
    filing_projects,
    filings,
    notice_items,
)
from tests.registry.conftest import JINAN, START, World

OFFICER = scenario.city_officer(JINAN)


def rows_for(projects: Iterable[str], unmet: Iterable[tuple[str, str]] = ()) -> list[dict]:
    """A checklist judging each per-project condition once per project; ``unmet`` (sub_id,
    project) pairs not met."""
    rubric = rubrics.load("selection")
    split, missing = set(rubric.per_project), set(unmet)
    rows: list[dict[str, Any]] = []
    for sub in rubric.conditions.sub_id:
        for code in projects if sub in split else [None]:
            row = {"sub_id": sub, "met": (sub, code) not in missing, "note": ""}
            if code is not None:
                row["project_code"] = code
            rows.append(row)
    return rows


def evaluated(
    world: World, name: str, projects: tuple[str, ...], rows: list[dict] | None = None
) -> dict[str, Any]:
    """An application for ``projects`` whose panel has submitted ``rows`` (default: all met)."""
    ids = world.filed(name, projects, stop_at=lifecycle.APPLICATION_EVALUATING)
    experts = world.experts[JINAN][:3]
    scenario.submit_selection_sheets(world.store, ids["panel_id"], experts, rows)
    return ids


def decide(world: World, app_id: int, **kw: Any) -> dict[str, Any]:
    return r.decide_application(
        world.store,
        OFFICER,
        application_id=app_id,
        approve=True,
        on=calendar.add_workdays(START, 10),
        **kw,
    )


def decisions(world: World, app_id: int) -> dict[str, tuple[str, str | None]]:
    with world.store.read() as conn:
        rows = conn.execute(
            select(application_projects).where(application_projects.c.application_id == app_id)
        ).mappings()
        return {x["project_code"]: (x["decision"], x["decision_reason"]) for x in rows}


def file_it(world: World, app_id: int) -> int:
    noticed = calendar.add_workdays(START, 11)
    notice_id = r.open_notice(
        world.store, OFFICER, city_code=JINAN, application_ids=[app_id], opens_on=noticed
    )
    end = calendar.notice_end(noticed)
    r.close_notice(world.store, OFFICER, notice_id=notice_id, on=end + timedelta(days=1))
    scenario.report_filing(world.store, JINAN, app_id, end + timedelta(days=2))
    return int(
        r.file_application(world.store, OFFICER, application_id=app_id, on=end + timedelta(days=3))
    )


def test_city_approves_some_projects_and_declines_others_with_a_reason_sel_04(
    world: World,
) -> None:
    ids = evaluated(world, "甲考核中心", ("P001", "P002"), rows_for(["P001", "P002"]))

    out = decide(world, ids["application_id"], projects=["P001"], declined={"P002": "考评人员不足"})

    assert out["approved"] == ["P001"]
    assert decisions(world, ids["application_id"]) == {
        "P001": ("拟备案", None),
        "P002": ("不予备案", "考评人员不足"),
    }


def test_a_project_the_panel_found_unqualified_cannot_be_approved_sel_04(world: World) -> None:
    """The question bank of P002 (5.1) is missing: P002 only may not be approved."""
    rows = rows_for(["P001", "P002"], unmet=[("5.1", "P002")])
    ids = evaluated(world, "乙考核中心", ("P001", "P002"), rows)

    with pytest.raises(RuleViolation, match=r"P002（未满足：5\.1）") as caught:
        decide(world, ids["application_id"])

    assert caught.value.rule_id == "SEL-04"
    out = decide(world, ids["application_id"], projects=["P001"], declined={"P002": "无题库"})
    assert out["approved"] == ["P001"]


@pytest.mark.parametrize(
    ("projects", "declined", "message"),
    [
        (["P001"], {}, "P002未作决定"),
        (["P001"], {"P002": " "}, "P002不予备案的理由"),
        (["P001", "P002"], {"P002": "重复"}, "既拟备案又不予备案"),
        (["P009"], {"P001": "x", "P002": "y"}, "不是本申请的申报项目"),
        ([], {"P001": "x", "P002": "y"}, "至少包含一个考核项目"),
    ],
    ids=["undecided", "blank-reason", "both", "not-applied-for", "none-approved"],
)
def test_every_project_is_approved_or_declined_with_a_reason_sel_04(
    world: World, projects: list[str], declined: Mapping[str, str], message: str
) -> None:
    ids = evaluated(world, "丙考核中心", ("P001", "P002"))

    with pytest.raises(RuleViolation, match=message) as caught:
        decide(world, ids["application_id"], projects=projects, declined=declined)

    assert caught.value.rule_id == "SEL-04"
    assert set(decisions(world, ids["application_id"]).values()) == {(None, None)}


def test_sheets_without_project_codes_judge_all_projects_alike(world: World) -> None:
    """A checklist kept from before issue #14 stays valid: it approves every project."""
    ids = evaluated(world, "丁考核中心", ("P001", "P002"), scenario.full_selection_rows())

    out = decide(world, ids["application_id"])

    assert out["approved"] == ["P001", "P002"]


def test_a_declined_project_does_not_count_towards_the_projects_per_institution_sel_07(
    world: World,
) -> None:
    six = ("P001", "P002", "P003", "P004", "P005", "P006")
    ids = evaluated(world, "戊考核中心", six)
    with pytest.raises(QuotaExceeded):
        decide(world, ids["application_id"])

    out = decide(world, ids["application_id"], declined={"P006": "超出机构项目数"})

    assert out["approved"] == list(six[:5])


def test_only_approved_projects_are_noticed_filed_and_on_the_receipt_sel_05(
    world: World,
) -> None:
    ids = evaluated(world, "己考核中心", ("P001", "P002"), rows_for(["P001", "P002"]))
    decide(world, ids["application_id"], projects=["P002"], declined={"P001": "场地不符"})

    filing_id = file_it(world, ids["application_id"])

    with world.store.read() as conn:
        notice_id = conn.execute(select(notice_items.c.notice_id)).scalars().first()
        filed = conn.execute(
            select(filing_projects.c.project_code).where(filing_projects.c.filing_id == filing_id)
        ).scalars()
        assert list(filed) == ["P002"]
    assert notice_facts(world.store, notice_id).items[0].projects == ("项目P002",)
    receipt = documents.build(world.store, "receipt", filing_id)
    assert receipt.facts["考核项目"] == "项目P002"
    assert "项目P001" not in receipt.plain_text


def test_an_expert_may_not_code_a_general_condition_or_a_project_not_applied_for(
    world: World,
) -> None:
    """The browser is untrusted: a crafted project code is refused (SEL-04)."""
    ids = world.filed("庚考核中心", ("P001",), stop_at=lifecycle.APPLICATION_EVALUATING)
    who = scenario.expert(world.experts[JINAN][0])
    r.declare_conflict_of_interest(world.store, who, panel_id=ids["panel_id"], no_conflict=True)

    for sub, code in (("1.1", "P001"), ("5.1", "P007")):
        rows = [{"sub_id": sub, "met": True, "note": "", "project_code": code}]
        with pytest.raises(RuleViolation, match="不能按项目"):
            r.save_sheet(world.store, who, panel_id=ids["panel_id"], rows=rows)


def test_a_renewal_drop_is_on_attachment_7_1_and_in_the_catalog_edition_ren_05(
    world: World,
) -> None:
    ids = world.filed("辛考核中心", ("P001", "P002"))
    with world.store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == ids["filing_id"])
        ).scalar_one()
    r.publish_catalog_edition(
        world.store, scenario.PROVINCE_ACTOR, on=term_end - timedelta(days=200)
    )
    renewal = scenario.renew(
        world.store,
        city_code=JINAN,
        filing_id=ids["filing_id"],
        term_end=term_end,
        experts=world.experts[JINAN],
        assessed={"P002": 0},
    )

    receipt = documents.build(world.store, "renewal", renewal["renewal_id"])
    edition = r.publish_catalog_edition(
        world.store, scenario.PROVINCE_ACTOR, on=term_end + timedelta(days=2)
    )

    assert receipt.facts["考核项目"] == "项目P001"
    assert receipt.facts["不予续期"] == "项目P002（备案期内未开展考核）"
    assert "不予续期的考核项目：项目P002（备案期内未开展考核）。" in receipt.plain_text
    with world.store.read() as conn:
        changes = conn.execute(
            select(catalog_editions.c.changes).where(catalog_editions.c.id == edition)
        ).scalar_one()
    scope = [c["detail"] for c in changes if c["change"] == "范围调整"]
    assert scope == ["删除项目P002（续期时删除（备案期内未开展考核））"]
