"""The calls as steps: each command of the selection procedure, with its date (SEL-02…SEL-07)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import partial
from typing import Any

from casework import registry as r
from casework.demo.calls import (
    FILED,
    PENDING,
    REJECTED,
    UPHELD,
    WITHDRAWN,
    Application,
    Call,
    CallPlanner,
)
from casework.demo.sheets import submit_renewal_sheet
from casework.demo.timeline import Ctx, Lazy, Ref, wd
from casework.demo.world import World, institution_actor
from casework.registry import scenario
from casework.registry.selection import SELECTION_METHODS


def emit_calls(world: World, planner: CallPlanner) -> None:
    """Every planned call with applications, the regular ones first."""
    regular = sorted(planner.calls.values(), key=lambda c: (c.year, c.city))
    for call in [*regular, *planner.live]:
        if call.apps:
            emit_call(world, call)


def emit_call(world: World, call: Call) -> None:
    """SEL-02…SEL-05: publish, applications, close, notice, objections, filing."""
    tl = world.timeline
    officer = scenario.city_officer(call.city)
    tl.command(
        call.published_on,
        f"发布{call.title}",
        r.publish_call,
        officer,
        save=("call", call.key),
        city_code=call.city,
        year=call.year,
        title=call.title,
        project_codes=world.city_lists[(call.city, call.year)],
        opens_on=call.published_on,
        closes_on=call.closes_on,
        published_on=call.published_on,
        conditions="具备附件1《专项职业能力考核机构基本条件》规定的全部必备条件",
        requirements="申报材料一式两份，加盖单位公章，报送市人力资源社会保障局",
        supplementary=call.supplementary,
    )
    for app in call.apps:
        emit_application(world, call, app)
    tl.command(
        call.closes_on + timedelta(days=1),
        f"截止{call.title}",
        r.close_call,
        officer,
        call_id=Ref("call", call.key),
    )
    noticed = [a for a in call.apps if a.fate in (FILED, UPHELD)]
    if not noticed:
        return
    tl.command(
        call.notice_on,
        f"公示{call.key}",
        r.open_notice,
        officer,
        save=("notice", call.key),
        city_code=call.city,
        opens_on=call.notice_on,
        application_ids=[Ref("app", a.key) for a in noticed],
    )
    for app in noticed:
        if app.objection:
            emit_objection(world, call, app)
    tl.command(
        call.close_on,
        f"结束公示{call.key}",
        r.close_notice,
        officer,
        notice_id=Ref("notice", call.key),
        on=call.close_on,
    )
    for app in noticed:
        if app.fate == FILED:
            tl.command(
                app.filed_on,
                f"报送省厅{app.key}",
                r.report_to_province,
                officer,
                city_code=call.city,
                kind=Lazy(partial(report_kind, key=app.key)),
                case_ids=[Ref("app", app.key)],
                on=app.filed_on,
            )
            tl.command(
                app.filed_on,
                f"出具备案回执{app.key}",
                r.file_application,
                officer,
                save=("filing", app.inst),
                application_id=Ref("app", app.key),
                on=app.filed_on,
            )


def report_kind(ctx: Ctx, key: int) -> str:
    """SEL-08: a scope addition is reported as 范围调整, a new filing as 备案."""
    from casework.queries.notices import application_record

    record = application_record(ctx.store, ctx[("app", key)]) or {}
    return "范围调整" if record.get("kind") == "范围新增" else "备案"


def emit_application(world: World, call: Call, app: Application) -> None:
    """SEL-02…SEL-04: the city accepts the application (受理), a panel of 3–5, each member's
    checklist, the city's decision (SEL-07)."""
    tl = world.timeline
    officer, manager = scenario.city_officer(call.city), scenario.city_manager(call.city)
    applicant = institution_actor(world, app.inst)
    tl.command(
        app.submit_on,
        f"提交申请{app.key}",
        r.submit_application,
        applicant,
        save=("app", app.key),
        call_id=Ref("call", call.key),
        institution_id=Ref("inst", app.inst),
        project_codes=app.projects,
        on=app.submit_on,
    )
    if app.fate == WITHDRAWN:
        tl.command(
            app.withdraw_on,
            f"撤回申请{app.key}",
            r.withdraw_application,
            applicant,
            application_id=Ref("app", app.key),
        )
        return
    tl.command(  # SEL-02: the city found it complete; only then is a panel formed
        app.panel_on,
        f"受理申请{app.key}",
        r.accept_application,
        officer,
        application_id=Ref("app", app.key),
        on=app.panel_on,
    )
    members = [{"username": u, "is_leader": i == 0} for i, u in enumerate(app.members)]
    extra = random.Random(app.key).choice(SELECTION_METHODS[2:])
    tl.command(
        app.panel_on,
        f"组建评估组{app.key}",
        r.constitute_panel,
        officer,
        save=("panel", app.key),
        application_id=Ref("app", app.key),
        members=members,
        on=app.panel_on,
        methods=["材料核验", "现场察看", extra],
    )
    rows = scenario.full_selection_rows(failing=app.failing)
    rows += [{"sub_id": s["sub_id"], "met": True, "note": ""} for s in call.supplementary]
    for username, on in zip(app.members, app.sheet_on, strict=True):
        emit_sheet(world, on, ("panel", app.key), username, rows, [])
    if app.fate == PENDING:
        return
    approve = app.fate != REJECTED
    note = (
        "经评估组评估，符合全部必备条件，拟予备案"
        if approve
        else f"未满足必备条件{'、'.join(app.failing)}，不予备案"
    )
    tl.command(
        call.decide_on,
        f"研究确定{app.key}",
        r.decide_application,
        manager if app.override else officer,
        application_id=Ref("app", app.key),
        approve=approve,
        on=call.decide_on,
        note=note,
        override_reason=app.override,
    )


