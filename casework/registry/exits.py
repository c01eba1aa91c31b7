"""Exit (EXIT-01…EXIT-07): voluntary withdrawal, expiry, violation due process, extinction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from casework.domain import calendar, lifecycle, rules
from casework.errors import RuleViolation, ValidationFailed
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, INSTITUTION
from casework.registry.closing import open_closing_work
from casework.registry.snapshots import record_data_under_way
from casework.registry.timing import filing_target
from casework.registry.uow import Tx, command
from casework.store.tables import exit_cases, filings, incidents, institutions, renewal_cases

CITY = (CITY_OFFICER, CITY_MANAGER)
VIOLATION, WITHDRAWAL = "违规", "自愿撤销"
WIND_DOWN_PARTS = ("收尾计划", "证书维护", "档案管理", "参评人员服务")
"""EXIT-02: what a wind-down plan must cover."""


def terminate(tx: Tx, filing: Any, action: str, reason: str, ended_on: date) -> None:
    """Move a filing to 终止备案 with its reason (EXIT-01) and end what was open on it:
    renewal cases, and any other exit case (e.g. a withdrawal overtaken by a revocation)."""
    target = filing_target(tx.conn, filing, action, ended_on)
    tx.update(filings, {"id": filing["id"]}, status=target, end_reason=reason, ended_on=ended_on)
    open_closing_work(tx, filing, reason, ended_on)
    for case in tx.rows(exit_cases, filing_id=filing["id"]):
        if "close_extinct" in machine(case["kind"]).allowed(case["status"]):
            move(tx, case, "close_extinct", decided_on=ended_on)
    for case in tx.rows(renewal_cases, filing_id=filing["id"]):
        if "cancel" in lifecycle.RENEWAL.allowed(case["status"]) and reason != "续期不合格":
            status = lifecycle.RENEWAL.target("cancel", case["status"])
            tx.update(renewal_cases, {"id": case["id"]}, status=status)


def filing_of(tx: Tx, filing_id: int) -> Any:
    filing = tx.get(filings, "备案", id=filing_id)
    tx.require_city(filing["city_code"])
    return filing


def exit_case(tx: Tx, case_id: int, kind: str) -> tuple[Any, Any]:
    case = tx.get(exit_cases, "退出案件", id=case_id)
    if case["kind"] != kind:
        raise RuleViolation(f"案件{case_id}是{case['kind']}案件，不是{kind}案件")
    return case, filing_of(tx, case["filing_id"])


def machine(kind: str) -> lifecycle.Machine:
    return lifecycle.VIOLATION if kind == VIOLATION else lifecycle.WITHDRAWAL


def move(tx: Tx, case: Any, action: str, **values: Any) -> None:
    target = machine(case["kind"]).target(action, case["status"])
    tx.update(exit_cases, {"id": case["id"]}, status=target, **values)


# --- voluntary withdrawal (EXIT-02) ---------------------------------------------------------
@command("申请撤销备案", rules=("EXIT-02",), roles=(*CITY, INSTITUTION))
def apply_withdrawal(tx: Tx, *, filing_id: int, plan: dict[str, str], on: date) -> int:
    """EXIT-02: a withdrawal application with a wind-down plan covering closing work, issued
    certificates, archives and candidate services."""
    filing = filing_of(tx, filing_id)
    tx.require_institution(filing["institution_id"])
    filing_target(tx.conn, filing, "withdraw", on)
    missing = [p for p in WIND_DOWN_PARTS if not str(plan.get(p, "")).strip()]
    if missing:
        raise RuleViolation(f"终止考核工作实施方案缺少：{'、'.join(missing)}", rule_id="EXIT-02")
    open_case = tx.conn.execute(
        select(exit_cases.c.id).where(
            exit_cases.c.filing_id == filing_id,
            exit_cases.c.status.notin_(
                tuple(lifecycle.WITHDRAWAL.finals | lifecycle.VIOLATION.finals)
            ),
        )
    ).first()
    if open_case:
        raise RuleViolation(f"该备案已有在办退出案件{open_case.id}", rule_id="EXIT-02")
    text = "\n".join(f"{p}：{plan[p].strip()}" for p in WIND_DOWN_PARTS)
    return int(
        tx.insert(
            exit_cases,
            filing_id=filing_id,
            kind=WITHDRAWAL,
            status=lifecycle.WITHDRAWAL.initial,
            opened_on=on,
            plan=text,
        )
    )


@command("评估收尾方案", rules=("EXIT-02",), roles=CITY)
def accept_withdrawal_plan(tx: Tx, *, case_id: int, on: date) -> None:
    case, _ = exit_case(tx, case_id, WITHDRAWAL)
    move(tx, case, "accept_plan")


@command("撤回撤销申请", rules=("EXIT-02",), roles=(*CITY, INSTITUTION))
def cancel_withdrawal(tx: Tx, *, case_id: int, on: date) -> None:
    case, filing = exit_case(tx, case_id, WITHDRAWAL)
    tx.require_institution(filing["institution_id"])
    move(tx, case, "cancel", decided_on=on)


@command("出具撤销备案函（自愿撤销）", rules=("EXIT-02", "EXIT-01"), roles=CITY)
def complete_withdrawal(tx: Tx, *, case_id: int, closing_work: str, on: date) -> None:
    """EXIT-02: after the closing work (compliant data uploaded, certificates issued) the city
    issues the revocation letter; the filing ends as 自愿撤销."""
    case, filing = exit_case(tx, case_id, WITHDRAWAL)
    if not closing_work.strip():
        raise RuleViolation("须记录收尾工作完成情况后方可出具撤销备案函", rule_id="EXIT-02")
    move(
        tx,
        case,
        "complete",
        closing_work=closing_work.strip(),
        closing_done_on=on,
        decided_on=on,
        circumstance="自愿撤销备案",
        basis="鲁人社函〔2025〕23号 三（一）",
    )
    terminate(tx, filing, "withdraw", "自愿撤销", on)


# --- violation due process (EXIT-04…EXIT-06) ------------------------------------------------
def start_investigation(
    tx: Tx, filing: Any, grounds: str, on: date, incident_id: int | None = None
) -> int:
    target = filing_target(tx.conn, filing, "suspend", on)
    if not grounds.strip():
        raise RuleViolation("须写明立案调查的事由", rule_id="EXIT-04")
    tx.update(filings, {"id": filing["id"]}, status=target)
    case_id = int(
        tx.insert(
            exit_cases,
            filing_id=filing["id"],
            kind=VIOLATION,
            status=lifecycle.VIOLATION.initial,
            opened_on=on,
            grounds=grounds.strip(),
            source_incident_id=incident_id,
        )
    )
    record_data_under_way(tx, exit_case_id=case_id, institution_id=filing["institution_id"], on=on)
    return case_id


@command("立案调查", rules=("EXIT-04", "EXIT-09"), roles=CITY)
def open_investigation(tx: Tx, *, filing_id: int, grounds: str, on: date) -> int:
    """EXIT-04: during the investigation the filing is 暂停: assessments and certificate data
    review and upload are suspended; the data under way are recorded for reference (EXIT-09)."""
    return start_investigation(tx, filing_of(tx, filing_id), grounds, on)


@command("送达书面核查意见", rules=("EXIT-05",), roles=CITY)
def serve_findings(tx: Tx, *, case_id: int, findings: str, received_on: date) -> date:
    """EXIT-05: written findings (facts, reasons, basis); the statement is due within 15
    working days of receipt. Returns the due date."""
    case, _ = exit_case(tx, case_id, VIOLATION)
    if not findings.strip():
        raise RuleViolation("书面核查意见须写明事实、理由和依据", rule_id="EXIT-05")
    if received_on < case["opened_on"]:
        raise RuleViolation(
            f"送达日期{received_on}早于立案日期{case['opened_on']}", rule_id="EXIT-05"
        )
    due = calendar.deadline_after(received_on, rules.STATEMENT_WORKDAYS)
    move(
        tx,
        case,
        "serve_findings",
        findings=findings.strip(),
        findings_received_on=received_on,
        statement_due=due,
    )
    return due


@command("登记陈述申辩", rules=("EXIT-05",), roles=CITY)
def record_statement(tx: Tx, *, case_id: int, statement: str, received_on: date) -> None:
    case, _ = exit_case(tx, case_id, VIOLATION)
    machine(VIOLATION).target("record_statement", case["status"])
    if received_on > case["statement_due"]:
        raise RuleViolation(
            f"陈述申辩应在{case['statement_due']}前提交，{received_on}收到已逾期", rule_id="EXIT-05"
        )
    if received_on < case["findings_received_on"]:
        raise RuleViolation("陈述申辩日期早于书面核查意见送达日期", rule_id="EXIT-05")
    move(
        tx, case, "record_statement", statement=statement.strip(), statement_received_on=received_on
    )


@command("认定违规", rules=("EXIT-05", "EXIT-06"), roles=CITY)
def confirm_violation(tx: Tx, *, case_id: int, circumstance: str, basis: str, on: date) -> None:
    """EXIT-06: the violation is confirmed after the statement, or after its period lapsed."""
    case, _ = exit_case(tx, case_id, VIOLATION)
    machine(VIOLATION).target("confirm", case["status"])
    if case["status"] == lifecycle.VIOLATION_NOTIFIED and on <= case["statement_due"]:
        raise RuleViolation(
            f"陈述申辩期至{case['statement_due']}，期满前不能认定", rule_id="EXIT-05"
        )
    if not circumstance.strip() or not basis.strip():
        raise RuleViolation("须写明违规情形和所依据的规定", rule_id="EXIT-06")
    check_revocation_wording(case, circumstance, basis)
    move(tx, case, "confirm", circumstance=circumstance.strip(), basis=basis.strip())


def check_revocation_wording(case: Any, circumstance: str, basis: str) -> None:
    """EXIT-06, issue #13: the circumstance and basis recorded are those Attachment 8 is made
    from, so the command refuses what the letter would refuse (a pasted sentence, a
    circumstance the notice does not list for a violation, an act over-long or where none is
    needed, a basis not citing the notice), whatever the page sent."""
    from casework.documents import revocation
    from casework.domain.problems import table

    facts = revocation.facts_from_record(
        circumstance,
        basis.strip(),
        opened_on=case["opened_on"],
        findings_received_on=case["findings_received_on"],
        statement_received_on=case["statement_received_on"],
    )
    found = revocation.problems(facts, VIOLATION)
    if found:
        raise ValidationFailed(
            f"违规情形或依据不能用于撤销备案函（附件8）：{len(found)}处问题",
            table(found),
            rule_id="EXIT-06",
        )


@command("出具撤销备案函（违规）", rules=("EXIT-06", "EXIT-01"), roles=CITY)
def revoke_filing(tx: Tx, *, case_id: int, closing_work: str, on: date) -> None:
    """EXIT-06: after the closing work the filing is revoked (违规撤销)."""
    case, filing = exit_case(tx, case_id, VIOLATION)
    if not closing_work.strip():
        raise RuleViolation("须记录收尾工作完成情况后方可出具撤销备案函", rule_id="EXIT-06")
    move(tx, case, "revoke", closing_work=closing_work.strip(), closing_done_on=on, decided_on=on)
    terminate(tx, filing, "revoke", "违规撤销", on)


@command("调查结束恢复", rules=("EXIT-06",), roles=CITY)
def restore_filing(tx: Tx, *, case_id: int, reason: str, on: date) -> None:
    """The investigation does not warrant revocation: the filing is active again."""
    case, filing = exit_case(tx, case_id, VIOLATION)
    if not reason.strip():
        raise RuleViolation("须写明不予撤销的理由", rule_id="EXIT-06")
    move(tx, case, "restore", circumstance=reason.strip(), decided_on=on)
    tx.update(filings, {"id": filing["id"]}, status=filing_target(tx.conn, filing, "restore", on))


# --- extinction (EXIT-07) -------------------------------------------------------------------
@command("登记主体灭失", rules=("EXIT-07", "EXIT-01"), roles=CITY)
def record_extinction(tx: Tx, *, filing_id: int, extinct_on: date, evidence: str, on: date) -> None:
    """EXIT-07: the filing is revoked automatically from the date of extinction."""
    filing = filing_of(tx, filing_id)
    if extinct_on > on:
        raise RuleViolation(f"主体灭失日期{extinct_on}晚于登记日期{on}", rule_id="EXIT-07")
    if extinct_on < filing["filed_on"]:
        raise RuleViolation("主体灭失日期早于备案日期", rule_id="EXIT-07")
    if not evidence.strip():
        raise RuleViolation("须记录破产、关闭或注销的证明材料", rule_id="EXIT-07")
    terminate(tx, filing, "extinguish", "主体灭失", extinct_on)
    tx.update(institutions, {"id": filing["institution_id"]}, extinct_on=extinct_on)


# --- the daily clock (EXIT-03, REN-02) ------------------------------------------------------
@command("日终处理", rules=("REN-02", "EXIT-03", "REN-05"), roles=CITY)
def advance(tx: Tx, *, today: date) -> dict[str, list[int]]:
    """Apply what the calendar decides on ``today``.

    - A renewal case still 待自评 after its deadline becomes 未提交 (REN-02).
    - A filing whose term ran out ends: 到期未续 from the expiry date when no renewal
      application was submitted (EXIT-03), 续期不合格 when the renewal failed (REN-05). A
      filing whose renewal is still being decided stays until the decision.
    City roles advance only their own city; the system advances all.
    """
    from casework.store.tables import renewal_rounds

    city = tx.actor.city_code if tx.actor.role in CITY else None
    lapsed: list[int] = []
    for case in tx.conn.execute(
        select(renewal_cases, renewal_rounds.c.deadline, renewal_rounds.c.city_code)
        .join(renewal_rounds, renewal_rounds.c.id == renewal_cases.c.round_id)
        .where(
            renewal_cases.c.status == lifecycle.RENEWAL_AWAITING_SELF,
            renewal_rounds.c.deadline < today,
        )
    ).mappings():
        if city and case["city_code"] != city:
            continue
        tx.update(
            renewal_cases,
            {"id": case["id"]},
            status=lifecycle.RENEWAL.target("lapse", case["status"]),
        )
        lapsed.append(case["id"])
    expired: list[int] = []
    failed: list[int] = []
    query = select(filings).where(
        filings.c.status.in_((lifecycle.ACTIVE, lifecycle.SUSPENDED)), filings.c.term_end < today
    )
    if city:
        query = query.where(filings.c.city_code == city)
    for filing in tx.conn.execute(query).mappings().all():
        cases = (
            tx.conn.execute(
                select(renewal_cases.c.status)
                .where(renewal_cases.c.filing_id == filing["id"])
                .order_by(renewal_cases.c.id.desc())
            )
            .scalars()
            .all()
        )
        latest = cases[0] if cases else None
        if latest in (lifecycle.RENEWAL_SUBMITTED, lifecycle.RENEWAL_EVALUATING):
            continue
        if latest == lifecycle.RENEWAL_FAILED:
            terminate(tx, filing, "fail_renewal", "续期不合格", filing["term_end"])
            failed.append(filing["id"])
        else:
            terminate(tx, filing, "expire", "到期未续", filing["term_end"])
            expired.append(filing["id"])
    return {"lapsed_renewals": lapsed, "expired": expired, "failed_renewal": failed}


# --- supervision (SUP-01, SUP-02) -----------------------------------------------------------
INCIDENT_CATEGORIES = (
    "日常检查",
    "投诉举报",
    "不严格执行考核规范",
    "不严格审核报考条件",
    "伪造试卷",
    "编造虚假材料",
    "不考试就发证",
    "滥发倒卖证书",
    "续期评估否决项",
    "其他",
)
"""SUP-02: the conduct the notice names, plus routine checks and complaints."""


@command("登记监管事项", rules=("SUP-01", "SUP-02"), roles=CITY)
def open_incident(tx: Tx, *, institution_id: int, category: str, description: str, on: date) -> int:
    """SUP-01 "谁遴选、谁监管": the city that selected an institution supervises it."""
    inst = tx.get(institutions, "考核机构", id=institution_id)
    tx.require_city(inst["city_code"])
    if category not in INCIDENT_CATEGORIES:
        raise RuleViolation(
            f"监管事项类别“{category}”无效，可选：{'、'.join(INCIDENT_CATEGORIES)}",
            rule_id="SUP-02",
        )
    if not description.strip():
        raise RuleViolation("须写明监管事项情况", rule_id="SUP-01")
    return int(
        tx.insert(
            incidents,
            institution_id=institution_id,
            city_code=inst["city_code"],
            opened_on=on,
            category=category,
            description=description.strip(),
            status=lifecycle.INCIDENT.initial,
            follow_ups=[],
            conclusion="",
        )
    )


def incident_of(tx: Tx, incident_id: int) -> Any:
    inc = tx.get(incidents, "监管事项", id=incident_id)
    tx.require_city(inc["city_code"])
    return inc


@command("登记监管跟进", rules=("SUP-01",), roles=CITY)
def follow_up_incident(tx: Tx, *, incident_id: int, text: str, on: date) -> None:
    inc = incident_of(tx, incident_id)
    target = lifecycle.INCIDENT.target("follow_up", inc["status"])
    if not text.strip():
        raise RuleViolation("跟进情况不能为空", rule_id="SUP-01")
    entries = [
        *inc["follow_ups"],
        {"on": on.isoformat(), "by": tx.actor.username, "text": text.strip()},
    ]
    tx.update(incidents, {"id": incident_id}, status=target, follow_ups=entries)


@command("监管事项办结", rules=("SUP-01", "SUP-02"), roles=CITY)
def close_incident(tx: Tx, *, incident_id: int, conclusion: str, on: date) -> None:
    inc = incident_of(tx, incident_id)
    target = lifecycle.INCIDENT.target("close", inc["status"])
    if not conclusion.strip():
        raise RuleViolation("须写明办结意见", rule_id="SUP-01")
    tx.update(
        incidents, {"id": incident_id}, status=target, conclusion=conclusion.strip(), closed_on=on
    )


@command("监管事项转立案调查", rules=("SUP-02", "EXIT-04"), roles=CITY)
def escalate_incident(tx: Tx, *, incident_id: int, grounds: str, on: date) -> int:
    """SUP-02 → EXIT-04: an incident becomes an investigation; the filing is suspended."""
    inc = incident_of(tx, incident_id)
    target = lifecycle.INCIDENT.target("escalate", inc["status"])
    filing = (
        tx.conn.execute(
            select(filings).where(
                filings.c.institution_id == inc["institution_id"],
                filings.c.status == lifecycle.ACTIVE,
            )
        )
        .mappings()
        .first()
    )
    if filing is None:
        raise RuleViolation(
            "该机构没有处于“有效”状态的备案（可能已暂停并在调查中，或已终止备案），不能再立案调查",
            rule_id="EXIT-04",
        )
    case_id = start_investigation(tx, filing, grounds, on, incident_id)
    tx.update(
        incidents,
        {"id": incident_id},
        status=target,
        closed_on=on,
        conclusion=f"转立案调查（案件{case_id}）",
    )
    return case_id
