"""The training clock: a simulated date, only in a store made by ``casework demo``.

``casework demo`` marks its store as a training store (:func:`start_training_clock`, the one
row of ``training_clock``); the apps there take the simulated date as their today and show
"演示环境 · 模拟日期 …" on every page. A city manager moves the date forward
(:func:`move_training_clock`) so that a 公示 end, a statement window or a term end can be reached
in one training session. A production store has no row: moving its date is refused.

The simulated date only chooses the day the apps act on; every deadline is still worked out by
the official calendar (:mod:`casework.domain.calendar`), which must know the new date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from casework.domain import calendar
from casework.errors import CalendarNotConfigured, RuleViolation
from casework.registry.actors import CITY_MANAGER
from casework.registry.uow import Tx, command
from casework.store.tables import training_clock

PRODUCTION_REFUSAL = (
    "这是正式数据库，不能调整日期：模拟日期只用于由 casework demo 生成的演示数据库，"
    "正式业务一律按实际日期办理"
)


@command("启用演示模拟日期")
def start_training_clock(tx: Tx, *, on: date) -> int:
    """Mark the store as a training store whose simulated date starts at ``on`` (the demo's
    today). Only the system (``casework demo``) does this, once, on a store it has just built."""
    taken = tx.conn.execute(select(func.count()).select_from(training_clock)).scalar()
    if taken:
        raise RuleViolation("本数据库已是演示数据库，模拟日期已启用")
    _known_to_calendar(on)
    return int(tx.insert(training_clock, started_on=on, simulated_on=on))


@command("调整演示模拟日期", roles=(CITY_MANAGER,))
def move_training_clock(tx: Tx, *, to: date) -> date:
    """Move the simulated date forward to ``to`` (never back: what was done stays dated).

    Raises:
        RuleViolation: a production store (no training clock); ``to`` not after the current
            simulated date; ``to`` beyond the years the official calendar knows.
    """
    row = tx.conn.execute(select(training_clock)).mappings().first()
    if row is None:
        raise RuleViolation(PRODUCTION_REFUSAL)
    current = row["simulated_on"]
    if to <= current:
        raise RuleViolation(
            f"模拟日期只能向后调整：当前为{current.isoformat()}，所填{to.isoformat()}不在其后"
        )
    _known_to_calendar(to)
    tx.update(training_clock, {"id": row["id"]}, simulated_on=to)
    return to


def _known_to_calendar(day: date) -> None:
    """The official calendar must know ``day``: deadlines are still worked out by it."""
    try:
        calendar.is_workday(day)
    except CalendarNotConfigured as exc:
        raise RuleViolation(
            f"模拟日期{day.isoformat()}超出已配置的节假日安排，期限无法按工作日计算：{exc}"
        ) from exc
