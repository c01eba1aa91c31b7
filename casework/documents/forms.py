"""Printable forms filled from the case: Attachment 4 sheets, Attachment 5 and Attachment 6;
and the blank Attachments 4 and 5 that go out with a renewal notice (REN-01).

These are the records a renewal leaves on paper (REN-02, REN-04, REN-05, REN-07): the sheets
each group member and the institution head signed, the renewal application and the group's
feedback form. Signature lines stay blank for the hand that signs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from casework.documents.cases import ApplicationCase, OpinionCase, SheetCase
from casework.documents.model import (
    Block,
    Document,
    Heading,
    Label,
    PageBreak,
    Paragraph,
    Table,
    date_text,
    problem,
    refuse,
    validate,
)
from casework.domain import rules
from casework.domain.rubrics import RenewalRubric

ATT4_TITLE = "专项职业能力考核机构续期评估明细表"
ATT5_TITLE = "专项职业能力考核机构备案续期申请表"
ATT6_TITLE = "续期评估组意见反馈表"
BLANK_DAY = "　　　　年　　月　　日"
BLANK_LINES = 5
"""Lines the notice's Attachment 5 leaves for projects and question banks on the blank form."""
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


def _runs(
    rows: list[tuple[str, ...]], col: int, within: int | None = None
) -> list[tuple[int, int, int, int]]:
    """Merges of consecutive equal cells of column ``col`` (inside one run of ``within``), as
    the notice merges 一级指标 and 二级指标 over their rows."""
    out, start = [], 0
    for r in range(1, len(rows) + 1):
        same = r < len(rows) and rows[r][col] == rows[start][col]
        if same and within is not None:
            same = rows[r][within] == rows[start][within]
        if not same:
            if r - 1 > start:
                out.append((start, col, r - 1, col))
            start = r
    return out


def _blank_covered(
    rows: list[tuple[str, ...]], merges: list[tuple[int, int, int, int]]
) -> list[tuple[str, ...]]:
    cells = [list(r) for r in rows]
    for r0, c0, r1, c1 in merges:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    cells[r][c] = ""
    return [tuple(r) for r in cells]


