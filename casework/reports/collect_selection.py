"""Collect the selection decision (SEL-03, SEL-04, SEL-07) and the notice and filing
(SEL-05, ATT2-TERM) of one case from the store."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from casework.domain import calendar, rules, scoring
from casework.domain.terms import FilingTerm
from casework.errors import NotFound
from casework.registry.sheets import rubric_by_id, selection_frame
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
from casework.store.tables import (
    application_projects,
    applications,
    calls,
    filing_projects,
    filing_terms,
    filings,
    institutions,
    notice_items,
    notices,
    objections,
    panel_members,
    panels,
    projects,
    quota_overrides,
    sheets,
    users,
)

DECIDED = ("拟备案", "公示中", "公示无异议", "已备案", "未通过")
MET, UNMET = "符合", "不符合"


def one(conn: Connection, table_: Any, label: str, **keys: Any) -> Any:
    row = conn.execute(select(table_).filter_by(**keys)).mappings().first()
    if row is None:
        raise NotFound(f"未找到{label}（{keys}）")
    return row


def project_names(conn: Connection, codes: list[str]) -> list[str]:
    names = {r[0]: r[1] for r in conn.execute(select(projects.c.project_code, projects.c.name))}
    return [names.get(c, c) for c in sorted(codes)]


def panel_roster(conn: Connection, panel_id: int) -> tuple[list[Any], dict[str, str], list[Any]]:
    """A panel's members, their display names and their submitted sheets, in name order."""
    members = list(
        conn.execute(
            select(panel_members).filter_by(panel_id=panel_id).order_by(panel_members.c.username)
        ).mappings()
    )
    names = {m["username"]: display(conn, m["username"]) for m in members}
    done = list(
        conn.execute(
            select(sheets).filter_by(panel_id=panel_id, status="已提交").order_by(sheets.c.author)
        ).mappings()
    )
    return members, names, done


def display(conn: Connection, username: str) -> str:
    name = conn.execute(select(users.c.display_name).filter_by(username=username)).scalar()
    return str(name or username)


def _app_subject(conn: Connection, app: Any) -> str:
    if app["filing_id"] is not None:
        return f"filing:{app['filing_id']}"
    filed = conn.execute(select(filings.c.id).filter_by(application_id=app["id"])).scalar()
    return f"filing:{filed}" if filed else f"application:{app['id']}"


def selection(store: Store, application_id: int) -> ReportData:
    """The panel's checklists (Attachment 1), its verdict and the city's decision."""
    with store.read() as conn:
        app = one(conn, applications, "备案申请", id=application_id)
        if app["status"] not in DECIDED or app["decided_on"] is None:
            raise ProcedureNotComplete(
                f"申请{application_id}尚未研究确定遴选结果（当前状态：{app['status']}）",
                rule_id="SEL-04",
            )
        call = one(conn, calls, "征集公告", id=app["call_id"])
        inst = one(conn, institutions, "申报单位", id=app["institution_id"])
        codes = list(
            conn.execute(
                select(application_projects.c.project_code).filter_by(application_id=application_id)
            ).scalars()
        )
        names = project_names(conn, codes)
        panel = one(conn, panels, "遴选评估组", application_id=application_id)
        members, shown_names, done = panel_roster(conn, panel["id"])
        overrides = (
            conn.execute(select(quota_overrides).filter_by(application_id=application_id))
            .mappings()
            .all()
        )
        subject = _app_subject(conn, app)
    rubric = rubric_by_id(panel["rubric_id"])
    supplementary = pd.DataFrame(list(call["supplementary"] or []), columns=["sub_id", "text"])
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
        (shown_names[m["username"]], "组长" if m["is_leader"] else "成员", m["coi_declared_at"])
        for m in members
    ]
    return ReportData(
        procedure="selection",
        case_id=application_id,
        title=f"遴选决定：{inst['name']}",
        city_code=call["city_code"],
        subject=subject,
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
    with store.read() as conn:
        f = one(conn, filings, "备案", id=filing_id)
        inst = one(conn, institutions, "考核机构", id=f["institution_id"])
        first = one(conn, filing_terms, "备案有效期", filing_id=filing_id, seq=1)
        filed = conn.execute(
            select(filing_projects.c.project_code).where(
                filing_projects.c.filing_id == filing_id,
                filing_projects.c.added_by.in_(("遴选备案", "存量备案")),
            )
        ).scalars()
        names = project_names(conn, list(filed))
        notice = None
        objs: list[Any] = []
        if f["application_id"] is not None:
            nid = conn.execute(
                select(notice_items.c.notice_id)
                .filter_by(application_id=f["application_id"])
                .order_by(notice_items.c.notice_id.desc())
            ).scalar()
            notice = one(conn, notices, "公示", id=nid) if nid else None
            objs = list(
                conn.execute(select(objections).filter_by(application_id=f["application_id"]))
                .mappings()
                .all()
            )
    term = FilingTerm.from_months(first["first_day"], first["last_day"])
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
