"""A city's expert pool (SEL-03, REN-04): the experts its panels and renewal groups are drawn
from, kept in the app.

The person — 姓名 and 工作单位 — is the expert's user (role 专家), so that the expert can sign
in and the same-unit check of :func:`casework.registry.selection.check_members` reads one unit;
the pool entry keeps what the city knows of them (specialty, phone, the institutions they
declared a conflict with, SUP-03) and whether the city still draws on them. An expert from
outside the city may be in the pool; one person may be in several cities' pools.

A city officer creates 专家 users only here, only as pool experts of their own city: the pool is
how a city names its experts (SEL-03). Every other user is granted as
:data:`casework.registry.actors.GRANTS` says (``add_user``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from casework.errors import PermissionDenied, RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, EXPERT
from casework.registry.uow import Tx, command
from casework.store.tables import cities, expert_pool, institutions, users

CITY = (CITY_OFFICER, CITY_MANAGER)
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
PHONE_PATTERN = re.compile(r"^[0-9+()\- ]{5,40}$")


def check_username(username: str) -> str:
    """A sign-in name as JupyterHub keeps it: 3–80 lower-case letters, digits, ``. _ -``."""
    name = username.strip()
    if not USERNAME_PATTERN.fullmatch(name):
        raise RuleViolation(
            f"登录名“{username}”无效：须为3—80位小写英文字母、数字或“._-”，以字母或数字开头"
        )
    return name


def check_person(display_name: str, unit: str) -> tuple[str, str]:
    """姓名 and 工作单位 are required (the same-unit check needs the unit, SUP-03)."""
    if not display_name.strip():
        raise RuleViolation("专家姓名不能为空", rule_id="SEL-03")
    if not unit.strip():
        raise RuleViolation("工作单位不能为空（用于同单位回避，SUP-03）", rule_id="SUP-03")
    return display_name.strip(), unit.strip()


def check_phone(phone: str) -> str:
    text = phone.strip()
    if text and not PHONE_PATTERN.fullmatch(text):
        raise RuleViolation(f"联系电话“{phone}”无效：只能包含数字、空格和“+-()”")
    return text


def _conflicts(tx: Tx, institution_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(i) for i in institution_ids})
    for i in ids:
        tx.get(institutions, "回避单位（考核机构）", id=i)
    return ids


def _entry(tx: Tx, city_code: str, username: str) -> Any:
    tx.require_city(city_code)
    return tx.get(
        expert_pool, f"本市专家库中的专家“{username}”", city_code=city_code, username=username
    )


@command("专家库登记专家", rules=("SEL-03", "REN-04"), roles=CITY)
def add_pool_expert(
    tx: Tx,
    *,
    city_code: str,
    username: str,
    display_name: str = "",
    unit: str = "",
    specialty: str = "",
    phone: str = "",
    conflicts: Sequence[int] = (),
    on: date,
) -> int:
    """Put an expert in the city's pool: a new person gets a 专家 user so they can sign in; an
    expert already known (e.g. from another city's pool) is added as they are; an inactive entry
    of this city is used again."""
    tx.require_city(city_code)
    tx.get(cities, "城市", city_code=city_code)
    name = check_username(username)
    phone_text = check_phone(phone)
    conflict_ids = _conflicts(tx, conflicts)
    user = tx.conn.execute(select(users).where(users.c.username == name)).mappings().first()
    if user is None:
        person, work_unit = check_person(display_name, unit)
        tx.insert(
            users,
            username=name,
            display_name=person,
            role=EXPERT,
            city_code=None,
            institution_id=None,
            unit=work_unit,
            active=True,
        )
    elif user["role"] != EXPERT:
        raise RuleViolation(f"登录名“{name}”已由{user['role']}“{user['display_name']}”使用")
    elif not user["active"]:
        raise RuleViolation(f"专家“{user['display_name']}”的账号已停用，请联系本市负责人恢复")
    found = (
        tx.conn.execute(
            select(expert_pool).where(
                expert_pool.c.city_code == city_code, expert_pool.c.username == name
            )
        )
        .mappings()
        .first()
    )
    if found is not None:
        if found["active"]:
            raise RuleViolation(f"专家“{name}”已在本市专家库中", rule_id="SEL-03")
        tx.update(
            expert_pool,
            {"id": found["id"]},
            active=True,
            specialty=specialty.strip() or found["specialty"],
            phone=phone_text or found["phone"],
            conflicts=sorted(set(found["conflicts"] or []) | set(conflict_ids)),
        )
        return int(found["id"])
    return int(
        tx.insert(
            expert_pool,
            city_code=city_code,
            username=name,
            specialty=specialty.strip(),
            phone=phone_text,
            conflicts=conflict_ids,
            active=True,
            added_on=on,
        )
    )


@command("修改专家信息", rules=("SEL-03", "SUP-03"), roles=CITY)
def edit_pool_expert(
    tx: Tx,
    *,
    city_code: str,
    username: str,
    display_name: str,
    unit: str,
    specialty: str = "",
    phone: str = "",
    conflicts: Sequence[int] = (),
) -> None:
    """Correct a pool expert's name, unit, specialty, phone and declared conflicts (SUP-03)."""
    _entry(tx, city_code, username)
    person, work_unit = check_person(display_name, unit)
    tx.update(users, {"username": username}, display_name=person, unit=work_unit)
    tx.update(
        expert_pool,
        {"city_code": city_code, "username": username},
        specialty=specialty.strip(),
        phone=check_phone(phone),
        conflicts=_conflicts(tx, conflicts),
    )


@command("停用专家库专家", rules=("SEL-03",), roles=CITY)
def deactivate_pool_expert(tx: Tx, *, city_code: str, username: str) -> None:
    """The city no longer draws on this expert; panels already formed keep them, and their user
    stays (they may be in another city's pool). Adding them again reactivates the entry."""
    entry = _entry(tx, city_code, username)
    if not entry["active"]:
        raise RuleViolation(f"专家“{username}”已停用", rule_id="SEL-03")
    tx.update(expert_pool, {"id": entry["id"]}, active=False)


def check_pool(
    tx: Tx, usernames: Sequence[str], city_code: str, institution_id: int, rule_id: str
) -> None:
    """Members drawn from the pool: none who declared a conflict with the institution (SUP-03,
    in any city's pool), none the city stopped drawing on (an inactive entry of this city)."""
    if not usernames:
        return
    rows = (
        tx.conn.execute(
            select(expert_pool, users.c.display_name)
            .join(users, users.c.username == expert_pool.c.username)
            .where(expert_pool.c.username.in_(list(usernames)))
        )
        .mappings()
        .all()
    )
    for row in rows:
        if institution_id in (row["conflicts"] or []):
            raise PermissionDenied(
                f"专家“{row['display_name']}”已声明与被评估单位存在利益冲突，须回避",
                rule_id="SUP-03",
            )
    for row in rows:
        if row["city_code"] == city_code and not row["active"]:
            raise RuleViolation(
                f"专家“{row['display_name']}”已从本市专家库停用，不能选入评估组", rule_id=rule_id
            )
