"""Public notice, filing and scope adjustment (SEL-05, SEL-06, ATT2-TERM).

A filing gets a unique institution code that is never reused and a 3-year term; a scope
addition extends a filing's projects while its code and term stay unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from casework import settings
from casework.domain import calendar, lifecycle, limits, rules
from casework.domain.terms import FilingTerm, filing_term
from casework.errors import PermissionDenied, RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, SYSTEM
from casework.registry.province import ensure_reported
from casework.registry.selection import (
    SCOPE_ADDITION,
    application_city,
    live_filing,
    move_application,
    scope_of,
)
from casework.registry.timing import filing_target
from casework.registry.uow import Tx, command
from casework.store.tables import (
    PROJECT_DECLINED,
    application_projects,
    applications,
    filing_projects,
    filing_terms,
    filings,
    institution_codes,
    notice_items,
    notices,
    objections,
)

CITY = (CITY_OFFICER, CITY_MANAGER)
REASON_MAX = 40  # filing_projects.removal_reason
SOURCE_MAX = 17  # filing_terms.source holds "存量：" + the source
DEFAULT_CODE_PATTERN = "{city4}ZK{year}{seq:03d}"
"""Default institution code: city prefix, ZK (专项考核), filing year, a 3-digit sequence —
e.g. ``3701ZK2025001``. Override with ``CASEWORK_CODE_PATTERN`` (fields: city_code, city4,
year, seq)."""


# --- public notice (SEL-05) -----------------------------------------------------------------
@command("发布公示", rules=("SEL-05",), roles=CITY)
def open_notice(
    tx: Tx,
    *,
    city_code: str,
    application_ids: Sequence[int],
    opens_on: date,
    title: str = "",
    ends_on: date | None = None,
) -> int:
    """SEL-05: publicly notice proposed filings for at least 5 working days."""
    tx.require_city(city_code)
    earliest_end = calendar.notice_end(opens_on, rules.NOTICE_MIN_WORKDAYS)
    ends_on = ends_on or earliest_end
    if ends_on < earliest_end:
        covered = calendar.count_workdays(opens_on, ends_on)
        raise RuleViolation(
            f"公示期{opens_on}至{ends_on}仅含{covered}个工作日，不少于"
            f"{rules.NOTICE_MIN_WORKDAYS}个工作日应至少到{earliest_end}",
            rule_id="SEL-05",
        )
    if not application_ids:
        raise RuleViolation("公示须包含至少一个拟备案申请", rule_id="SEL-05")
    apps = []
    for app_id in dict.fromkeys(application_ids):
        app, call = application_city(tx, app_id)
        if call["city_code"] != city_code:
            raise PermissionDenied(f"申请{app_id}不属于本市", rule_id="SUP-01")
        apps.append(app)
    notice_id = int(
        tx.insert(
            notices,
            city_code=city_code,
            title=title or f"{opens_on.year}年专项职业能力考核机构拟备案名单公示",
            opens_on=opens_on,
            ends_on=ends_on,
            status=lifecycle.NOTICE.initial,
        )
    )
    for app in apps:
        move_application(tx, app, "publish_notice")
        tx.insert(notice_items, notice_id=notice_id, application_id=app["id"])
    return notice_id


@command("登记公示异议", rules=("SEL-05",), roles=CITY)
def record_objection(
    tx: Tx, *, notice_id: int, application_id: int, received_on: date, text: str, objector: str = ""
) -> int:
    notice = tx.get(notices, "公示", id=notice_id)
    tx.require_city(notice["city_code"])
    lifecycle.NOTICE.target("object", notice["status"])
    tx.get(notice_items, "公示对象", notice_id=notice_id, application_id=application_id)
    if not notice["opens_on"] <= received_on <= notice["ends_on"]:
        raise RuleViolation(
            f"异议收到日期{received_on}不在公示期{notice['opens_on']}至{notice['ends_on']}内",
            rule_id="SEL-05",
        )
    if not text.strip():
        raise RuleViolation("异议内容不能为空", rule_id="SEL-05")
    return int(
        tx.insert(
            objections,
            notice_id=notice_id,
            application_id=application_id,
            received_on=received_on,
            objector=objector,
            text=text.strip(),
            resolution="",
        )
    )


@command("处理公示异议", rules=("SEL-05",), roles=CITY)
def resolve_objection(
    tx: Tx, *, objection_id: int, upheld: bool, resolution: str, on: date
) -> None:
    obj = tx.get(objections, "异议", id=objection_id)
    notice = tx.get(notices, "公示", id=obj["notice_id"])
    tx.require_city(notice["city_code"])
    lifecycle.NOTICE.target("object", notice["status"])
    if obj["upheld"] is not None:
        raise RuleViolation("该异议已处理", rule_id="SEL-05")
    if not resolution.strip():
        raise RuleViolation("须写明异议核查处理意见", rule_id="SEL-05")
    tx.update(
        objections, {"id": objection_id}, upheld=upheld, resolution=resolution, resolved_on=on
    )


@command("结束公示", rules=("SEL-05",), roles=CITY)
def close_notice(tx: Tx, *, notice_id: int, on: date) -> dict[int, str]:
    """SEL-05: close a notice only after its last day; objections must all be resolved."""
    notice = tx.get(notices, "公示", id=notice_id)
    tx.require_city(notice["city_code"])
    target = lifecycle.NOTICE.target("close", notice["status"])
    if on <= notice["ends_on"]:
        raise RuleViolation(
            f"公示期至{notice['ends_on']}，不能提前于{on}结束公示", rule_id="SEL-05"
        )
    objs = tx.rows(objections, notice_id=notice_id)
    open_objs = [o["id"] for o in objs if o["upheld"] is None]
    if open_objs:
        raise RuleViolation(f"异议{open_objs}尚未处理，不能结束公示", rule_id="SEL-05")
    upheld = {o["application_id"] for o in objs if o["upheld"]}
    outcome: dict[int, str] = {}
    for item in tx.rows(notice_items, notice_id=notice_id):
        app = tx.get(applications, "备案申请", id=item["application_id"])
        action = "uphold_objection" if app["id"] in upheld else "close_notice_clear"
        outcome[app["id"]] = move_application(tx, app, action)
    tx.update(notices, {"id": notice_id}, status=target, closed_on=on)
    return outcome


# --- filing (SEL-05, ATT2-TERM) -------------------------------------------------------------
def assign_code(tx: Tx, city_code: str, year: int) -> str:
    """A new institution code: unique, never reused (every code ever issued is kept)."""
    pattern = settings.CODE_PATTERN.get() or DEFAULT_CODE_PATTERN
    last = tx.conn.execute(
        select(func.max(institution_codes.c.seq)).where(
            institution_codes.c.city_code == city_code, institution_codes.c.year == year
        )
    ).scalar()
    seq = int(last or 0) + 1
    code = pattern.format(city_code=city_code, city4=city_code[:4], year=year, seq=seq)
    if tx.conn.execute(select(institution_codes).where(institution_codes.c.code == code)).first():
        raise RuleViolation(f"机构代码{code}已被使用过，请检查代码规则配置", rule_id="SEL-05")
    tx.insert(institution_codes, code=code, city_code=city_code, year=year, seq=seq)
    return code


def application_codes(tx: Tx, application_id: int) -> list[str]:
    """The projects filed from an application: those applied for that the city did not
    decline (SEL-04; the receipt, Attachment 2-1 or 3-1, lists only these)."""
    decision = application_projects.c.decision
    q = select(application_projects.c.project_code).where(
        application_projects.c.application_id == application_id,
        or_(decision.is_(None), decision != PROJECT_DECLINED),
    )
    return sorted(tx.conn.execute(q).scalars())


@command("出具备案回执", rules=("SEL-05", "SEL-08", "ATT2-TERM"), roles=CITY)
def file_application(
    tx: Tx,
    *,
    application_id: int,
    on: date,
    term_months: int = rules.TERM_MONTHS,
    term_reason: str = "",
) -> int:
    """SEL-05: a noticed application with no objection is filed.

    A new institution gets a code and a term 自Y年M月至Y+3年M-1月 (ATT2-TERM); a scope
    addition adds its projects to the existing filing, code and term unchanged (SEL-06).
    Returns the filing id.
    """
    app, call = application_city(tx, application_id)
    tx.require_city(call["city_code"])
    codes = application_codes(tx, application_id)
    if app["kind"] == SCOPE_ADDITION:
        filing = tx.get(filings, "备案", id=app["filing_id"])
        lifecycle.APPLICATION.target("file", app["status"])
        filing_target(tx.conn, filing, "adjust_scope", on)
        ensure_reported(tx, application_id, on)
        if term_months != rules.TERM_MONTHS:
            raise RuleViolation(
                "范围调整不改变备案有效期（机构代码和有效期不变）", rule_id="SEL-06"
            )
        tx.cite("SEL-06")
        add_projects(tx, filing["id"], codes, on, "范围新增", application_id)
        move_application(tx, app, "file")
        return int(filing["id"])
    lifecycle.APPLICATION.target("file", app["status"])
    ensure_reported(tx, application_id, on)
    if live_filing(tx, app["institution_id"]) is not None:
        raise RuleViolation("该单位已有有效备案，新增项目应按范围调整程序办理", rule_id="SEL-06")
    term = granted_term(tx, on, term_months, term_reason)
    code = assign_code(tx, call["city_code"], on.year)
    filing_id = int(
        tx.insert(
            filings,
            institution_id=app["institution_id"],
            city_code=call["city_code"],
            code=code,
            filed_on=on,
            term_start=term.first_day,
            term_end=term.last_day,
            status=lifecycle.FILING.initial,
            application_id=application_id,
        )
    )
    tx.insert(
        filing_terms,
        filing_id=filing_id,
        seq=1,
        first_day=term.first_day,
        last_day=term.last_day,
        source="备案",
        months=term.months,
        length_reason=term_reason.strip(),
    )
    add_projects(tx, filing_id, codes, on, "遴选备案", application_id)
    move_application(tx, app, "file")
    return filing_id


def granted_term(tx: Tx, on: date, months: int, reason: str) -> FilingTerm:
    """SEL-11: the term is normally 3 years; another length is the city's exception, decided
    by a city manager and recorded with its reason."""
    term = filing_term(on, months)
    if not term.standard:
        if tx.actor.role not in (CITY_MANAGER, SYSTEM):
            raise PermissionDenied(
                f"备案有效期一般为{rules.TERM_YEARS}年；确定其他期限须由市级负责人决定",
                rule_id="SEL-11",
            )
        if not reason.strip():
            raise RuleViolation(
                f"备案有效期定为{months}个月（非{rules.TERM_YEARS}年）须写明理由", rule_id="SEL-11"
            )
        tx.cite("SEL-11")
    return term


def add_projects(
    tx: Tx, filing_id: int, codes: Sequence[str], on: date, how: str, application_id: int | None
) -> None:
    for code in codes:
        tx.insert(
            filing_projects,
            filing_id=filing_id,
            project_code=code,
            added_on=on,
            added_by=how,
            application_id=application_id,
        )


def remove_projects_from(
    tx: Tx, filing_id: int, codes: Sequence[str], on: date, reason: str
) -> None:
    for row in tx.rows(filing_projects, filing_id=filing_id):
        if row["project_code"] in codes and row["removed_on"] is None:
            tx.update(filing_projects, {"id": row["id"]}, removed_on=on, removal_reason=reason)


@command("删除考核项目", rules=("SEL-06",), roles=CITY)
def remove_projects(
    tx: Tx, *, filing_id: int, project_codes: Sequence[str], on: date, reason: str
) -> None:
    """SEL-06: delete projects from a filing's scope (Attachment 3-1 删除项目); code and term
    stay unchanged. Removing every project is a withdrawal, not a scope change."""
    filing = tx.get(filings, "备案", id=filing_id)
    tx.require_city(filing["city_code"])
    filing_target(tx.conn, filing, "adjust_scope", on)
    current = scope_of(tx, filing_id)
    codes = list(dict.fromkeys(project_codes))
    missing = sorted(set(codes) - current)
    if not codes or missing:
        raise RuleViolation(
            f"项目{'、'.join(missing) or '为空'}不在当前备案范围内", rule_id="SEL-06"
        )
    if set(codes) >= current:
        raise RuleViolation(
            "不能删除全部考核项目；终止全部考核工作请按自愿撤销办理", rule_id="EXIT-02"
        )
    if not reason.strip() or len(reason.strip()) > REASON_MAX:
        raise RuleViolation(f"须写明删除项目的原因（不超过{REASON_MAX}字）", rule_id="SEL-06")
    remove_projects_from(tx, filing_id, codes, on, reason.strip())


def ensure_may_assess(tx_or_conn: Any, filing_id: int, project_code: str, on: date) -> None:
    """EXIT-04/ATT4-SCOPE: assessments and certificate uploads only by an active filing, inside
    its term and scope."""
    conn = getattr(tx_or_conn, "conn", tx_or_conn)
    filing = conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().first()
    if filing is None:
        raise RuleViolation(f"备案{filing_id}不存在", rule_id="ATT4-SCOPE")
    filing_target(conn, filing, "assess", on)
    if not filing["term_start"] <= on <= filing["term_end"]:
        raise RuleViolation(f"{on}不在备案有效期内", rule_id="ATT4-SCOPE")
    in_scope = conn.execute(
        select(filing_projects.c.id).where(
            filing_projects.c.filing_id == filing_id,
            filing_projects.c.project_code == project_code,
            filing_projects.c.added_on <= on,
            (filing_projects.c.removed_on.is_(None)) | (filing_projects.c.removed_on > on),
        )
    ).first()
    if in_scope is None:
        raise RuleViolation(f"项目{project_code}不在备案考核范围内", rule_id="ATT4-SCOPE")


EXISTING_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{4,39}")
"""A code taken over from before casework: capitals, digits and hyphens (3701LEGACY001,
SD3701-2023-001), 5 to 40 characters, holding the city's four-digit prefix."""


