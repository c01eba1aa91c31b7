"""The letters a city bureau stamps and sends: Attachments 2/2-1, 3/3-1, 7/7-1 and 8.

Each builder checks its case data, fills the notice's template text and returns a validated
:class:`~casework.documents.model.Document`. The wording is the notice's (鲁人社函〔2025〕23号
附件2、3、7、8); only the blanks are filled from the case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from casework.documents.cases import ReceiptCase, RevocationCase, ScopeChangeCase
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
    validate,
)
from casework.domain import rules
from casework.domain.terms import FilingTerm
from casework.errors import CaseworkError

PILOT_SCHEME = (
    "《山东省人力资源和社会保障厅关于印发〈山东省专项职业能力考核社会化改革试点方案〉的通知》"
    f"（{rules.PILOT_SCHEME_NO}）"
)
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
            FilingTerm.from_months(term.first_month, term.last_month)
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
    title: str, addressee: str, body: list[str], annex_title: str, bureau: str, dated: str
) -> Iterator[Block]:
    yield Heading(title)
    yield Paragraph(f"{addressee}：", indent=False, align="left")
    for text in body:
        yield Paragraph(text)
    yield Paragraph(f"附件：{annex_title}")
    yield Signature(bureau, dated)
    yield PageBreak()
    yield Label("附件")
    yield Heading(annex_title)


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
    annex = f"{name}开展专项职业能力考核项目范围"
    blocks = [
        *_letter(
            f"关于同意{name}开展专项职业能力考核工作的函",
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
        Document("receipt", f"备案回执-{case.code}", tuple(blocks), facts, ("SEL-05", "ATT2-TERM"))
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
    annex = f"{name}调整专项职业能力考核项目范围"
    rows = tuple((str(i), p, how) for i, (p, how) in enumerate(case.changes, 1))
    blocks = [
        *_letter(
            f"关于同意{name}调整专项职业能力考核范围信息的函",
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
        Document("scope", f"范围调整回执-{case.code}", tuple(blocks), facts, ("SEL-06",))
    )


def renewal_receipt(case: ReceiptCase) -> Document:
    """Attachment 7 with 7-1: the renewal receipt for a 合格 institution (REN-05)."""
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
    annex = f"{name}开展专项职业能力考核项目范围"
    blocks = [
        *_letter(
            f"关于同意{name}继续开展专项职业能力考核工作的函",
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
        Document("renewal", f"续期回执-{case.code}", tuple(blocks), facts, ("REN-05", "ATT2-TERM"))
    )


def basis_text(basis: str) -> str:
    """The rule applied, worded for the letter: the notice cited by its full title."""
    basis = basis.strip()
    if basis.startswith(rules.NOTICE_NO):
        rest = basis[len(rules.NOTICE_NO) :].strip()
        return f"《{rules.NOTICE_TITLE}》（{rules.NOTICE_NO}）{rest}"
    return basis


def revocation_letter(case: RevocationCase) -> Document:
    """Attachment 8: the revocation letter, stating the circumstance and the rule applied
    (EXIT-02 voluntary withdrawal, EXIT-06 violation)."""
    circumstance = case.circumstance.strip().removesuffix("情形")
    found = _common_problems(case.institution, None, None)
    if not circumstance:
        found.append(problem("—", "情形", case.circumstance, "须写明撤销备案的情形", "EXIT-06"))
    if not case.basis.strip():
        found.append(problem("—", "依据", case.basis, "须写明所依据的规定", "EXIT-06"))
    if not case.revoked:
        found.append(problem("—", "案件状态", "未撤销", "案件办结撤销备案后方可出具", "EXIT-06"))
    if found:
        raise refuse("撤销备案函（附件8）", found, rule_id="EXIT-06")
    name = case.institution
    basis = basis_text(case.basis)
    blocks: list[Block] = [
        Heading(f"关于撤销{name}专项职业能力考核机构备案的函"),
        Paragraph(f"{name}：", indent=False, align="left"),
        Paragraph(
            f"因你单位出现{circumstance}情形，根据{basis}有关要求，现撤销你单位专项职业能力"
            "考核机构备案。自收到本函之日起，你单位应全面停止专项职业能力考核组织实施活动，"
            "并妥善做好历史证书维护、考核档案管理、参评人员服务等后续工作。"
        ),
        Signature(case.bureau.department, date_text(case.issued_on)),
    ]
    facts = {
        "考核机构名称": name,
        "情形": circumstance,
        "依据": basis,
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document("revocation", f"撤销备案函-{name}", tuple(blocks), facts, ("EXIT-06", "EXIT-02"))
    )
