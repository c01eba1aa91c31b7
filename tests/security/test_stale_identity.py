"""Every command re-reads its actor in its own transaction (SUP-01): a deactivated or re-roled
user's open page writes nothing, and an identity object the store does not back is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from casework import registry as r
from casework.domain.identifiers import make_uscc
from casework.errors import PermissionDenied
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, PROVINCE, SYSTEM, Actor
from casework.registry.catalog import change_user_role, deactivate_user

from .conftest import JINAN, MANAGER, OFFICER, QINGDAO, World

USCC = make_uscc("52370100MJ0000099")


def register(world: World, actor: Actor) -> int:
    return int(
        r.register_institution(world.store, actor, name="新申报单位", uscc=USCC, city_code=JINAN)
    )


def test_a_deactivated_users_open_page_can_no_longer_write_sup_01(world: World) -> None:
    deactivate_user(world.store, MANAGER, username=OFFICER.username)
    audited, logged = world.snapshot()

    with pytest.raises(PermissionDenied) as err:
        register(world, OFFICER)  # the Actor the page was opened with

    assert "已停用" in str(err.value)
    assert world.snapshot() == (audited, logged + 1)
    assert world.refusals()[-1][:2] == (OFFICER.username, "登记申报单位")


def test_a_re_roled_user_cannot_act_in_the_old_role_sup_01(world: World) -> None:
    change_user_role(world.store, MANAGER, username=OFFICER.username, role="专家", city_code=None)
    audited, logged = world.snapshot()

    with pytest.raises(PermissionDenied) as err:
        register(world, OFFICER)

    assert "与系统登记不符" in str(err.value)
    assert world.snapshot() == (audited, logged + 1)


FORGED = [
    ("unknown-user", Actor("nobody", PROVINCE)),
    ("officer-claiming-province", replace(OFFICER, role=PROVINCE)),
    ("officer-claiming-another-city", replace(OFFICER, city_code=QINGDAO)),
    ("officer-claiming-manager", replace(OFFICER, role=CITY_MANAGER)),
    ("copy-of-the-system-identity", Actor("system", SYSTEM, display_name="系统")),
]


@pytest.mark.parametrize("forged", [a for _, a in FORGED], ids=[c for c, _ in FORGED])
def test_a_forged_identity_object_is_refused_and_writes_nothing_sup_01(
    world: World, forged: Actor
) -> None:
    audited, logged = world.snapshot()

    with pytest.raises(PermissionDenied):
        r.register_institution(
            world.store, forged, name="伪造单位", uscc=USCC, city_code=forged.city_code or JINAN
        )

    assert world.snapshot() == (audited, logged + 1)


def test_the_stored_identity_is_the_one_audited(world: World) -> None:
    institution = register(world, OFFICER)

    assert institution > 0
    assert world.refusals() == []
    assert OFFICER.role == CITY_OFFICER
