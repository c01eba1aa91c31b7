"""Who acts: the acting user as the server knows them, and what each role may do.

The acting user always comes from the server (the store's ``users`` table, keyed by the name
JupyterHub or the local configuration gives), never from a widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

EXPERT = "专家"
CITY_OFFICER = "市级经办"
CITY_MANAGER = "市级负责人"
PROVINCE = "省级管理"
INSTITUTION = "机构"
SYSTEM = "系统"
ROLES = (EXPERT, CITY_OFFICER, CITY_MANAGER, PROVINCE, INSTITUTION, SYSTEM)
CITY_ROLES = (CITY_OFFICER, CITY_MANAGER)


@dataclass(frozen=True)
class Actor:
    """An authenticated user with a role and, where the role needs one, a binding."""

    username: str
    role: str
    city_code: str | None = None
    institution_id: int | None = None
    display_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name or self.username}（{self.role}）"


SYSTEM_ACTOR = Actor("system", SYSTEM, display_name="系统")


# --- who may grant which role (declared once; enforced by add_user, change_user_role,
# deactivate_user and the hub's sign-in) ---------------------------------------------------------
ANY_CITY: Final = "任意城市"
OWN_CITY: Final = "本市"

GRANTS: Final[dict[str, dict[str, str]]] = {
    SYSTEM: {
        PROVINCE: ANY_CITY,
        CITY_MANAGER: ANY_CITY,
        CITY_OFFICER: ANY_CITY,
        EXPERT: ANY_CITY,
        INSTITUTION: ANY_CITY,
    },
    PROVINCE: {
        PROVINCE: ANY_CITY,
        CITY_MANAGER: ANY_CITY,
        CITY_OFFICER: ANY_CITY,
        EXPERT: ANY_CITY,
        INSTITUTION: ANY_CITY,
    },
    CITY_MANAGER: {CITY_OFFICER: OWN_CITY, EXPERT: OWN_CITY, INSTITUTION: OWN_CITY},
}
"""Granter's role → {role it may grant → for which city}. 系统 is granted by no one: it is the
server's own identity (SYSTEM_ACTOR), never a stored user (SUP-01 "谁遴选、谁监管")."""


def grant_refusal(granter: Actor, role: str, city_code: str | None) -> str | None:
    """Why ``granter`` may not give ``role`` bound to ``city_code`` (None if it may).

    The city of an institution user is its institution's city; callers pass it.
    """
    if role == SYSTEM:
        return f"“{SYSTEM}”角色不能授予任何用户"
    scope = GRANTS.get(granter.role, {}).get(role)
    if scope is None:
        return f"{granter.label}不能授予“{role}”角色"
    if scope == OWN_CITY and city_code is not None and city_code != granter.city_code:
        return (
            f"{granter.label}只能授予本市（{granter.city_code}）的用户，不能授予{city_code}的用户"
        )
    return None
