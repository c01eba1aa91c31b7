"""Selection: calls, applications, panels and their sheets, and the city's decision.

SEL-01…SEL-04 and SEL-07. A scope addition by a filed institution is an application of kind
范围新增 and goes through the same procedure (SEL-06).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from casework.domain import lifecycle, limits, rubrics, rules
from casework.domain.evidence.vocabulary import INSTITUTION_KINDS
from casework.errors import PermissionDenied, QuotaExceeded, RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, EXPERT, INSTITUTION, PROVINCE
from casework.registry.catalog import city_project_codes
from casework.registry.expert_pool import check_pool
from casework.registry.sheets import SELF, SUBMITTED, selection_verdict
from casework.registry.timing import filing_ended_on
from casework.registry.uow import Tx, command
from casework.store.tables import (
    PROJECT_APPROVED,
    PROJECT_DECLINED,
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
    renewal_cases,
    sheets,
    users,
)

CITY = (CITY_OFFICER, CITY_MANAGER)
NEW, SCOPE_ADDITION = "新申请", "范围新增"
LIVE_FILING = (lifecycle.ACTIVE, lifecycle.SUSPENDED)
PENDING_APPLICATION = lifecycle.PENDING_FILING


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
    tx: Tx,
    *,
    call_id: int,
    institution_id: int,
    project_codes: Sequence[str],
    on: date,
    applicant: Mapping[str, str] | None = None,
    supplementary: Sequence[Mapping[str, str]] = (),
    integrity: bool | None = None,
) -> int:
    """An applicant applies inside a call's scope and period.

    A filed institution's application adds projects to its filing (SEL-06: same conditions,
    materials and procedure; the projects must lie inside the call's scope). The 申请 page
    also passes the applicant's identity details (``applicant``: kind, address, contact,
    phone — stored on the institution and kept with the application), its statement on each
    of the city's supplementary conditions (SEL-03) and the integrity declaration, which must
    be made (``integrity=False`` is refused). Who entered the application is recorded: the
    institution head, or a city officer entering a paper application on its behalf.
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
            entered_by=tx.actor.username,
            on_behalf=tx.actor.role in CITY,
            **_declared(tx, call, inst, applicant, supplementary, integrity),
        )
    )
    for code in codes:
        tx.insert(application_projects, application_id=app_id, project_code=code)
    return app_id


# --- what the applicant declares (SEL-02, SEL-03) --------------------------------------------
INTEGRITY_DECLARATION = "本单位承诺填写内容、报送材料真实有效，如有弄虚作假，愿意承担相应责任。"
"""The integrity declaration (诚信声明) the applicant makes with its application."""
APPLICANT_FIELDS = {
    "kind": ("单位类型", 20),
    "address": ("单位地址", limits.ADDRESS),
    "contact": ("联系人", limits.CONTACT),
    "phone": ("联系电话", limits.PHONE),
}
"""The identity details an application states besides its name and USCC (field → label)."""
PHONE_PATTERN = re.compile(r"[0-9][0-9\- ]{5,18}[0-9]")


def check_applicant(applicant: Mapping[str, str]) -> dict[str, str]:
    """The applicant's details, trimmed; refuses an unknown type, a blank contact or phone and
    a phone that is not a phone number, naming the field (SEL-02)."""
    unknown = sorted(set(applicant) - set(APPLICANT_FIELDS))
    if unknown:
        raise RuleViolation(f"申请信息含未知字段{'、'.join(unknown)}", rule_id="SEL-02")
    out = {k: str(applicant.get(k, "") or "").strip() for k in APPLICANT_FIELDS}
    for key, (label, length) in APPLICANT_FIELDS.items():
        limits.check_text(out[key], label, length)
    if out["kind"] not in INSTITUTION_KINDS:
        raise RuleViolation(
            f"单位类型“{out['kind']}”无效，可选：{'、'.join(INSTITUTION_KINDS)}", rule_id="SEL-02"
        )
    for key in ("address", "contact", "phone"):
        if not out[key]:
            raise RuleViolation(f"请填写{APPLICANT_FIELDS[key][0]}", rule_id="SEL-02")
    if not PHONE_PATTERN.fullmatch(out["phone"]):
        raise RuleViolation(
            f"联系电话“{out['phone']}”无效：应为7—20位数字（可含“-”）", rule_id="SEL-02"
        )
    return out


