"""Read the case data of a document from the store (the adapter side of the documents).

Each function takes a store and the id a document is issued for and returns the dataclass its
builder needs; an unknown id is :class:`~casework.errors.NotFound`, a case not yet at the step
the document records is :class:`~casework.documents.model.DocumentRefused`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

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
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    call_projects,
    calls,
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    institutions,
    notice_items,
    notices,
    panel_members,
    panels,
    projects,
    renewal_cases,
    renewal_rounds,
    sheets,
    users,
)

RENEWAL_DROP = "备案期内未开展考核，不予续期"
"""The removal reason :func:`casework.registry.decide_renewal` records (REN-05)."""
ADDED, REMOVED = "新增项目", "删除项目"


def _one(conn: Connection, table: Any, label: str, **keys: Any) -> Any:
    row = conn.execute(select(table).filter_by(**keys)).mappings().first()
    if row is None:
        shown = "，".join(f"{k}={v}" for k, v in keys.items())
        raise NotFound(f"未找到{label}（{shown}）")
    return row


def _names(conn: Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute(select(projects.c.project_code, projects.c.name))}


def _term(row: Any) -> FilingTerm:
    """A stored term, checked: its last month must be the 36th (ATT2-TERM)."""
    return FilingTerm.from_months(row["first_day"], row["last_day"])


def _scope_on(conn: Connection, filing_id: int, on: date) -> tuple[str, ...]:
    q = (
        select(projects.c.name)
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .where(
            filing_projects.c.filing_id == filing_id,
            filing_projects.c.added_on <= on,
            (filing_projects.c.removed_on.is_(None)) | (filing_projects.c.removed_on > on),
        )
        .order_by(filing_projects.c.project_code)
    )
    return tuple(conn.execute(q).scalars())


def receipt(store: Store, filing_id: int, cfg: DocumentSettings, **opts: Any) -> ReceiptCase:
    """Attachment 2: the filing's first term and the projects it was filed with (SEL-05)."""
    with store.read() as conn:
        filing = _one(conn, filings, "备案", id=filing_id)
        inst = _one(conn, institutions, "考核机构", id=filing["institution_id"])
        first = _one(conn, filing_terms, "备案有效期", filing_id=filing_id, seq=1)
        names = _scope_on(conn, filing_id, filing["filed_on"])
    return ReceiptCase(
        institution=inst["name"],
        code=filing["code"],
        term=_term(first),
        projects=names,
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(filing["filed_on"], opts.get("issued_on")),
    )


def scope_dates(store: Store, filing_id: int) -> list[date]:
    """The dates on which the filing's scope was adjusted (SEL-06), oldest first."""
    with store.read() as conn:
        rows = conn.execute(select(filing_projects).filter_by(filing_id=filing_id)).mappings()
        found = set()
        for r in rows:
            if r["added_by"] == "范围新增":
                found.add(r["added_on"])
            if r["removed_on"] is not None and r["removal_reason"] != RENEWAL_DROP:
                found.add(r["removed_on"])
    return sorted(found)


def scope_change(
    store: Store, filing_id: int, cfg: DocumentSettings, on: date | None = None, **opts: Any
) -> ScopeChangeCase:
    """Attachment 3: the changes of one day (default the latest), code and term unchanged."""
    dates = scope_dates(store, filing_id)
    with store.read() as conn:
        filing = _one(conn, filings, "备案", id=filing_id)
        inst = _one(conn, institutions, "考核机构", id=filing["institution_id"])
        on = on or (dates[-1] if dates else None)
        if on is None or on not in dates:
            raise refuse(
                "范围调整回执（附件3）",
                [problem("—", "调整日期", on or "（无）", "该日没有考核范围调整", "SEL-06")],
                rule_id="SEL-06",
            )
        names = _names(conn)
        changes: list[tuple[str, str]] = []
        for r in conn.execute(select(filing_projects).filter_by(filing_id=filing_id)).mappings():
            if r["added_by"] == "范围新增" and r["added_on"] == on:
                changes.append((names[r["project_code"]], ADDED))
            if r["removed_on"] == on and r["removal_reason"] != RENEWAL_DROP:
                changes.append((names[r["project_code"]], REMOVED))
        terms = conn.execute(
            select(filing_terms).filter_by(filing_id=filing_id).order_by(filing_terms.c.seq)
        ).mappings()
        current = [t for t in terms if t["first_day"] <= on]
    return ScopeChangeCase(
        institution=inst["name"],
        code=filing["code"],
        term=_term(current[-1]),
        changes=tuple(sorted(changes)),
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(on, opts.get("issued_on")),
    )


