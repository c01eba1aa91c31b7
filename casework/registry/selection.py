"""Selection: calls, applications, panels and their sheets, and the city's decision.

SEL-01…SEL-04 and SEL-07. A scope addition by a filed institution is an application of kind
范围新增 and goes through the same procedure (SEL-06).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from casework.domain import lifecycle, rubrics, rules
from casework.errors import PermissionDenied, QuotaExceeded, RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, EXPERT, INSTITUTION, PROVINCE
from casework.registry.catalog import city_project_codes
from casework.registry.sheets import selection_verdict
from casework.registry.timing import filing_ended_on
from casework.registry.uow import Tx, command
from casework.store.tables import (
    application_projects,
    applications,
    call_projects,
    calls,
    filing_projects,
    filings,
    institutions,
    panel_members,
    panels,
    quota_overrides,
    users,
)

CITY = (CITY_OFFICER, CITY_MANAGER)
NEW, SCOPE_ADDITION = "新申请", "范围新增"
LIVE_FILING = (lifecycle.ACTIVE, lifecycle.SUSPENDED)
PENDING_APPLICATION = ("拟备案", "公示中", "公示无异议")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- calls (SEL-02) -------------------------------------------------------------------------
@command("发布征集公告", rules=("SEL-01", "SEL-02"), roles=CITY)
def publish_call(
    tx: Tx,
    *,
    city_code: str,
    year: int,
    title: str,
    project_codes: Sequence[str],
    opens_on: date,
    closes_on: date,
    published_on: date,
    conditions: str = "",
    requirements: str = "",
    supplementary: Sequence[dict[str, str]] = (),
) -> int:
    """SEL-02: a call names its scope, conditions, requirements and application period.

    Its scope must lie inside the city's project list for the year (SEL-01). City
    supplementary conditions (SEL-03, Att.1 说明1) are a list of ``{"sub_id", "text"}``.
    """
    tx.require_city(city_code)
    codes = list(dict.fromkeys(project_codes))
    if not codes:
        raise RuleViolation("征集公告须列明征集范围（至少一个考核项目）", rule_id="SEL-02")
    outside = sorted(set(codes) - city_project_codes(tx, city_code, year))
    if outside:
        raise RuleViolation(
            f"项目{'、'.join(outside)}不在本市{year}年确定的考核项目范围内", rule_id="SEL-01"
        )
    if closes_on < opens_on:
        raise RuleViolation(f"申报截止日{closes_on}早于开始日{opens_on}", rule_id="SEL-02")
    if not title.strip():
        raise RuleViolation("征集公告标题不能为空", rule_id="SEL-02")
    ids = [s.get("sub_id", "") for s in supplementary]
    clash = sorted(set(ids) & set(rubrics.load("selection", on=published_on).conditions.sub_id))
    if clash:
        raise RuleViolation(
            f"补充条件编号{'、'.join(clash)}与附件1条件编号重复，请使用 S1、S2 等编号",
            rule_id="SEL-03",
        )
    if len(set(ids)) != len(ids) or any(
        not i or not s.get("text") for i, s in zip(ids, supplementary, strict=True)
    ):
        raise RuleViolation("补充条件须各有唯一编号和内容", rule_id="SEL-03")
    call_id = int(
        tx.insert(
            calls,
            city_code=city_code,
            year=year,
            title=title.strip(),
            conditions=conditions,
            requirements=requirements,
            supplementary=[dict(s) for s in supplementary],
            opens_on=opens_on,
            closes_on=closes_on,
            published_on=published_on,
            status=lifecycle.CALL.initial,
        )
    )
    for code in codes:
        tx.insert(call_projects, call_id=call_id, project_code=code)
    return call_id


@command("截止征集", rules=("SEL-02",), roles=CITY)
def close_call(tx: Tx, *, call_id: int) -> None:
    call = tx.get(calls, "征集公告", id=call_id)
    tx.require_city(call["city_code"])
    tx.update(calls, {"id": call_id}, status=lifecycle.CALL.target("close", call["status"]))


# --- applications ---------------------------------------------------------------------------
def live_filing(tx: Tx, institution_id: int) -> Any:
    q = select(filings).where(
        filings.c.institution_id == institution_id, filings.c.status.in_(LIVE_FILING)
    )
    return tx.conn.execute(q).mappings().first()


def scope_of(tx: Tx, filing_id: int) -> set[str]:
    q = select(filing_projects.c.project_code).where(
        filing_projects.c.filing_id == filing_id, filing_projects.c.removed_on.is_(None)
    )
    return set(tx.conn.execute(q).scalars())


@command("提交备案申请", rules=("SEL-02", "SEL-06"), roles=(*CITY, INSTITUTION))
def submit_application(
    tx: Tx, *, call_id: int, institution_id: int, project_codes: Sequence[str], on: date
) -> int:
    """An applicant applies inside a call's scope and period.

    A filed institution's application adds projects to its filing (SEL-06: same conditions,
    materials and procedure; the projects must lie inside the call's scope).
    """
    call = tx.get(calls, "征集公告", id=call_id)
    inst = tx.get(institutions, "申报单位", id=institution_id)
    tx.require_city(call["city_code"])
    tx.require_institution(institution_id)
    lifecycle.CALL.target("apply", call["status"])
    if inst["city_code"] != call["city_code"]:
        raise RuleViolation(f"{inst['name']}登记在其他城市，不能申报本市征集", rule_id="ATT4-SCOPE")
    if not call["opens_on"] <= on <= call["closes_on"]:
        raise RuleViolation(
            f"申报日期{on}不在申报时间{call['opens_on']}至{call['closes_on']}内", rule_id="SEL-02"
        )
    if inst["extinct_on"] is not None:
        raise RuleViolation(f"{inst['name']}已主体灭失，不能申报", rule_id="EXIT-07")
    codes = list(dict.fromkeys(project_codes))
    scope = set(
        tx.conn.execute(
            select(call_projects.c.project_code).where(call_projects.c.call_id == call_id)
        ).scalars()
    )
    outside = sorted(set(codes) - scope)
    if not codes or outside:
        raise RuleViolation(
            f"申报项目{'、'.join(outside) or '为空'}不在征集公告的征集范围内", rule_id="SEL-06"
        )
    filing = live_filing(tx, institution_id)
    kind, filing_id = NEW, None
    if filing is not None:
        ended = filing_ended_on(tx.conn, filing, on)
        if ended is not None:
            raise RuleViolation(
                f"{inst['name']}的备案有效期已于{filing['term_end']}届满（{ended}），"
                "不能申请新增考核项目",
                rule_id="EXIT-03",
            )
        if filing["status"] != lifecycle.ACTIVE:
            raise RuleViolation(
                f"{inst['name']}的备案处于“{filing['status']}”状态，不能申请新增考核项目",
                rule_id="EXIT-04",
            )
        already = sorted(set(codes) & scope_of(tx, filing["id"]))
        if already:
            raise RuleViolation(f"项目{'、'.join(already)}已在备案范围内", rule_id="SEL-06")
        kind, filing_id = SCOPE_ADDITION, filing["id"]
    open_q = select(func.count()).where(
        applications.c.institution_id == institution_id,
        applications.c.call_id == call_id,
        applications.c.status.notin_(tuple(lifecycle.APPLICATION.finals)),
    )
    if tx.conn.execute(open_q).scalar():
        raise RuleViolation(f"{inst['name']}在本次征集中已有在办申请", rule_id="SEL-02")
    app_id = int(
        tx.insert(
            applications,
            call_id=call_id,
            institution_id=institution_id,
            kind=kind,
            filing_id=filing_id,
            submitted_on=on,
            status=lifecycle.APPLICATION.initial,
            decision_note="",
        )
    )
    for code in codes:
        tx.insert(application_projects, application_id=app_id, project_code=code)
    return app_id


def application_city(tx: Tx, application_id: int) -> tuple[Any, Any]:
    app = tx.get(applications, "备案申请", id=application_id)
    call = tx.get(calls, "征集公告", id=app["call_id"])
    return app, call


def move_application(tx: Tx, app: Any, action: str, **values: Any) -> str:
    target = lifecycle.APPLICATION.target(action, app["status"])
    tx.update(applications, {"id": app["id"]}, status=target, **values)
    return target


@command("撤回申请", rules=("SEL-02",), roles=(*CITY, INSTITUTION))
def withdraw_application(tx: Tx, *, application_id: int) -> None:
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    tx.require_institution(app["institution_id"])
    move_application(tx, app, "withdraw")


# --- panels (SEL-03, REN-04) ----------------------------------------------------------------
def check_members(tx: Tx, members: Sequence[dict[str, Any]], rule_id: str, unit: str) -> None:
    """3–5 distinct experts, exactly one leader, nobody from the applicant's own unit."""
    names = [m["username"] for m in members]
    if not rules.PANEL_MIN <= len(set(names)) <= rules.PANEL_MAX or len(set(names)) != len(names):
        raise RuleViolation(
            f"评估组应由{rules.PANEL_MIN}—{rules.PANEL_MAX}名不重复的成员组成，现为{len(names)}人",
            rule_id=rule_id,
        )
    leaders = [m for m in members if m.get("is_leader")]
    if len(leaders) != 1:
        raise RuleViolation(f"评估组须有且只有一名组长，现为{len(leaders)}名", rule_id=rule_id)
    for name in names:
        user = tx.get(users, "用户", username=name)
        if user["role"] != EXPERT:
            raise RuleViolation(f"用户“{name}”的角色是{user['role']}，不是专家", rule_id=rule_id)
        if unit and user["unit"].strip() == unit.strip():
            raise PermissionDenied(
                f"专家“{user['display_name']}”与被评估单位{unit}同属一个单位，须回避",
                rule_id="SUP-03",
            )


