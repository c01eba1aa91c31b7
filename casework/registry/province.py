"""The province's part: reports to the province, catalog editions and local project lists.

- SEL-08 / REN-08: a city reports to the province the institutions it will file after a
  public notice without objection, each scope change, and its renewal results; the province
  acknowledges. A report records what was sent, when and by whom.
- SEL-09: the province publishes the catalog of institutions as dated editions, each with its
  full list and what changed since the edition before (新增、范围调整、续期、终止备案 with reason).
- SEL-10: a city adjusts its local project list (本地考核项目目录) with a reason and a date; the
  history is kept and a call draws on the list of its date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_, select

from casework.domain import lifecycle
from casework.domain.catalog_editions import digest_of, edition_changes
from casework.errors import NotFound, RuleViolation
from casework.ops.anchor import chain_heads
from casework.queries.province import EXCLUDE, INCLUDE, catalog_entries_in, city_projects_in
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, PROVINCE
from casework.registry.uow import Tx, command
from casework.store.tables import (
    PROJECT_DECLINED,
    application_projects,
    applications,
    calls,
    catalog_editions,
    cities,
    city_project_changes,
    filings,
    institutions,
    notice_items,
    notices,
    projects,
    province_reports,
    renewal_cases,
    renewal_rounds,
)

CITY = (CITY_OFFICER, CITY_MANAGER)

FILING_REPORT, SCOPE_REPORT, RENEWAL_REPORT = "备案", "范围调整", "续期结果"
REPORT_KINDS = (FILING_REPORT, SCOPE_REPORT, RENEWAL_REPORT)
"""What a city reports to the province (SEL-08, REN-08)."""

NOTICED_CLEAR = lifecycle.APPLICATION_CLEARED
"""Application state after a public notice without objection (lifecycle.APPLICATION)."""
RENEWAL_DECIDED = (lifecycle.RENEWAL_PASSED, lifecycle.RENEWAL_FAILED)
"""Renewal case states whose result is reported (lifecycle.RENEWAL, REN-08)."""


# --- reports to the province (SEL-08, REN-08) -------------------------------------------------
def _application_subject(tx: Tx, application_id: int, city_code: str, on: date) -> dict[str, Any]:
    app = tx.get(applications, "申请", id=application_id)
    call = tx.get(calls, "征集公告", id=app["call_id"])
    if call["city_code"] != city_code:
        raise RuleViolation(f"申请{application_id}不属于本市，不能报送", rule_id="SUP-01")
    if app["status"] != NOTICED_CLEAR:
        raise RuleViolation(
            f"申请{application_id}的状态为“{app['status']}”：公示期满无异议后方可报省厅",
            rule_id="SEL-08",
        )
    ends = notice_end_of(tx, application_id)
    if ends is not None and on <= ends:
        raise RuleViolation(f"公示期至{ends}：{on}报送早于公示期满", rule_id="SEL-08")
    inst = tx.get(institutions, "考核机构", id=app["institution_id"])
    codes = [
        r["project_code"]
        for r in tx.conn.execute(
            select(application_projects.c.project_code)
            .where(
                application_projects.c.application_id == application_id,
                # SEL-04: a project the city declined is not reported (issue #14)
                or_(
                    application_projects.c.decision.is_(None),
                    application_projects.c.decision != PROJECT_DECLINED,
                ),
            )
            .order_by(application_projects.c.project_code)
        ).mappings()
    ]
    return {
        "application_id": application_id,
        "kind": app["kind"],
        "institution": inst["name"],
        "uscc": inst["uscc"],
        "projects": _project_names(tx.conn, codes),
    }


def _renewal_subject(tx: Tx, renewal_id: int, city_code: str) -> dict[str, Any]:
    case = tx.get(renewal_cases, "续期评估", id=renewal_id)
    round_ = tx.get(renewal_rounds, "续期评估轮次", id=case["round_id"])
    if round_["city_code"] != city_code:
        raise RuleViolation(f"续期评估{renewal_id}不属于本市，不能报送", rule_id="SUP-01")
    if case["status"] not in RENEWAL_DECIDED:
        raise RuleViolation(
            f"续期评估{renewal_id}的状态为“{case['status']}”：研究确定结果后方可报省厅",
            rule_id="REN-08",
        )
    filing = tx.get(filings, "备案", id=case["filing_id"])
    inst = tx.get(institutions, "考核机构", id=filing["institution_id"])
    return {
        "renewal_id": renewal_id,
        "result": case["status"],
        "institution": inst["name"],
        "code": filing["code"],
        "dropped_projects": _project_names(tx.conn, list(case["dropped_projects"] or [])),
    }


def _project_names(conn: Connection, codes: Sequence[str]) -> list[str]:
    if not codes:
        return []
    names = dict(
        conn.execute(
            select(projects.c.project_code, projects.c.name).where(
                projects.c.project_code.in_(list(codes))
            )
        ).all()
    )
    return [names.get(c, c) for c in codes]


def _already_reported(tx: Tx, key: str, value: int) -> bool:
    for report in tx.rows(province_reports):
        if any(s.get(key) == value for s in report["subjects"]):
            return True
    return False


@command("报送省厅", rules=("SEL-08", "REN-08"), roles=CITY)
def report_to_province(
    tx: Tx,
    *,
    city_code: str,
    kind: str,
    case_ids: Sequence[int],
    on: date,
    note: str = "",
) -> int:
    """SEL-08 / REN-08: the city reports filings (after the notice, before the receipt), scope
    changes or renewal results to the province. Returns the report's number."""
    tx.require_city(city_code)
    tx.get(cities, "城市", city_code=city_code)
    if kind not in REPORT_KINDS:
        raise RuleViolation(f"报送类型“{kind}”不在{'、'.join(REPORT_KINDS)}之内", rule_id="SEL-08")
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        raise RuleViolation("报送省厅须至少列明一个事项", rule_id="SEL-08")
    if kind == RENEWAL_REPORT:
        tx.cite("REN-08")
        key, subjects = "renewal_id", [_renewal_subject(tx, i, city_code) for i in ids]
    else:
        tx.cite("SEL-08")
        key, subjects = "application_id", [_application_subject(tx, i, city_code, on) for i in ids]
    for s in subjects:
        if _already_reported(tx, key, s[key]):
            raise RuleViolation(
                f"{s['institution']}的该事项已报送省厅，不重复报送", rule_id="SEL-08"
            )
    return int(
        tx.insert(
            province_reports,
            city_code=city_code,
            kind=kind,
            subjects=[{key: s[key]} for s in subjects],
            content=subjects,
            sent_on=on,
            sent_by=tx.actor.username,
            note=note.strip(),
        )
    )


