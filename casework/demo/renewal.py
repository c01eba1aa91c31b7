"""Renewal rounds (REN-01…REN-06) for the filings falling due, the last one still running.

Every six months, counting back from ``today``, each city opens a round for the filings
expiring three to nine months later. Most institutions submit Attachments 4 and 5 (some with a
project never assessed, which is then dropped), a group of 3 or 4 (REN-04: 3–5) scores them
and the city decides: mostly 合格, a few 不合格, one with a veto item (a supervision case opens
at once). Some never submit and leave the catalog when their term ends (EXIT-03). The newest
round is still open on ``today``: cases 待自评, 已提交 and 评估中.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from casework import registry as r
from casework.demo.call_steps import emit_sheet
from casework.demo.timeline import (
    CASEWORK_FROM,
    NEVER,
    Ctx,
    Lazy,
    Ref,
    month_start,
    plus_months,
    resolve,
    wd,
    wd_capped,
    workday_on_or_after,
)
from casework.demo.world import Filing, World, institution_actor
from casework.domain import lifecycle
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.store.tables import filing_projects, incidents, renewal_cases

PASS, FAIL, VETO, NONE = "pass", "fail", "veto", "none"
OPINIONS = {
    PASS: "经续期评估组现场评估，评估合格，准予续期",
    FAIL: "综合得分低于60分，评估不合格，不予续期",
    VETO: "评估组报告存在不合格项（组织舞弊行为），评估不合格，不予续期，转入调查处理",
}
GROUP_OPINIONS = {
    PASS: "制度健全、人员到位、题库规范，考核实施和质量监督符合要求，建议准予续期",
    FAIL: "考核实施和质量监督存在较多问题，综合得分低于合格线，建议不予续期",
    VETO: "发现组织舞弊行为（附件4不合格项），建议不予续期并转入调查处理",
}
"""The group's Attachment 6 opinion (REN-04), apart from the city's decision (OPINIONS)."""
VETO_FOUND = ("V05",)


@dataclass
class Window:
    k: int
    opens: date
    first: date
    last: date


@dataclass
class Case:
    filing: Filing
    fate: str
    submit_on: date = NEVER
    group_on: date = NEVER
    members: list[str] = field(default_factory=list)
    sheet_on: list[date] = field(default_factory=list)
    decide_on: date = NEVER
    score: float = 0.0
    drop: bool = False


@dataclass
class Round:
    key: str
    city: str
    window: Window
    opened_on: date
    deadline: date
    cases: list[Case] = field(default_factory=list)


def windows(today: date) -> list[Window]:
    """Half-year expiry windows, newest first; the oldest reaches back to 2025-01-01."""
    newest = wd(today, -15)
    found: list[Window] = []
    k = 0
    while newest != NEVER:
        opens = plus_months(newest, -6 * k)
        if opens < CASEWORK_FROM:
            break
        first = month_start(plus_months(opens, 3))
        last = (found[-1].first if found else month_start(plus_months(opens, 9))) - timedelta(
            days=1
        )
        found.append(Window(k, opens, first, last))
        k += 1
    if found:
        found[-1].first = date(2025, 1, 1)
    return found


def status_on(case: Case, today: date, deadline: date) -> str:
    if case.decide_on <= today:
        return "decided"
    if case.group_on <= today:
        return lifecycle.RENEWAL_EVALUATING
    if case.submit_on <= today:
        return lifecycle.RENEWAL_SUBMITTED
    return lifecycle.RENEWAL_AWAITING_SELF if deadline >= today else lifecycle.RENEWAL_LAPSED


def plan_rounds(world: World, found: list[Window]) -> list[Round]:
    rounds: list[Round] = []
    today = world.today
    for window in found:
        for city in world.cities:
            due = sorted(
                (
                    f
                    for f in world.filings.values()
                    if f.city == city and window.first <= f.term_end <= window.last
                ),
                key=lambda f: (f.term_end, f.inst),
            )
            rng = world.story_rng("round", city, window.k)
            opened = workday_on_or_after(window.opens + timedelta(days=rng.randint(0, 4)))
            if opened > today:
                opened = window.opens
            due = [f for f in due if f.filed_on < opened]
            if not due:
                continue
            rnd = Round(f"{city}-{window.k}", city, window, opened, wd_capped(opened, 20))
            for f in due:
                rnd.cases.append(plan_case(world, rnd, f, rng))
            rounds.append(rnd)
    force_live_states(world, rounds, today)
    force_outcomes(rounds, today)
    return rounds


def plan_case(world: World, rnd: Round, f: Filing, rng: random.Random) -> Case:
    roll = rng.random()
    fate = NONE if roll < 0.12 else FAIL if roll < 0.19 else PASS
    case = Case(f, fate)
    schedule(world, rnd, case, rng)
    return case


def schedule(world: World, rnd: Round, case: Case, rng: random.Random) -> None:
    """Dates of a submitting case, inside the round's deadline, and its scores."""
    if case.fate == NONE:
        case.submit_on = case.group_on = case.decide_on = NEVER
        return
    k = rng.randint(2, 16)
    while wd(rnd.opened_on, k) > rnd.deadline and k > 1:
        k -= 1
    case.submit_on = wd(rnd.opened_on, k)
    case.group_on = wd(case.submit_on, rng.randint(4, 10))
    case.members = rng.sample(world.experts[rnd.city], rng.choice((3, 3, 3, 4)))
    case.sheet_on = [wd(case.group_on, rng.randint(1, 4)) for _ in case.members]
    case.decide_on = wd(max(case.sheet_on), rng.randint(1, 5))
    case.score = {PASS: rng.uniform(70, 95), FAIL: rng.uniform(45, 56), VETO: rng.uniform(62, 78)}[
        case.fate
    ]
    case.drop = case.fate == PASS and rng.random() < 0.3


