"""Who acts: the acting user as the server knows them, and what each role may do.

The acting user always comes from the server (the store's ``users`` table, keyed by the name
JupyterHub or the local configuration gives), never from a widget.
"""

from __future__ import annotations

from dataclasses import dataclass

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