def check_statements(call: Any, supplementary: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """SEL-03: one statement per supplementary condition of the call, none for another."""
    conditions = {str(c["sub_id"]): str(c["text"]) for c in call["supplementary"] or []}
    given = {
        str(s.get("sub_id", "")): str(s.get("statement", "") or "").strip() for s in supplementary
    }
    unknown = sorted(set(given) - set(conditions))
    if unknown:
        raise RuleViolation(
            f"补充条件{'、'.join(unknown)}不是本次征集公告的补充条件", rule_id="SEL-03"
        )
    missing = [i for i in conditions if not given.get(i)]
    if missing:
        raise RuleViolation(
            f"请逐条说明对本市补充条件的满足情况（未填写：{'、'.join(missing)}）",
            rule_id="SEL-03",
        )
    return [{"sub_id": i, "text": t, "statement": given[i]} for i, t in conditions.items()]


def _declared(
    tx: Tx,
    call: Any,
    inst: Any,
    applicant: Mapping[str, str] | None,
    supplementary: Sequence[Mapping[str, str]],
    integrity: bool | None,
) -> dict[str, Any]:
    """The application's columns for what the applicant declared; updates the institution's
    details to the ones stated. Without ``applicant`` (a script or a scope addition from the
    scope page) only the supplementary statements and the declaration given are kept."""
    values: dict[str, Any] = {}
    if integrity is False:
        raise RuleViolation("请阅读并勾选诚信承诺后再提交申请", rule_id="SEL-02")
    if integrity:
        values.update(declared_at=_now(), declaration=INTEGRITY_DECLARATION)
    if supplementary or applicant is not None:
        values["supplementary"] = check_statements(call, supplementary)
    if applicant is not None:
        details = check_applicant(applicant)
        changed = {k: v for k, v in details.items() if inst[k] != v}
        if changed:
            tx.update(institutions, {"id": inst["id"]}, **changed)
        values["applicant"] = {"name": inst["name"], "uscc": inst["uscc"], **details}
    return values


def application_city(tx: Tx, application_id: int) -> tuple[Any, Any]:
    app = tx.get(applications, "备案申请", id=application_id)
    call = tx.get(calls, "征集公告", id=app["call_id"])
    return app, call


def move_application(tx: Tx, app: Any, action: str, **values: Any) -> str:
    target = lifecycle.APPLICATION.target(action, app["status"])
    tx.update(applications, {"id": app["id"]}, status=target, **values)
    return target


@command("撤回申请", rules=("SEL-02",), roles=(*CITY, INSTITUTION))
def withdraw_application(
    tx: Tx, *, application_id: int, on: date | None = None, reason: str = ""
) -> None:
    """SEL-02: the applicant takes its application back; the date and reason are recorded."""
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    tx.require_institution(app["institution_id"])
    values: dict[str, Any] = {"withdrawal_reason": reason.strip()} if reason.strip() else {}
    if on is not None:
        values["withdrawn_on"] = on
    move_application(tx, app, "withdraw", **values)


# --- the city's completeness check (SEL-02, SEL-03) ------------------------------------------
@command("受理申请", rules=("SEL-02", "SEL-03"), roles=CITY)
def accept_application(tx: Tx, *, application_id: int, on: date) -> None:
    """SEL-02: the city finds the application complete (受理); a panel may then be formed."""
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    if on < app["submitted_on"]:
        raise RuleViolation(f"受理日期{on}早于申报日期{app['submitted_on']}", rule_id="SEL-02")
    move_application(tx, app, "accept", accepted_on=on)


@command("退回补正", rules=("SEL-02",), roles=CITY)
def return_application(
    tx: Tx, *, application_id: int, missing: Sequence[str], on: date, note: str = ""
) -> None:
    """SEL-02: the city returns an incomplete application, listing what is missing (退回补正)."""
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    items = [m.strip() for m in dict.fromkeys(missing) if m.strip()]
    if not items:
        raise RuleViolation("退回补正须列明需补正的材料或事项", rule_id="SEL-02")
    if on < app["submitted_on"]:
        raise RuleViolation(f"退回日期{on}早于申报日期{app['submitted_on']}", rule_id="SEL-02")
    move_application(
        tx,
        app,
        "return_for_correction",
        returned_on=on,
        correction_items=items,
        correction_note=note.strip(),
    )


@command("补正后重新提交", rules=("SEL-02", "SEL-06"), roles=(*CITY, INSTITUTION))
def resubmit_application(
    tx: Tx,
    *,
    application_id: int,
    on: date,
    project_codes: Sequence[str] | None = None,
    applicant: Mapping[str, str] | None = None,
    supplementary: Sequence[Mapping[str, str]] = (),
    integrity: bool | None = None,
) -> None:
    """SEL-02: the applicant corrects a returned application and submits it again.

    The corrected projects must lie inside the call's scope (SEL-06) and may not already be in
    the institution's filing; the data uploads are corrected through the intake.
    """
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    tx.require_institution(app["institution_id"])
    lifecycle.APPLICATION.target("resubmit", app["status"])
    inst = tx.get(institutions, "申报单位", id=app["institution_id"])
    values = _declared(tx, call, inst, applicant, supplementary, integrity)
    if project_codes is not None:
        codes = list(dict.fromkeys(project_codes))
        scope = set(
            tx.conn.execute(
                select(call_projects.c.project_code).where(call_projects.c.call_id == call["id"])
            ).scalars()
        )
        outside = sorted(set(codes) - scope)
        if not codes or outside:
            raise RuleViolation(
                f"申报项目{'、'.join(outside) or '为空'}不在征集公告的征集范围内",
                rule_id="SEL-06",
            )
        if app["filing_id"] is not None:
            already = sorted(set(codes) & scope_of(tx, app["filing_id"]))
            if already:
                raise RuleViolation(f"项目{'、'.join(already)}已在备案范围内", rule_id="SEL-06")
        tx.conn.execute(
            delete(application_projects).where(
                application_projects.c.application_id == application_id
            )
        )
        tx.changes.append(
            {
                "op": "delete",
                "table": "application_projects",
                "key": {"application_id": application_id},
            }
        )
        for code in codes:
            tx.insert(application_projects, application_id=application_id, project_code=code)
    move_application(
        tx,
        app,
        "resubmit",
        resubmitted_on=on,
        entered_by=tx.actor.username,
        on_behalf=tx.actor.role in CITY,
        **values,
    )


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
    """SEL-03: a selection panel of 3–5 experts evaluates the application with Attachment 1.

    Only an application the city has accepted as complete (已受理, SEL-02) is evaluated.
    """
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    methods = list(methods)
    unknown = sorted(set(methods) - set(SELECTION_METHODS))
    if unknown:
        raise RuleViolation(f"评估方式{'、'.join(unknown)}不在规定方式内", rule_id="SEL-03")
    inst = tx.get(institutions, "申报单位", id=app["institution_id"])
    check_members(tx, members, "SEL-03", inst["name"])
    check_pool(tx, [m["username"] for m in members], call["city_code"], inst["id"], "SEL-03")
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


def panel_case(tx: Tx, panel: Any) -> tuple[str, int, str, str]:
    """A panel's city, institution id and name, and the rule governing it (SEL-03 or REN-04);
    the case must still be under evaluation (the lifecycle's 评估中)."""
    if panel["application_id"] is not None:
        app, call = application_city(tx, panel["application_id"])
        lifecycle.APPLICATION.target("submit_sheet", app["status"])
        inst = tx.get(institutions, "申报单位", id=app["institution_id"])
        return call["city_code"], int(inst["id"]), inst["name"], "SEL-03"
    case = tx.get(renewal_cases, "续期评估", id=panel["renewal_id"])
    lifecycle.RENEWAL.target("submit_sheet", case["status"])
    filing = tx.get(filings, "备案", id=case["filing_id"])
    inst = tx.get(institutions, "考核机构", id=filing["institution_id"])
    return filing["city_code"], int(inst["id"]), inst["name"], "REN-04"


@command("更换评估组成员", rules=("SEL-03", "REN-04", "SUP-03"), roles=CITY)
def replace_panel_member(
    tx: Tx,
    *,
    panel_id: int,
    leaving: str,
    joining: str,
    reason: str,
    leader: str | None = None,
) -> None:
    """Replace a member who withdraws (e.g. declares a conflict) before the scoring: refused
    once any member submitted a sheet — a panel with a submitted sheet is not changed. The
    group after the change is checked as when it was formed (3–5, one leader, no same-unit or
    declared conflict, SUP-03); ``leader`` names who leads afterwards (by default the leader
    stays, or the joining member takes over from a leaving leader)."""
    panel = tx.get(panels, "评估组", id=panel_id)
    city_code, institution_id, unit, rule_id = panel_case(tx, panel)
    tx.require_city(city_code)
    if not reason.strip():
        raise RuleViolation("请填写更换原因", rule_id=rule_id)
    submitted = tx.conn.execute(
        select(sheets.c.author).where(
            sheets.c.panel_id == panel_id,
            sheets.c.kind != SELF,
            sheets.c.status == SUBMITTED,
        )
    ).first()
    if submitted is not None:
        raise RuleViolation("评估组已有成员提交评估表，成员不能再更换", rule_id=rule_id)
    current = tx.rows(panel_members, panel_id=panel_id)
    names = [m["username"] for m in current]
    if leaving not in names:
        raise RuleViolation(f"用户“{leaving}”不是该评估组成员", rule_id=rule_id)
    if joining in names:
        raise RuleViolation(f"用户“{joining}”已是该评估组成员", rule_id=rule_id)
    leaders = [m["username"] for m in current if m["is_leader"]]
    head = leader or (joining if leaving in leaders or not leaders else leaders[0])
    members = [
        {"username": joining if m["username"] == leaving else m["username"]} for m in current
    ]
    for m in members:
        m["is_leader"] = m["username"] == head
    check_members(tx, members, rule_id, unit)
    check_pool(tx, [joining], city_code, institution_id, rule_id)
    before = next(dict(m) for m in current if m["username"] == leaving)
    tx.conn.execute(
        delete(panel_members).where(
            panel_members.c.panel_id == panel_id, panel_members.c.username == leaving
        )
    )
    tx.changes.append(
        {
            "op": "delete",
            "table": panel_members.name,
            "key": {"panel_id": panel_id, "username": leaving},
            "before": {"is_leader": bool(before["is_leader"]), "reason": reason.strip()},
        }
    )
    tx.insert(
        panel_members,
        panel_id=panel_id,
        username=joining,
        is_leader=head == joining,
        expertise="",
    )
    for row in current:
        name = row["username"]
        if name != leaving and bool(row["is_leader"]) != (name == head):
            tx.update(
                panel_members, {"panel_id": panel_id, "username": name}, is_leader=name == head
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
        _not_declined(),
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
        _not_declined(),
    )
    return len(held | set(tx.conn.execute(pending).scalars()))


def _not_declined() -> Any:
    """SEL-07: a project the city declined (SEL-04) does not count towards a quota."""
    decision = application_projects.c.decision
    return or_(decision.is_(None), decision != PROJECT_DECLINED)


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


DECLINE_REASON_MAX = 200
"""The longest reason the city gives for declining one project (SEL-04)."""


def project_decisions(
    codes: Sequence[str],
    approve: bool,
    projects: Sequence[str] | None,
    declined: Mapping[str, str] | None,
    note: str,
) -> tuple[list[str], dict[str, str]]:
    """SEL-04: the projects the city approves and those it declines, each with its reason.

    Every project applied for is decided: approved, or declined with a reason. ``projects``
    None approves every project not in ``declined``; a rejection declines all of them with the
    decision's ``note`` as the reason.
    """
    declined = {str(k): str(v or "").strip() for k, v in (declined or {}).items()}
    if not approve:
        return [], {c: declined.get(c) or note.strip() for c in codes}
    chosen = (
        [c for c in codes if c not in declined]
        if projects is None
        else list(dict.fromkeys(projects))
    )
    strange = sorted((set(chosen) | set(declined)) - set(codes))
    if strange:
        raise RuleViolation(f"项目{'、'.join(strange)}不是本申请的申报项目", rule_id="SEL-04")
    both = sorted(set(chosen) & set(declined))
    if both:
        raise RuleViolation(f"项目{'、'.join(both)}不能既拟备案又不予备案", rule_id="SEL-04")
    undecided = [c for c in codes if c not in chosen and c not in declined]
    if undecided:
        raise RuleViolation(
            f"项目{'、'.join(undecided)}未作决定：请选择拟备案，或写明不予备案的理由",
            rule_id="SEL-04",
        )
    if not chosen:
        raise RuleViolation(
            "拟备案须至少包含一个考核项目；全部不予备案请作出不予备案决定", rule_id="SEL-04"
        )
    for code, reason in declined.items():
        if not reason:
            raise RuleViolation(f"请写明项目{code}不予备案的理由", rule_id="SEL-04")
        limits.check_text(reason, f"项目{code}不予备案的理由", DECLINE_REASON_MAX)
    return [c for c in codes if c in chosen], declined


@command("研究确定遴选结果", rules=("SEL-04", "SEL-07"), roles=CITY)
def decide_application(
    tx: Tx,
    *,
    application_id: int,
    approve: bool,
    on: date,
    note: str = "",
    override_reason: str = "",
    projects: Sequence[str] | None = None,
    declined: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """SEL-04: the city decides on the panel's opinion, project by project.

    The city may approve some of the projects applied for and decline others, with a reason
    for each (``declined``: code → reason); only a project the panel found the applicant
    qualified for (general conditions and that project's per-project conditions met) may be
    approved. ``projects`` None approves every project not declined. Quotas (SEL-07) are
    checked at decision time and count only the approved projects; only they are noticed and
    filed. A rejection (``approve=False``) declines every project with ``note`` as the reason.
    """
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    lifecycle.APPLICATION.target("approve" if approve else "reject", app["status"])
    panel = panel_for_application(tx, application_id)
    verdict = selection_verdict(tx, panel)
    codes = sorted(
        tx.conn.execute(
            select(application_projects.c.project_code).where(
                application_projects.c.application_id == application_id
            )
        ).scalars()
    )
    approved, refused = project_decisions(codes, approve, projects, declined, note)
    if verdict.projects:
        qualified = set(verdict.eligible_projects)
    else:
        qualified = set(codes) if verdict.eligible else set()
    if approve and not verdict.eligible:
        raise RuleViolation(
            f"申报单位未满足全部必备条件（未满足：{'、'.join(verdict.unmet)}），不能拟备案",
            rule_id="SEL-04",
        )
    short = [c for c in approved if c not in qualified]
    if short:
        why = "；".join(
            f"{c}（未满足：{'、'.join(verdict.project_unmet.get(c) or verdict.unmet)}）"
            for c in short
        )
        raise RuleViolation(
            f"评估组认定申报单位不具备以下项目的条件，不能拟备案：{why}", rule_id="SEL-04"
        )
    if approve:
        check_quotas(tx, app, call["city_code"], approved, override_reason, on)
    for code in codes:
        tx.update(
            application_projects,
            {"application_id": application_id, "project_code": code},
            decision=PROJECT_APPROVED if code in approved else PROJECT_DECLINED,
            decision_reason=None if code in approved else refused.get(code) or None,
        )
    move_application(
        tx,
        app,
        "approve" if approve else "reject",
        eligible=verdict.eligible,
        priority=verdict.priority,
        decided_on=on,
        decision_note=note,
    )
    return {
        "eligible": verdict.eligible,
        "priority": verdict.priority,
        "unmet": verdict.unmet,
        "approved": approved,
        "declined": refused,
    }
