"""Hub groups ↔ casework roles.

A user's role and binding are kept in the store (``users``); the hub mirrors them as groups so
that an operator sees them in the hub's admin page and an identity provider that sends groups
(OAuth/LDAP with ``manage_groups``) can create the user on first sign-in:

==============================  =====================================
hub group                       casework role and binding
==============================  =====================================
``casework-专家``               专家 (assigned to panels in the store)
``casework-省级管理``           省级管理
``casework-市级经办-370100``    市级经办 bound to city 370100
``casework-市级负责人-370100``  市级负责人 bound to city 370100
``casework-机构-42``            机构 bound to institution 42
==============================  =====================================

The store stays the authority: a group never changes the role of a user who already exists
(a mismatch is refused and logged), and every command re-checks the role server-side. A stored
user with the role 系统 (which no one may grant, see ``casework.registry.actors.GRANTS``) is
never signed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from casework.errors import PermissionDenied
from casework.registry.actors import (
    CITY_ROLES,
    EXPERT,
    INSTITUTION,
    PROVINCE,
    ROLES,
    SYSTEM,
    SYSTEM_ACTOR,
)
from casework.store.engine import Store

PREFIX = "casework-"
UNBOUND_ROLES = (EXPERT, PROVINCE)


@dataclass(frozen=True)
class Binding:
    """A casework role and the city or institution it is bound to."""

    role: str
    city_code: str | None = None
    institution_id: int | None = None

    @property
    def group(self) -> str:
        """The hub group name of this role and binding."""
        if self.role in CITY_ROLES:
            return f"{PREFIX}{self.role}-{self.city_code}"
        if self.role == INSTITUTION:
            return f"{PREFIX}{self.role}-{self.institution_id}"
        return f"{PREFIX}{self.role}"


def binding_of_group(group: str) -> Binding | None:
    """The role a hub group stands for (None for groups that are not casework's)."""
    if not group.startswith(PREFIX):
        return None
    role, _, bound = group.removeprefix(PREFIX).partition("-")
    if role in UNBOUND_ROLES and not bound:
        return Binding(role)
    if role in CITY_ROLES and len(bound) == 6 and bound.isdigit():
        return Binding(role, city_code=bound)
    if role == INSTITUTION and bound.isdigit():
        return Binding(role, institution_id=int(bound))
    return None


def binding_of_groups(groups: Iterable[str]) -> Binding | None:
    """The one casework role among a user's hub groups; two different roles are refused."""
    found = {b for b in map(binding_of_group, groups) if b is not None}
    if len(found) > 1:
        shown = "、".join(sorted(b.group for b in found))
        raise PermissionDenied(f"用户在统一认证中同时属于多个业务角色组（{shown}），请管理员核对")
    return found.pop() if found else None


def hub_groups(store: Store) -> dict[str, list[str]]:
    """Every active user of the store as hub groups: group name → usernames."""
    from casework.store.tables import users

    groups: dict[str, list[str]] = {}
    with store.read() as conn:
        rows = conn.execute(select(users).where(users.c.active.is_(True))).mappings().all()
    for row in rows:
        if row["role"] == SYSTEM_ACTOR.role:
            continue
        binding = Binding(row["role"], row["city_code"], row["institution_id"])
        groups.setdefault(binding.group, []).append(row["username"])
    return {name: sorted(members) for name, members in sorted(groups.items())}


def sync_user(store: Store, username: str, display_name: str, groups: Iterable[str]) -> str | None:
    """Make sure a signed-in user exists in the store with the role their groups say.

    Returns the user's role, or None when the user is neither stored nor in a casework group
    (the hub then refuses the sign-in). A stored user whose groups name another role is refused.
    """
    from casework.registry.catalog import add_user
    from casework.store.tables import users

    binding = binding_of_groups(groups)
    with store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is not None:
        if row["role"] == SYSTEM or row["role"] not in ROLES:
            # 系统 is the server's own identity, never a person who signs in (actors.GRANTS)
            return None
        stored = Binding(row["role"], row["city_code"], row["institution_id"])
        if binding is not None and binding != stored:
            raise PermissionDenied(
                f"用户{username}在统一认证中的角色组{binding.group}与系统登记的"
                f"{stored.group}不一致，请管理员核对"
            )
        return str(row["role"]) if row["active"] else None
    if binding is None:
        return None
    add_user(
        store,
        SYSTEM_ACTOR,
        username=username,
        display_name=display_name or username,
        role=binding.role,
        city_code=binding.city_code,
        institution_id=binding.institution_id,
    )
    return binding.role
