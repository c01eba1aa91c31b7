"""The city's expert pool (SEL-03, REN-04) and the replacement of a panel member who withdraws
before the scoring: the registry commands, as the pages call them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.domain import lifecycle
from casework.errors import NotFound, PermissionDenied, RuleViolation
from casework.registry import scenario
from casework.registry.catalog import actor_for
from casework.store.tables import expert_pool, panel_members, users

from .conftest import JINAN, QINGDAO, World

ON = date(2025, 3, 3)
OFFICER, QINGDAO_OFFICER = scenario.city_officer(JINAN), scenario.city_officer(QINGDAO)
AWAITING_PANEL = lifecycle.APPLICATION.transition("constitute_panel").sources[0]


def pool_expert(world: World, username: str, unit: str = "山东理工职业学院", **kw: Any) -> int:
    return r.add_pool_expert(
        world.store,
        OFFICER,
        city_code=JINAN,
        username=username,
        display_name=kw.pop("display_name", f"专家{username}"),
        unit=unit,
        on=ON,
        **kw,
    )


def awaiting(world: World, name: str = "济南评估单位") -> dict[str, Any]:
    inst = world.institution(name, JINAN)
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=("P001",),
        on=ON,
        experts=world.experts[JINAN],
        stop_at=AWAITING_PANEL,
    )
    return {**ids, "institution_id": inst}


def members(names: list[str]) -> list[dict[str, Any]]:
    return [{"username": n, "is_leader": i == 0} for i, n in enumerate(names)]


def roster(world: World, panel_id: int) -> dict[str, bool]:
    with world.store.read() as conn:
        rows = conn.execute(
            select(panel_members.c.username, panel_members.c.is_leader).where(
                panel_members.c.panel_id == panel_id
            )
        ).all()
    return {u: bool(lead) for u, lead in rows}


def test_a_new_pool_expert_gets_an_expert_user_who_can_sign_in_sel_03(world: World) -> None:
    pool_expert(world, "zhang_wei", specialty="烹饪", phone="0531-88886666")

    with world.store.read() as conn:
        actor = actor_for(conn, "zhang_wei")

    assert actor.role == "专家" and actor.display_name == "专家zhang_wei"
    with world.store.read() as conn:
        entry = conn.execute(select(expert_pool)).mappings().one()
        unit = conn.execute(
            select(users.c.unit).where(users.c.username == "zhang_wei")
        ).scalar_one()
    assert entry["city_code"] == JINAN and entry["active"] and entry["phone"] == "0531-88886666"
    assert unit == "山东理工职业学院"


def test_an_expert_of_another_citys_pool_joins_as_they_are_and_a_non_expert_is_refused(
    world: World,
) -> None:
    r.add_pool_expert(
        world.store,
        QINGDAO_OFFICER,
        city_code=QINGDAO,
        username="li_na",
        display_name="李娜",
        unit="青岛大学",
        on=ON,
    )

    pool_expert(world, "li_na", display_name="", unit="")
    with pytest.raises(RuleViolation) as err:
        pool_expert(world, OFFICER.username)

    with world.store.read() as conn:
        cities = set(
            conn.execute(
                select(expert_pool.c.city_code).where(expert_pool.c.username == "li_na")
            ).scalars()
        )
    assert cities == {JINAN, QINGDAO}
    assert "已由市级经办" in str(err.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "张三"}, "登录名"),
        ({"display_name": " "}, "专家姓名"),
        ({"unit": ""}, "工作单位"),
        ({"phone": "call me"}, "联系电话"),
    ],
    ids=["chinese-username", "blank-name", "blank-unit", "bad-phone"],
)
def test_bad_input_is_refused_in_chinese_naming_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    values = {"username": "wang_fang", "display_name": "王芳", "unit": "济南大学", **changes}

    with pytest.raises(RuleViolation) as err:
        r.add_pool_expert(world.store, OFFICER, city_code=JINAN, on=ON, **values)

    assert field in str(err.value)


def test_another_citys_officer_cannot_touch_the_pool_sup_01(world: World) -> None:
    pool_expert(world, "zhao_lei")

    with pytest.raises(PermissionDenied) as err:
        r.deactivate_pool_expert(world.store, QINGDAO_OFFICER, city_code=JINAN, username="zhao_lei")

    assert err.value.rule_id == "SUP-01"


def test_an_expert_who_declared_a_conflict_with_the_applicant_is_refused_sup_03(
    world: World,
) -> None:
    case = awaiting(world)
    for name in ("e_one", "e_two", "e_three"):
        pool_expert(world, name, unit=f"{name}单位")
    r.edit_pool_expert(
        world.store,
        OFFICER,
        city_code=JINAN,
        username="e_two",
        display_name="专家二",
        unit="e_two单位",
        conflicts=[case["institution_id"]],
    )

    with pytest.raises(PermissionDenied) as err:
        r.constitute_panel(
            world.store,
            OFFICER,
            application_id=case["application_id"],
            members=members(["e_one", "e_two", "e_three"]),
            on=ON,
        )

    assert err.value.rule_id == "SUP-03" and "专家二" in str(err.value)


def test_a_deactivated_pool_expert_is_not_drawn_on_sel_03(world: World) -> None:
    case = awaiting(world)
    for name in ("e_one", "e_two", "e_three"):
        pool_expert(world, name, unit=f"{name}单位")
    r.deactivate_pool_expert(world.store, OFFICER, city_code=JINAN, username="e_three")

    with pytest.raises(RuleViolation) as err:
        r.constitute_panel(
            world.store,
            OFFICER,
            application_id=case["application_id"],
            members=members(["e_one", "e_two", "e_three"]),
            on=ON,
        )

    assert err.value.rule_id == "SEL-03" and "停用" in str(err.value)


def test_a_leader_who_withdraws_before_scoring_is_replaced_and_the_new_member_leads(
    world: World,
) -> None:
    case = awaiting(world)
    experts = world.experts[JINAN]
    panel = r.constitute_panel(
        world.store,
        OFFICER,
        application_id=case["application_id"],
        members=members(experts[:3]),
        on=ON,
    )

    r.replace_panel_member(
        world.store,
        OFFICER,
        panel_id=panel,
        leaving=experts[0],
        joining=experts[3],
        reason="声明存在利益冲突",
    )

    assert roster(world, panel) == {experts[1]: False, experts[2]: False, experts[3]: True}


def test_a_panel_with_a_submitted_sheet_is_not_changed_sel_03(world: World) -> None:
    case = awaiting(world)
    experts = world.experts[JINAN]
    panel = r.constitute_panel(
        world.store,
        OFFICER,
        application_id=case["application_id"],
        members=members(experts[:3]),
        on=ON,
    )
    scenario.submit_selection_sheets(world.store, panel, [experts[1]])

    with pytest.raises(RuleViolation) as err:
        r.replace_panel_member(
            world.store,
            OFFICER,
            panel_id=panel,
            leaving=experts[0],
            joining=experts[3],
            reason="因故不能参加",
        )

    assert err.value.rule_id == "SEL-03" and "已有成员提交评估表" in str(err.value)
    assert set(roster(world, panel)) == set(experts[:3])


def test_replacing_someone_not_on_the_panel_or_in_another_city_is_refused(world: World) -> None:
    case = awaiting(world)
    experts = world.experts[JINAN]
    panel = r.constitute_panel(
        world.store,
        OFFICER,
        application_id=case["application_id"],
        members=members(experts[:3]),
        on=ON,
    )
    move = {"panel_id": panel, "joining": experts[4], "reason": "因故"}

    with pytest.raises(RuleViolation):
        r.replace_panel_member(world.store, OFFICER, leaving=experts[3], **move)
    with pytest.raises(PermissionDenied):
        r.replace_panel_member(world.store, QINGDAO_OFFICER, leaving=experts[0], **move)
    with pytest.raises(NotFound):
        r.replace_panel_member(
            world.store, OFFICER, leaving=experts[0], **{**move, "panel_id": 999}
        )

    assert set(roster(world, panel)) == set(experts[:3])
