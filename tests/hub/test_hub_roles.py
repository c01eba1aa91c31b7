"""Hub groups map to casework roles and bindings; the store stays the authority."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.errors import PermissionDenied
from casework.hub.roles import Binding, binding_of_group, binding_of_groups, hub_groups, sync_user
from casework.hub.singleuser import singleuser_argv
from casework.registry import scenario
from casework.store.engine import Store, open_store
from casework.store.tables import users

JINAN, QINGDAO = "370100", "370200"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}")
    scenario.seed_reference(s)
    scenario.seed_city_users(s, JINAN, experts=2)
    return s


@pytest.mark.parametrize(
    ("group", "binding"),
    [
        ("casework-专家", Binding("专家")),
        ("casework-省级管理", Binding("省级管理")),
        ("casework-市级经办-370100", Binding("市级经办", city_code=JINAN)),
        ("casework-市级负责人-370200", Binding("市级负责人", city_code=QINGDAO)),
        ("casework-机构-42", Binding("机构", institution_id=42)),
        ("casework-市级经办", None),
        ("casework-机构-abc", None),
        ("casework-系统", None),
        ("admins", None),
    ],
)
def test_a_hub_group_names_one_role_and_its_binding(group: str, binding: Binding | None) -> None:
    assert binding_of_group(group) == binding
    if binding is not None:
        assert binding.group == group


def test_two_casework_roles_in_one_users_groups_are_refused() -> None:
    with pytest.raises(PermissionDenied, match="多个业务角色组"):
        binding_of_groups(["casework-专家", "casework-市级经办-370100"])


def test_the_stores_users_become_hub_groups_by_role_and_city(store: Store) -> None:
    groups = hub_groups(store)

    assert groups["casework-市级经办-370100"] == ["officer370100"]
    assert groups["casework-市级负责人-370100"] == ["manager370100"]
    assert groups["casework-专家"] == ["expert370100_1", "expert370100_2"]
    assert not any(name.endswith("系统") for name in groups)


def test_a_new_user_with_a_casework_group_is_added_on_first_sign_in(store: Store) -> None:
    role = sync_user(store, "qd_clerk", "青岛经办", ["staff", "casework-市级经办-370200"])

    with store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == "qd_clerk")).mappings().one()
    assert role == "市级经办"
    assert (row["role"], row["city_code"]) == ("市级经办", QINGDAO)


def test_a_user_without_role_or_record_is_not_let_in(store: Store) -> None:
    assert sync_user(store, "visitor", "访客", ["staff"]) is None


def test_groups_never_change_a_stored_users_role(store: Store) -> None:
    with pytest.raises(PermissionDenied, match="不一致"):
        sync_user(store, "officer370100", "", ["casework-市级经办-370200"])

    assert sync_user(store, "officer370100", "", []) == "市级经办"


def test_the_single_user_server_is_voila_behind_the_hubs_login_with_no_token() -> None:
    env = {
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:40123/user/a/",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/a/",
        "JUPYTERHUB_USER": "a",
    }

    argv = singleuser_argv(env)

    assert argv[1:3] == ["-m", "voila"]
    assert "--port=40123" in argv and "--Voila.base_url=/user/a/" in argv
    assert "--show_tracebacks=False" in argv and "--strip_sources=True" in argv
    assert not any(a.startswith("--token=") for a in argv)
    assert any(a.endswith("singleuser.HubIdentityProvider") for a in argv)


def test_the_single_user_server_refuses_to_start_outside_the_hub() -> None:
    with pytest.raises(SystemExit, match="JupyterHub"):
        singleuser_argv({})
