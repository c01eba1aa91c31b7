"""Collect the selection decision (SEL-03, SEL-04, SEL-07) and the notice and filing
(SEL-05, ATT2-TERM) of one case from the store."""

from __future__ import annotations

import pandas as pd

from casework.domain import calendar, rules, scoring
from casework.errors import NotFound
from casework.queries.applications import selection_facts
from casework.queries.filings import FILED_BY, filing_facts, notice_of_application, stored_term
from casework.queries.stored_sheets import rubric_by_id, selection_frame
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

DECIDED = ("拟备案", "公示中", "公示无异议", "已备案", "未通过")
MET, UNMET = "符合", "不符合"


def selection(store: Store, application_id: int) -> ReportData:
    """The panel's checklists (Attachment 1), its verdict and the city's decision."""
    facts = selection_facts(store, application_id)
    app, call, inst, panel = facts.application, facts.call, facts.institution, facts.panel
    if app["status"] not in DECIDED or app["decided_on"] is None:
        raise ProcedureNotComplete(
            f"申请{application_id}尚未研究确定遴选结果（当前状态：{app['status']}）",
            rule_id="SEL-04",
        )
    if panel is None:
        raise NotFound(f"未找到申请{application_id}的遴选评估组", rule_id="SEL-03")
    names = list(facts.projects)
    shown_names, done, overrides = facts.names, facts.sheets, facts.overrides
    members = facts.roster.to_dict("records")
    rubric = rubric_by_id(panel["rubric_id"])
    supplementary = facts.supplementary
    frames = [selection_frame(s["rows"], s["author"]) for s in done]
    verdict = scoring.evaluate_selection(rubric, frames, supplementary)
    texts = {
        **dict(zip(rubric.conditions.sub_id, rubric.conditions.text, strict=True)),
        **dict(zip(supplementary.sub_id, supplementary.text, strict=True)),
    }
    forms = []
    met_counts = {}
    for s in done:
        rows = {r["sub_id"]: r for r in s["rows"]}
        met_counts[shown_names.get(s["author"], s["author"])] = sum(
            bool(r["met"]) for r in s["rows"]
        )
        fields = tuple(
            Field(
                f"{sid} {texts.get(sid, '')}",
                MET if rows[sid]["met"] else UNMET,
                "choice",
                (MET, UNMET),
            )
            for sid in texts
            if sid in rows
        )
        leader = any(m["username"] == s["author"] and m["is_leader"] for m in members)
        who = shown_names.get(s["author"], s["author"]) + ("（组长）" if leader else "")
        title = f"附件1 遴选评估表 — {who}"
        forms.append(Form(title, fields))
    approved = app["status"] != "未通过"
    decision = Form(
        "研究确定遴选结果",
        (
            Field("结果", "拟备案" if approved else "不予备案", "choice", ("拟备案", "不予备案")),
            Field("研究确定日期", shown(app["decided_on"])),
            Field("说明", app["decision_note"] or "—", "textarea"),
            Field(
                "突破数量限制理由（SEL-07）",
                "；".join(o["reason"] for o in overrides) or "—",
                "textarea",
            ),
        ),
    )
    per = verdict.per_condition
    figures = {
        "application_id": application_id,
        "institution": inst["name"],
        "projects": names,
        "members": len(members),
        "met_by_member": met_counts,
        "eligible": bool(verdict.eligible),
        "priority": bool(verdict.priority),
        "unmet": list(verdict.unmet),
        "approved": approved,
        "decided_on": iso(app["decided_on"]),
        "quota_overrides": len(overrides),
    }
    member_rows = [
        (
            shown_names[m["username"]],
            "组长" if m["is_leader"] else "成员",
            None if pd.isna(m["coi_declared_at"]) else m["coi_declared_at"].to_pydatetime(),
        )
        for m in members
    ]
    return ReportData(
        procedure="selection",
        case_id=application_id,
        title=f"遴选决定：{inst['name']}",
        city_code=call["city_code"],
        subject=facts.subject,
        rubric_id=rubric.id,
        facts=[
            ("申报单位", inst["name"]),
            ("统一社会信用代码", inst["uscc"]),
            ("征集公告", call["title"]),
            ("申报项目", "、".join(names)),
            ("申请类型", app["kind"]),
            ("评估依据", f"{rubric.title}（{rubric.id}）"),
            ("评估方式", "、".join(panel["methods"] or [])),
        ],
        sections=[
            Section(
                "遴选评估组（SEL-03）", [table(("成员", "职责", "利益冲突声明时间"), member_rows)]
            ),
            Section("评估组成员评估表（附件1，SEL-04）", forms=forms),
            Section(
                "评估组意见（SEL-04）",
                [
                    table(
                        ("条件", "类别", "符合人数", "评估组判定"),
                        [
                            (
                                r.sub_id,
                                r.kind,
                                f"{r.members_met}/{r.members_total}",
                                MET if r.panel_met else UNMET,
                            )
                            for r in per.itertuples()
                        ],
                    )
                ],
                text=f"必备条件{'全部满足' if verdict.eligible else '未全部满足'}；"
                f"优先条件{'满足' if verdict.priority else '不满足'}。",
            ),
            Section("研究确定（SEL-04、SEL-07）", forms=[decision]),
        ],
        figures=figures,
    )