def add_panel(
    tx: Tx,
    *,
    purpose: str,
    members: Sequence[dict[str, Any]],
    rubric_id: str,
    on: date,
    methods: Iterable[str],
    application_id: int | None = None,
    renewal_id: int | None = None,
) -> int:
    panel_id = int(
        tx.insert(
            panels,
            purpose=purpose,
            application_id=application_id,
            renewal_id=renewal_id,
            rubric_id=rubric_id,
            constituted_on=on,
            methods=list(methods),
        )
    )
    for m in members:
        tx.insert(
            panel_members,
            panel_id=panel_id,
            username=m["username"],
            is_leader=bool(m.get("is_leader")),
            expertise=m.get("expertise", ""),
        )
    return panel_id


SELECTION_METHODS = ("材料核验", "现场察看", "视频连线", "访谈咨询", "质询答辩", "专家论证")


@command("组建遴选评估组", rules=("SEL-03",), roles=CITY)
def constitute_panel(
    tx: Tx,
    *,
    application_id: int,
    members: Sequence[dict[str, Any]],
    on: date,
    methods: Iterable[str] = ("材料核验", "现场察看"),
) -> int:
    """SEL-03: a selection panel of 3–5 experts evaluates the application with Attachment 1."""
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    methods = list(methods)
    unknown = sorted(set(methods) - set(SELECTION_METHODS))
    if unknown:
        raise RuleViolation(f"评估方式{'、'.join(unknown)}不在规定方式内", rule_id="SEL-03")
    inst = tx.get(institutions, "申报单位", id=app["institution_id"])
    check_members(tx, members, "SEL-03", inst["name"])
    rubric = rubrics.load("selection", on=on)
    move_application(tx, app, "constitute_panel", rubric_id=rubric.id)
    return add_panel(
        tx,
        purpose="遴选",
        members=members,
        rubric_id=rubric.id,
        on=on,
        methods=methods,
        application_id=application_id,
    )


