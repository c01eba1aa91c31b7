"""Reference data and the project catalog: cities, the province's yearly catalog (SEL-01),
each city's chosen projects, institutions and users."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from casework.domain.identifiers import is_shandong_uscc, validate_uscc
from casework.errors import PermissionDenied, RuleViolation
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    INSTITUTION,
    PROVINCE,
    ROLES,
    SYSTEM,
    Actor,
    grant_refusal,
)
from casework.registry.uow import Tx, command
from casework.store.tables import (
    catalog_entries,
    cities,
    city_projects,
    institutions,
    projects,
    users,
)

CITY = (CITY_OFFICER, CITY_MANAGER)


@command("载入城市名录", rules=("SUP-01",), roles=(PROVINCE,))
def load_cities(tx: Tx, *, rows: Iterable[dict[str, Any]]) -> int:
    """Insert the 16 prefecture-level cities (idempotent)."""
    known = {r["city_code"] for r in tx.conn.execute(select(cities.c.city_code)).mappings()}
    added = 0
    for row in rows:
        if row["city_code"] not in known:
            tx.insert(cities, **row)
            added += 1
    return added


@command("发布考核项目目录", rules=("SEL-01",), roles=(PROVINCE,))
def publish_catalog(tx: Tx, *, year: int, entries: Iterable[dict[str, Any]]) -> int:
    """SEL-01: the province publishes the year's catalog of assessment projects."""
    known = set(tx.conn.execute(select(projects.c.project_code)).scalars())
    listed = {
        r.project_code
        for r in tx.conn.execute(
            select(catalog_entries.c.project_code).where(catalog_entries.c.year == year)
        )
    }
    if not 2000 <= int(year) <= 2100:
        raise RuleViolation(f"目录年度{year}不正确", rule_id="SEL-01")
    added = 0
    for i, e in enumerate(entries, start=1):
        code = str(e.get("project_code") or "").strip()
        name = str(e.get("name") or "").strip()
        if not code:
            raise RuleViolation(f"第{i}项缺少项目代码", rule_id="SEL-01")
        if code not in known and not name:
            raise RuleViolation(f"新项目{code}须写明项目名称", rule_id="SEL-01")
        if code not in known:
            tx.insert(projects, project_code=code, name=name, category=e.get("category", ""))
            known.add(code)
        if code not in listed:
            tx.insert(catalog_entries, year=year, project_code=code)
            listed.add(code)
            added += 1
    return added


def catalog_codes(tx: Tx, year: int) -> set[str]:
    q = select(catalog_entries.c.project_code).where(catalog_entries.c.year == year)
    return set(tx.conn.execute(q).scalars())


def city_project_codes(tx: Tx, city_code: str, year: int) -> set[str]:
    q = select(city_projects.c.project_code).where(
        city_projects.c.city_code == city_code, city_projects.c.year == year
    )
    return set(tx.conn.execute(q).scalars())


@command("确定本市考核项目", rules=("SEL-01",), roles=CITY)
def choose_city_projects(tx: Tx, *, city_code: str, year: int, project_codes: Iterable[str]) -> int:
    """SEL-01: a city chooses, inside the year's catalog, the projects it recruits for."""
    tx.require_city(city_code)
    tx.get(cities, "城市", city_code=city_code)
    wanted = list(dict.fromkeys(project_codes))
    outside = sorted(set(wanted) - catalog_codes(tx, year))
    if outside:
        raise RuleViolation(
            f"项目{'、'.join(outside)}不在{year}年《山东省专项职业能力考核项目目录》内",
            rule_id="SEL-01",
        )
    chosen = city_project_codes(tx, city_code, year)
    added = 0
    for code in wanted:
        if code not in chosen:
            tx.insert(city_projects, city_code=city_code, year=year, project_code=code)
            added += 1
    return added


@command("登记申报单位", rules=("ATT1-REGION",), roles=CITY)
def register_institution(
    tx: Tx,
    *,
    name: str,
    uscc: str,
    city_code: str,
    kind: str = "企业",
    address: str = "",
    contact: str = "",
    phone: str = "",
) -> int:
    """Register an applicant unit; its 统一社会信用代码 must be valid and from Shandong."""
    tx.require_city(city_code)
    tx.get(cities, "城市", city_code=city_code)
    code = validate_uscc(uscc)
    if not is_shandong_uscc(code):
        raise RuleViolation(
            f"统一社会信用代码{code}的登记管理机关行政区划码为{code[2:8]}，"
            "不是山东省行政区域内登记的单位",
            rule_id="ATT1-REGION",
        )
    if not name.strip():
        raise RuleViolation("单位名称不能为空")
    existing = tx.conn.execute(select(institutions.c.id).where(institutions.c.uscc == code)).first()
    if existing:
        raise RuleViolation(f"统一社会信用代码{code}已登记（机构编号{existing.id}）")
    return int(
        tx.insert(
            institutions,
            name=name.strip(),
            uscc=code,
            city_code=city_code,
            kind=kind,
            address=address,
            contact=contact,
            phone=phone,
        )
    )