def _renewal(conn: Connection, renewal_id: int) -> tuple[Any, Any, Any]:
    case = _one(conn, renewal_cases, "续期评估", id=renewal_id)
    filing = _one(conn, filings, "备案", id=case["filing_id"])
    inst = _one(conn, institutions, "考核机构", id=filing["institution_id"])
    return case, filing, inst


def renewal_receipt(
    store: Store, renewal_id: int, cfg: DocumentSettings, **opts: Any
) -> ReceiptCase:
    """Attachment 7: the new term and the projects that continue into it (REN-05)."""
    with store.read() as conn:
        case, filing, inst = _renewal(conn, renewal_id)
        terms = conn.execute(
            select(filing_terms).filter_by(filing_id=filing["id"]).order_by(filing_terms.c.seq)
        ).mappings()
        decided = case["decided_on"]
        new = [t for t in terms if t["source"] == "续期" and decided and t["first_day"] > decided]
        if case["grade"] != rules.GRADE_PASS or not new:
            raise refuse(
                "备案续期回执（附件7）",
                [
                    problem(
                        "—", "评估结果", case["grade"] or case["status"], "合格后方可发放", "REN-05"
                    )
                ],
                rule_id="REN-05",
            )
        term = _term(new[0])
        names = _scope_on(conn, filing["id"], term.first_day)
    return ReceiptCase(
        institution=inst["name"],
        code=filing["code"],
        term=term,
        projects=names,
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(decided, opts.get("issued_on")),
        grade=case["grade"],
    )


def revocation(store: Store, filing_id: int, cfg: DocumentSettings, **opts: Any) -> RevocationCase:
    """Attachment 8 for a filing revoked by an exit case (EXIT-02, EXIT-06)."""
    with store.read() as conn:
        filing = _one(conn, filings, "备案", id=filing_id)
        inst = _one(conn, institutions, "考核机构", id=filing["institution_id"])
        q = select(exit_cases).filter_by(filing_id=filing_id, status="已撤销")
        case = conn.execute(q.order_by(exit_cases.c.id.desc())).mappings().first()
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
        institution=inst["name"],
        circumstance=case["circumstance"],
        basis=case["basis"] or ("" if case["kind"] == "违规" else rules.NOTICE_NO + " 三（一）"),
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(case["decided_on"], opts.get("issued_on")),
    )


def _display(conn: Connection, username: str) -> str:
    name = conn.execute(select(users.c.display_name).filter_by(username=username)).scalar()
    return str(name or username)


def renewal_sheets(store: Store, renewal_id: int) -> list[SheetCase]:
    """Every submitted Attachment 4 sheet of a renewal case: the self-evaluation, then the
    group members' (REN-02, REN-04)."""
    from casework.registry.sheets import rubric_by_id

    with store.read() as conn:
        case, _filing, inst = _renewal(conn, renewal_id)
        rnd = _one(conn, renewal_rounds, "续期评估轮次", id=case["round_id"])
        rubric = rubric_by_id(rnd["rubric_id"])
        panel = conn.execute(select(panels.c.id).filter_by(renewal_id=renewal_id)).scalar()
        own = sheets.c.renewal_id == renewal_id
        theirs = sheets.c.panel_id == panel
        q = select(sheets).where(sheets.c.status == "已提交", own | theirs)
        rows = conn.execute(q.order_by(sheets.c.panel_id.is_not(None), sheets.c.id)).mappings()
        out = []
        for s in rows:
            expert = s["panel_id"] is not None
            out.append(
                SheetCase(
                    institution=inst["name"],
                    evaluated_on=s["submitted_at"].date() if expert else case["submitted_on"],
                    author=_display(conn, s["author"]) if expert else f"{inst['name']}负责人",
                    author_role="续期评估组专家" if expert else "机构负责人（自评）",
                    rubric=rubric,
                    rows={
                        r["item_id"]: (str(r["verdict"]), float(r["points"] or 0))
                        for r in s["rows"]
                    },
                    veto={v["veto_id"]: bool(v["found"]) for v in s["veto"]},
                    total=s["total"],
                )
            )
    return out


