"""Collect a scope change (SEL-06, SEL-07) and an exit (EXIT-01…EXIT-07) of one filing."""

from __future__ import annotations

from datetime import date, timedelta

from casework.domain import calendar, lifecycle, rules
from casework.queries.filings import (
    SCOPE_ADDED_BY,
    exit_case_rows,
    filing_facts,
    quota_overrides_of,
    stored_term,
)
from casework.reports.content import (
    Field,
    Form,
    ProcedureNotComplete,
    ReportData,
    Section,
    iso,
    shown,
    table,
)
from casework.store.engine import Store

ADDED, REMOVED = "新增项目", "删除项目"


def scope(store: Store, filing_id: int, on: date | None = None) -> ReportData:
    """The scope changes of one day (default the latest), code and term unchanged (SEL-06)."""
    facts = filing_facts(store, filing_id)
    dates = facts.scope_dates()
    on = on or (dates[-1] if dates else None)
    if on is None or on not in dates:
        raise ProcedureNotComplete(
            f"备案{filing_id}在{on or '任何日期'}没有考核范围调整", rule_id="SEL-06"
        )
    f, inst = facts.filing, facts.institution
    added, removed = facts.added_on(on), facts.removed_on(on)
    reasons = {
        r["project_code"]: r["removal_reason"] for r in facts.scope if r["project_code"] in removed
    }
    apps = {
        r["application_id"]
        for r in facts.scope
        if r["project_code"] in added and r["added_by"] == SCOPE_ADDED_BY and r["application_id"]
    }
    overrides = quota_overrides_of(store, apps)
    names_added = [facts.name(c) for c in sorted(added)]
    names_removed = [facts.name(c) for c in sorted(removed)]
    names_after = [facts.name(c) for c in sorted(facts.codes_on(on))]
    names_reasons = {facts.name(c): reasons[c] for c in sorted(reasons)}
    term = stored_term(facts.terms_from(on)[-1])
    changes = [(n, ADDED, "经征集遴选同程序评估") for n in names_added]
    changes += [(n, REMOVED, names_reasons.get(n, "")) for n in names_removed]
    form = Form(
        "考核范围调整（附件3、3-1）",
        (
            Field("机构代码（不变）", f["code"]),
            Field("有效期（不变）", term.text),
            Field("调整日期", shown(on)),
            Field("新增项目", "\n".join(names_added) or "—", "textarea"),
            Field("删除项目", "\n".join(names_removed) or "—", "textarea"),
            Field("调整后考核范围", "\n".join(names_after), "textarea"),
        ),
    )
    figures = {
        "filing_id": filing_id,
        "on": iso(on),
        "code": f["code"],
        "term": term.text,
        "added": names_added,
        "removed": names_removed,
        "scope_after": names_after,
        "projects_after": len(names_after),
        "over_project_limit": len(names_after) > rules.MAX_PROJECTS_PER_INSTITUTION,
        "quota_overrides": len(overrides),
    }
    return ReportData(
        procedure="scope",
        case_id=filing_id,
        title=f"考核范围调整：{inst['name']}",
        city_code=f["city_code"],
        subject=f"filing:{filing_id}",
        rubric_id="",
        facts=[("考核机构", inst["name"]), ("机构代码", f["code"]), ("有效期", term.receipt_text)],
        sections=[
            Section("调整情况（SEL-06）", [table(("考核项目", "调整情况", "说明"), changes)]),
            Section("调整结果", forms=[form]),
            Section(
                "数量限制（SEL-07）",
                [
                    table(
                        ("类型", "调整后数量", "理由", "决定人"),
                        [
                            (o["kind"], o["count_after"], o["reason"], o["officer"])
                            for o in overrides
                        ],
                    )
                ],
            ),
        ],
        figures=figures,
    )


def exit_procedure(store: Store, filing_id: int) -> ReportData:
    """How a filing ended (终止备案, EXIT-01) and every exit case on it."""
    facts = filing_facts(store, filing_id)
    f, inst = facts.filing, facts.institution
    if f["status"] != lifecycle.TERMINATED:
        raise ProcedureNotComplete(
            f"备案{filing_id}尚未终止（当前状态：{f['status']}）", rule_id="EXIT-01"
        )
    cases = exit_case_rows(store, filing_id)
    forms = []
    summary = []
    for c in cases:
        due_days = (
            calendar.count_workdays(
                c["findings_received_on"] + timedelta(days=1), c["statement_due"]
            )
            if c["findings_received_on"] and c["statement_due"]
            else None
        )
        fields = [
            Field("类型", c["kind"], "choice", ("违规", "自愿撤销")),
            Field("状态", c["status"]),
            Field("立案或申请日期", shown(c["opened_on"])),
        ]
        if c["kind"] == "违规":
            fields += [
                Field("立案事由（EXIT-04）", c["grounds"] or "—", "textarea"),
                Field("书面核查意见（EXIT-05）", c["findings"] or "—", "textarea"),
                Field("送达日期", shown(c["findings_received_on"])),
                Field("陈述申辩截止", shown(c["statement_due"])),
                Field("陈述申辩", c["statement"] or "—", "textarea"),
            ]
        else:
            fields.append(Field("终止考核工作实施方案（EXIT-02）", c["plan"] or "—", "textarea"))
        fields += [
            Field("情形", c["circumstance"] or "—", "textarea"),
            Field("依据", c["basis"] or "—"),
            Field("收尾工作", c["closing_work"] or "—", "textarea"),
            Field("办结日期", shown(c["decided_on"])),
        ]
        forms.append(Form(f"退出案件{c['id']}（{c['kind']}）", tuple(fields)))
        summary.append(
            {
                "case_id": int(c["id"]),
                "kind": c["kind"],
                "status": c["status"],
                "opened_on": iso(c["opened_on"]),
                "statement_due": iso(c["statement_due"]),
                "statement_workdays": due_days,
                "decided_on": iso(c["decided_on"]),
            }
        )
    end = Form(
        "终止备案（EXIT-01）",
        (
            Field("备案状态", f["status"]),
            Field("终止原因", f["end_reason"] or "—", "choice", lifecycle.END_REASONS),
            Field("终止日期", shown(f["ended_on"])),
            Field(
                "档案保存",
                f"纸质档案不少于{rules.ARCHIVE_PAPER_YEARS}年，电子档案不少于{rules.ARCHIVE_ELECTRONIC_YEARS}年（EXIT-08）",
            ),
        ),
    )
    figures = {
        "filing_id": filing_id,
        "institution": inst["name"],
        "code": f["code"],
        "end_reason": f["end_reason"],
        "ended_on": iso(f["ended_on"]),
        "exit_cases": summary,
    }
    return ReportData(
        procedure="exit",
        case_id=filing_id,
        title=f"退出：{inst['name']}",
        city_code=f["city_code"],
        subject=f"filing:{filing_id}",
        rubric_id="",
        facts=[
            ("考核机构", inst["name"]),
            ("统一社会信用代码", inst["uscc"]),
            ("机构代码", f["code"]),
            ("终止原因", f["end_reason"] or "—"),
            ("终止日期", shown(f["ended_on"])),
        ],
        sections=[Section("终止备案", forms=[end]), Section("退出案件", forms=forms)],
        figures=figures,
    )
