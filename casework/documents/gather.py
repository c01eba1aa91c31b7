"""Turn the read models of a case into the case data of its document (no SQL here).

Each function takes a store and the id a document is issued for, reads it through
:mod:`casework.queries` (every read scoped by that id) and returns the dataclass its builder
needs; an unknown id is :class:`~casework.errors.NotFound`, a case not yet at the step the
document records is :class:`~casework.documents.model.DocumentRefused`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.documents.cases import (
    ApplicationCase,
    CallCase,
    NoticeCase,
    OpinionCase,
    ReceiptCase,
    RenewalResultsCase,
    RenewalRoundCase,
    RevocationCase,
    ScopeChangeCase,
    SheetCase,
)
from casework.documents.config import DocumentSettings
from casework.documents.model import problem, refuse
from casework.domain import calendar, rules
from casework.domain.terms import FilingTerm
from casework.errors import NotFound
from casework.queries.calls import call_facts
from casework.queries.filings import (
    RENEWAL_DROP,
    filing_facts,
    revoking_exit_case,
    stored_term,
)
from casework.queries.notices import notice_facts
from casework.queries.renewal_outcome import attachment4_sheets, renewal_outcome_of
from casework.queries.renewal_rounds import round_facts
from casework.queries.renewals import renewal_facts
from casework.store.engine import Store

__all__ = [
    "RENEWAL_DROP",
    "application",
    "call",
    "notice",
    "opinion",
    "receipt",
    "renewal_receipt",
    "renewal_results",
    "renewal_round",
    "renewal_sheets",
    "revocation",
    "scope_change",
    "scope_dates",
]
ADDED, REMOVED = "新增项目", "删除项目"
DROP_REASON = "备案期内未开展考核"
"""REN-05: why a project is not renewed, as Attachment 7-1 states it."""
ATT6 = "续期评估组意见反馈表（附件6）"


def receipt(store: Store, filing_id: int, cfg: DocumentSettings, **opts: Any) -> ReceiptCase:
    """Attachment 2: the filing's first term and the projects it was filed with (SEL-05)."""
    facts = filing_facts(store, filing_id)
    first = facts.term_of(1)
    if first is None:
        raise NotFound(f"未找到备案有效期（filing_id={filing_id}，seq=1）")
    filing = facts.filing
    return ReceiptCase(
        institution=facts.institution["name"],
        code=filing["code"],
        term=stored_term(first),
        projects=facts.scope_on(filing["filed_on"]),
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(filing["filed_on"], opts.get("issued_on")),
    )


def scope_dates(store: Store, filing_id: int) -> list[date]:
    """The dates on which the filing's scope was adjusted (SEL-06), oldest first."""
    return filing_facts(store, filing_id).scope_dates()


def scope_change(
    store: Store, filing_id: int, cfg: DocumentSettings, on: date | None = None, **opts: Any
) -> ScopeChangeCase:
    """Attachment 3: the changes of one day (default the latest), code and term unchanged."""
    facts = filing_facts(store, filing_id)
    dates = facts.scope_dates()
    on = on or (dates[-1] if dates else None)
    if on is None or on not in dates:
        raise refuse(
            "范围调整回执（附件3）",
            [problem("—", "调整日期", on or "（无）", "该日没有考核范围调整", "SEL-06")],
            rule_id="SEL-06",
        )
    changes = [(facts.name(c), ADDED) for c in facts.added_on(on)]
    changes += [(facts.name(c), REMOVED) for c in facts.removed_on(on)]
    filing = facts.filing
    return ScopeChangeCase(
        institution=facts.institution["name"],
        code=filing["code"],
        term=stored_term(facts.terms_from(on)[-1]),
        changes=tuple(sorted(changes)),
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(on, opts.get("issued_on")),
    )