def force_live_states(world: World, rounds: list[Round], today: date) -> None:
    """The newest round shows a case 评估中, one 已提交 and one 待自评 on ``today``: cases
    already there keep their state, others are re-timed."""
    live = [(rd, c) for rd in rounds if rd.window.k == 0 for c in rd.cases]
    wanted = (
        lifecycle.RENEWAL_EVALUATING,
        lifecycle.RENEWAL_SUBMITTED,
        lifecycle.RENEWAL_AWAITING_SELF,
    )
    holder: dict[str, tuple[Round, Case]] = {}
    for rnd, case in live:
        state = status_on(case, today, rnd.deadline)
        if state in wanted and state not in holder:
            holder[state] = (rnd, case)
    spare = [pair for pair in live if pair not in holder.values()]
    for state in wanted:
        if state in holder or not spare:
            continue
        rnd, case = spare.pop(0)
        retime(world, rnd, case, state, today)


def retime(world: World, rnd: Round, case: Case, state: str, today: date) -> None:
    """Dates that leave ``case`` in ``state`` on ``today``."""
    if state == lifecycle.RENEWAL_AWAITING_SELF:
        case.fate = NONE
        case.submit_on = case.group_on = case.decide_on = NEVER
        return
    if case.fate == NONE:
        case.fate = PASS
        schedule(world, rnd, case, world.story_rng("live-case", case.filing.inst))
    if state == lifecycle.RENEWAL_EVALUATING:
        case.submit_on = min(wd(rnd.opened_on, 2), today)
        case.group_on = max(case.submit_on, wd(today, -3))
        first = max(case.group_on, wd(today, -1))
        case.sheet_on = [first] + [NEVER] * (len(case.members) - 1)
    else:
        case.submit_on = max(rnd.opened_on, wd(today, -2))
        case.group_on = NEVER
        case.sheet_on = [NEVER] * len(case.members)
    case.decide_on = NEVER


