"""Printable forms filled from the case: Attachment 4 sheets, Attachment 5 and Attachment 6.

These are the records a renewal leaves on paper (REN-02, REN-04, REN-05, REN-07): the sheets
each group member and the institution head signed, the renewal application and the group's
feedback form. Signature lines stay blank for the hand that signs.
"""

from __future__ import annotations

from collections.abc import Sequence

from casework.documents.cases import ApplicationCase, OpinionCase, SheetCase
from casework.documents.model import (
    Block,
    Document,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    date_text,
    problem,
    refuse,
    validate,
)
from casework.domain import rules

ATT4_TITLE = "专项职业能力考核机构续期评估明细表"
ATT5_TITLE = "专项职业能力考核机构备案续期申请表"
ATT6_TITLE = "续期评估组意见反馈表"
YES, NO = "是☑ 否□", "是□ 否☑"
ATT6_NOTE = (
    "备注：1.评估结果分为合格、不合格，综合得分在60（含60分）-100分之间的为合格，"
    "综合得分在60分以下的为不合格。2.考核机构存在《专项职业能力考核机构续期评估明细表》中"
    "“不合格项”有关情形的，评估组须立即向备案所属市人力资源社会保障局报告，"
    "备案所属市人力资源社会保障局视具体情况进行调查处理。"
)


def _points(value: float) -> str:
    return f"{value:g}"


def _sheet_problems(case: SheetCase) -> list:
    rubric = case.rubric
    found = []
    missing = [i for i in rubric.items["item_id"] if i not in case.rows]
    if missing:
        found.append(problem(case.author, "评分", "、".join(missing), "每一项都须评分", "REN-07"))
    for item_id, (verdict, points) in case.rows.items():
        full = rubric.item_points.get(item_id)
        if full is None or verdict not in rules.VERDICTS or not 0 <= points <= full:
            found.append(
                problem(case.author, item_id, f"{verdict} {points}", "结论与分值有效", "REN-07")
            )
    unknown = sorted(set(case.veto) - set(rubric.veto_items["veto_id"]))
    if unknown or len(case.veto) != len(rubric.veto_items):
        found.append(
            problem(case.author, "不合格项", "、".join(unknown), "逐项判断是否存在", "REN-06")
        )
    if not case.institution.strip():
        found.append(problem(case.author, "机构名称", "", "不能为空"))
    return found


def _sheet_blocks(case: SheetCase) -> list[Block]:
    rubric = case.rubric
    items = rubric.items
    rows = []
    for rec in items.itertuples(index=False):
        verdict, points = case.rows[rec.item_id]
        group_points = rubric.groups.set_index("group_no")["points"][rec.group_no]
        rows.append(
            (
                f"{rec.group}（{_points(group_points)}分）",
                rec.indicator,
                rec.criterion,
                _points(rec.points),
                f"{_points(points)}（{verdict}）",
            )
        )
    total = sum(p for _, p in case.rows.values())
    rows.append(("总分", "", "", _points(float(rubric.items["points"].sum())), _points(total)))
    veto_rows = tuple(
        (f"{i}.{text}", YES if case.veto.get(vid) else NO)
        for i, (vid, text) in enumerate(
            zip(rubric.veto_items["veto_id"], rubric.veto_items["text"], strict=True), 1
        )
    )
    evaluated = date_text(case.evaluated_on) if case.evaluated_on else "        年  月  日"
    return [
        Heading(ATT4_TITLE),
        Paragraph(f"机构名称：{case.institution}", indent=False),
        Paragraph(f"评估时间：{evaluated}", indent=False),
        Table(
            ("一级指标", "二级指标", f"评分标准（{rubric.legend}）", "分值", "评分"),
            tuple(rows),
            widths=(1.6, 1.6, 5.0, 0.8, 1.4),
        ),
        Table(("不合格项", "是否存在"), veto_rows, widths=(7.5, 2.0)),
        Paragraph(f"评估人员：{case.author}（{case.author_role}）　　签字：", indent=False),
        Paragraph("年　　月　　日", indent=False, align="right"),
        Paragraph("备注：评估人员为专项职业能力考核机构负责人或续期评估组专家。", indent=False),
    ]


def attachment4_sheets(cases: Sequence[SheetCase], name: str) -> Document:
    """Every Attachment 4 sheet of a renewal case, one per page (REN-04, REN-07)."""
    if not cases:
        raise refuse(ATT4_TITLE, [problem("—", "评估表", "（无）", "没有已提交的评估表", "REN-04")])
    found = [p for c in cases for p in _sheet_problems(c)]
    if found:
        raise refuse(ATT4_TITLE, found, rule_id="REN-07")
    blocks: list[Block] = []
    for i, case in enumerate(cases):
        if i:
            blocks.append(PageBreak())
        blocks += _sheet_blocks(case)
    facts = {
        "机构名称": cases[0].institution,
        "评估人员": "、".join(c.author for c in cases),
        "总分": "、".join(_points(sum(p for _, p in c.rows.values())) for c in cases),
    }
    return validate(Document("att4", name, tuple(blocks), facts, ("REN-04", "REN-07")))


def _flag(value: object) -> str:
    return "是☑ 否□" if value is True else ("是□ 否☑" if value is False else "是□ 否□")