def _check_grant(tx: Tx, role: str, city_code: str | None, institution_id: int | None) -> None:
    """SUP-01: the granter may give ``role`` for this city (declared in actors.GRANTS)."""
    if role not in ROLES:
        raise RuleViolation(f"未知角色“{role}”，可选：{'、'.join(ROLES)}")
    if role in CITY and not city_code:
        raise RuleViolation(f"角色“{role}”须绑定城市")
    if role == INSTITUTION and institution_id is None:
        raise RuleViolation("角色“机构”须绑定考核机构")
    bound_city = city_code
    if institution_id is not None:
        # SUP-01: a city binds users only to the institutions it registered
        bound_city = tx.get(institutions, "考核机构", id=institution_id)["city_code"]
    refusal = grant_refusal(tx.actor, role, bound_city)
    if refusal is None and city_code is not None and city_code != bound_city:
        refusal = grant_refusal(tx.actor, role, city_code)
    if refusal is not None:
        raise PermissionDenied(refusal, rule_id="SUP-01")


@command("登记用户", rules=("SUP-01",), roles=(PROVINCE, CITY_MANAGER))
def add_user(
    tx: Tx,
    *,
    username: str,
    display_name: str,
    role: str,
    city_code: str | None = None,
    institution_id: int | None = None,
    unit: str = "",
) -> str:
    """Add a user with a role and its binding (city or institution), as GRANTS allows."""
    _check_grant(tx, role, city_code, institution_id)
    if not username.strip():
        raise RuleViolation("用户名不能为空")
    exists = tx.conn.execute(select(users.c.username).where(users.c.username == username)).first()
    if exists:
        raise RuleViolation(f"用户名“{username}”已存在")
    tx.insert(
        users,
        username=username,
        display_name=display_name,
        role=role,
        city_code=city_code,
        institution_id=institution_id,
        unit=unit,
        active=True,
    )
    return username


def _managed_user(tx: Tx, username: str) -> Any:
    """A stored user the actor may manage: one whose present role it could grant."""
    row = tx.get(users, "用户", username=username)
    bound_city = row["city_code"]
    if row["institution_id"] is not None:
        inst = tx.conn.execute(
            select(institutions.c.city_code).where(institutions.c.id == row["institution_id"])
        ).first()
        bound_city = inst.city_code if inst else bound_city
    refusal = grant_refusal(tx.actor, row["role"], bound_city)
    if refusal is not None:
        raise PermissionDenied(f"不能管理用户“{username}”：{refusal}", rule_id="SUP-01")
    return row


@command("停用用户", rules=("SUP-01",), roles=(PROVINCE, CITY_MANAGER))
def deactivate_user(tx: Tx, *, username: str) -> str:
    """Deactivate a user: from the next command on, nothing they send is accepted."""
    if username == tx.actor.username:
        raise RuleViolation("不能停用自己的账号")
    _managed_user(tx, username)
    tx.update(users, {"username": username}, active=False)
    return username


@command("调整用户角色", rules=("SUP-01",), roles=(PROVINCE, CITY_MANAGER))
def change_user_role(
    tx: Tx,
    *,
    username: str,
    role: str,
    city_code: str | None = None,
    institution_id: int | None = None,
) -> str:
    """Give a user another role or binding; both must be the actor's to grant (SUP-01)."""
    if username == tx.actor.username:
        raise RuleViolation("不能调整自己的角色")
    _managed_user(tx, username)
    _check_grant(tx, role, city_code, institution_id)
    tx.update(
        users, {"username": username}, role=role, city_code=city_code, institution_id=institution_id
    )
    return username


def actor_for(tx_or_conn: Any, username: str) -> Actor:
    """The Actor for a stored user (raises NotFound)."""
    conn = getattr(tx_or_conn, "conn", tx_or_conn)
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None or not row["active"] or row["role"] == SYSTEM:
        # 系统 is the server's own identity (SYSTEM_ACTOR), never a stored user's (GRANTS)
        from casework.errors import NotFound

        raise NotFound(f"未找到有效用户“{username}”")
    return Actor(
        username=row["username"],
        role=row["role"],
        city_code=row["city_code"],
        institution_id=row["institution_id"],
        display_name=row["display_name"],
    )


def today() -> date:
    from casework import clock

    return clock.today()  # the bureau's date (Asia/Shanghai), not the machine's
