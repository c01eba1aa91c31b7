"""Renewal (REN-01…REN-06): rounds, self-evaluation, the group's scoring and the decision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from sqlalchemy import select

from casework.domain import lifecycle, problems, rubrics, rules, scoring
from casework.domain.terms import FilingTerm, term_of
from casework.errors import RuleViolation, ValidationFailed
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, INSTITUTION
from casework.registry.expert_pool import check_pool
from casework.registry.filing import remove_projects_from
from casework.registry.selection import add_panel, check_members, scope_of
from casework.registry.sheets import (
    SELF,
    renewal_frames,
    renewal_institution,
    renewal_result,
    renewal_rubric_of,
    write_sheet,
)
from casework.registry.timing import filing_ended_on, filing_target
from casework.registry.uow import Tx, command
from casework.store.tables import (
    filing_terms,
    filings,
    incidents,
    panels,
    renewal_cases,
    renewal_rounds,
)

CITY = (CITY_OFFICER, CITY_MANAGER)
RENEWAL_METHODS = ("座谈问询", "资料查阅", "现场检查", "个别访谈", "电话回访")
OPEN_CASE = (
    lifecycle.RENEWAL_AWAITING_SELF,
    lifecycle.RENEWAL_SUBMITTED,
    lifecycle.RENEWAL_EVALUATING,
)


class Attachment5ProjectsTable(pa.DataFrameModel):
    """ATT5-STATS: per project 考核人次, 取证人次 and 通过率 (certificates / candidates)."""

    project_code: Series[str] = pa.Field(unique=True)
    assessed: Series[int] = pa.Field(ge=0, coerce=True)
    certified: Series[int] = pa.Field(ge=0, coerce=True)

    @pa.dataframe_check(error="取证人次不能多于考核人次")
    @classmethod
    def certified_within_assessed(cls, df: pd.DataFrame) -> pd.Series[bool]:
        return df["certified"] <= df["assessed"]

    class Config:
        strict = True


def attachment5_stats(projects: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Validate Attachment 5's per-project table and add 通过率 (ATT5-STATS)."""
    frame = pd.DataFrame(list(projects), columns=["project_code", "assessed", "certified"])
    try:
        frame = Attachment5ProjectsTable.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        rows = problems.from_failure_cases(exc, rule="ATT5-STATS", rows=lambda i: int(str(i)) + 1)
        raise ValidationFailed("附件5考核情况表有误", rows, rule_id="ATT5-STATS") from None
    frame["pass_rate"] = (
        frame["certified"] / frame["assessed"].where(frame["assessed"] > 0)
    ).round(4)
    return frame


def current_term(filing: Any) -> FilingTerm:
    return term_of(filing)


@command("发布续期评估通知", rules=("REN-01",), roles=CITY)
def open_round(
    tx: Tx,
    *,
    city_code: str,
    expiring_from: date,
    expiring_to: date,
    deadline: date,
    on: date,
    title: str = "",
    plan: str = "",
) -> int:
    """REN-01: a renewal round for every live filing of the city expiring in the window."""
    tx.require_city(city_code)
    if expiring_to < expiring_from:
        raise RuleViolation("到期时间范围有误：截止早于开始", rule_id="REN-01")
    if deadline < on:
        raise RuleViolation(f"自评提交截止日{deadline}早于通知发布日{on}", rule_id="REN-02")
    rubric = rubrics.load("renewal", on=on)
    round_id = int(
        tx.insert(
            renewal_rounds,
            city_code=city_code,
            title=title or f"{on.year}年专项职业能力考核机构续期评估",
            plan=plan,
            expiring_from=expiring_from,
            expiring_to=expiring_to,
            opened_on=on,
            deadline=deadline,
            rubric_id=rubric.id,
        )
    )
    due = (
        tx.conn.execute(
            select(filings).where(
                filings.c.city_code == city_code,
                filings.c.status.in_((lifecycle.ACTIVE, lifecycle.SUSPENDED)),
                filings.c.term_end >= expiring_from,
                filings.c.term_end <= expiring_to,
            )
        )
        .mappings()
        .all()
    )
    for filing in due:
        if filing_ended_on(tx.conn, filing, on) is not None:
            continue  # EXIT-03: its term ended before the round; nothing left to renew
        busy = tx.conn.execute(
            select(renewal_cases.c.id).where(
                renewal_cases.c.filing_id == filing["id"], renewal_cases.c.status.in_(OPEN_CASE)
            )
        ).first()
        if busy is None:
            tx.insert(
                renewal_cases,
                round_id=round_id,
                filing_id=filing["id"],
                status=lifecycle.RENEWAL.initial,
                opinion="",
                decision_note="",
                dropped_projects=[],
            )
    return round_id