def emit_sheet(
    world: World,
    on: date,
    panel: tuple[str, Any],
    username: str,
    rows: list[dict[str, Any]],
    veto: list[dict[str, Any]],
) -> None:
    """SUP-03 then SEL-03/REN-04: the expert declares no conflict of interest, then submits
    (a renewal group's sheet through the same command with its validation done in bulk,
    :mod:`casework.demo.sheets`)."""
    who = scenario.expert(username)
    label = f"评估表{panel[1]}·{username}"
    world.timeline.command(
        on, label, r.declare_conflict_of_interest, who, panel_id=Ref(*panel), no_conflict=True
    )
    submit = submit_renewal_sheet if panel[0] == "group" else r.save_sheet
    world.timeline.command(
        on, label, submit, who, panel_id=Ref(*panel), rows=rows, veto=veto, submit=True
    )


def emit_objection(world: World, call: Call, app: Application) -> None:
    """SEL-05: an objection received during the notice, checked and resolved before it ends."""
    officer = scenario.city_officer(call.city)
    received, resolved = wd(call.notice_on, 1), wd(call.notice_on, 3)
    upheld = app.objection == "upheld"
    world.timeline.command(
        received,
        f"登记异议{app.key}",
        r.record_objection,
        officer,
        save=("objection", app.key),
        notice_id=Ref("notice", call.key),
        application_id=Ref("app", app.key),
        received_on=received,
        objector="匿名来信",
        text="反映该单位考评人员同时在三家单位兼职" if upheld else "反映该单位考核场地面积不足",
    )
    world.timeline.command(
        resolved,
        f"处理异议{app.key}",
        r.resolve_objection,
        officer,
        objection_id=Ref("objection", app.key),
        upheld=upheld,
        on=resolved,
        resolution=(
            "经核查，两名考评人员同时在三家单位兼职，不符合附件1人员条件，异议成立"
            if upheld
            else "经现场核查，考核场地面积符合要求，异议不成立"
        ),
    )
