"""Who may grant which role, for which city (SUP-01): declared once in ``actors.GRANTS`` and
enforced by add_user, change_user_role, deactivate_user and the hub's sign-in. 系统 is never
granted."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

from casework import registry as r
from casework.errors import PermissionDenied
from casework.hub.roles import sync_user
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    EXPERT,
    GRANTS,
    INSTITUTION,
    PROVINCE,
    SYSTEM,
    SYSTEM_ACTOR,
)
from casework.registry.catalog import change_user_role, deactivate_user
from casework.store.tables import users

from .conftest import JINAN, MANAGER, OFFICER, QINGDAO, World
from .conftest import PROVINCE as PROVINCE_USER

FORBIDDEN: list[tuple[str, dict[str, Any]]] = [
    ("manager-grants-system", {"role": SYSTEM}),
    ("manager-grants-province", {"role": PROVINCE}),
    ("manager-grants-manager", {"role": CITY_MANAGER, "city_code": JINAN}),
    ("manager-grants-other-citys-officer", {"role": CITY_OFFICER, "city_code": QINGDAO}),
    ("manager-grants-other-citys-expert", {"role": EXPERT, "city_code": QINGDAO}),
]


def stored_user(world: World, username: str) -> Any:
    with world.store.read() as conn:
        return conn.execute(select(users).where(users.c.username == username)).mappings().first()


def test_no_role_may_grant_system_sup_01() -> None:
    assert all(SYSTEM not in grants for grants in GRANTS.values())


@pytest.mark.parametrize(("case", "grant"), FORBIDDEN, ids=[c for c, _ in FORBIDDEN])
def test_a_city_manager_cannot_grant_beyond_its_own_citys_staff_sup_01(
    world: World, case: str, grant: dict[str, Any]
) -> None:
    audited, logged = world.snapshot()

    with pytest.raises(PermissionDenied) as err:
        r.add_user(world.store, MANAGER, username="escalated", display_name="越权", **grant)

    assert err.value.rule_id == "SUP-01"
    assert stored_user(world, "escalated") is None
    assert world.snapshot() == (audited, logged + 1)


@pytest.mark.parametrize("granter", [SYSTEM_ACTOR, PROVINCE_USER], ids=["system", "province"])
def test_not_even_the_system_or_the_province_grants_system_sup_01(
    world: World, granter: Any
) -> None:
    with pytest.raises(PermissionDenied) as err:
        r.add_user(world.store, granter, username="root2", display_name="根", role=SYSTEM)

    assert SYSTEM in str(err.value)
    assert stored_user(world, "root2") is None


def test_the_province_makes_a_city_manager_of_any_city_sup_01(world: World) -> None:
    r.add_user(
        world.store,
        PROVINCE_USER,
        username="qd_manager2",
        display_name="青岛负责人",
        role=CITY_MANAGER,
        city_code=QINGDAO,
    )

    assert stored_user(world, "qd_manager2")["role"] == CITY_MANAGER


def test_a_city_manager_adds_its_own_officers_experts_and_institution_users_sup_01(
    world: World,
) -> None:
    r.add_user(
        world.store,
        MANAGER,
        username="o2",
        display_name="经办2",
        role=CITY_OFFICER,
        city_code=JINAN,
    )
    r.add_user(world.store, MANAGER, username="e2", display_name="专家2", role=EXPERT)
    r.add_user(
        world.store,
        MANAGER,
        username="i2",
        display_name="机构2",
        role=INSTITUTION,
        institution_id=world.ids["jia"],
    )

    assert [stored_user(world, u)["role"] for u in ("o2", "e2", "i2")] == [
        CITY_OFFICER,
        EXPERT,
        INSTITUTION,
    ]


def test_a_city_manager_cannot_promote_an_officer_to_province_sup_01(world: World) -> None:
    with pytest.raises(PermissionDenied):
        change_user_role(world.store, MANAGER, username=OFFICER.username, role=PROVINCE)

    assert stored_user(world, OFFICER.username)["role"] == CITY_OFFICER


def test_a_city_manager_cannot_deactivate_another_citys_officer_sup_01(world: World) -> None:
    with pytest.raises(PermissionDenied):
        deactivate_user(world.store, MANAGER, username=f"officer{QINGDAO}")

    assert stored_user(world, f"officer{QINGDAO}")["active"]


def test_a_city_manager_cannot_deactivate_the_province_sup_01(world: World) -> None:
    with pytest.raises(PermissionDenied):
        deactivate_user(world.store, MANAGER, username=PROVINCE_USER.username)

    assert stored_user(world, PROVINCE_USER.username)["active"]


def test_the_hub_does_not_sign_in_a_stored_system_user_sup_01(world: World) -> None:
    with world.store.write() as conn:  # as an old release's escalation left it
        conn.execute(
            insert(users).values(
                username="root", display_name="根", role=SYSTEM, unit="", active=True
            )
        )

    assert sync_user(world.store, "root", "根", []) is None
    assert sync_user(world.store, "root", "根", ["casework-省级管理"]) is None


def test_the_hub_does_not_create_a_system_user_from_a_group_sup_01(world: World) -> None:
    assert sync_user(world.store, "newcomer", "新人", [f"casework-{SYSTEM}"]) is None
    assert stored_user(world, "newcomer") is None