@command("利益冲突声明", rules=("SUP-03",), roles=(EXPERT,))
def declare_conflict_of_interest(
    tx: Tx, *, panel_id: int, no_conflict: bool, statement: str = ""
) -> None:
    """An expert declares, before first opening a case, that they have no conflict of interest."""
    member = tx.get(panel_members, "评估组成员", panel_id=panel_id, username=tx.actor.username)
    if not no_conflict:
        raise RuleViolation("存在利益冲突的专家须申请回避，不能参加本次评估", rule_id="SUP-03")
    if member["coi_declared_at"] is not None:
        return
    tx.update(
        panel_members,
        {"panel_id": panel_id, "username": tx.actor.username},
        coi_declared_at=_now(),
        coi_statement=statement or "本人与被评估单位无利益关系，承诺客观公正评估。",
    )


# --- decision (SEL-04, SEL-07) --------------------------------------------------------------
def panel_for_application(tx: Tx, application_id: int) -> Any:
    return tx.get(panels, "遴选评估组", application_id=application_id)


def count_quota(tx: Tx, city_code: str, project_code: str, exclude_app: int) -> int:
    """Institutions holding or about to hold ``project_code`` in ``city_code`` (SEL-07)."""
    filed = select(func.count(func.distinct(filings.c.institution_id))).where(
        filings.c.city_code == city_code,
        filings.c.status.in_(LIVE_FILING),
        filings.c.id == filing_projects.c.filing_id,
        filing_projects.c.project_code == project_code,
        filing_projects.c.removed_on.is_(None),
    )
    pending = select(func.count(func.distinct(applications.c.institution_id))).where(
        applications.c.status.in_(PENDING_APPLICATION),
        applications.c.id != exclude_app,
        applications.c.call_id == calls.c.id,
        calls.c.city_code == city_code,
        application_projects.c.application_id == applications.c.id,
        application_projects.c.project_code == project_code,
    )
    return int(tx.conn.execute(filed).scalar() or 0) + int(tx.conn.execute(pending).scalar() or 0)


