"""Exits and supervision (EXIT-02…EXIT-07, SUP-01, SUP-02), timed back from ``today``.

Each story runs on a filing of its own that no renewal round touches, so that on ``today``
there is a violation case in every due-process stage (调查中 … 已恢复; the 已告知 one with its
statement still due), voluntary withdrawals done and in progress, one extinction, and
supervision incidents open, followed up, closed and escalated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casework import registry as r
from casework.demo.timeline import CASEWORK_FROM, NEVER, Ref, wd
from casework.demo.world import Filing, World, institution_actor
from casework.domain import calendar, lifecycle, rules
from casework.errors import CalendarNotConfigured
from casework.registry import scenario
from casework.registry.exits import WIND_DOWN_PARTS

VIOLATION_STAGES = (
    lifecycle.VIOLATION_INVESTIGATING,
    lifecycle.VIOLATION_NOTIFIED,
    lifecycle.VIOLATION_STATED,
    lifecycle.VIOLATION_WINDING_UP,
    lifecycle.VIOLATION_REVOKED,
    lifecycle.VIOLATION_RESTORED,
)
"""Every stage of EXIT-04…EXIT-06 the demo shows (调查中 through an escalated incident)."""
BASIS = f"{rules.NOTICE_NO} 三（二）、四（二）"
PLAN = dict(
    zip(
        WIND_DOWN_PARTS,
        (
            "停止新的报名，已报名考生全部完成考核后终止考核工作",
            "已颁发证书数据继续按规定维护，配合做好查询、更正",
            "纸质档案保存3年、电子档案保存5年，移交备查",
            "做好已参评人员的成绩查询和证书补发等服务",
        ),
        strict=True,
    )
)
"""EXIT-02: the wind-down plan, one text per part the notice names."""


@dataclass(frozen=True)
class Story:
    kind: str
    stage: str
    starts: int
    """Working days before ``today`` the story begins (its first command)."""


STORIES = (
    Story("违规", lifecycle.VIOLATION_INVESTIGATING, 25),
    Story("违规", lifecycle.VIOLATION_NOTIFIED, 30),
    Story("违规", lifecycle.VIOLATION_STATED, 50),
    Story("违规", lifecycle.VIOLATION_WINDING_UP, 80),
    Story("违规", lifecycle.VIOLATION_REVOKED, 120),
    Story("违规", lifecycle.VIOLATION_RESTORED, 45),
    Story("主体灭失", "主体灭失", 45),
    Story("自愿撤销", lifecycle.WITHDRAWAL_DONE, 90),
    Story("自愿撤销", lifecycle.WITHDRAWAL_WINDING_UP, 20),
    Story("自愿撤销", lifecycle.WITHDRAWAL_DONE, 150),
    Story("自愿撤销", lifecycle.WITHDRAWAL_CANCELLED, 40),
    Story("自愿撤销", lifecycle.WITHDRAWAL_REQUESTED, 3),
)
"""In order of importance: the first ones get a filing even in a small demo."""

INCIDENTS = (
    ("日常检查", "日常检查发现考场视频监控资料保存不足规定期限", (4,), None),
    ("投诉举报", "考生来电反映考核结果公示时间不足5个工作日", (30, 20, 9), None),
    ("日常检查", "抽查考核档案，个别考生报名材料缺少身份证复印件", (70, 60), 50),
    ("不严格审核报考条件", "抽查发现3名考生不符合报考条件仍被安排考核", (110,), 95),
)
"""(category, description, working days before today of opening and each follow-up, of closing)."""


def plan_exits(world: World) -> list[tuple[Story, Filing]]:
    """Pick a filing for each story: live on its first day, outside every renewal round."""
    today = world.today
    picked: list[tuple[Story, Filing]] = []
    used_cities: list[str] = []
    pool = sorted(
        (
            f
            for f in world.filings.values()
            if f.term_end > world.renewal_free_after and f.inst not in world.protected
        ),
        key=lambda f: (f.filed_on, f.inst),
    )
    for story in STORIES:
        start = wd(today, -story.starts)
        fits = [f for f in pool if f.filed_on < start and f.inst not in world.reserved]
        if not CASEWORK_FROM <= start < NEVER or not fits:
            continue
        fits.sort(key=lambda f: used_cities.count(f.city))
        choice = fits[0]
        world.reserved.add(choice.inst)
        used_cities.append(choice.city)
        picked.append((story, choice))
    return picked


def emit_exits(world: World, picked: list[tuple[Story, Filing]]) -> None:
    for story, filing in picked:
        if story.kind == "违规":
            emit_violation(world, story, filing)
        elif story.kind == "主体灭失":
            emit_extinction(world, story, filing)
        else:
            emit_withdrawal(world, story, filing)


def when(world: World, days_before: int) -> date:
    return wd(world.today, -days_before)


def emit_violation(world: World, story: Story, f: Filing) -> None:
    """EXIT-04…EXIT-06, stopped at ``story.stage`` on ``today``."""
    if story.stage == lifecycle.VIOLATION_INVESTIGATING:
        emit_escalation(world, f, story.starts)
        return
    tl, officer = world.timeline, scenario.city_officer(f.city)
    case, start, name = Ref("exit", f.inst), story.starts, world.insts[f.inst].name
    tl.command(
        when(world, start),
        f"立案调查{name}",
        r.open_investigation,
        officer,
        save=("exit", f.inst),
        filing_id=Ref("filing", f.inst),
        on=when(world, start),
        grounds="群众举报该机构考核时放宽实操要求、考评人员不足三人签字",
    )
    if story.stage == lifecycle.VIOLATION_RESTORED:
        tl.command(
            when(world, start - 20),
            f"恢复{name}",
            r.restore_filing,
            officer,
            case_id=case,
            on=when(world, start - 20),
            reason="经调取考场录像和考核档案，举报事项不属实，不予撤销备案",
        )
        return
    served = {
        lifecycle.VIOLATION_NOTIFIED: 5,
        lifecycle.VIOLATION_STATED: start - 15,
        lifecycle.VIOLATION_WINDING_UP: start - 10,
        lifecycle.VIOLATION_REVOKED: start - 10,
    }
    days = served[story.stage]
    while days < start and _due(when(world, days)) is None:
        days += 1  # the statement's due date must lie inside the calendar
    tl.command(
        when(world, days),
        f"送达核查意见{name}",
        r.serve_findings,
        officer,
        case_id=case,
        received_on=when(world, days),
        findings="经查，该机构2批次考核实操环节仅1名考评人员签字，违反考核规范；"
        f"依据{BASIS}，拟撤销其备案",
    )
    if story.stage in (lifecycle.VIOLATION_STATED, lifecycle.VIOLATION_REVOKED):
        tl.command(
            when(world, days - 8),
            f"陈述申辩{name}",
            r.record_statement,
            officer,
            case_id=case,
            received_on=when(world, days - 8),
            statement="机构承认考评人员签字不全，系工作疏忽，请求从轻处理",
        )
    if story.stage in (lifecycle.VIOLATION_WINDING_UP, lifecycle.VIOLATION_REVOKED):
        tl.command(
            when(world, days - 20),
            f"认定违规{name}",
            r.confirm_violation,
            officer,
            case_id=case,
            on=when(world, days - 20),
            basis=BASIS,
            circumstance="不严格执行专项职业能力考核规范",
        )
    if story.stage == lifecycle.VIOLATION_REVOKED:
        tl.command(
            when(world, days - 45),
            f"撤销备案{name}",
            r.revoke_filing,
            officer,
            case_id=case,
            on=when(world, days - 45),
            closing_work="已指导机构上传合规考核数据、完成已考核人员证书核发，档案移交存档",
        )


def _due(received: date) -> date | None:
    """The statement's due date (EXIT-05), or None where the calendar cannot tell."""
    if received == NEVER:
        return None
    try:
        return calendar.deadline_after(received, rules.STATEMENT_WORKDAYS)
    except CalendarNotConfigured:
        return None