def check_existing_code(code: str, city_code: str) -> None:
    """SEL-05: an original institution code has the shape of one and names its own city."""
    if not EXISTING_CODE.fullmatch(code) or city_code[:4] not in code:
        raise RuleViolation(
            f"机构代码“{limits.shown(code)}”格式不正确：应为5—40位大写字母、数字或连字符，"
            f"并含本市代码{city_code[:4]}（如 {city_code[:4]}ZK2023001）",
            rule_id="SEL-05",
        )


@command("登记存量备案", rules=("SEL-05", "ATT2-TERM"), roles=CITY)
def register_existing_filing(
    tx: Tx,
    *,
    institution_id: int,
    code: str,
    term_start: date,
    project_codes: Sequence[str],
    filed_on: date,
    source: str,
) -> int:
    """Take over a filing made before casework (e.g. under the 2023 pilot scheme 鲁人社字〔2023〕
    22号) with its original code and term, so that its renewal and exit run here."""
    from casework.store.tables import institutions, projects

    inst = tx.get(institutions, "考核机构", id=institution_id)
    tx.require_city(inst["city_code"])
    if live_filing(tx, institution_id) is not None:
        raise RuleViolation(f"{inst['name']}已有有效备案", rule_id="SEL-06")
    code = code.strip()
    check_existing_code(code, inst["city_code"])
    if (
        not code
        or tx.conn.execute(
            select(institution_codes).where(institution_codes.c.code == code)
        ).first()
    ):
        raise RuleViolation(f"机构代码“{code}”为空或已被使用，机构代码不得重复", rule_id="SEL-05")
    if not source.strip() or len(source.strip()) > SOURCE_MAX:
        raise RuleViolation(f"须注明原备案文件（来源，不超过{SOURCE_MAX}字）", rule_id="SEL-05")
    codes = list(dict.fromkeys(project_codes))
    known = set(tx.conn.execute(select(projects.c.project_code)).scalars())
    if not codes or set(codes) - known:
        raise RuleViolation(
            f"考核项目{sorted(set(codes) - known) or '为空'}不在项目目录中", rule_id="SEL-01"
        )
    if len(codes) > rules.MAX_PROJECTS_PER_INSTITUTION:
        tx.cite("SEL-07")
    term = filing_term(term_start)
    tx.insert(
        institution_codes, code=code, city_code=inst["city_code"], year=term_start.year, seq=None
    )
    filing_id = int(
        tx.insert(
            filings,
            institution_id=institution_id,
            city_code=inst["city_code"],
            code=code,
            filed_on=filed_on,
            term_start=term.first_day,
            term_end=term.last_day,
            status=lifecycle.FILING.initial,
            application_id=None,
        )
    )
    tx.insert(
        filing_terms,
        filing_id=filing_id,
        seq=1,
        first_day=term.first_day,
        last_day=term.last_day,
        source=f"存量：{source.strip()}",
    )
    add_projects(tx, filing_id, codes, filed_on, "存量备案", None)
    return filing_id