def institution_project_count(tx: Tx, institution_id: int, exclude_app: int) -> int:
    filing = live_filing(tx, institution_id)
    held = scope_of(tx, filing["id"]) if filing else set()
    pending = select(application_projects.c.project_code).where(
        applications.c.institution_id == institution_id,
        applications.c.status.in_(PENDING_APPLICATION),
        applications.c.id != exclude_app,
        application_projects.c.application_id == applications.c.id,
    )
    return len(held | set(tx.conn.execute(pending).scalars()))


def check_quotas(
    tx: Tx, app: Any, city_code: str, codes: list[str], override_reason: str, on: date
) -> None:
    """SEL-07: refuse a 6th institution per project per city or a 6th project per institution,
    unless an authorised officer (市级负责人) records an explicit override reason."""
    breaches: list[dict[str, Any]] = []
    for code in codes:
        after = count_quota(tx, city_code, code, app["id"]) + 1
        if after > rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY:
            breaches.append({"kind": "项目机构数", "project_code": code, "count_after": after})
    after = institution_project_count(tx, app["institution_id"], app["id"]) + len(codes)
    if after > rules.MAX_PROJECTS_PER_INSTITUTION:
        breaches.append({"kind": "机构项目数", "project_code": None, "count_after": after})
    if not breaches:
        return
    text = "；".join(
        f"项目{b['project_code']}在本市将有{b['count_after']}家考核机构（原则上不超过"
        f"{rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY}家）"
        if b["kind"] == "项目机构数"
        else f"该机构备案项目将达{b['count_after']}个（原则上不超过"
        f"{rules.MAX_PROJECTS_PER_INSTITUTION}个）"
        for b in breaches
    )
    if not override_reason.strip():
        raise QuotaExceeded(text + "；如确需突破，须由市级负责人录入理由", rule_id="SEL-07")
    if tx.actor.role not in (CITY_MANAGER, PROVINCE):
        raise PermissionDenied(f"{text}；突破数量限制须由市级负责人决定", rule_id="SEL-07")
    for b in breaches:
        tx.insert(
            quota_overrides,
            application_id=app["id"],
            city_code=city_code,
            institution_id=app["institution_id"],
            reason=override_reason.strip(),
            officer=tx.actor.username,
            recorded_on=on,
            **b,
        )


@command("研究确定遴选结果", rules=("SEL-04", "SEL-07"), roles=CITY)
def decide_application(
    tx: Tx,
    *,
    application_id: int,
    approve: bool,
    on: date,
    note: str = "",
    override_reason: str = "",
) -> dict[str, Any]:
    """SEL-04: the city decides on the panel's opinion; only an eligible applicant is approved.

    Quotas (SEL-07) are checked at decision time.
    """
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    lifecycle.APPLICATION.target("approve" if approve else "reject", app["status"])
    panel = panel_for_application(tx, application_id)
    verdict = selection_verdict(tx, panel)
    if approve and not verdict.eligible:
        raise RuleViolation(
            f"申报单位未满足全部必备条件（未满足：{'、'.join(verdict.unmet)}），不能拟备案",
            rule_id="SEL-04",
        )
    codes = sorted(
        tx.conn.execute(
            select(application_projects.c.project_code).where(
                application_projects.c.application_id == application_id
            )
        ).scalars()
    )
    if approve:
        check_quotas(tx, app, call["city_code"], codes, override_reason, on)
    move_application(
        tx,
        app,
        "approve" if approve else "reject",
        eligible=verdict.eligible,
        priority=verdict.priority,
        decided_on=on,
        decision_note=note,
    )
    return {"eligible": verdict.eligible, "priority": verdict.priority, "unmet": verdict.unmet}