def application(store: Store, renewal_id: int) -> ApplicationCase:
    """Attachment 5 as submitted (REN-02)."""
    with store.read() as conn:
        case, filing, inst = _renewal(conn, renewal_id)
        names = _names(conn)
        first = [
            t
            for t in conn.execute(select(filing_terms).filter_by(filing_id=filing["id"])).mappings()
            if case["submitted_on"] is None or t["first_day"] <= case["submitted_on"]
        ]
    app = dict(case["application"] or {}) if case["submitted_on"] else {}
    return ApplicationCase(
        institution=inst["name"],
        address=inst["address"],
        code=filing["code"],
        uscc=inst["uscc"],
        contact=inst["contact"],
        phone=inst["phone"],
        term=_term(first[-1]) if first else FilingTerm(filing["term_start"]),
        application=app,
        project_names=names,
    )


def opinion(store: Store, renewal_id: int) -> OpinionCase:
    """Attachment 6: each member's total and the composite (REN-04, REN-05)."""
    from casework.domain.scoring import renewal_outcome
    from casework.registry.sheets import renewal_frames, rubric_by_id

    with store.read() as conn:
        case, _filing, inst = _renewal(conn, renewal_id)
        panel = conn.execute(select(panels).filter_by(renewal_id=renewal_id)).mappings().first()
        if panel is None:
            raise refuse(
                "续期评估组意见反馈表（附件6）", [problem("—", "评估组", "", "尚未组建", "REN-04")]
            )
        members = conn.execute(
            select(panel_members.c.username).filter_by(panel_id=panel["id"])
        ).scalars()
        order = list(members)
        done = [
            s
            for s in conn.execute(select(sheets).filter_by(panel_id=panel["id"], status="已提交"))
            .mappings()
            .all()
        ]
        shown = {u: _display(conn, u) for u in order}
    if len(done) != len(order):
        missing = sorted(set(order) - {s["author"] for s in done})
        raise refuse(
            "续期评估组意见反馈表（附件6）",
            [problem("—", "评估表", "、".join(missing), "全体成员提交后方可填写", "REN-04")],
            rule_id="REN-04",
        )
    pairs = [renewal_frames(s["rows"], s["veto"], s["author"]) for s in done]
    outcome = renewal_outcome(
        rubric_by_id(panel["rubric_id"]), [p[0] for p in pairs], [p[1] for p in pairs]
    )
    totals = outcome.member_totals
    return OpinionCase(
        institution=inst["name"],
        members=tuple((shown[u], float(totals[u])) for u in order),
        composite=float(case["composite"] if case["composite"] is not None else outcome.composite),
        grade=case["grade"] or outcome.grade.label,
        opinion=case["opinion"],
        veto_found=bool(outcome.veto.found),
    )