@command("省厅确认收到报送", rules=("SEL-08", "REN-08"), roles=(PROVINCE,))
def acknowledge_province_report(tx: Tx, *, report_id: int, on: date, note: str = "") -> None:
    """The province acknowledges a city's report (SEL-08, REN-08)."""
    report = tx.get(province_reports, "报送记录", id=report_id)
    if report["acknowledged_on"] is not None:
        raise RuleViolation(
            f"报送记录{report_id}已于{report['acknowledged_on']}确认", rule_id="SEL-08"
        )
    if on < report["sent_on"]:
        raise RuleViolation(f"确认日期{on}早于报送日期{report['sent_on']}", rule_id="SEL-08")
    tx.update(
        province_reports,
        {"id": report_id},
        acknowledged_on=on,
        acknowledged_by=tx.actor.username,
        note=(report["note"] + ("\n" if report["note"] and note else "") + note.strip()),
    )


def notice_end_of(tx: Tx, application_id: int) -> date | None:
    """The last day of the public notice the application was in (SEL-05), if any."""
    return tx.conn.execute(
        select(notices.c.ends_on)
        .join(notice_items, notice_items.c.notice_id == notices.c.id)
        .where(notice_items.c.application_id == application_id)
        .order_by(notices.c.id.desc())
        .limit(1)
    ).scalar()