def filing(store: Store, filing_id: int) -> ReportData:
    """The notice of the proposed filing, its objections, and the filing itself."""
    facts = filing_facts(store, filing_id)
    f, inst = facts.filing, facts.institution
    first = facts.term_of(1)
    if first is None:
        raise NotFound(f"未找到备案有效期（filing_id={filing_id}，seq=1）")
    names = [facts.name(r["project_code"]) for r in facts.scope if r["added_by"] in FILED_BY]
    found = notice_of_application(store, f["application_id"])
    notice, objs = found.notice, list(found.objections)
    term = stored_term(first)
    workdays = (
        calendar.count_workdays(notice["opens_on"], notice["ends_on"])
        if notice is not None
        else None
    )
    notice_form = Form(
        "拟备案公示（SEL-05）",
        (
            Field("公示标题", notice["title"] if notice is not None else "（存量备案，无公示）"),
            Field("公示开始", shown(notice["opens_on"] if notice is not None else None)),
            Field("公示截止", shown(notice["ends_on"] if notice is not None else None)),
            Field("公示工作日数", workdays if workdays is not None else "—"),
            Field("公示结束日期", shown(notice["closed_on"] if notice is not None else None)),
        ),
    )
    filing_form = Form(
        "备案（附件2、2-1）",
        (
            Field("机构代码", f["code"]),
            Field("有效期", term.receipt_text),
            Field("备案日期", shown(f["filed_on"])),
            Field("考核项目", "\n".join(names), "textarea"),
        ),
    )
    figures = {
        "filing_id": filing_id,
        "institution": inst["name"],
        "code": f["code"],
        "term": term.text,
        "projects": names,
        "filed_on": iso(f["filed_on"]),
        "notice_workdays": workdays,
        "notice_meets_minimum": None if workdays is None else workdays >= rules.NOTICE_MIN_WORKDAYS,
        "objections": len(objs),
        "objections_upheld": sum(bool(o["upheld"]) for o in objs),
    }
    return ReportData(
        procedure="filing",
        case_id=filing_id,
        title=f"公示与备案：{inst['name']}",
        city_code=f["city_code"],
        subject=f"filing:{filing_id}",
        rubric_id="",
        facts=[
            ("考核机构", inst["name"]),
            ("统一社会信用代码", inst["uscc"]),
            ("机构代码", f["code"]),
            ("有效期", term.receipt_text),
        ],
        sections=[
            Section("公示（SEL-05）", forms=[notice_form]),
            Section(
                "公示异议",
                [
                    table(
                        ("收到日期", "异议人", "异议内容", "是否成立", "处理意见"),
                        [
                            (
                                o["received_on"],
                                o["objector"],
                                o["text"],
                                o["upheld"],
                                o["resolution"],
                            )
                            for o in objs
                        ],
                    )
                ],
            ),
            Section("备案（SEL-05、ATT2-TERM）", forms=[filing_form]),
        ],
        figures=figures,
    )
