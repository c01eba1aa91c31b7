"""``build_demo``: plan the synthetic province, then drive every registry command it needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, event, func, select

from casework import registry as r
from casework.demo.call_steps import emit_calls
from casework.demo.calls import CallPlanner
from casework.demo.exits import emit_exits, plan_exits, plan_incidents
from casework.demo.renewal import PASS, Round, emit_rounds, plan_rounds, windows
from casework.demo.served import (
    NEW_INSTITUTIONS,
    OPEN_WORK_FROM,
    emit_pools,
    plan_served_city,
)
from casework.demo.sheets import CHECKED, submit_renewal_sheet
from casework.demo.takeover import (
    INSTITUTION_OVERRIDE,
    PROJECT_OVERRIDE,
    assign_original_codes,
    emit_takeovers,
    plan_deletions,
    plan_institution_override,
    plan_project_override,
    plan_takeovers,
)
from casework.demo.timeline import LAST_DAY, Ctx
from casework.demo.world import (
    LIVE,
    World,
    emit_setup,
    name_institutions,
    plan_city_lists,
    plan_institutions,
)
from casework.domain import rubrics
from casework.errors import RuleViolation
from casework.registry.training_clock import start_training_clock
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    audit_log,
    exit_cases,
    filings,
    incidents,
    quota_overrides,
    renewal_cases,
    users,
)
from casework.store.tables import institutions as institution_table

PLANNED_MIN = 32
"""Two per city: fewer cannot show every story in all 16 cities."""
MIN_INSTITUTIONS = PLANNED_MIN + NEW_INSTITUTIONS
"""The smallest demo with the served city's open work: its own two applicants and two pilot
filings (:mod:`casework.demo.served`) come on top of the planned ones."""
CLOCK_FROM = date(2025, 3, 1)


def build_demo(
    store: Store, *, seed: int = 2025, institutions: int = 240, today: date | None = None
) -> dict[str, int]:
    """Build a synthetic province in an empty store, only through the registry's commands.

    The store is marked as a training store whose simulated date starts at ``today`` (the
    apps show it and a city manager may move it forward, :mod:`casework.registry.training_clock`).
    Deterministic for a ``seed`` and ``today``; nothing is dated after ``today``. The working-
    day calendar knows 2004–2026, so a ``today`` after 2026-12-31 is taken as 2026-12-31 (run
    ``casework advance`` later to move the clock on). Returns counts of what was made.
    """
    effective = effective_today(today or date.today())
    served = NEW_INSTITUTIONS if effective >= OPEN_WORK_FROM else 0
    if institutions - served < PLANNED_MIN:
        raise RuleViolation(
            f"演示机构数{institutions}过少，至少{PLANNED_MIN}家（每市2家）"
            + (f"，另加济南演示待办{served}家" if served else "")
        )
    with store.read() as conn:
        taken = conn.execute(select(func.count()).select_from(institution_table)).scalar()
        people = conn.execute(select(func.count()).select_from(users)).scalar()
    if taken or people:
        raise RuleViolation("演示数据只能生成在空数据库中（已有机构或用户）")
    world = plan(seed, effective, institutions - served)
    check_sheets_in_bulk(world)
    with unflushed_commits(store):
        world.timeline.run(Ctx(store, effective))
        start_training_clock(store, r.SYSTEM_ACTOR, on=effective)
    return summary(store)


def check_sheets_in_bulk(world: World) -> int:
    """REN-07: validate every renewal sheet the timeline will submit in one call, under the
    rubric the demo's sheets are written for (:mod:`casework.demo.sheets`)."""
    planned = []
    for step in world.timeline.steps:
        run: Any = step.run  # a command step (timeline._Command) keeps its arguments
        if step.on <= world.today and getattr(run, "command", None) is submit_renewal_sheet:
            planned.append((run.arguments["rows"], run.arguments["veto"]))
    return CHECKED.check_in_bulk(rubrics.load(rubrics.RENEWAL), planned)


@contextmanager
def unflushed_commits(store: Store) -> Iterator[None]:
    """SQLite: commit the build's ~2,000 transactions without waiting for the disk each time.

    The store writes with ``synchronous = FULL`` (every commit flushed); the build of a
    throw-away training store writes with ``NORMAL`` (in WAL mode the file stays consistent;
    a power cut may lose the last commits), then the store's own setting is back for every
    connection opened after it. Other databases are left as they are.
    """
    engine = store.engine
    if engine.dialect.name != "sqlite":
        yield
        return

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous = NORMAL")

    engine.dispose()
    event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()


