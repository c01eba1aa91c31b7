"""Institution cards and filing timelines (read models for case officers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.errors import NotFound
from casework.queries.cards import filing_timeline, institution_card
from casework.registry import scenario
from casework.store.tables import filings
from tests.registry.conftest import JINAN, World
from tests.ui.worlds import Template, clone, two_filings

OFFICER = scenario.city_officer(JINAN)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("cards"))


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    copy = clone(template, tmp_path)
    yield copy
    copy.store.dispose()


def test_an_institution_without_a_filing_has_a_card_marked_not_filed(world: World) -> None:
    inst = scenario.new_institution(world.store, JINAN, "济南未备案培训学校", 4243)

    card = institution_card(world.store, inst)

    assert (card.status, card.code, card.term, card.projects) == ("未备案", "", "", ())
    assert card.city == "济南"


def test_an_unknown_institution_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="未找到考核机构"):
        institution_card(world.store, 4711)


def test_a_withdrawn_filing_s_card_keeps_the_projects_it_ended_with_exit_01(
    world: World, template: dict[str, Any]
) -> None:
    ids = template["jinan"]
    plan = {p: "已安排" for p in ("收尾计划", "证书维护", "档案管理", "参评人员服务")}
    case = r.apply_withdrawal(
        world.store, OFFICER, filing_id=ids["filing_id"], plan=plan, on=date(2025, 8, 1)
    )
    r.accept_withdrawal_plan(world.store, OFFICER, case_id=case, on=date(2025, 8, 2))
    r.complete_withdrawal(
        world.store, OFFICER, case_id=case, closing_work="已完成", on=date(2025, 9, 1)
    )

    card = institution_card(world.store, ids["institution_id"])

    assert (card.status, card.end_reason, card.ended_on) == (
        "终止备案",
        "自愿撤销",
        date(2025, 9, 1),
    )
    assert card.projects == ("项目P001",)


def test_the_timeline_shows_scope_removal_and_a_passed_renewal_sel_06_ren_05(
    world: World, template: dict[str, Any]
) -> None:
    ids = world.filed("济南泉城面塑工作室", ("P002", "P003"))
    fid = ids["filing_id"]
    r.remove_projects(
        world.store,
        OFFICER,
        filing_id=fid,
        project_codes=["P003"],
        on=date(2025, 7, 1),
        reason="申请删除",
    )
    with world.store.read() as conn:
        term_end = conn.execute(select(filings.c.term_end).where(filings.c.id == fid)).scalar_one()
    scenario.renew(
        world.store, city_code=JINAN, filing_id=fid, term_end=term_end, experts=world.experts[JINAN]
    )

    frame = filing_timeline(world.store, fid)

    events = list(frame["event"])
    assert events[:2] == ["备案", "备案考核项目"]
    removal = frame[frame["event"] == "删除考核项目"].iloc[0]
    assert removal["detail"] == "项目P003：申请删除" and removal["command"] == "删除考核项目"
    assert "提交续期申请" in events and "续期评估合格" in events
    renewed = frame[frame["event"] == "新备案期开始"].iloc[0]
    assert renewed["date"].date().day == 1 and renewed["rule_id"] == "REN-05"
    assert frame["date"].is_monotonic_increasing


def test_the_filing_event_names_who_recorded_it(world: World, template: dict[str, Any]) -> None:
    ids = world.filed("济南泉城剪纸工作室", ("P002",))

    frame = filing_timeline(world.store, ids["filing_id"])

    filed = frame[frame["event"] == "备案"].iloc[0]
    assert filed["recorded_by"] == "officer370100" and filed["command"] == "出具备案回执"
