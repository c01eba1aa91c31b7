"""Every command is one transaction plus one audit entry.

:func:`command` wraps a function ``fn(tx, **kwargs)``: it checks the actor's role and the
length and characters of every text input (``casework.domain.limits``), opens a write
transaction, re-reads the actor from ``users`` inside it (exists, active, same role, city and
institution — a deactivated or re-roled user's open page, or a forged identity, writes nothing,
SUP-01), runs the function, appends the audit entry and commits. Every value written through
:class:`Tx` is checked against its column's declared length, the same on SQLite and
PostgreSQL. Any error rolls the whole transaction back (nothing is written) and the refusal is
logged apart, with the user and what was tried.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import JSON, Connection, String, Table, insert, select, update
from sqlalchemy.engine import RowMapping

from casework.domain import limits
from casework.errors import CaseworkError, NotFound, PermissionDenied, RuleViolation
from casework.registry.actors import (
    CITY_ROLES,
    INSTITUTION,
    PROVINCE,
    SYSTEM,
    SYSTEM_ACTOR,
    Actor,
)
from casework.store import audit
from casework.store.engine import Store
from casework.store.tables import refusals, users

P = ParamSpec("P")
R = TypeVar("R")


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in values.items()}


class Tx:
    """The unit of work a command runs in: reads, writes and the changes they make."""

    def __init__(self, conn: Connection, actor: Actor, command: str) -> None:
        self.conn = conn
        self.actor = actor
        self.command = command
        self.changes: list[dict[str, Any]] = []
        self.rules: list[str] = []

    # --- reads ---------------------------------------------------------------------------
    def get(self, table: Table, label: str = "记录", **keys: Any) -> RowMapping:
        """The row with these keys, or NotFound naming what was asked for."""
        query = select(table).where(*(table.c[k] == v for k, v in keys.items()))
        row = self.conn.execute(query).mappings().first()
        if row is None:
            shown = "，".join(f"{k}={v}" for k, v in keys.items())
            raise NotFound(f"未找到{label}（{shown}）")
        return row

    def rows(self, table: Table, **keys: Any) -> list[RowMapping]:
        query = select(table).where(*(table.c[k] == v for k, v in keys.items()))
        return list(self.conn.execute(query).mappings().all())

    # --- writes --------------------------------------------------------------------------
    def insert(self, table: Table, **values: Any) -> Any:
        """Insert one row; returns its primary key (the single value for one-column keys)."""
        check_lengths(table, values)
        result = self.conn.execute(insert(table).values(**values))
        key = result.inserted_primary_key
        pk = key[0] if key is not None and len(key) == 1 else tuple(key or ())
        self.changes.append(
            {"op": "insert", "table": table.name, "key": pk, "after": _jsonable(values)}
        )
        return pk

    def update(self, table: Table, keys: dict[str, Any], **values: Any) -> None:
        """Update one row found by ``keys``, recording the before and after values."""
        check_lengths(table, values)
        before = self.get(table, **keys)
        where = [table.c[k] == v for k, v in keys.items()]
        self.conn.execute(update(table).where(*where).values(**values))
        self.changes.append(
            {
                "op": "update",
                "table": table.name,
                "key": _jsonable(keys),
                "before": _jsonable({k: before[k] for k in values}),
                "after": _jsonable(values),
            }
        )

    def cite(self, *rule_ids: str) -> None:
        self.rules.extend(rule_ids)

    # --- access --------------------------------------------------------------------------
    def require_city(self, city_code: str) -> None:
        """SUP-01 "谁遴选、谁监管": a city acts only on its own cases."""
        if self.actor.role in CITY_ROLES and self.actor.city_code != city_code:
            raise PermissionDenied(
                f"{self.actor.label}属于其他城市，不能办理{city_code}的事项", rule_id="SUP-01"
            )

    def require_institution(self, institution_id: int) -> None:
        if self.actor.role == INSTITUTION and self.actor.institution_id != institution_id:
            raise PermissionDenied(f"{self.actor.label}只能办理本机构的事项")


FIELD_LABELS: dict[str, str] = {
    "name": "名称",
    "display_name": "姓名",
    "username": "用户名",
    "unit": "单位",
    "address": "地址",
    "contact": "联系人",
    "phone": "联系电话",
    "title": "标题",
    "code": "机构代码",
}


def _label(table: Table, column: str) -> str:
    return FIELD_LABELS.get(column, f"{table.name}.{column}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _strings(v)


def check_lengths(table: Table, values: dict[str, Any]) -> None:
    """Every text value within its column's declared length (INPUT-TEXT), on every engine.

    ``String(n)`` columns hold at most n characters, ``Text`` columns and each string inside a
    JSON column at most :data:`limits.LONG_TEXT`, a whole JSON value :data:`limits.JSON_TEXT`.
    """
    for name, value in values.items():
        if name not in table.c or value is None:
            continue
        column_type = table.c[name].type
        label = _label(table, name)
        if isinstance(column_type, JSON):
            if len(json.dumps(value, ensure_ascii=False, default=str)) > limits.JSON_TEXT:
                raise RuleViolation(
                    f"“{label}”内容过长（超过{limits.JSON_TEXT}个字符）", rule_id=limits.TEXT_RULE
                )
            for text in _strings(value):
                limits.check_text(text, label, limits.LONG_TEXT)
        elif isinstance(value, str):
            length = column_type.length if isinstance(column_type, String) else None
            limits.check_text(value, label, length or limits.LONG_TEXT)


def check_inputs(name: str, kwargs: dict[str, Any]) -> None:
    """Every text a command receives within :data:`limits.LONG_TEXT`, no control characters."""
    for key, value in kwargs.items():
        for text in _strings(value):
            limits.check_text(text, f"{name}：{FIELD_LABELS.get(key, key)}", limits.LONG_TEXT)


def current_actor(conn: Connection, actor: Actor) -> Actor:
    """The actor as stored now, read inside the command's own transaction (SUP-01).

    The server's own identity is the one :data:`SYSTEM_ACTOR` object; anyone else must be a
    stored, active user with exactly the role, city and institution the caller claims.

    Raises:
        PermissionDenied: unknown, deactivated, re-roled or forged identity.
    """
    if actor is SYSTEM_ACTOR:
        return actor
    row = conn.execute(select(users).where(users.c.username == actor.username)).mappings().first()
    if row is None:
        raise PermissionDenied(f"用户“{actor.username}”未在系统中登记，不能办理任何事项")
    if not row["active"]:
        raise PermissionDenied(f"用户“{actor.username}”已停用，不能再办理任何事项")
    if row["role"] == SYSTEM:
        raise PermissionDenied(f"用户“{actor.username}”登记为“{SYSTEM}”角色，该角色不能由用户使用")
    stored = Actor(
        username=row["username"],
        role=row["role"],
        city_code=row["city_code"],
        institution_id=row["institution_id"],
        display_name=row["display_name"],
    )
    claimed = (actor.role, actor.city_code, actor.institution_id)
    if claimed != (stored.role, stored.city_code, stored.institution_id):
        raise PermissionDenied(
            f"用户“{actor.username}”的身份与系统登记不符（现为{stored.role}"
            f"{'，' + stored.city_code if stored.city_code else ''}），请重新打开页面",
            rule_id="SUP-01",
        )
    return stored


def log_refusal(store: Store, actor: Actor, command: str, reason: str) -> None:
    """Record a refused attempt (outside the refused transaction, which was rolled back)."""
    with store.write() as conn:
        conn.execute(
            insert(refusals).values(
                at=datetime.now(UTC).isoformat(timespec="seconds"),
                actor=actor.username,
                command=command,
                reason=reason[:2000],
            )
        )


def command(
    name: str, *, rules: Iterable[str] = (), roles: Iterable[str] = ()
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Declare a registry command: its audit name, governing rules and allowed roles."""
    rule_ids = tuple(rules)
    allowed = frozenset(roles) | {SYSTEM}

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(fn)
        def run(store: Store, actor: Actor, /, **kwargs: Any) -> R:
            try:
                if actor.role not in allowed:
                    raise PermissionDenied(f"{actor.label}无权执行“{name}”")
                check_inputs(name, kwargs)
                with store.write() as conn:
                    acting = current_actor(conn, actor)
                    if acting.role not in allowed:
                        raise PermissionDenied(f"{acting.label}无权执行“{name}”")
                    tx = Tx(conn, acting, name)
                    result = fn(tx, **kwargs)
                    audit.append(
                        conn,
                        actor=acting.username,
                        command=name,
                        rule_ids=[*rule_ids, *tx.rules],
                        changes=tx.changes,
                    )
                return result
            except CaseworkError as exc:
                log_refusal(store, actor, name, str(exc))
                raise

        run.command_name = name  # type: ignore[attr-defined]
        run.allowed_roles = allowed  # type: ignore[attr-defined]
        run.rule_ids = rule_ids  # type: ignore[attr-defined]
        return run

    return decorate


def province_or(*roles: str) -> tuple[str, ...]:
    return (PROVINCE, *roles)