def effective_today(today: date) -> date:
    """``today``, or the calendar's last known day (2026-12-31) if it lies beyond it."""
    return min(today, LAST_DAY)


def plan(seed: int, today: date, size: int) -> World:
    """Every decision of the demo, written to the world's timeline (nothing runs yet)."""
    world = World(seed, today, size)
    plan_city_lists(world)
    plan_institutions(world)
    designate_live(world)
    found = windows(today)
    world.renewal_free_after = found[0].last if found else date(2000, 1, 1)
    plan_takeovers(world, (found[0].first, found[0].last) if found else None)
    project_override = plan_project_override(world)
    avoid = world.insts[project_override[0]].city if project_override else None
    institution_override = plan_institution_override(world, avoid)
    calls = CallPlanner(world)
    overrides = (
        {project_override[0]: (project_override[1], PROJECT_OVERRIDE)} if project_override else {}
    )
    calls.plan_new_applicants(overrides)
    if institution_override:
        inst, project = institution_override
        call = calls.call(world.filings[inst].city, 2025)
        calls.add(
            call, inst, [project], world.story_rng("override", inst), override=INSTITUTION_OVERRIDE
        )
    calls.plan_objections()
    picked = plan_exits(world)
    calls.plan_scope_additions()
    plan_deletions(world)
    calls.plan_live_calls()
    rounds = plan_rounds(world, found)
    choose_institution_users(world, rounds, [f.inst for s, f in picked if s.kind == "自愿撤销"])
    assign_original_codes(world)
    name_institutions(world)
    emit_setup(world)
    emit_takeovers(world)
    emit_calls(world, calls)
    emit_rounds(world, rounds)
    emit_exits(world, picked)
    plan_incidents(world)
    emit_pools(world)
    plan_served_city(world)
    emit_clock(world)
    return world


def designate_live(world: World) -> None:
    """A few applicants, from the biggest cities first, apply in a call still running on
    ``today`` (at most 4 a city; 2026 applicants before 2025 ones)."""
    needed = max(3, round(0.03 * world.size))
    for group in ("C26", "C25"):
        for city in sorted(world.cities, key=lambda c: -len(world.in_city(c))):
            room = 4 - len(world.in_city(city, LIVE))
            for inst in world.in_city(city, group)[: max(0, min(room, needed))]:
                inst.group = LIVE
                needed -= 1


def choose_institution_users(world: World, rounds: list[Round], withdrawing: list[int]) -> None:
    """A 机构 account for a few institutions: they submit their own renewal or withdrawal."""
    wanted = max(3, world.size // 40)
    keys = withdrawing[:1]
    keys += [c.filing.inst for rd in rounds for c in rd.cases if c.fate == PASS][: wanted - 1]
    keys += [i.key for i in world.insts if i.group == LIVE][:1]
    for key in dict.fromkeys(keys):
        world.inst_users[key] = f"inst{key:04d}"


def emit_clock(world: World) -> None:
    """The daily clock (EXIT-03, REN-02) on the first of every month, and on ``today``."""
    day = CLOCK_FROM
    while day < world.today:
        world.timeline.command(day, "日终处理", r.advance, r.SYSTEM_ACTOR, order=0, today=day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    world.timeline.command(
        world.today, "日终处理", r.advance, r.SYSTEM_ACTOR, order=9, today=world.today
    )


def summary(store: Store) -> dict[str, int]:
    """Counts of what the demo made: institutions, applications, filings by status and end
    reason, renewal cases, exit cases by kind and status, incidents, overrides, audit entries.

    Keys are ``name`` for totals and ``name:value`` per status (e.g. ``filings:有效``).
    """
    out: dict[str, int] = {}
    with store.read() as conn:

        def count(name: str, table: Table) -> None:
            out[name] = int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)

        def by(prefix: str, *columns: ColumnElement[Any]) -> None:
            query = select(*columns, func.count()).group_by(*columns).order_by(*columns)
            for *values, n in conn.execute(query):
                if all(values):
                    out[":".join([prefix, *map(str, values)])] = int(n)

        count("institutions", institution_table)
        count("applications", applications)
        by("applications", applications.c.status)
        count("filings", filings)
        by("filings", filings.c.status)
        by("ended", filings.c.end_reason)
        by("renewals", renewal_cases.c.status)
        count("exit_cases", exit_cases)
        by("exit", exit_cases.c.kind, exit_cases.c.status)
        count("incidents", incidents)
        by("incidents", incidents.c.status)
        count("quota_overrides", quota_overrides)
        count("audit_entries", audit_log)
    return out