def renewal_receipt(
    store: Store, renewal_id: int, cfg: DocumentSettings, **opts: Any
) -> ReceiptCase:
    """Attachment 7: the new term and the projects that continue into it (REN-05)."""
    facts = renewal_facts(store, renewal_id)
    case, new = facts.case, facts.new_terms()
    if case["grade"] != rules.GRADE_PASS or not new:
        raise refuse(
            "备案续期回执（附件7）",
            [problem("—", "评估结果", case["grade"] or case["status"], "合格后方可发放", "REN-05")],
            rule_id="REN-05",
        )
    term = stored_term(new[0])
    filing = facts.filing.filing
    return ReceiptCase(
        institution=facts.institution["name"],
        code=filing["code"],
        term=term,
        projects=facts.filing.scope_on(term.first_day),
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(case["decided_on"], opts.get("issued_on")),
        grade=case["grade"],
        dropped=tuple(
            (facts.filing.name(c), DROP_REASON) for c in sorted(case["dropped_projects"] or [])
        ),
    )


def revocation(store: Store, filing_id: int, cfg: DocumentSettings, **opts: Any) -> RevocationCase:
    """Attachment 8 for a filing revoked by an exit case (EXIT-02, EXIT-06)."""
    facts = filing_facts(store, filing_id)
    filing = facts.filing
    case = revoking_exit_case(store, filing_id)
    if case is None:
        reason = filing["end_reason"] or filing["status"]
        rule = {"到期未续": "EXIT-03", "主体灭失": "EXIT-07"}.get(reason, "EXIT-06")
        raise refuse(
            "撤销备案函（附件8）",
            [
                problem(
                    "—", "退出情形", reason, "须有办结并撤销备案的退出案件（自愿撤销或违规）", rule
                )
            ],
            rule_id=rule,
        )
    return RevocationCase(
        institution=facts.institution["name"],
        circumstance=case["circumstance"],
        basis=case["basis"] or ("" if case["kind"] == "违规" else rules.NOTICE_NO + " 三（一）"),
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(case["decided_on"], opts.get("issued_on")),
        kind=case["kind"],
        opened_on=case["opened_on"],
        findings_received_on=case["findings_received_on"],
        statement_received_on=case["statement_received_on"],
        closing_done_on=case["closing_done_on"],
    )


def renewal_sheets(store: Store, renewal_id: int) -> list[SheetCase]:
    """Every submitted Attachment 4 sheet of this renewal case: its own self-evaluation, then
    its own group members' (REN-02, REN-04) — never another case's (issue #13)."""
    found = attachment4_sheets(store, renewal_id)
    return [
        SheetCase(
            institution=found.institution,
            evaluated_on=s.submitted_on,
            author=s.author,
            author_role="续期评估组专家" if s.expert else "机构负责人（自评）",
            rubric=found.rubric,
            rows={r["item_id"]: (str(r["verdict"]), float(r["points"] or 0)) for r in s.rows},
            veto={v["veto_id"]: bool(v["found"]) for v in s.veto},
            total=s.total,
        )
        for s in found.sheets
    ]


def application(store: Store, renewal_id: int) -> ApplicationCase:
    """Attachment 5 as submitted (REN-02)."""
    facts = renewal_facts(store, renewal_id)
    case, filing, inst = facts.case, facts.filing.filing, facts.institution
    submitted = case["submitted_on"]
    first = [t for t in facts.filing.terms if submitted is None or t["first_day"] <= submitted]
    app = dict(case["application"] or {}) if submitted else {}
    return ApplicationCase(
        institution=inst["name"],
        address=inst["address"],
        code=filing["code"],
        uscc=inst["uscc"],
        contact=inst["contact"],
        phone=inst["phone"],
        term=stored_term(first[-1]) if first else FilingTerm(filing["term_start"]),
        application=app,
        project_names=facts.filing.project_names,
    )


