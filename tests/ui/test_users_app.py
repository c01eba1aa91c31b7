"""人员与权限 app driven in plain pytest (SUP-01): a city manager manages their city's users,
the province the city managers; the roles offered are the ones GRANTS allows; people by name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry
from casework.errors import PermissionDenied
from casework.registry import scenario
from casework.registry.actors import CITY_OFFICER, GRANTS, INSTITUTION, PROVINCE
from casework.store.tables import refusals, users
from casework.ui import users as users_app
from casework.ui.users import UsersPage
from tests.registry.conftest import JINAN, QINGDAO, World

from .worlds import (
    MANAGER,
    OFFICER,
    Template,
    audit_count,
    clone,
    context,
    count,
    make_template,
    refusal_reasons,
)

TODAY = date(2025, 6, 2)
QINGDAO_MANAGER = f"manager{QINGDAO}"


def build(world: World) -> dict[str, Any]:
    registry.add_pool_expert(  # a city manager sees the experts of the city's pool
        world.store,
        scenario.city_officer(JINAN),
        city_code=JINAN,
        username=world.experts[JINAN][0],
        on=TODAY,
    )
    return {"institution": world.institution("济南人员培训学校", JINAN, serial=21)}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("users"), build)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    copy = clone(template, tmp_path)
    yield copy
    copy.store.dispose()


@pytest.fixture
def page(world: World) -> UsersPage:
    return UsersPage(context(world, MANAGER, TODAY))


def user(world: World, username: str) -> dict[str, Any]:
    with world.store.read() as conn:
        return dict(
            conn.execute(select(users).where(users.c.username == username)).mappings().one()
        )


def test_a_city_manager_adds_an_institution_head_bound_to_its_institution_sup_01(
    world: World, template: Template, page: UsersPage
) -> None:
    page.username.value = "head_21"
    page.display_name.value = "刘校长"
    page.new.role.value = INSTITUTION
    page.new.institution.value = template["institution"]

    page.add_button.click()

    added = user(world, "head_21")
    assert added["role"] == INSTITUTION and added["institution_id"] == template["institution"]
    assert "刘校长" in page.listing.value and "已登记用户" in page.messages.widget.value


def test_the_roles_offered_are_exactly_the_grants_and_a_crafted_role_is_logged(
    world: World, page: UsersPage
) -> None:
    before = count(world, refusals)

    page.new.role.set_state({"index": len(page.new.role.options) + 1})

    assert list(page.new.role.options) == list(GRANTS["市级负责人"])
    assert PROVINCE not in page.new.role.options and page.new.role.value is None
    assert count(world, refusals) == before + 1


def test_a_deactivated_officer_can_no_longer_act(world: World, page: UsersPage) -> None:
    page.picker.value = OFFICER

    page.deactivate_button.click()

    assert not user(world, OFFICER)["active"]
    with pytest.raises(PermissionDenied):
        registry.close_call(world.store, scenario.city_officer(JINAN), call_id=1)


def test_re_roling_an_expert_as_an_officer_of_the_city(
    world: World, template: Template, page: UsersPage
) -> None:
    expert = template.experts[JINAN][0]
    page.picker.value = expert
    page.change.role.value = CITY_OFFICER

    page.role_button.click()

    changed = user(world, expert)
    assert (changed["role"], changed["city_code"]) == (CITY_OFFICER, JINAN)


def test_a_crafted_pick_of_another_citys_user_is_refused_and_nothing_changes(
    world: World,
) -> None:
    qingdao = UsersPage(context(world, QINGDAO_MANAGER, TODAY))
    offered = [v for _, v in qingdao.picker.options]
    entries, before = audit_count(world), count(world, refusals)

    qingdao.picker.set_state({"index": len(offered) + 3})
    qingdao.deactivate_button.click()

    assert OFFICER not in offered and "370100经办人" not in qingdao.listing.value
    assert audit_count(world) == entries and count(world, refusals) == before + 1
    assert user(world, OFFICER)["active"]


def test_the_province_manages_city_managers(world: World) -> None:
    province = UsersPage(context(world, scenario.PROVINCE_ACTOR.username, TODAY))
    province.picker.value = MANAGER

    province.deactivate_button.click()

    assert not user(world, MANAGER)["active"]
    assert "370100负责人" in province.listing.value


def test_an_officer_sees_a_refusal(world: World) -> None:
    page = users_app.build(context(world, OFFICER, TODAY))

    assert "仅限市级负责人、省级管理" in page.children[1].value
    assert "无权使用本页面" in refusal_reasons(world)[-1]


def test_a_new_user_without_a_name_is_refused_naming_the_field(
    world: World, page: UsersPage
) -> None:
    page.username.value = "nameless"
    page.new.role.value = CITY_OFFICER

    page.add_button.click()

    assert "cw-error" in page.messages.widget.value and "姓名" in page.messages.widget.value
    with world.store.read() as conn:
        assert conn.execute(select(users).where(users.c.username == "nameless")).first() is None


def test_the_form_comes_back_after_a_reload(world: World, page: UsersPage) -> None:
    page.username.value = "draft_user"
    page.display_name.value = "草稿用户"
    page.new.role.value = CITY_OFFICER

    again = UsersPage(context(world, MANAGER, TODAY))

    assert again.username.value == "draft_user" and again.display_name.value == "草稿用户"
    assert again.new.role.value == CITY_OFFICER
