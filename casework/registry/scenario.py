"""Whole procedures driven command by command: used by the demo data and the tests.

Every step goes through the public commands, so a scenario obeys exactly the rules a user
does and leaves the same audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from casework import registry as r
from casework.domain import calendar, lifecycle, rubrics, rules
from casework.domain.identifiers import make_uscc
from casework.domain.reference import cities as reference_cities
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    EXPERT,
    PROVINCE,
    SYSTEM_ACTOR,
    Actor,
)
from casework.store.engine import Store

PROVINCE_ACTOR = Actor("province", PROVINCE, display_name="省级管理员")


def city_officer(city_code: str) -> Actor:
    return Actor(f"officer{city_code}", CITY_OFFICER, city_code=city_code)


def city_manager(city_code: str) -> Actor:
    return Actor(f"manager{city_code}", CITY_MANAGER, city_code=city_code)


def expert(username: str) -> Actor:
    return Actor(username, EXPERT)


def seed_reference(store: Store) -> None:
    """The 16 prefecture-level cities and the province's user (idempotent).

    Every command re-reads its actor from ``users`` (SUP-01), so the province acts as a user.
    """
    from sqlalchemy import select

    from casework.store.tables import users

    r.load_cities(store, SYSTEM_ACTOR, rows=reference_cities().to_dict("records"))
    with store.read() as conn:
        known = conn.execute(
            select(users.c.username).where(users.c.username == PROVINCE_ACTOR.username)
        ).first()
    if known is None:
        r.add_user(
            store,
            SYSTEM_ACTOR,
            username=PROVINCE_ACTOR.username,
            display_name=PROVINCE_ACTOR.display_name,
            role=PROVINCE,
        )


def ensure_user(store: Store, actor: Actor) -> Actor:
    """Register ``actor`` as a stored user if it is not one yet (idempotent); returns it."""
    from sqlalchemy import select

    from casework.store.tables import users

    with store.read() as conn:
        known = conn.execute(select(users.c.username).where(users.c.username == actor.username))
        if known.first() is not None:
            return actor
    r.add_user(
        store,
        SYSTEM_ACTOR,
        username=actor.username,
        display_name=actor.display_name or actor.username,
        role=actor.role,
        city_code=actor.city_code,
        institution_id=actor.institution_id,
    )
    return actor


def seed_city_users(store: Store, city_code: str, experts: int = 5) -> list[str]:
    """A city officer, a city manager and ``experts`` experts for a city; returns expert names."""
    from sqlalchemy import select

    from casework.store.tables import users

    with store.read() as conn:
        known = set(conn.execute(select(users.c.username)).scalars())
    for actor, name in ((city_officer(city_code), "经办人"), (city_manager(city_code), "负责人")):
        if actor.username not in known:
            r.add_user(
                store,
                SYSTEM_ACTOR,
                username=actor.username,
                display_name=f"{city_code}{name}",
                role=actor.role,
                city_code=city_code,
            )
    names = [f"expert{city_code}_{i}" for i in range(1, experts + 1)]
    for i, name in enumerate(names, 1):
        if name not in known:
            r.add_user(
                store,
                SYSTEM_ACTOR,
                username=name,
                display_name=f"专家{city_code}-{i}",
                role=EXPERT,
                unit=f"评审专家库{i}",
            )
    return names


def full_selection_rows(met: bool = True, failing: Sequence[str] = ()) -> list[dict[str, Any]]:
    rubric = rubrics.load("selection")
    return [
        {"sub_id": s, "met": met and s not in failing, "note": ""} for s in rubric.conditions.sub_id
    ]


def renewal_rows(score: float = 100.0) -> list[dict[str, Any]]:
    """A valid Attachment 4 sheet whose total is close to ``score`` (items lost from the end)."""
    rubric = rubrics.load("renewal")
    step = rubric.point_step  # REN-07: 基本符合 points in the rubric's steps
    rows = []
    to_lose = max(0.0, rules.MAX_SCORE - score)
    for item_id, points in reversed(list(rubric.item_points.items())):
        if to_lose >= points:
            rows.append({"item_id": item_id, "verdict": rules.VERDICT_NONE, "points": 0.0})
            to_lose -= points
        elif to_lose > 0 and points - to_lose >= step:
            half = max(step, round((points - to_lose) / step) * step)
            half = min(half, points - step)
            rows.append({"item_id": item_id, "verdict": rules.VERDICT_PARTIAL, "points": half})
            to_lose = 0.0
        else:
            rows.append(
                {"item_id": item_id, "verdict": rules.VERDICT_FULL, "points": float(points)}
            )
    rows.reverse()
    return rows


def veto_rows(found: Sequence[str] = ()) -> list[dict[str, Any]]:
    rubric = rubrics.load("renewal")
    return [{"veto_id": v, "found": v in found} for v in rubric.veto_items.veto_id]


def submit_selection_sheets(
    store: Store,
    panel_id: int,
    experts: Sequence[str],
    rows: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Every listed panel member declares no conflict of interest and submits a checklist."""
    for name in experts:
        who = expert(name)
        r.declare_conflict_of_interest(store, who, panel_id=panel_id, no_conflict=True)
        r.save_sheet(store, who, panel_id=panel_id, rows=rows or full_selection_rows(), submit=True)


