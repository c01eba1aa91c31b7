"""评估组 app driven in plain pytest (SEL-03, REN-04, SUP-03): the pool, forming a panel from it
and replacing a member — what an officer does, and what the page must refuse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry
from casework.domain import lifecycle
from casework.registry import scenario
from casework.store.tables import applications, expert_pool, panel_members, panels, refusals
from casework.ui import index
from casework.ui import panels as panels_app
from casework.ui.panels import PanelsPage
from tests.registry.conftest import JINAN, World

from .worlds import (
    OFFICER,
    OTHER_CITY,
    Template,
    audit_count,
    clone,
    context,
    count,
    make_template,
    refusal_reasons,
    texts,
)

TODAY = date(2025, 3, 10)
APPLICANT = "济南评估申请单位"
AWAITING_PANEL = lifecycle.APPLICATION.transition("constitute_panel").sources[0]


def build(world: World) -> dict[str, Any]:
    inst = world.institution(APPLICANT, JINAN, serial=11)
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=("P001",),
        on=date(2025, 3, 3),
        experts=world.experts[JINAN],
        stop_at=AWAITING_PANEL,
    )
    officer = scenario.city_officer(JINAN)
    for name in world.experts[JINAN]:  # the seeded experts join Jinan's pool as they are
        registry.add_pool_expert(
            world.store, officer, city_code=JINAN, username=name, on=date(2025, 3, 3)
        )
    registry.add_pool_expert(  # of the applicant's own unit: never offered (SUP-03)
        world.store,
        officer,
        city_code=JINAN,
        username="same_unit",
        display_name="同单位专家",
        unit=APPLICANT,
        on=date(2025, 3, 3),
    )
    return {**ids, "institution_id": inst}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("panels"), build)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    copy = clone(template, tmp_path)
    yield copy
    copy.store.dispose()


@pytest.fixture
def page(world: World) -> PanelsPage:
    return PanelsPage(context(world, OFFICER, TODAY), JINAN)


def stored_panels(world: World) -> list[dict[str, Any]]:
    with world.store.read() as conn:
        return [dict(r) for r in conn.execute(select(panels)).mappings()]


def roster(world: World, panel_id: int) -> dict[str, bool]:
    with world.store.read() as conn:
        rows = conn.execute(
            select(panel_members.c.username, panel_members.c.is_leader).where(
                panel_members.c.panel_id == panel_id
            )
        ).all()
    return {u: bool(lead) for u, lead in rows}


def choose(page: PanelsPage, template: Template, experts: list[str], leader: str) -> None:
    page.forming.case.value = f"遴选:{template['application_id']}"
    page.forming.members.value = tuple(experts)
    page.forming.leader.value = leader


def test_a_panel_formed_from_the_pool_is_stored_with_its_leader_and_members_see_it_sel_03(
    world: World, template: Template, page: PanelsPage
) -> None:
    experts = template.experts[JINAN][:3]
    choose(page, template, experts, experts[1])

    page.forming.button.click()

    panel = stored_panels(world)[-1]
    with world.store.read() as conn:
        status = conn.execute(
            select(applications.c.status).where(applications.c.id == template["application_id"])
        ).scalar_one()
    assert panel["application_id"] == template["application_id"]
    assert roster(world, panel["id"]) == {experts[0]: False, experts[1]: True, experts[2]: False}
    assert status == lifecycle.APPLICATION_EVALUATING
    assert "已为" in page.forming.messages.widget.value
    member_index = index.build(context(world, experts[2], TODAY))
    assert APPLICANT in texts(member_index) and "./selection_panel.ipynb" in texts(member_index)


def test_an_expert_of_the_applicants_own_unit_is_not_offered_and_a_crafted_pick_is_logged(
    world: World, template: Template, page: PanelsPage
) -> None:
    page.forming.case.value = f"遴选:{template['application_id']}"
    offered = [v for _, v in page.forming.members.options]
    before = count(world, refusals)

    page.forming.members.set_state({"index": [0, 1, len(offered) + 2]})

    assert "same_unit" not in offered and "同单位专家" in page.forming.excluded.value
    assert page.forming.members.value == ()
    assert count(world, refusals) == before + 1


def test_a_crafted_click_with_too_few_members_writes_nothing_and_is_logged(
    world: World, template: Template, page: PanelsPage
) -> None:
    choose(page, template, template.experts[JINAN][:2], template.experts[JINAN][0])
    assert page.forming.button.disabled
    entries, refused = audit_count(world), count(world, refusals)

    page.forming.button._handle_button_msg(None, {"event": "click"}, [])

    assert audit_count(world) == entries and not stored_panels(world)
    assert count(world, refusals) == refused + 1


def test_a_panel_too_small_is_refused_by_the_registry_in_chinese_sel_03(
    world: World, template: Template, page: PanelsPage
) -> None:
    choose(page, template, template.experts[JINAN][:2], template.experts[JINAN][0])
    page.forming.button.disabled = False  # a crafted re-enable as well

    page.forming.button.click()

    message = page.forming.messages.widget.value
    assert "cw-error" in message and "SEL-03" in message and "3—5" in message
    assert not stored_panels(world)


def test_the_form_comes_back_after_a_reload(
    world: World, template: Template, page: PanelsPage
) -> None:
    experts = template.experts[JINAN][:3]
    choose(page, template, experts, experts[2])

    again = PanelsPage(context(world, OFFICER, TODAY), JINAN).forming

    assert again.members.value == tuple(experts) and again.leader.value == experts[2]
    assert not again.button.disabled


def test_a_new_pool_expert_is_added_and_bad_input_is_refused_naming_the_field(
    world: World, page: PanelsPage
) -> None:
    page.pool.username.value = "sun_li"
    page.pool.new.display_name.value = "孙丽"
    page.pool.new.unit.value = ""

    page.pool.add_button.click()
    refused = page.pool.messages.widget.value
    page.pool.new.unit.value = "济南职业学院"
    page.pool.add_button.click()

    assert "cw-error" in refused and "工作单位" in refused
    with world.store.read() as conn:
        added = conn.execute(
            select(expert_pool.c.city_code).where(expert_pool.c.username == "sun_li")
        ).scalar_one()
    assert added == JINAN and "孙丽" in page.pool.listing.value
    assert "sun_li" in [v for _, v in page.forming.members.options]
    assert page.pool.username.value == ""


def test_a_member_who_withdraws_is_replaced_until_a_sheet_is_submitted_sel_03(
    world: World, template: Template
) -> None:
    experts = template.experts[JINAN]
    members = [{"username": e, "is_leader": i == 0} for i, e in enumerate(experts[:3])]
    panel = registry.constitute_panel(
        world.store,
        scenario.city_officer(JINAN),
        application_id=template["application_id"],
        members=members,
        on=TODAY,
    )
    page = PanelsPage(context(world, OFFICER, TODAY), JINAN)
    page.replace.panel.value = panel
    page.replace.leaving.value = experts[0]
    page.replace.joining.value = experts[3]
    page.replace.reason.value = "声明存在利益冲突"

    page.replace.button.click()
    scenario.submit_selection_sheets(world.store, panel, [experts[1]])
    page.replace.refresh()
    entries = audit_count(world)
    page.replace.button._handle_button_msg(None, {"event": "click"}, [])

    assert roster(world, panel) == {experts[1]: False, experts[2]: False, experts[3]: True}
    assert page.replace.button.disabled and "已有成员提交评估表" in page.replace.note.value
    assert audit_count(world) == entries


def test_another_citys_officer_sees_none_of_jinans_cases_and_an_expert_is_refused(
    world: World, template: Template
) -> None:
    qingdao = PanelsPage(context(world, OTHER_CITY, TODAY), "370200")
    expert = panels_app.build(context(world, template.experts[JINAN][0], TODAY))

    assert not qingdao.forming.case.options
    assert APPLICANT not in texts(qingdao.widget)
    assert "仅限市级经办、市级负责人" in texts(expert)
    assert "无权使用本页面" in refusal_reasons(world)[-1]