@command("提交续期申请", rules=("REN-02", "ATT5-STATS"), roles=(*CITY, INSTITUTION))
def submit_renewal(
    tx: Tx,
    *,
    renewal_id: int,
    application: dict[str, Any],
    self_rows: Sequence[dict[str, Any]],
    self_veto: Sequence[dict[str, Any]],
    on: date,
) -> None:
    """REN-02: Attachment 4 (self-scored) and Attachment 5 by the deadline, else refused."""
    case, filing, inst = renewal_institution(tx, renewal_id)
    tx.require_city(filing["city_code"])
    tx.require_institution(inst["id"])
    lifecycle.RENEWAL.target("submit", case["status"])
    rnd = tx.get(renewal_rounds, "续期评估轮次", id=case["round_id"])
    if on > rnd["deadline"]:
        raise RuleViolation(
            f"续期申请提交截止日为{rnd['deadline']}，{on}提交已逾期，不再进行续期评估",
            rule_id="REN-02",
        )
    stats = attachment5_stats(application.get("projects", []))
    scope = scope_of(tx, filing["id"])
    missing = sorted(scope - set(stats["project_code"]))
    extra = sorted(set(stats["project_code"]) - scope)
    if missing or extra:
        raise RuleViolation(
            "附件5考核情况须逐项填写备案范围内的项目"
            + (f"；缺少{'、'.join(missing)}" if missing else "")
            + (f"；多出{'、'.join(extra)}" if extra else ""),
            rule_id="ATT5-STATS",
        )
    rubric = renewal_rubric_of(tx, case)
    author = tx.actor.username if tx.actor.role == INSTITUTION else f"机构{inst['id']}"
    sheet, veto = renewal_frames(self_rows, self_veto, author)
    # REN-06, REN-07: validated once; the total is read from the validated sheet.
    scores = scoring.validate_renewal_sheet(rubric, sheet, veto)
    total = float(scoring.totals_of(scores).iloc[0])
    keys = {"panel_id": None, "renewal_id": renewal_id, "author": author}
    write_sheet(
        tx,
        keys=keys,
        kind=SELF,
        rubric_id=rubric.id,
        rows=self_rows,
        veto=self_veto,
        submit=True,
        total=total,
    )
    stored = dict(application)
    stored["projects"] = stats.astype(object).where(stats.notna(), None).to_dict("records")
    tx.update(
        renewal_cases,
        {"id": renewal_id},
        status=lifecycle.RENEWAL.target("submit", case["status"]),
        submitted_on=on,
        application=stored,
    )


@command("组建续期评估组", rules=("REN-04",), roles=CITY)
def constitute_group(
    tx: Tx,
    *,
    renewal_id: int,
    members: Sequence[dict[str, Any]],
    on: date,
    methods: Iterable[str] = ("资料查阅", "现场检查"),
) -> int:
    """REN-04: a renewal group of 3–5 people scores the institution with Attachment 4."""
    case, filing, inst = renewal_institution(tx, renewal_id)
    tx.require_city(filing["city_code"])
    methods = list(methods)
    unknown = sorted(set(methods) - set(RENEWAL_METHODS))
    if unknown:
        raise RuleViolation(f"评估方式{'、'.join(unknown)}不在规定方式内", rule_id="REN-04")
    check_members(tx, members, "REN-04", inst["name"])
    check_pool(tx, [m["username"] for m in members], filing["city_code"], inst["id"], "REN-04")
    tx.update(
        renewal_cases,
        {"id": renewal_id},
        status=lifecycle.RENEWAL.target("constitute_group", case["status"]),
    )
    rubric = renewal_rubric_of(tx, case)
    return add_panel(
        tx,
        purpose="续期",
        members=members,
        rubric_id=rubric.id,
        on=on,
        methods=methods,
        renewal_id=renewal_id,
    )