def ensure_city_catalog(
    store: Store, city_code: str, year: int, project_codes: Sequence[str]
) -> None:
    entries = [{"project_code": c, "name": f"项目{c}", "category": ""} for c in project_codes]
    r.publish_catalog(store, PROVINCE_ACTOR, year=year, entries=entries)
    r.choose_city_projects(
        store, city_officer(city_code), city_code=city_code, year=year, project_codes=project_codes
    )


def new_institution(store: Store, city_code: str, name: str, serial: int) -> int:
    first17 = f"52{city_code}MJ{serial:07d}"[:17]
    return int(
        r.register_institution(
            store, city_officer(city_code), name=name, uscc=make_uscc(first17), city_code=city_code
        )
    )


def select_and_file(
    store: Store,
    *,
    city_code: str,
    institution_id: int,
    project_codes: Sequence[str],
    on: date,
    experts: Sequence[str],
    call_id: int | None = None,
    override_reason: str = "",
    stop_at: str | None = None,
) -> dict[str, Any]:
    """Drive one application through the whole selection procedure to 已备案.

    ``stop_at`` (an application state) stops early, for tests that need a case in that state.
    Returns the ids made on the way.
    """
    officer, manager = city_officer(city_code), city_manager(city_code)
    ids: dict[str, Any] = {}
    if call_id is None:
        call_id = r.publish_call(
            store,
            officer,
            city_code=city_code,
            year=on.year,
            title=f"{on.year}年专项职业能力考核机构征集公告",
            project_codes=project_codes,
            opens_on=on,
            closes_on=on + timedelta(days=30),
            published_on=on,
        )
    ids["call_id"] = call_id
    app_id = r.submit_application(
        store,
        officer,
        call_id=call_id,
        institution_id=institution_id,
        project_codes=project_codes,
        on=on,
    )
    ids["application_id"] = app_id
    if stop_at == lifecycle.APPLICATION_SUBMITTED:
        return ids
    if stop_at == lifecycle.APPLICATION_RETURNED:
        r.return_application(store, officer, application_id=app_id, missing=["人员花名册"], on=on)
        return ids
    r.accept_application(store, officer, application_id=app_id, on=on)  # complete (SEL-02)
    if stop_at == lifecycle.APPLICATION_ACCEPTED:
        return ids
    members = [{"username": e, "is_leader": i == 0} for i, e in enumerate(experts[:3])]
    panel_id = r.constitute_panel(store, officer, application_id=app_id, members=members, on=on)
    ids["panel_id"] = panel_id
    if stop_at == lifecycle.APPLICATION_EVALUATING:
        return ids
    submit_selection_sheets(store, panel_id, [str(m["username"]) for m in members])
    decided = calendar.add_workdays(on, 10)
    r.decide_application(
        store,
        manager if override_reason else officer,
        application_id=app_id,
        approve=True,
        on=decided,
        override_reason=override_reason,
    )
    if stop_at == lifecycle.APPLICATION_PROPOSED:
        return ids
    notice_on = calendar.add_workdays(decided, 1)
    notice_id = r.open_notice(
        store, officer, city_code=city_code, application_ids=[app_id], opens_on=notice_on
    )
    ids["notice_id"] = notice_id
    if stop_at == lifecycle.APPLICATION_NOTICED:
        return ids
    end = calendar.notice_end(notice_on)
    r.close_notice(store, officer, notice_id=notice_id, on=end + timedelta(days=1))
    if stop_at == lifecycle.APPLICATION_CLEARED:
        return ids
    report_filing(store, city_code, app_id, end + timedelta(days=2))
    ids["filing_id"] = r.file_application(
        store, officer, application_id=app_id, on=end + timedelta(days=3)
    )
    return ids


def report_filing(store: Store, city_code: str, application_id: int, on: date) -> int:
    """SEL-08: report a cleared application to the province (备案 or 范围调整)."""
    from casework.queries.notices import application_record

    record = application_record(store, application_id) or {}
    kind = "范围调整" if record.get("kind") == "范围新增" else "备案"
    return int(
        r.report_to_province(
            store,
            city_officer(city_code),
            city_code=city_code,
            kind=kind,
            case_ids=[application_id],
            on=on,
        )
    )


