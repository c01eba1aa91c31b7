"""Open work for the served city (济南, 370100) on the demo's today, and every city's expert pool.

``make run`` serves one user per role of the served city (:mod:`casework.demo.story`); each must
find work waiting on first start: the officer a fresh application to check (已提交) and an
incident to follow, the experts a selection panel with empty checklists and a renewal group to
score, the institution head a self-evaluation due, the manager the training clock, the province
nothing but its pages. These steps run last on the demo's today, through the same registry
commands as the rest of the demo.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from casework import registry as r
from casework.demo import names
from casework.demo.timeline import CASEWORK_FROM, LAST_DAY, Ctx, plus_months, wd_capped
from casework.demo.world import World
from casework.domain import rules
from casework.domain.identifiers import make_uscc
from casework.registry import scenario
from casework.registry.actors import INSTITUTION
from casework.store.tables import filings, institutions, renewal_cases

SERVED_CITY = "370100"
STORY_INSTITUTION = "济南泉城鲁绣技艺传承中心"
"""The new applicant the story carries from its application to the receipt."""
PANEL_INSTITUTION = "济南趵突泉面塑职业培训学校"
"""A second applicant, accepted, whose selection panel has every checklist still empty."""
RENEWAL_INSTITUTIONS = ("济南章丘铁锅锻造技艺培训中心", "济南黑虎泉茶艺职业培训学校")
"""Two pilot filings taken over, their terms ending soon: one awaits its self-evaluation, the
other's renewal group has every sheet still empty."""
TAKEOVER_MONTHS_AGO = -33
TAKEOVER_SOURCE = f"{rules.PILOT_SCHEME_NO}试点"
NEW_INSTITUTIONS = 4
"""The two applicants and the two pilot filings above: counted in the demo's size."""
HEAD_USERNAME = "head370100"
"""The institution head served by ``make run``: their institution's self-evaluation is due."""
OPEN_WORK_FROM = date(2025, 6, 2)
"""A demo dated earlier is a history test, not a training store: no open work is added."""
SERVED_EXPERTS = 3
"""The pool's first three experts: served, on the open panel and the renewal group."""


def served_experts(world: World, city: str = SERVED_CITY) -> list[str]:
    return world.experts[city][:SERVED_EXPERTS]


def emit_pools(world: World) -> None:
    """SEL-03, REN-04: every city's experts are in its pool (specialty, phone), so that the
    评估组 page has experts to draw on."""
    for city in world.cities:
        rng = world.story_rng("pool", city)
        specialties = [world.project_names[p] for p in world.city_lists[(city, 2025)]]
        for username in world.experts[city]:
            world.timeline.setup(
                f"{city}专家库登记{username}",
                r.add_pool_expert,
                scenario.city_officer(city),
                city_code=city,
                username=username,
                specialty=rng.choice(specialties) if specialties else "",
                phone=names.phone(rng),
                on=CASEWORK_FROM,
            )


def plan_served_city(world: World) -> None:
    """The served city's open work, dated the demo's today (after the day's other steps,
    before the daily clock)."""
    today = world.today
    city = SERVED_CITY
    if today < OPEN_WORK_FROM:
        return
    year = min(today.year, max(y for c, y in world.city_lists if c == city))
    listed = world.city_lists[(city, year)]
    room = [p for p in listed if len(world.holders[(city, p)]) < 4]
    projects = (room or listed)[:4]
    pilot_year = plus_months(today, TAKEOVER_MONTHS_AGO).year
    earlier = world.city_lists[(city, max(pilot_year, min(y for c, y in world.city_lists)))]
    takeover = [p for p in earlier if len(world.holders[(city, p)]) < 4][:2] or earlier[:2]
    takeover = (takeover * 2)[:2]
    world.timeline.at(
        today,
        "济南演示待办",
        lambda ctx: open_work(ctx, world, year, projects, takeover),
        order=5,
    )


def _institution(ctx: Ctx, world: World, name: str, serial: int) -> int:
    rng = random.Random(f"{world.seed}:served:{serial}")
    return int(
        r.register_institution(
            ctx.store,
            scenario.city_officer(SERVED_CITY),
            name=name,
            uscc=make_uscc(f"52370100MJ{9_000_000 + serial:07d}"),
            city_code=SERVED_CITY,
            kind="民办非企业单位",
            contact=names.person_name(rng),
            phone=names.phone(rng),
            address=f"山东省济南市历下区泉城路{100 + serial}号",
        )
    )