def veto_texts(tx: Tx, case: Any, outcome: Any) -> str:
    vetoes = renewal_rubric_of(tx, case).veto_items.set_index("veto_id")["text"]
    return "；".join(f"{v} {vetoes[v]}" for v in outcome.veto.found_items)


def projects_without_assessment(case: Any) -> list[str]:
    """REN-05: projects with no assessment during the term are not renewed."""
    projects = (case["application"] or {}).get("projects", [])
    return sorted(p["project_code"] for p in projects if int(p["assessed"]) == 0)


@command("研究确定续期评估结果", rules=("REN-05", "REN-06"), roles=CITY)
def decide_renewal(
    tx: Tx, *, renewal_id: int, on: date, opinion: str = "", method: str | None = None
) -> dict[str, Any]:
    """REN-05: 合格 at a composite of the rubric's pass mark (60) or more with no veto item
    (the composite method is the rubric's unless ``method`` overrides it, REN-04); pass → a
    new 3-year term from the month after the old one ends, same code, projects without
    assessment dropped; fail → not renewed; a veto item opens a supervision case at once
    (REN-06). ``opinion`` is the city's decision text, kept in ``decision_note``: the group's
    Attachment 6 opinion (``opinion``) stays as the group returned it (REN-04)."""
    case, filing, inst = renewal_institution(tx, renewal_id)
    tx.require_city(filing["city_code"])
    lifecycle.RENEWAL.target("pass", case["status"])
    panel = tx.get(panels, "续期评估组", renewal_id=renewal_id)
    outcome = renewal_result(tx, panel, renewal_id, method=method)
    composite, grade = outcome.composite, outcome.grade
    dropped = projects_without_assessment(case)
    passed = grade.label == rules.GRADE_PASS
    note = opinion
    if passed and set(dropped) >= scope_of(tx, filing["id"]):
        passed = False
        note = (opinion + "；" if opinion else "") + "备案期内全部项目均未开展考核，不予续期"
    tx.update(
        renewal_cases,
        {"id": renewal_id},
        status=lifecycle.RENEWAL.target("pass" if passed else "fail", case["status"]),
        composite=composite,
        grade=rules.GRADE_PASS if passed else rules.GRADE_FAIL,
        veto_found=bool(outcome.veto.found),
        decision_note=note,
        decided_on=on,
        dropped_projects=dropped if passed else [],
    )
    if passed:
        filing_target(tx.conn, filing, "renew", on)
        new = current_term(filing).next_term()
        seq = len(tx.rows(filing_terms, filing_id=filing["id"])) + 1
        tx.insert(
            filing_terms,
            filing_id=filing["id"],
            seq=seq,
            first_day=new.first_day,
            last_day=new.last_day,
            source="续期",
        )
        tx.update(filings, {"id": filing["id"]}, term_start=new.first_day, term_end=new.last_day)
        if dropped:
            remove_projects_from(
                tx, filing["id"], dropped, new.first_day, "备案期内未开展考核，不予续期"
            )
    if outcome.veto.found:
        tx.cite("REN-06")
        tx.insert(
            incidents,
            institution_id=inst["id"],
            city_code=filing["city_code"],
            opened_on=on,
            category="续期评估否决项",
            description="续期评估组报告存在不合格项：" + veto_texts(tx, case, outcome),
            status=lifecycle.INCIDENT.initial,
            follow_ups=[],
            conclusion="",
        )
    return {
        "composite": composite,
        "grade": rules.GRADE_PASS if passed else rules.GRADE_FAIL,
        "veto_found": bool(outcome.veto.found),
        "dropped_projects": dropped if passed else [],
    }