def emit_escalation(world: World, f: Filing, start: int) -> None:
    """SUP-02 → EXIT-04: a complaint followed up and escalated; the case starts 调查中."""
    tl, officer = world.timeline, scenario.city_officer(f.city)
    incident, name = Ref("incident", f.inst), world.insts[f.inst].name
    tl.command(
        when(world, start),
        f"登记举报{name}",
        r.open_incident,
        officer,
        save=("incident", f.inst),
        institution_id=Ref("inst", f.inst),
        category="投诉举报",
        on=when(world, start),
        description="举报该机构考前向考生泄露实操试题",
    )
    tl.command(
        when(world, start - 7),
        f"跟进举报{name}",
        r.follow_up_incident,
        officer,
        incident_id=incident,
        on=when(world, start - 7),
        text="已调取考核录像，发现考生实操过程高度雷同",
    )
    tl.command(
        when(world, start - 15),
        f"转立案调查{name}",
        r.escalate_incident,
        officer,
        incident_id=incident,
        on=when(world, start - 15),
        grounds="涉嫌泄露试题、组织舞弊",
    )


def emit_extinction(world: World, story: Story, f: Filing) -> None:
    """EXIT-07: deregistered; the filing ends from the date of extinction."""
    extinct_on = when(world, story.starts)
    world.timeline.command(
        when(world, story.starts - 7),
        f"主体灭失{world.insts[f.inst].name}",
        r.record_extinction,
        scenario.city_officer(f.city),
        filing_id=Ref("filing", f.inst),
        extinct_on=extinct_on,
        on=when(world, story.starts - 7),
        evidence=f"市场监督管理局准予注销登记通知书（{extinct_on.year}年）",
    )


