"""The letters a city bureau stamps and sends: Attachments 2/2-1, 3/3-1, 7/7-1 and 8.

Each builder checks its case data, fills the notice's template text and returns a validated
:class:`~casework.documents.model.Document`. The wording is the notice's (鲁人社函〔2025〕23号
附件2、3、7、8); only the blanks are filled from the case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from casework.documents.cases import ReceiptCase, RevocationCase, ScopeChangeCase
from casework.documents.citations import PILOT_SCHEME, clause_citation
from casework.documents.model import (
    Block,
    Document,
    Heading,
    Label,
    PageBreak,
    Paragraph,
    Signature,
    Table,
    date_text,
    problem,
    refuse,
    title,
    validate,
)
from casework.domain import rules
from casework.domain.terms import FilingTerm
from casework.errors import CaseworkError

WHO_ASSESSES = (
    "按照“谁考核、谁发证、谁负责”原则，请你单位严格依据相关政策规定，规范开展专项职业能力考核工作。"
)
SCOPE_NOTE = "备注：开展专项职业能力考核项目范围以山东省技能人才评价工作网公布情况为准。"
ADJUST_NOTE = (
    "备注：1.调整专项职业能力考核项目范围以山东省技能人才评价工作网公布情况为准。"
    "2.“调整情况”栏写明调整信息的具体内容，如“新增项目”“删除项目”。"
)
ADDED, REMOVED = "新增项目", "删除项目"
CODE_PATTERN = re.compile(r"^[0-9A-Za-z\-]{4,40}$")


def _common_problems(institution: str, code: str | None, term: FilingTerm | None) -> list:
    found = []
    if not institution.strip():
        found.append(problem("—", "考核机构名称", institution, "不能为空"))
    if code is not None and not CODE_PATTERN.match(code or ""):
        found.append(problem("—", "机构代码", code, "应为4—40位字母、数字或“-”", "SEL-05"))
    if term is not None:
        try:
            FilingTerm.from_months(term.first_month, term.last_month, length=term.length)
        except CaseworkError as exc:  # a corrupted term is refused, never printed
            found.append(problem("—", "有效期", term, str(exc), "ATT2-TERM"))
    return found


def _projects_problems(projects: tuple[str, ...], rule: str) -> list:
    found = []
    if not projects:
        found.append(problem("附件", "考核项目", "（无）", "至少一个考核项目", rule))
    if len(set(projects)) != len(projects):
        found.append(problem("附件", "考核项目", "、".join(projects), "考核项目不得重复", rule))
    if any(not p.strip() for p in projects):
        found.append(problem("附件", "考核项目", "（空）", "项目名称不能为空", rule))
    return found


def _letter(
    heading: Heading, addressee: str, body: list[str], annex: Heading, bureau: str, dated: str
) -> Iterator[Block]:
    """The letter, its 附件说明 (a line below the body, continuation under the name) and the
    attachment's first page (GB/T 9704-2012 7.3.4, 8)."""
    yield heading
    yield Paragraph(f"{addressee}：", indent=False, align="left")
    for text in body:
        yield Paragraph(text)
    yield Paragraph(f"附件：{annex.text}", gap=True, hang=3, words=annex.words)
    yield Signature(bureau, dated)
    yield PageBreak()
    yield Label("附件")
    yield annex


def _scope_title(name: str, verb: str) -> Heading:
    """Attachment 2-1/3-1/7-1's title: ``XXXX开展专项职业能力考核项目范围``."""
    return title(name, verb, "专项职业能力考核", "项目范围")


def _project_table(projects: tuple[str, ...], note: str) -> Table:
    rows = tuple((str(i), name) for i, name in enumerate(projects, 1))
    return Table(("序号", "考核项目"), rows, widths=(1.0, 5.0), note=note)


def filing_receipt(case: ReceiptCase) -> Document:
    """Attachment 2 with 2-1: the filing receipt (SEL-05), term worded per ATT2-TERM."""
    found = _common_problems(case.institution, case.code, case.term)
    found += _projects_problems(case.projects, "SEL-05")
    if found:
        raise refuse("备案回执（附件2）", found, rule_id="SEL-05")
    name = case.institution
    body = [
        f"根据{PILOT_SCHEME}等文件要求，经评估，同意你单位面向社会开展专项职业能力考核工作。"
        f"机构代码为{case.code}，{case.term.receipt_text}。",
        WHO_ASSESSES,
    ]
    annex = _scope_title(name, "开展")
    blocks = [
        *_letter(
            title("关于同意", name, "开展", "专项职业能力考核", "工作的函"),
            name,
            body,
            annex,
            case.bureau.department,
            date_text(case.issued_on),
        ),
        _project_table(case.projects, SCOPE_NOTE),
    ]
    facts = {
        "考核机构名称": name,
        "机构代码": case.code,
        "有效期": case.term.receipt_text,
        "考核项目": "、".join(case.projects),
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document(
            "receipt",
            f"备案回执-{case.code}",
            tuple(blocks),
            facts,
            ("SEL-05", "ATT2-TERM"),
            city_code=case.bureau.city_code,
        )
    )