def open_work(ctx: Ctx, world: World, year: int, projects: list[str], takeover: list[str]) -> None:
    store, today = ctx.store, ctx.today
    officer = scenario.city_officer(SERVED_CITY)
    closes = min(today + timedelta(days=30), LAST_DAY)
    call_id = r.publish_call(
        store,
        officer,
        city_code=SERVED_CITY,
        year=year,
        title=f"济南市{year}年专项职业能力考核机构补充征集公告",
        project_codes=projects,
        opens_on=today,
        closes_on=closes,
        published_on=today,
    )
    story = _institution(ctx, world, STORY_INSTITUTION, 1)
    r.submit_application(
        store, officer, call_id=call_id, institution_id=story, project_codes=projects[:1], on=today
    )
    second = _institution(ctx, world, PANEL_INSTITUTION, 2)
    app_id = r.submit_application(
        store,
        officer,
        call_id=call_id,
        institution_id=second,
        project_codes=projects[1:2],
        on=today,
    )
    r.accept_application(store, officer, application_id=app_id, on=today)
    experts = served_experts(world)
    members = [{"username": e, "is_leader": i == 0} for i, e in enumerate(experts)]
    r.constitute_panel(store, officer, application_id=app_id, members=members, on=today)
    due = _taken_over(ctx, world, RENEWAL_INSTITUTIONS[0], 3, takeover[0])
    scored = _taken_over(ctx, world, RENEWAL_INSTITUTIONS[1], 4, takeover[1])
    _renewal_work(ctx, world, due, scored)
    r.open_incident(
        store,
        officer,
        institution_id=int(scored["institution_id"]),
        category="日常检查",
        description="演示：日常检查发现考核场地视频监控存储不足30天，待跟进整改",
        on=today,
    )


def _taken_over(ctx: Ctx, world: World, name: str, serial: int, project: str) -> dict[str, Any]:
    """A pilot filing taken over with its original code, its term ending about three months
    after today (so that a renewal round is due, REN-01)."""
    institution_id = _institution(ctx, world, name, serial)
    start = plus_months(ctx.today, TAKEOVER_MONTHS_AGO)
    filing_id = r.register_existing_filing(
        ctx.store,
        scenario.city_officer(SERVED_CITY),
        institution_id=institution_id,
        code=f"SD{SERVED_CITY[:4]}-{start.year}-{900 + serial:03d}",
        term_start=start,
        project_codes=[project],
        filed_on=start,
        source=TAKEOVER_SOURCE,
    )
    with ctx.store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == filing_id)
        ).scalar_one()
    return {"id": filing_id, "institution_id": institution_id, "term_end": term_end}


def _renewal_work(ctx: Ctx, world: World, due: dict[str, Any], scored: dict[str, Any]) -> None:
    """REN-01: one round over both term ends; the first awaits its self-evaluation (its head
    is served), the second was submitted and has a group of the served experts, sheets empty."""
    store, today = ctx.store, ctx.today
    officer = scenario.city_officer(SERVED_CITY)
    ends = [due["term_end"], scored["term_end"]]
    first, last = min(ends), max(ends)
    round_id = r.open_round(
        store,
        officer,
        city_code=SERVED_CITY,
        expiring_from=first,
        expiring_to=last,
        deadline=wd_capped(today, 15),
        on=today,
        title="济南市专项职业能力考核机构续期评估（演示）",
    )
    with store.read() as conn:
        cases = dict(
            conn.execute(
                select(renewal_cases.c.filing_id, renewal_cases.c.id).where(
                    renewal_cases.c.round_id == round_id
                )
            ).all()
        )
        head = conn.execute(
            select(institutions.c.name, institutions.c.contact).where(
                institutions.c.id == due["institution_id"]
            )
        ).one()
    r.add_user(
        store,
        scenario.city_manager(SERVED_CITY),
        username=HEAD_USERNAME,
        display_name=f"{head.name}（{head.contact or '负责人'}）",
        role=INSTITUTION,
        city_code=SERVED_CITY,
        institution_id=int(due["institution_id"]),
    )
    renewal_id = cases[scored["id"]]
    r.submit_renewal(
        store,
        officer,
        renewal_id=renewal_id,
        application=scenario.attachment5(store, int(scored["id"])),
        self_rows=scenario.renewal_rows(88.0),
        self_veto=scenario.veto_rows(),
        on=today,
    )
    experts = served_experts(world)
    members = [{"username": e, "is_leader": i == 0} for i, e in enumerate(experts)]
    r.constitute_group(store, officer, renewal_id=renewal_id, members=members, on=today)