def emit_withdrawal(world: World, story: Story, f: Filing) -> None:
    """EXIT-02: application with a wind-down plan, closing work, the revocation letter."""
    tl, officer = world.timeline, scenario.city_officer(f.city)
    applicant = institution_actor(world, f.inst)
    case, start, name = Ref("exit", f.inst), story.starts, world.insts[f.inst].name
    tl.command(
        when(world, start),
        f"申请撤销备案{name}",
        r.apply_withdrawal,
        applicant,
        save=("exit", f.inst),
        filing_id=Ref("filing", f.inst),
        plan=PLAN,
        on=when(world, start),
    )
    if story.stage == lifecycle.WITHDRAWAL_CANCELLED:
        tl.command(
            when(world, start - 7),
            f"撤回撤销申请{name}",
            r.cancel_withdrawal,
            applicant,
            case_id=case,
            on=when(world, start - 7),
        )
    if story.stage in (lifecycle.WITHDRAWAL_WINDING_UP, lifecycle.WITHDRAWAL_DONE):
        tl.command(
            when(world, start - 10),
            f"评估收尾方案{name}",
            r.accept_withdrawal_plan,
            officer,
            case_id=case,
            on=when(world, start - 10),
        )
    if story.stage == lifecycle.WITHDRAWAL_DONE:
        tl.command(
            when(world, start - 30),
            f"出具撤销备案函{name}",
            r.complete_withdrawal,
            officer,
            case_id=case,
            on=when(world, start - 30),
            closing_work="合规考核数据已全部上传，已考核人员证书已核发，档案已整理移交",
        )


def plan_incidents(world: World) -> None:
    """SUP-01: routine supervision of live filings — open, followed up and closed."""
    today = world.today
    pool = sorted(
        (f for f in world.filings.values() if f.inst not in world.reserved and f.term_end > today),
        key=lambda f: (f.filed_on, f.inst),
    )
    used: set[int] = set()
    for n, (category, text, opened, closes) in enumerate(INCIDENTS):
        start = when(world, opened[0])
        fits = [f for f in pool if f.filed_on < start and f.inst not in used]
        if not CASEWORK_FROM <= start < NEVER or not fits:
            continue
        f = fits[(n * 7) % len(fits)]
        used.add(f.inst)
        tl, officer, incident = world.timeline, scenario.city_officer(f.city), Ref("supervision", n)
        tl.command(
            start,
            f"登记监管事项{n}",
            r.open_incident,
            officer,
            save=("supervision", n),
            institution_id=Ref("inst", f.inst),
            category=category,
            description=text,
            on=start,
        )
        for days in opened[1:]:
            tl.command(
                when(world, days),
                f"跟进监管事项{n}",
                r.follow_up_incident,
                officer,
                incident_id=incident,
                on=when(world, days),
                text="已约谈机构负责人，责令限期整改",
            )
        if closes is not None:
            tl.command(
                when(world, closes),
                f"办结监管事项{n}",
                r.close_incident,
                officer,
                incident_id=incident,
                on=when(world, closes),
                conclusion="机构已完成整改，复查合格，予以办结",
            )