def scope_change_receipt(case: ScopeChangeCase) -> Document:
    """Attachment 3 with 3-1: the scope-adjustment receipt; code and term unchanged (SEL-06)."""
    found = _common_problems(case.institution, case.code, case.term)
    if not case.changes:
        found.append(problem("附件", "调整情况", "（无）", "至少一项调整", "SEL-06"))
    for project, how in case.changes:
        if how not in (ADDED, REMOVED):
            found.append(problem(project, "调整情况", how, "应为“新增项目”或“删除项目”", "SEL-06"))
    projects = [p for p, _ in case.changes]
    if len(set(projects)) != len(projects):
        found.append(problem("附件", "考核项目", "、".join(projects), "同一项目不得重复", "SEL-06"))
    if found:
        raise refuse("范围调整回执（附件3）", found, rule_id="SEL-06")
    name = case.institution
    body = [
        f"根据{PILOT_SCHEME}等文件要求，经评估，同意你单位调整考核范围信息。"
        f"机构代码（{case.code}）及有效期（{case.term.text}）不变。",
        WHO_ASSESSES,
    ]
    annex = _scope_title(name, "调整")
    rows = tuple((str(i), p, how) for i, (p, how) in enumerate(case.changes, 1))
    blocks = [
        *_letter(
            title("关于同意", name, "调整", "专项职业能力考核", "范围信息的函"),
            name,
            body,
            annex,
            case.bureau.department,
            date_text(case.issued_on),
        ),
        Table(("序号", "考核项目", "调整情况"), rows, widths=(1.0, 4.0, 2.0), note=ADJUST_NOTE),
    ]
    facts = {
        "考核机构名称": name,
        "机构代码": case.code,
        "有效期": case.term.text,
        "调整情况": "；".join(f"{p}：{h}" for p, h in case.changes),
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document(
            "scope",
            f"范围调整回执-{case.code}-{case.issued_on.isoformat()}",
            tuple(blocks),
            facts,
            ("SEL-06",),
            city_code=case.bureau.city_code,
        )
    )


def renewal_receipt(case: ReceiptCase) -> Document:
    """Attachment 7 with 7-1: the renewal receipt for a 合格 institution (REN-05).

    7-1 lists the projects that continue; a project dropped because it had no assessment in
    the term (REN-05) is not in the scope table but stated under it as 不予续期 with the
    reason, so the institution reads on the receipt which project it no longer holds."""
    found = _common_problems(case.institution, case.code, case.term)
    found += _projects_problems(case.projects, "REN-05")
    if case.grade != rules.GRADE_PASS:
        found.append(
            problem("—", "评估结果", case.grade, "续期评估结果为“合格”方可发放续期回执", "REN-05")
        )
    if found:
        raise refuse("备案续期回执（附件7）", found, rule_id="REN-05")
    name = case.institution
    body = [
        f"你单位《专项职业能力考核机构备案续期申请表》收悉。根据{PILOT_SCHEME}等文件要求，"
        f"经评估，同意你单位继续面向社会开展专项职业能力考核工作。"
        f"机构代码为{case.code}，{case.term.receipt_text}。",
        WHO_ASSESSES,
    ]
    annex = _scope_title(name, "开展")
    blocks = [
        *_letter(
            title("关于同意", name, "继续开展", "专项职业能力考核", "工作的函"),
            name,
            body,
            annex,
            case.bureau.department,
            date_text(case.issued_on),
        ),
        _project_table(case.projects, SCOPE_NOTE),
    ]
    dropped = "、".join(f"{p}（{why}）" for p, why in case.dropped)
    if case.dropped:
        blocks.append(Paragraph(f"不予续期的考核项目：{dropped}。", gap=True))
    facts = {
        "考核机构名称": name,
        "机构代码": case.code,
        "有效期": case.term.receipt_text,
        "考核项目": "、".join(case.projects),
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    if case.dropped:
        facts["不予续期"] = dropped
    return validate(
        Document(
            "renewal",
            f"续期回执-{case.code}-{case.term.first_day.year}",
            tuple(blocks),
            facts,
            ("REN-05", "ATT2-TERM"),
            city_code=case.bureau.city_code,
        )
    )


def basis_text(basis: str) -> str:
    """The rule applied, worded for the letter: the notice cited by its full title."""
    return clause_citation(basis)


def revocation_letter(case: RevocationCase) -> Document:
    """Attachment 8 (EXIT-02, EXIT-06): see :mod:`casework.documents.revocation`."""
    from casework.documents.revocation import revocation_letter as compose

    return compose(case)