def attachment5(case: ApplicationCase, name: str) -> Document:
    """Attachment 5 (备案续期申请表) as submitted (REN-02), with 通过率 per project (ATT5-STATS)."""
    app = case.application
    projects = app.get("projects") or []
    if not projects or not case.institution.strip() or not case.code.strip():
        raise refuse(
            ATT5_TITLE,
            [problem("—", "续期申请", "（未提交）", "机构须已提交续期申请（附件5）", "REN-02")],
            rule_id="REN-02",
        )
    t = case.term
    site = str(app.get("site") or "")
    info = (
        ("考核机构名称", case.institution),
        ("考核机构地址", case.address or "—"),
        ("考核机构代码", case.code),
        ("统一社会信用代码", case.uscc),
        ("联系人", f"{case.contact or '—'}（职务：{app.get('position') or '—'}）"),
        ("联系电话", f"{case.phone or '—'}（电子邮箱：{app.get('email') or '—'}）"),
        (
            "主体资质是否变更",
            f"{_flag(app.get('qualification_changed'))} {app.get('changed_items') or ''}",
        ),
        ("信用情况是否良好", _flag(app.get("credit_good"))),
        (
            "当前备案期限",
            f"自{t.first_month.year}年{t.first_month.month}月至{t.last_month.year}年{t.last_month.month}月",
        ),
        ("备案期内初次考核时间", str(app.get("first_assessment_on") or "—")),
    )
    stats = []
    for p in projects:
        assessed, certified = int(p["assessed"]), int(p["certified"])
        rate = f"{certified / assessed:.2%}" if assessed else "—"
        label = case.project_names.get(p["project_code"], p["project_code"])
        stats.append((label, str(assessed), str(certified), rate))
    resources = (
        ("考核场地情况", f"{site or '—'}；场地地址：{app.get('site_address') or '—'}"),
        ("考评人员数量", str(app.get("evaluators", "—"))),
        ("督导人员数量", str(app.get("supervisors", "—"))),
        ("命题专家数量", str(app.get("item_writers", "—"))),
        ("工作人员数量", str(app.get("staff", "—"))),
    )
    banks = tuple(
        (
            case.project_names.get(b["project_code"], b["project_code"]),
            str(b.get("papers", "—")),
            str(b.get("items", "—")),
        )
        for b in app.get("question_banks") or []
    )
    summary = (
        ("工作开展情况", str(app.get("summary") or "—")),
        ("下步工作规划", str(app.get("plan") or "—")),
        ("问题与建议", str(app.get("issues") or "—")),
    )
    blocks: list[Block] = [
        Heading(ATT5_TITLE),
        Heading("一、机构信息", level=2),
        Table(("项目", "内容"), info, widths=(2.5, 7.0), header=False),
        Heading("二、基本情况", level=2),
        Table(
            ("考核项目", "考核人次", "取证人次", "通过率"),
            tuple(stats),
            widths=(4.0, 2.0, 2.0, 1.5),
        ),
        Table(("考核资源", "情况"), resources, widths=(2.5, 7.0), header=False),
        Table(
            ("考核项目", "卷库（套）", "题库（道）"),
            banks,
            widths=(5.0, 2.0, 2.0),
            allow_empty=True,
        ),
        Heading("三、工作总结", level=2),
        Table(("备案期内工作总结", "内容"), summary, widths=(2.5, 7.0), header=False),
        Paragraph(
            "备案续期申请：本单位申请专项职业能力考核机构备案续期，继续面向社会开展专项职业能力"
            "考核工作。在下一个备案期内，本单位承诺严格落实专项职业能力考核各项工作要求，"
            "确保专项职业能力考核质量和服务水平。"
        ),
        Paragraph(
            "诚信声明：本单位承诺填写内容、报送材料真实有效，如有弄虚作假，愿意承担相应责任。"
        ),
        Paragraph(
            "法定代表人（签字）：　　　　　　单位名称（公章）　　　　年　　月　　日", indent=False
        ),
    ]
    facts = {
        "考核机构名称": case.institution,
        "考核机构代码": case.code,
        "统一社会信用代码": case.uscc,
        "考核情况": "；".join(f"{s[0]} {s[1]}/{s[2]}" for s in stats),
    }
    return validate(Document("att5", name, tuple(blocks), facts, ("REN-02", "ATT5-STATS")))


def attachment6(case: OpinionCase, name: str) -> Document:
    """Attachment 6 (续期评估组意见反馈表): member scores, composite and grade (REN-04, REN-05)."""
    found = []
    if not rules.GROUP_MIN <= len(case.members) <= rules.GROUP_MAX:
        found.append(problem("—", "专家", len(case.members), "续期评估组3—5人", "REN-04"))
    if case.grade not in (rules.GRADE_PASS, rules.GRADE_FAIL):
        found.append(problem("—", "等次", case.grade, "合格或不合格", "REN-05"))
    if not case.opinion.strip():
        found.append(problem("—", "评估组意见建议", "", "评估组须填写意见建议", "REN-04"))
    if found:
        raise refuse(ATT6_TITLE, found, rule_id="REN-05")
    rows = (
        ("考核机构", case.institution),
        ("专家姓名", "、".join(m for m, _ in case.members)),
        ("专家评分", "；".join(f"{m} {_points(s)}分" for m, s in case.members)),
        ("综合得分和等次", f"{case.composite:.2f}分，{case.grade}"),
        (
            "评估组对考核机构的意见建议",
            case.opinion + ("（存在不合格项，已报告）" if case.veto_found else ""),
        ),
    )
    blocks: list[Block] = [
        Heading(ATT6_TITLE),
        Table(("项目", "内容"), rows, widths=(2.5, 7.0), header=False),
        Paragraph(
            "评估组专家（签字）：　　　　　　　　年　　月　　日", indent=False, align="right"
        ),
        Paragraph(ATT6_NOTE, indent=False),
    ]
    facts = {
        "考核机构": case.institution,
        "综合得分": f"{case.composite:.2f}",
        "等次": case.grade,
        "专家评分": rows[2][1],
    }
    return validate(Document("att6", name, tuple(blocks), facts, ("REN-04", "REN-05")))
