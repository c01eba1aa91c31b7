"""Every command is one transaction plus one audit entry.

:func:`command` wraps a function ``fn(tx, **kwargs)``: it checks the actor's role, opens a
write transaction, runs the function, appends the audit entry and commits. Any error rolls the
whole transaction back (nothing is written) and the refusal is logged apart, with the user and
what was tried.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.engine import RowMapping

from casework.errors import CaseworkError, NotFound, PermissionDenied
from casework.registry.actors import CITY_ROLES, INSTITUTION, PROVINCE, SYSTEM, Actor
from casework.store import audit
from casework.store.engine import Store
from casework.store.tables import refusals

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
        result = self.conn.execute(insert(table).values(**values))
        key = result.inserted_primary_key
        pk = key[0] if key is not None and len(key) == 1 else tuple(key or ())
        self.changes.append(
            {"op": "insert", "table": table.name, "key": pk, "after": _jsonable(values)}
        )
        return pk

    def update(self, table: Table, keys: dict[str, Any], **values: Any) -> None:
        """Update one row found by ``keys``, recording the before and after values."""
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
                with store.write() as conn:
                    tx = Tx(conn, actor, name)
                    result = fn(tx, **kwargs)
                    audit.append(
                        conn,
                        actor=actor.username,
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