def attachment5(
    store: Store, filing_id: int, assessed: dict[str, int] | None = None
) -> dict[str, Any]:
    """An Attachment 5 (续期申请表) for a filing; ``assessed`` overrides 考核人次 per project."""
    from sqlalchemy import select

    from casework.store.tables import filing_projects

    with store.read() as conn:
        codes = sorted(
            conn.execute(
                select(filing_projects.c.project_code).where(
                    filing_projects.c.filing_id == filing_id,
                    filing_projects.c.removed_on.is_(None),
                )
            ).scalars()
        )
    assessed = assessed or {}
    rows = []
    for code in codes:
        n = assessed.get(code, 120)
        rows.append({"project_code": code, "assessed": n, "certified": int(n * 0.85)})
    return {"projects": rows, "summary": "备案期内规范开展考核工作。"}


def renew(
    store: Store,
    *,
    city_code: str,
    filing_id: int,
    term_end: date,
    experts: Sequence[str],
    scores: Sequence[float] = (85.0, 80.0, 82.0),
    veto_found: Sequence[str] = (),
    assessed: dict[str, int] | None = None,
    stop_at: str | None = None,
) -> dict[str, Any]:
    """Drive one filing through a renewal round; ``stop_at`` is a renewal-case state."""
    from sqlalchemy import select

    from casework.store.tables import renewal_cases

    officer = city_officer(city_code)
    opened = term_end - timedelta(days=120)
    round_id = r.open_round(
        store,
        officer,
        city_code=city_code,
        expiring_from=term_end,
        expiring_to=term_end,
        deadline=opened + timedelta(days=30),
        on=opened,
    )
    with store.read() as conn:
        renewal_id = conn.execute(
            select(renewal_cases.c.id).where(
                renewal_cases.c.round_id == round_id, renewal_cases.c.filing_id == filing_id
            )
        ).scalar_one()
    ids: dict[str, Any] = {"round_id": round_id, "renewal_id": renewal_id}
    if stop_at == lifecycle.RENEWAL_AWAITING_SELF:
        return ids
    r.submit_renewal(
        store,
        officer,
        renewal_id=renewal_id,
        application=attachment5(store, filing_id, assessed),
        self_rows=renewal_rows(90.0),
        self_veto=veto_rows(),
        on=opened + timedelta(days=10),
    )
    if stop_at == lifecycle.RENEWAL_SUBMITTED:
        return ids
    members = [{"username": e, "is_leader": i == 0} for i, e in enumerate(experts[: len(scores)])]
    panel_id = r.constitute_group(
        store, officer, renewal_id=renewal_id, members=members, on=opened + timedelta(days=40)
    )
    ids["panel_id"] = panel_id
    if stop_at == lifecycle.RENEWAL_EVALUATING:
        return ids
    for m, score in zip(members, scores, strict=True):
        who = expert(str(m["username"]))
        r.declare_conflict_of_interest(store, who, panel_id=panel_id, no_conflict=True)
        r.save_sheet(
            store,
            who,
            panel_id=panel_id,
            rows=renewal_rows(score),
            veto=veto_rows(veto_found),
            submit=True,
        )
    leader = expert(str(members[0]["username"]))
    r.submit_group_opinion(store, leader, panel_id=panel_id, opinion="评估组意见")  # Attachment 6
    ids["outcome"] = r.decide_renewal(
        store,
        officer,
        renewal_id=renewal_id,
        on=opened + timedelta(days=60),
        opinion="研究确定意见",
    )
    return ids


def renewing(
    store: Store,
    *,
    city_code: str,
    name: str,
    serial: int,
    project_codes: Sequence[str] = ("P001",),
    experts: Sequence[str] | None = None,
    stop_at: str | None = lifecycle.RENEWAL_EVALUATING,
) -> dict[str, Any]:
    """A new institution of ``city_code`` selected and filed on 2025-03-03 (its projects in the
    city's catalog for 2025–2028), then driven through a renewal round to ``stop_at`` (default:
    its group of the city's first three experts scoring). Returns the selection's and the
    renewal's ids, with ``institution_id``, ``experts`` and the filing's ``term_end``."""
    from sqlalchemy import select

    from casework.store.tables import filings

    experts = list(experts) if experts is not None else seed_city_users(store, city_code)
    for year in (2025, 2026, 2027, 2028):
        ensure_city_catalog(store, city_code, year, project_codes)
    institution_id = new_institution(store, city_code, name, serial)
    ids = select_and_file(
        store,
        city_code=city_code,
        institution_id=institution_id,
        project_codes=project_codes,
        on=date(2025, 3, 3),
        experts=experts,
    )
    with store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == ids["filing_id"])
        ).scalar_one()
    case = renew(
        store,
        city_code=city_code,
        filing_id=ids["filing_id"],
        term_end=term_end,
        experts=experts,
        stop_at=stop_at,
    )
    return {
        **ids,
        **case,
        "institution_id": institution_id,
        "experts": experts,
        "term_end": term_end,
    }