def ensure_reported(tx: Tx, application_id: int, on: date) -> None:
    """SEL-05, SEL-08: a receipt is dated after the notice ended and on or after the day the
    filing was reported to the province."""
    ends = notice_end_of(tx, application_id)
    if ends is not None and on <= ends:
        raise RuleViolation(f"公示期至{ends}：{on}出具回执早于公示期满", rule_id="SEL-05")
    sent = [
        r["sent_on"]
        for r in tx.rows(province_reports)
        if any(s.get("application_id") == application_id for s in r["subjects"])
    ]
    if not sent:
        raise RuleViolation(
            f"申请{application_id}尚未报省人力资源社会保障厅：报送后方可出具回执", rule_id="SEL-08"
        )
    if on < min(sent):
        raise RuleViolation(
            f"回执日期{on}早于报省厅日期{min(sent)}：报送后方可出具回执", rule_id="SEL-08"
        )


# --- local project list (SEL-10) --------------------------------------------------------------
@command("调整本地考核项目目录", rules=("SEL-10",), roles=CITY)
def adjust_city_projects(
    tx: Tx,
    *,
    city_code: str,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    reason: str,
    on: date,
) -> int:
    """SEL-10: the city adds projects to or removes them from its local list, with a reason
    and the date the change takes effect. Returns the number of changes recorded."""
    tx.require_city(city_code)
    tx.get(cities, "城市", city_code=city_code)
    if not reason.strip():
        raise RuleViolation("调整本地考核项目目录须写明理由", rule_id="SEL-10")
    adding, removing = list(dict.fromkeys(include)), list(dict.fromkeys(exclude))
    if set(adding) & set(removing):
        raise RuleViolation("同一项目不能同时纳入和移出", rule_id="SEL-10")
    if not adding and not removing:
        raise RuleViolation("未选择要纳入或移出的项目", rule_id="SEL-10")
    current = city_projects_in(tx.conn, city_code, on)
    known = set(tx.conn.execute(select(projects.c.project_code)).scalars())
    unknown = sorted((set(adding) | set(removing)) - known)
    if unknown:
        raise NotFound(f"未找到考核项目{'、'.join(unknown)}")
    already = sorted(set(adding) & current)
    absent = sorted(set(removing) - current)
    if already or absent:
        parts = ([f"{'、'.join(already)}已在目录中"] if already else []) + (
            [f"{'、'.join(absent)}不在目录中"] if absent else []
        )
        raise RuleViolation("；".join(parts), rule_id="SEL-10")
    for code, change in [*((c, INCLUDE) for c in adding), *((c, EXCLUDE) for c in removing)]:
        tx.insert(
            city_project_changes,
            city_code=city_code,
            project_code=code,
            change=change,
            reason=reason.strip(),
            effective_on=on,
            recorded_by=tx.actor.username,
        )
    return len(adding) + len(removing)


# --- catalog editions (SEL-09) ----------------------------------------------------------------
@command("发布考核机构目录", rules=("SEL-09",), roles=(PROVINCE,))
def publish_catalog_edition(tx: Tx, *, on: date) -> int:
    """SEL-09: the province publishes a dated edition of the catalog of institutions, with
    what changed since the last edition. Editions are kept for ever. Returns its number."""
    last = (
        tx.conn.execute(select(catalog_editions).order_by(catalog_editions.c.id.desc()).limit(1))
        .mappings()
        .first()
    )
    if last is not None and on < last["published_on"]:
        raise RuleViolation(
            f"目录发布日期{on}早于上一期（第{last['id']}期，{last['published_on']}）",
            rule_id="SEL-09",
        )
    entries = catalog_entries_in(tx.conn, on)
    changes = edition_changes(last["entries"] if last is not None else [], entries)
    if last is not None and not changes:
        raise RuleViolation(f"自第{last['id']}期以来目录没有变化，无需发布新一期", rule_id="SEL-09")
    return int(
        tx.insert(
            catalog_editions,
            published_on=on,
            published_by=tx.actor.username,
            entries=entries,
            changes=changes,
            digest=digest_of(entries),
            chain_heads=chain_heads(tx.conn),
        )
    )