def opinion(store: Store, renewal_id: int) -> OpinionCase:
    """Attachment 6: each member's total and the composite (REN-04, REN-05)."""
    facts = renewal_facts(store, renewal_id)
    case = facts.case
    try:
        outcome = renewal_outcome_of(store, renewal_id)
    except NotFound:
        raise refuse(ATT6, [problem("—", "评估组", "", "尚未组建", "REN-04")]) from None
    if outcome.summary is None:
        raise refuse(
            ATT6,
            [
                problem(
                    "—", "评估表", "、".join(outcome.waiting), "全体成员提交后方可填写", "REN-04"
                )
            ],
            rule_id="REN-04",
        )
    summary = outcome.summary
    totals = summary.member_totals
    return OpinionCase(
        institution=facts.institution["name"],
        members=tuple((outcome.names[u], float(totals[u])) for u in outcome.names),
        composite=float(case["composite"] if case["composite"] is not None else summary.composite),
        grade=case["grade"] or summary.grade.label,
        opinion=case["opinion"],
        veto_found=bool(summary.veto.found),
    )


def call(store: Store, call_id: int, cfg: DocumentSettings, **opts: Any) -> CallCase:
    facts = call_facts(store, call_id)
    row = facts.call
    return CallCase(
        bureau=cfg.bureau(row["city_code"], opts.get("department")),
        title=row["title"],
        year=row["year"],
        projects=facts.projects,
        conditions=row["conditions"],
        requirements=row["requirements"],
        supplementary=tuple((s["sub_id"], s["text"]) for s in row["supplementary"] or []),
        opens_on=row["opens_on"],
        closes_on=row["closes_on"],
        published_on=cfg.issued_on(row["published_on"], opts.get("issued_on")),
    )


def notice(store: Store, notice_id: int, cfg: DocumentSettings, **opts: Any) -> NoticeCase:
    facts = notice_facts(store, notice_id)
    row = facts.notice
    return NoticeCase(
        bureau=cfg.bureau(row["city_code"], opts.get("department")),
        title=row["title"],
        items=tuple((i.institution, i.uscc, "、".join(i.projects), i.kind) for i in facts.items),
        opens_on=row["opens_on"],
        ends_on=row["ends_on"],
        workdays=calendar.count_workdays(row["opens_on"], row["ends_on"]),
    )


def renewal_round(
    store: Store, round_id: int, cfg: DocumentSettings, **opts: Any
) -> RenewalRoundCase:
    facts = round_facts(store, round_id)
    rnd = facts.round
    listed = []
    for c in facts.cases:
        due = [t for t in c.terms if t["first_day"] <= rnd["opened_on"]]
        listed.append((c.institution, c.code, stored_term(due[-1]).text if due else ""))
    return RenewalRoundCase(
        bureau=cfg.bureau(rnd["city_code"], opts.get("department")),
        title=rnd["title"],
        plan=rnd["plan"],
        expiring_from=rnd["expiring_from"],
        expiring_to=rnd["expiring_to"],
        deadline=rnd["deadline"],
        opened_on=cfg.issued_on(rnd["opened_on"], opts.get("issued_on")),
        institutions=tuple(listed),
    )


def renewal_results(
    store: Store, round_id: int, cfg: DocumentSettings, **opts: Any
) -> RenewalResultsCase:
    facts = round_facts(store, round_id)
    rnd, names = facts.round, facts.project_names
    out, latest = [], None
    for c in facts.cases:
        r = c.case
        if r["status"] not in ("合格", "不合格", "未提交"):
            continue
        new = ""
        if r["status"] == "合格":
            after = [
                t for t in c.terms if t["source"] == "续期" and t["first_day"] > r["decided_on"]
            ]
            new = stored_term(after[0]).text if after else ""
        score = "" if r["composite"] is None else f"{r['composite']:.2f}"
        result = "未提交续期申请" if r["status"] == "未提交" else r["grade"]
        dropped = "、".join(names.get(x, x) for x in r["dropped_projects"] or []) or "—"
        out.append((c.institution, c.code, score or "—", result, new or "—", dropped))
        if r["decided_on"] and (latest is None or r["decided_on"] > latest):
            latest = r["decided_on"]
    return RenewalResultsCase(
        bureau=cfg.bureau(rnd["city_code"], opts.get("department")),
        title=f"{rnd['title']}结果公布",
        published_on=cfg.issued_on(latest, opts.get("issued_on")),
        rows=tuple(out),
    )
