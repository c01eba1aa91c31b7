"""The demo's clock: dated steps run in date order, and only those dated on or before today.

A planner writes the whole history as steps (each a call of one registry command); the
timeline runs every step dated on or before ``today`` in (date, order, creation) order. A story
cut by ``today`` simply stops where it is, which leaves live work (cases 已提交, 评估中, 公示中 …)
exactly as an office would find it that morning.

Dates use the official working-day calendar. It knows 2004–2026 only (chinesecalendar 1.11),
so a date the calendar cannot reach becomes :data:`NEVER` (a step that never runs) and every
demo date stays on or before :data:`LAST_DAY`.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.domain import calendar
from casework.errors import CalendarNotConfigured
from casework.store.engine import Store

LAST_DAY = date(2026, 12, 31)
"""The last day the working-day calendar knows; the demo never dates anything later."""
NEVER = date(9999, 1, 1)
"""The date of a step that must not run (it lies beyond the calendar)."""
CASEWORK_FROM = date(2025, 3, 3)
"""The demo's casework begins the first Monday of March after the notice (2025-02-12): every
procedure of the notice is dated from then on; only taken-over filings are older."""
SETUP = date(1, 1, 1)
"""The date of undated set-up steps (reference data, users): they always run first."""


def wd(d: date, n: int) -> date:
    """``n`` working days after ``d`` (before it if negative), or NEVER beyond the calendar."""
    if d >= NEVER:
        return NEVER
    try:
        found = calendar.add_workdays(d, n)
    except CalendarNotConfigured:
        return NEVER
    return found if found <= LAST_DAY else NEVER


def wd_capped(d: date, n: int) -> date:
    """Like :func:`wd` for a deadline (a value, not an action): capped at LAST_DAY."""
    found = wd(d, n)
    return LAST_DAY if found == NEVER else found


def workday_on_or_after(d: date) -> date:
    return d if d < NEVER and d <= LAST_DAY and calendar.is_workday(d) else wd(d, 1)


def plus_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months, the day clamped to the month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def month_start(d: date) -> date:
    return d.replace(day=1)


class Ctx:
    """What steps share while they run: the store and the ids the commands returned."""

    def __init__(self, store: Store, today: date) -> None:
        self.store = store
        self.today = today
        self.ids: dict[tuple[Any, ...], Any] = {}

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        return self.ids[key]

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        self.ids[key] = value


@dataclass(frozen=True)
class Ref:
    """An id a command returned in an earlier step, e.g. ``Ref("filing", 17)``."""

    kind: str
    key: Any


@dataclass(frozen=True)
class Lazy:
    """A value worked out when the step runs (an actor bound to an institution's id …)."""

    make: Callable[[Ctx], Any]


def resolve(value: Any, ctx: Ctx) -> Any:
    if isinstance(value, Ref):
        return ctx[value.kind, value.key]
    if isinstance(value, Lazy):
        return value.make(ctx)
    if isinstance(value, list):
        return [resolve(v, ctx) for v in value]
    return value


Action = Callable[[Ctx], object]


@dataclass(order=True)
class Step:
    on: date
    order: int
    seq: int
    label: str = field(compare=False)
    run: Action = field(compare=False)


@dataclass
class _Command:
    """One registry command with arguments resolved at run time; ``save`` keeps its result."""

    command: Callable[..., Any]
    actor: Any
    arguments: dict[str, Any]
    save: tuple[str, Any] | None

    def __call__(self, ctx: Ctx) -> object:
        arguments = {k: resolve(v, ctx) for k, v in self.arguments.items()}
        result = self.command(ctx.store, resolve(self.actor, ctx), **arguments)
        if self.save is not None:
            ctx[self.save] = result
        return result


class Timeline:
    """Steps in creation order; :meth:`run` executes those dated on or before today."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def at(self, on: date, label: str, run: Action, *, order: int = 1) -> None:
        """Add a step; ``order`` 0 runs before the day's other steps (the daily clock)."""
        self.steps.append(Step(on, order, len(self.steps), label, run))

    def command(
        self,
        day: date,
        label: str,
        command: Callable[..., Any],
        actor: Any,
        /,
        *,
        save: tuple[str, Any] | None = None,
        order: int = 1,
        **arguments: Any,
    ) -> None:
        """A step calling ``command(store, actor, **arguments)``; Ref and Lazy values (and the
        actor) are resolved when it runs, and the result is kept under ``save``."""
        self.at(day, label, _Command(command, actor, arguments, save), order=order)

    def setup(
        self,
        label: str,
        command: Callable[..., Any],
        actor: Any,
        /,
        *,
        save: tuple[str, Any] | None = None,
        **arguments: Any,
    ) -> None:
        """An undated set-up command: runs first, whatever ``today``."""
        self.command(SETUP, label, command, actor, save=save, order=0, **arguments)

    def run(self, ctx: Ctx) -> int:
        """Run every step dated on or before ``ctx.today``; returns how many ran."""
        done = 0
        for step in sorted(s for s in self.steps if s.on <= ctx.today):
            try:
                step.run(ctx)
            except Exception as exc:
                exc.add_note(f"演示数据步骤“{step.label}”（{step.on}）失败")
                raise
            done += 1
        return done