def force_outcomes(rounds: list[Round], today: date) -> None:
    """At least one veto, one 不合格 ending a filing, one lapse ending one (到期未续)."""
    decided = [c for rd in rounds for c in rd.cases if c.decide_on <= today and c.fate != NONE]
    decided.sort(key=lambda c: (c.filing.term_end >= today, c.filing.term_end, c.filing.inst))
    if decided and not any(c.fate == VETO for c in decided):
        decided[0].fate, decided[0].drop = VETO, False
        decided[0].score = 66.0
    ended = [c for c in decided if c.fate != VETO]
    if ended and not any(c.fate == FAIL and c.filing.term_end < today for c in ended):
        ended[0].fate, ended[0].drop, ended[0].score = FAIL, False, 52.0
    lapsed = [c for rd in rounds for c in rd.cases if rd.deadline < today and c.fate == PASS]
    lapsed.sort(key=lambda c: (c.filing.term_end >= today, c.filing.term_end, -c.filing.inst))
    if lapsed and not any(
        c.fate == NONE and c.filing.term_end < today for rd in rounds for c in rd.cases
    ):
        c = lapsed[0]
        c.fate = NONE
        c.submit_on = c.group_on = c.decide_on = NEVER


# --- steps -----------------------------------------------------------------------------------
def emit_rounds(world: World, rounds: list[Round]) -> None:
    for rnd in rounds:
        emit_round(world, rnd)
        for case in rnd.cases:
            if case.fate != NONE:
                emit_case(world, rnd, case)


def emit_round(world: World, rnd: Round) -> None:
    """REN-01: the round's notice names the filings falling due and the deadline."""
    title = f"{world.city_names[rnd.city]}市{rnd.opened_on.year}年专项职业能力考核机构续期评估"

    def open_(ctx: Ctx) -> None:
        ctx["round", rnd.key] = r.open_round(
            ctx.store,
            scenario.city_officer(rnd.city),
            city_code=rnd.city,
            expiring_from=rnd.window.first,
            expiring_to=rnd.window.last,
            deadline=rnd.deadline,
            on=rnd.opened_on,
            title=title,
            plan="重点评估制度建设、人员配备、题库建设、考核实施、质量控制和社会反映",
        )

    world.timeline.at(rnd.opened_on, f"发布{title}", open_)


def emit_case(world: World, rnd: Round, case: Case) -> None:
    """REN-02…REN-06: submission, the group and its sheets, the decision."""
    tl, key = world.timeline, (rnd.key, case.filing.inst)
    officer = scenario.city_officer(rnd.city)
    rng = random.Random(f"{world.seed}:{key}")
    self_rows = scenario.renewal_rows(min(100.0, case.score + rng.uniform(3, 10)))
    actor = institution_actor(world, case.filing.inst)
    tl.at(case.submit_on, f"提交续期申请{key}", partial(submit, world, rnd, case, actor, self_rows))
    members = [{"username": u, "is_leader": i == 0} for i, u in enumerate(case.members)]
    tl.command(
        case.group_on,
        f"组建续期评估组{key}",
        r.constitute_group,
        officer,
        save=("group", key),
        renewal_id=Ref("case", key),
        members=members,
        on=case.group_on,
        methods=["资料查阅", "现场检查", rng.choice(("座谈问询", "个别访谈", "电话回访"))],
    )
    found = scenario.veto_rows(VETO_FOUND if case.fate == VETO else ())
    for username, on in zip(case.members, case.sheet_on, strict=True):
        score = max(0.0, min(100.0, case.score + rng.uniform(-3, 3)))
        emit_sheet(world, on, ("group", key), username, scenario.renewal_rows(score), found)
    tl.command(  # the leader returns the group's Attachment 6 opinion (REN-04)
        max(case.sheet_on),
        f"提交评估组意见{key}",
        r.submit_group_opinion,
        scenario.expert(case.members[0]),
        order=2,
        panel_id=Ref("group", key),
        opinion=GROUP_OPINIONS[case.fate],
    )
    tl.command(
        case.decide_on,
        f"研究确定续期结果{key}",
        r.decide_renewal,
        officer,
        renewal_id=Ref("case", key),
        on=case.decide_on,
        opinion=OPINIONS[case.fate],
    )
    if case.fate == VETO:
        follow = wd(case.decide_on, 3)
        tl.command(
            follow,
            f"跟进否决项{key}",
            r.follow_up_incident,
            officer,
            incident_id=Lazy(partial(veto_incident, case=case)),
            on=follow,
            text="已约谈机构负责人，调取考场监控录像和考生试卷核查",
        )