def _sheet_blocks(rubric: Any, case: SheetCase | None = None) -> list[Block]:
    """One sheet laid out as the notice's Attachment 4: the scored table with its 总分 row, the
    不合格项 rows under the same header, the signature line and the note. ``case`` None: the
    blank sheet the renewal notice sends out (REN-01), every score and tick left to the hand.
    ``rubric`` is a :class:`~casework.domain.rubrics.RenewalRubric` (its tables' rows untyped)."""
    items = rubric.items
    rows: list[tuple[str, ...]] = []
    group_points = rubric.groups.set_index("group_no")["points"]
    for rec in items.itertuples(index=False):
        score = ""
        if case is not None:
            verdict, points = case.rows[rec.item_id]
            score = f"{_points(points)}（{verdict}）"
        rows.append(
            (
                f"{rec.group}（{_points(group_points[rec.group_no])}分）",
                rec.indicator,
                rec.criterion,
                _points(rec.points),
                score,
            )
        )
    merges = _runs(rows, 0) + _runs(rows, 1, within=0)
    rows = _blank_covered(rows, merges)
    total = _points(sum(p for _, p in case.rows.values())) if case is not None else ""
    rows.append(("总分", "", "", _points(float(rubric.items["points"].sum())), total))
    vetoes = list(zip(rubric.veto_items["veto_id"], rubric.veto_items["text"], strict=True))
    for i, (vid, text) in enumerate(vetoes, 1):
        flag = _flag(None) if case is None else (YES if case.veto.get(vid) else NO)
        rows.append(("不合格项" if i == 1 else "", "", f"{i}.{text}", flag, ""))
    first_veto = len(items) + 1
    if vetoes:
        merges.append((first_veto, 0, first_veto + len(vetoes) - 1, 1))
    evaluated = date_text(case.evaluated_on) if case and case.evaluated_on else BLANK_DAY
    signer = f"（{case.author}，{case.author_role}）" if case is not None else ""
    legend = str(rubric.legend).replace(",", "，")
    return [
        Heading(ATT4_TITLE),
        Paragraph(f"机构名称：{case.institution if case else ''}", indent=False),
        Paragraph(f"评估时间：{evaluated}", indent=False),
        Table(
            ("一级指标", "二级指标", f"评分标准（{legend}）", "分值", "评分"),
            tuple(rows),
            widths=(1.6, 1.6, 5.0, 1.0, 1.4),
            merges=tuple(merges),
        ),
        Paragraph(f"评估人员（签字）：　　　　　　　　{signer}", indent=False, gap=True),
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
        blocks += _sheet_blocks(case.rubric, case)
    facts = {
        "机构名称": cases[0].institution,
        "评估人员": "、".join(c.author for c in cases),
        "总分": "、".join(_points(sum(p for _, p in c.rows.values())) for c in cases),
    }
    return validate(
        Document(
            "att4", name, tuple(blocks), facts, ("REN-04", "REN-07"), city_code=cases[0].city_code
        )
    )


def _flag(value: object) -> str:
    return "是☑ 否□" if value is True else ("是□ 否☑" if value is False else "是□ 否□")


def _v(value: object) -> str:
    """A value as the form prints it: a missing one (None, NaN, empty) as —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = str(value).strip()
    return text if text and text.lower() not in ("nan", "none", "nat") else "—"


def _day(value: object) -> str:
    """An ISO date as 2025年5月10日; anything else as printed by :func:`_v`."""
    try:
        return date_text(date.fromisoformat(str(value)))
    except ValueError:
        return _v(value)


ATT5_NOTE = (
    "备注：1.本表所填写内容须真实无误。2.有关内容如在本表内填写不完，可另加A4纸附页。"
    "3.表中需选择的栏目，在相应项目后方框内打“√”。4.本表需正反面打印报送。"
)
RENEWAL_PLEDGE = (
    "本单位申请专项职业能力考核机构备案续期，继续面向社会开展专项职业能力考核工作。"
    "在下一个备案期内，本单位承诺严格落实专项职业能力考核各项工作要求，"
    "确保专项职业能力考核质量和服务水平。"
)
INTEGRITY = "本单位承诺填写内容、报送材料真实有效，如有弄虚作假，愿意承担相应责任。"
SIGN_LINES = "法定代表人（签字）：\n单位名称（公章）　　　　年　　月　　日"
"""Each of 备案续期申请 and 诚信声明 carries its own signature and seal (Attachment 5)."""


def _att5_rows(
    case: ApplicationCase | None,
) -> tuple[list[tuple[str, ...]], list[tuple[int, int, int, int]]]:
    """Attachment 5 as one five-column grid with the notice's merged cells; ``case`` None: the
    blank form the renewal notice sends out (REN-01), every value and tick left to the hand."""
    app: dict = case.application if case is not None else {}

    def v(value: object) -> str:
        return _v(value) if case is not None else ""

    rows: list[tuple[str, ...]] = []
    merges: list[tuple[int, int, int, int]] = []

    def add(*cells: str, spans: tuple[tuple[int, int], ...] = ()) -> None:
        r = len(rows)
        rows.append(tuple(cells) + ("",) * (5 - len(cells)))
        merges.extend((r, a, r, b) for a, b in spans)

    def down(r0: int, col: int) -> None:
        if len(rows) - 1 > r0:
            merges.append((r0, col, len(rows) - 1, col))

    held = [p for p in app.get("projects") or [] if int(p.get("assessed") or 0) > 0]
    first = app.get("first_assessment_on")
    site = str(app.get("site") or "")
    add("一、机构信息", spans=((0, 4),))
    add("考核机构名称", case.institution if case else "", spans=((1, 4),))
    add("考核机构地址", v(case and case.address), spans=((1, 4),))
    code = case.code if case else ""
    add("考核机构代码", code, "统一社会信用代码", v(case and case.uscc), spans=((3, 4),))
    add("联系人", v(case and case.contact), "职务", v(app.get("position")), spans=((3, 4),))
    add("联系电话", v(case and case.phone), "电子邮箱", v(app.get("email")), spans=((3, 4),))
    changed = v(app.get("changed_items")) if app.get("qualification_changed") else ""
    add(
        "主体资质是否变更",
        _flag(app.get("qualification_changed")),
        "变更项",
        f"{changed}（证明材料附后）" if changed else "（证明材料附后）",
        spans=((3, 4),),
    )
    add(
        "信用情况是否良好",
        _flag(app.get("credit_good")),
        "（银行资信证明、信用报告附后）",
        spans=((2, 4),),
    )
    add("二、基本情况", spans=((0, 4),))
    if case is not None:
        t = case.term
        first_m, last_m = t.first_month, t.last_month
        term = f"自{first_m.year}年{first_m.month}月至{last_m.year}年{last_m.month}月"
    else:
        term = "自　　　　年　　月至　　　　年　　月"
    add("当前备案期限", term, spans=((1, 4),))
    first_text = (_day(first) if held else "—") if case is not None else BLANK_DAY
    flag = _flag(bool(held)) if case is not None else _flag(None)
    add("备案期内是否开展考核", f"{flag}　备案期内初次考核时间：{first_text}", spans=((1, 4),))
    r0 = len(rows)
    add("考核情况", "考核项目", "考核人次", "取证人次", "通过率")
    for p in app.get("projects") or []:
        assessed, certified = int(p.get("assessed") or 0), int(p.get("certified") or 0)
        rate = f"{certified / assessed:.2%}" if assessed else "—"
        label = case.project_names.get(p["project_code"], p["project_code"]) if case else ""
        add("", label, str(assessed), str(certified), rate)
    if case is None:
        for _ in range(BLANK_LINES):
            add("")
    down(r0, 0)
    r0 = len(rows)
    own = (
        "自有场地☑ 租用场地□"
        if site == "自有场地"
        else ("自有场地□ 租用场地☑" if site == "租用场地" else "自有场地□ 租用场地□")
    )
    add("考核资源", "考核场地情况", own, spans=((2, 4),))
    add("", "", "场地地址", v(app.get("site_address")), spans=((3, 4),))
    merges.append((r0, 1, r0 + 1, 1))
    r1 = len(rows)
    for key, label in (
        ("evaluators", "考评人员数量"),
        ("supervisors", "督导人员数量"),
        ("item_writers", "命题专家数量"),
        ("staff", "工作人员数量"),
    ):
        add("", "人员情况" if key == "evaluators" else "", label, v(app.get(key)), spans=((3, 4),))
    merges.append((r1, 1, len(rows) - 1, 1))
    r1 = len(rows)
    add("", "考核题库情况", "考核项目", "卷库（套）", "题库（道）")
    for b in app.get("question_banks") or []:
        name = case.project_names.get(b["project_code"], b["project_code"]) if case else ""
        add("", "", name, v(b.get("papers")), v(b.get("items")))
    if case is None:
        for _ in range(BLANK_LINES):
            add("")
    down(r1, 1)
    down(r0, 0)
    add("三、工作总结", spans=((0, 4),))
    r0 = len(rows)
    add("备案期内工作总结", "工作开展情况", v(app.get("summary")), spans=((2, 4),))
    add("", "下步工作规划", v(app.get("plan")), spans=((2, 4),))
    add("", "问题与建议", v(app.get("issues")), spans=((2, 4),))
    down(r0, 0)
    add("备案续期申请", f"{RENEWAL_PLEDGE}\n{SIGN_LINES}", spans=((1, 4),))
    add("诚信声明", f"{INTEGRITY}\n{SIGN_LINES}", spans=((1, 4),))
    return rows, merges


def attachment5(case: ApplicationCase, name: str) -> Document:
    """Attachment 5 (备案续期申请表) as submitted (REN-02), laid out as the notice's form:
    every row, both 附后 notes, the site checkboxes, both signature lines and notes 1–4, with
    通过率 per project (ATT5-STATS)."""
    app = case.application
    projects = app.get("projects") or []
    if not projects or not case.institution.strip() or not case.code.strip():
        raise refuse(
            ATT5_TITLE,
            [problem("—", "续期申请", "（未提交）", "机构须已提交续期申请（附件5）", "REN-02")],
            rule_id="REN-02",
        )
    rows, merges = _att5_rows(case)
    blocks = _att5_blocks(rows, merges)
    stats = [
        (
            case.project_names.get(p["project_code"], p["project_code"]),
            p["assessed"],
            p["certified"],
        )
        for p in projects
    ]
    facts = {
        "考核机构名称": case.institution,
        "考核机构代码": case.code,
        "统一社会信用代码": _v(case.uscc),
        "考核情况": "；".join(f"{n} {a}/{c}" for n, a, c in stats),
    }
    return validate(
        Document(
            "att5", name, tuple(blocks), facts, ("REN-02", "ATT5-STATS"), city_code=case.city_code
        )
    )


def attachment4_blank(rubric: RenewalRubric, city_code: str, name: str) -> Document:
    """The blank Attachment 4 the renewal notice sends out (REN-01, REN-02): every row of the
    round's rubric with its points, the 不合格项 boxes unticked, no institution, date or score."""
    blocks = (Label("附件4"), *_sheet_blocks(rubric))
    return validate(
        Document("att4-blank", name, blocks, {}, ("REN-01", "REN-07"), city_code=city_code)
    )


def attachment5_blank(city_code: str, name: str) -> Document:
    """The blank Attachment 5 the renewal notice sends out (REN-01, REN-02): every row, both
    附后 notes, the boxes unticked, lines for five projects and banks, both signature lines."""
    rows, merges = _att5_rows(None)
    blocks = (Label("附件5"), *_att5_blocks(rows, merges))
    return validate(
        Document("att5-blank", name, blocks, {}, ("REN-01", "REN-02"), city_code=city_code)
    )


def _att5_blocks(
    rows: list[tuple[str, ...]], merges: list[tuple[int, int, int, int]]
) -> list[Block]:
    return [
        Heading(ATT5_TITLE),
        Table(
            ("栏目", "内容", "", "", ""),
            tuple(rows),
            widths=(2.4, 2.2, 2.2, 1.6, 1.6),
            header=False,
            merges=tuple(merges),
        ),
        Paragraph(ATT5_NOTE, indent=False),
    ]


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
            case.opinion
            + ("（存在不合格项，已报告）" if case.veto_found else "")
            + "\n评估组专家（签字）：\n　　　　　　　　　　年　　月　　日",
        ),
    )
    blocks: list[Block] = [
        Heading(ATT6_TITLE),
        Table(("项目", "内容"), rows, widths=(2.5, 7.0), header=False),
        Paragraph(ATT6_NOTE, indent=False),
    ]
    facts = {
        "考核机构": case.institution,
        "综合得分": f"{case.composite:.2f}",
        "等次": case.grade,
        "专家评分": rows[2][1],
    }
    return validate(
        Document("att6", name, tuple(blocks), facts, ("REN-04", "REN-05"), city_code=case.city_code)
    )
