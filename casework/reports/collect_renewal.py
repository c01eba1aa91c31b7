"""Collect a renewal decision (REN-02…REN-07): the self-evaluation, Attachment 5, every group
member's Attachment 4 sheet, the Attachment 6 summary and the city's decision."""

from __future__ import annotations

from typing import Any

from casework.domain import rules
from casework.errors import NotFound
from casework.queries.filings import stored_term
from casework.queries.renewal_outcome import renewal_outcome_of
from casework.queries.renewals import renewal_facts
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

DECIDED = (rules.GRADE_PASS, rules.GRADE_FAIL)


def _sheet_table(rubric: Any, rows: list[dict[str, Any]]) -> str:
    given = {r["item_id"]: r for r in rows}
    out = []
    for rec in rubric.items.itertuples(index=False):
        r = given.get(rec.item_id, {})
        out.append(
            (rec.item_id, rec.group, rec.indicator, rec.points, r.get("verdict"), r.get("points"))
        )
    return table(("编号", "一级指标", "二级指标", "分值", "结论", "评分"), out)


def renewal(store: Store, renewal_id: int) -> ReportData:
    """The renewal case from self-evaluation to the city's decision."""
    facts = renewal_facts(store, renewal_id)
    case, rnd = facts.case, facts.round
    if case["status"] not in DECIDED:
        raise ProcedureNotComplete(
            f"续期评估{renewal_id}尚未研究确定结果（当前状态：{case['status']}）",
            rule_id="REN-05",
        )
    f, inst = facts.filing.filing, facts.institution
    group = renewal_outcome_of(store, renewal_id)
    if group.summary is None:
        raise NotFound(f"续期评估{renewal_id}的评估组尚有成员未提交评估表", rule_id="REN-04")
    panel = group.panel
    names, done, own, outcome = group.names, group.group_sheets, group.self_sheet, group.summary
    rubric = group.rubric
    stats = list((case["application"] or {}).get("projects", []))
    stat_names = [facts.filing.name(c) for c in sorted(s["project_code"] for s in stats)]
    dropped = [facts.filing.name(c) for c in sorted(case["dropped_projects"] or [])]
    totals = {
        names.get(str(k), str(k)): round(float(v), 2) for k, v in outcome.member_totals.items()
    }
    new = facts.new_terms()
    new_term = stored_term(new[0]) if new else None
    vetoes = rubric.veto_items.set_index("veto_id")["text"]
    found = [f"{v} {vetoes[v]}" for v in outcome.veto.found_items]
    member_forms = [
        Form(
            f"附件4 续期评估明细表 — {names.get(s['author'], s['author'])}",
            (
                Field("总分", float(s["total"] or 0), "number"),
                Field(
                    "不合格项",
                    "是" if any(v["found"] for v in s["veto"]) else "否",
                    "choice",
                    ("是", "否"),
                ),
            ),
        )
        for s in done
    ]
    grade = case["grade"]
    att6 = Form(
        "附件6 续期评估组意见反馈表",
        (
            Field("专家评分", "；".join(f"{k} {v:g}分" for k, v in totals.items()), "textarea"),
            Field("综合得分", round(float(case["composite"]), 2), "number"),
            Field("等次", grade, "choice", DECIDED),
            Field("评估组意见建议", case["opinion"] or "—", "textarea"),
        ),
    )
    decision = Form(
        "研究确定续期评估结果（REN-05）",
        (
            Field("评估结果", grade, "choice", DECIDED),
            Field("研究确定日期", shown(case["decided_on"])),
            Field("研究确定意见", case["decision_note"] or "—", "textarea"),
            Field("新有效期", new_term.receipt_text if new_term else "不予续期"),
            Field("不予续期的项目（备案期内未开展考核）", "、".join(dropped) or "—", "textarea"),
        ),
    )
    stat_rows = [
        (
            n,
            s["assessed"],
            s["certified"],
            "—" if s.get("pass_rate") is None else f"{s['pass_rate']:.2%}",
        )
        for n, s in zip(stat_names, sorted(stats, key=lambda s: s["project_code"]), strict=True)
    ]
    figures = {
        "renewal_id": renewal_id,
        "institution": inst["name"],
        "code": f["code"],
        "member_totals": totals,
        "self_total": None if own is None else round(float(own["total"] or 0), 2),
        "composite": round(float(case["composite"]), 2),
        "recomputed_composite": round(float(outcome.composite), 2),
        "grade": grade,
        "veto_found": bool(outcome.veto.found),
        "veto_items": list(outcome.veto.found_items),
        "new_term": new_term.text if new_term else None,
        "dropped_projects": dropped,
        "assessed": {
            n: int(s["assessed"])
            for n, s in zip(stat_names, sorted(stats, key=lambda s: s["project_code"]), strict=True)
        },
        "decided_on": iso(case["decided_on"]),
        "group_opinion": case["opinion"] or "",
        "decision_note": case["decision_note"] or "",
    }
    sheet_sections = [
        Section(
            f"附件4评分明细 — {names.get(s['author'], s['author'])}",
            [_sheet_table(rubric, s["rows"])],
        )
        for s in done
    ]
    return ReportData(
        procedure="renewal",
        case_id=renewal_id,
        title=f"续期评估决定：{inst['name']}",
        city_code=f["city_code"],
        subject=f"filing:{f['id']}",
        rubric_id=rubric.id,
        facts=[
            ("考核机构", inst["name"]),
            ("机构代码", f["code"]),
            ("续期评估轮次", rnd["title"]),
            ("自评提交截止", shown(rnd["deadline"])),
            ("提交续期申请", shown(case["submitted_on"])),
            ("评分依据", f"{rubric.title}（{rubric.id}）"),
            ("评估方式", "、".join(panel["methods"] or [])),
        ],
        sections=[
            Section(
                "附件5 考核情况（ATT5-STATS）",
                [table(("考核项目", "考核人次", "取证人次", "通过率"), stat_rows)],
            ),
            Section("续期评估组成员评分（附件4，REN-04、REN-07）", forms=member_forms),
            *sheet_sections,
            Section(
                "不合格项（REN-06）",
                text="；".join(found) if found else "评估组未发现不合格项。",
            ),
            Section("评估组意见（附件6）", forms=[att6]),
            Section("研究确定（REN-05）", forms=[decision]),
        ],
        figures=figures,
    )