def call(store: Store, call_id: int, cfg: DocumentSettings, **opts: Any) -> CallCase:
    with store.read() as conn:
        row = _one(conn, calls, "征集公告", id=call_id)
        codes = conn.execute(
            select(call_projects.c.project_code).filter_by(call_id=call_id)
        ).scalars()
        names = _names(conn)
        projects_ = tuple(names[c] for c in sorted(codes))
    return CallCase(
        bureau=cfg.bureau(row["city_code"], opts.get("department")),
        title=row["title"],
        year=row["year"],
        projects=projects_,
        conditions=row["conditions"],
        requirements=row["requirements"],
        supplementary=tuple((s["sub_id"], s["text"]) for s in row["supplementary"] or []),
        opens_on=row["opens_on"],
        closes_on=row["closes_on"],
        published_on=cfg.issued_on(row["published_on"], opts.get("issued_on")),
    )


def notice(store: Store, notice_id: int, cfg: DocumentSettings, **opts: Any) -> NoticeCase:
    with store.read() as conn:
        row = _one(conn, notices, "公示", id=notice_id)
        names = _names(conn)
        q = (
            select(applications.c.id, applications.c.kind, institutions.c.name, institutions.c.uscc)
            .join(notice_items, notice_items.c.application_id == applications.c.id)
            .join(institutions, institutions.c.id == applications.c.institution_id)
            .where(notice_items.c.notice_id == notice_id)
            .order_by(applications.c.id)
        )
        items = []
        for app in conn.execute(q).mappings().all():
            codes = conn.execute(
                select(application_projects.c.project_code).filter_by(application_id=app["id"])
            ).scalars()
            joined = "、".join(names[c] for c in sorted(codes))
            items.append((app["name"], app["uscc"], joined, app["kind"]))
    return NoticeCase(
        bureau=cfg.bureau(row["city_code"], opts.get("department")),
        title=row["title"],
        items=tuple(items),
        opens_on=row["opens_on"],
        ends_on=row["ends_on"],
        workdays=calendar.count_workdays(row["opens_on"], row["ends_on"]),
    )


def _round_rows(conn: Connection, round_id: int) -> list[Any]:
    q = (
        select(renewal_cases, filings.c.code, filings.c.city_code, institutions.c.name)
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(renewal_cases.c.round_id == round_id)
        .order_by(filings.c.code)
    )
    return list(conn.execute(q).mappings().all())


def renewal_round(
    store: Store, round_id: int, cfg: DocumentSettings, **opts: Any
) -> RenewalRoundCase:
    with store.read() as conn:
        rnd = _one(conn, renewal_rounds, "续期评估轮次", id=round_id)
        rows = _round_rows(conn, round_id)
        listed = []
        for r in rows:
            terms = conn.execute(
                select(filing_terms)
                .filter_by(filing_id=r["filing_id"])
                .order_by(filing_terms.c.seq)
            ).mappings()
            due = [t for t in terms if t["first_day"] <= rnd["opened_on"]]
            listed.append((r["name"], r["code"], _term(due[-1]).text if due else ""))
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
    with store.read() as conn:
        rnd = _one(conn, renewal_rounds, "续期评估轮次", id=round_id)
        names = _names(conn)
        out, latest = [], None
        for r in _round_rows(conn, round_id):
            if r["status"] not in ("合格", "不合格", "未提交"):
                continue
            new = ""
            if r["status"] == "合格":
                terms = conn.execute(
                    select(filing_terms).filter_by(filing_id=r["filing_id"], source="续期")
                ).mappings()
                after = [t for t in terms if t["first_day"] > r["decided_on"]]
                new = _term(after[0]).text if after else ""
            score = "" if r["composite"] is None else f"{r['composite']:.2f}"
            result = "未提交续期申请" if r["status"] == "未提交" else r["grade"]
            dropped = "、".join(names.get(c, c) for c in r["dropped_projects"] or []) or "—"
            out.append((r["name"], r["code"], score or "—", result, new or "—", dropped))
            if r["decided_on"] and (latest is None or r["decided_on"] > latest):
                latest = r["decided_on"]
    title = f"{rnd['title']}结果公布"
    return RenewalResultsCase(
        bureau=cfg.bureau(rnd["city_code"], opts.get("department")),
        title=title,
        published_on=cfg.issued_on(latest, opts.get("issued_on")),
        rows=tuple(out),
    )