def submit(
    world: World,
    rnd: Round,
    case: Case,
    actor: Actor | Lazy,
    rows: list[dict[str, Any]],
    ctx: Ctx,
) -> None:
    """REN-02: Attachment 4 self-scored (the institution's own draft first, where it has an
    account) and Attachment 5 for the filing's scope as it stands that day."""
    case_id = case_id_of(ctx, rnd, case)
    who = resolve(actor, ctx)
    if who.role == INSTITUTION:
        r.save_self_evaluation(ctx.store, who, renewal_id=case_id, rows=rows)
    rng = random.Random(f"{world.seed}:{rnd.key}:{case.filing.inst}:a5")
    r.submit_renewal(
        ctx.store,
        who,
        renewal_id=case_id,
        on=case.submit_on,
        application=attachment5(ctx, world, case, rng),
        self_rows=rows,
        self_veto=scenario.veto_rows(),
    )


def case_id_of(ctx: Ctx, rnd: Round, case: Case) -> int:
    with ctx.store.read() as conn:
        found = conn.execute(
            select(renewal_cases.c.id).where(
                renewal_cases.c.round_id == ctx["round", rnd.key],
                renewal_cases.c.filing_id == ctx["filing", case.filing.inst],
            )
        ).scalar_one()
    ctx["case", (rnd.key, case.filing.inst)] = int(found)
    return int(found)


def veto_incident(ctx: Ctx, *, case: Case) -> int:
    """REN-06: the supervision case ``decide_renewal`` opened for the veto item."""
    query = (
        select(incidents.c.id)
        .where(
            incidents.c.institution_id == ctx["inst", case.filing.inst],
            incidents.c.category == "续期评估否决项",
        )
        .order_by(incidents.c.id.desc())
    )
    with ctx.store.read() as conn:
        return int(conn.execute(query).scalars().one())


def attachment5(ctx: Ctx, world: World, case: Case, rng: random.Random) -> dict[str, Any]:
    """Attachment 5: per project 考核人次/取证人次 over the term (ATT5-STATS), one project
    never assessed where the plan says so (REN-05 drops it), and the institution's resources."""
    with ctx.store.read() as conn:
        scope = sorted(
            conn.execute(
                select(filing_projects.c.project_code).where(
                    filing_projects.c.filing_id == ctx["filing", case.filing.inst],
                    filing_projects.c.removed_on.is_(None),
                )
            ).scalars()
        )
    stats = []
    for i, code in enumerate(scope):
        assessed = (
            0 if case.drop and len(scope) > 1 and i == len(scope) - 1 else rng.randint(30, 420)
        )
        stats.append(
            {
                "project_code": code,
                "assessed": assessed,
                "certified": round(assessed * rng.uniform(0.72, 0.97)),
            }
        )
    inst = world.insts[case.filing.inst]
    first = case.filing.filed_on + timedelta(days=rng.randint(30, 120))
    return {
        "contact": inst.contact,
        "qualification_changed": False,
        "credit_good": True,
        "first_assessment_on": first.isoformat(),
        "projects": stats,
        "site": rng.choice(("自有场地", "租用场地")),
        "evaluators": rng.randint(4, 15),
        "supervisors": rng.randint(2, 4),
        "item_writers": rng.randint(2, 6),
        "staff": rng.randint(3, 12),
        "question_banks": [
            {
                "project_code": s["project_code"],
                "papers": rng.randint(3, 8),
                "items": rng.randint(150, 600),
            }
            for s in stats
        ],
        "summary": "备案期内严格执行考核规范，考核数据按时上网，无投诉举报。",
    }
