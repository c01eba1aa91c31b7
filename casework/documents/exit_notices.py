"""The letters of a violation case before Attachment 8: the suspension notice (暂停, EXIT-04)
and the written findings (书面核查意见, EXIT-05). The notice prescribes their content, not a
template: the suspension states what is suspended during the investigation (§三（二）1), the
findings state facts, reasons and basis and the 15 working days for a statement (§三（二）2)."""

from __future__ import annotations

from casework.documents.cases import ExitCase
from casework.documents.citations import NOTICE_CITATION
from casework.documents.model import (
    Block,
    Document,
    Heading,
    Paragraph,
    Signature,
    date_text,
    problem,
    refuse,
    title,
    validate,
)
from casework.domain import calendar, rules

VIOLATION = "违规"
SUSPENDED = "全面暂停你单位专项职业能力考核活动，暂缓证书数据审核上网，并对实施中的考核数据记录备查"
"""EXIT-04, word for word from §三（二）1."""


def _recorded(text: str) -> str:
    return text.strip().rstrip("。；;，,")


def _case_problems(case: ExitCase, rule: str) -> list:
    found = []
    if case.kind != VIOLATION:
        found.append(problem("—", "案件类型", case.kind, "仅违规调查案件适用", rule))
    if not case.institution.strip():
        found.append(problem("—", "考核机构名称", case.institution, "不能为空"))
    if not _recorded(case.grounds):
        found.append(problem("—", "立案事由", case.grounds, "须写明立案调查的事由", "EXIT-04"))
    return found


def suspension_notice(case: ExitCase) -> Document:
    """暂停通知 (EXIT-04): from the day the investigation opens, all assessment activity is
    suspended and certificate data are neither reviewed nor uploaded."""
    found = _case_problems(case, "EXIT-04")
    if found:
        raise refuse("暂停考核活动通知", found, rule_id="EXIT-04")
    name = case.institution
    opened = date_text(case.opened_on)
    blocks: list[Block] = [
        title("关于暂停", name, "专项职业能力考核活动", "的通知"),
        Paragraph(f"{name}（机构代码：{case.code}）：", indent=False, align="left"),
        Paragraph(
            f"{opened}，我单位对你单位涉嫌违反法律法规、职业技能评价工作有关规定等情形"
            f"立案调查（立案事由：{_recorded(case.grounds)}）。"
        ),
        Paragraph(
            f"根据{NOTICE_CITATION}三（二）有关要求，调查核实期间，自{opened}起，{SUSPENDED}。"
            "请你单位积极配合调查核实工作，如实提供有关材料。"
        ),
        Signature(case.bureau.department, date_text(case.issued_on)),
    ]
    facts = {
        "考核机构名称": name,
        "机构代码": case.code,
        "立案日期": opened,
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document(
            "suspension",
            f"暂停通知-{case.code}-{case.opened_on.isoformat()}",
            tuple(blocks),
            facts,
            ("EXIT-04",),
            city_code=case.bureau.city_code,
        )
    )


def findings_letter(case: ExitCase) -> Document:
    """书面核查意见 (EXIT-05): the facts found, the reason and basis for revocation, and the
    right to a written statement and defence within 15 working days of receipt."""
    found = _case_problems(case, "EXIT-05")
    if not _recorded(case.findings):
        found.append(
            problem(
                "—", "核查意见", case.status, "须已登记书面核查意见（事实、理由和依据）", "EXIT-05"
            )
        )
    if found:
        raise refuse("书面核查意见", found, rule_id="EXIT-05")
    name = case.institution
    days = rules.STATEMENT_WORKDAYS
    deadline = f"在收到本意见{days}个工作日内"
    if case.findings_received_on is not None:
        due = case.statement_due or calendar.deadline_after(case.findings_received_on, days)
        deadline += f"（即{date_text(due)}前，含当日）"
    blocks: list[Block] = [
        title("关于", name, "有关问题的", "书面核查意见"),
        Paragraph(f"{name}（机构代码：{case.code}）：", indent=False, align="left"),
        Paragraph(
            f"{date_text(case.opened_on)}，我单位对你单位涉嫌违反法律法规、职业技能评价工作"
            f"有关规定等情形立案调查（立案事由：{_recorded(case.grounds)}）。经调查核实，"
            "现将核查意见告知如下："
        ),
        Heading("一、核查认定的事实", level=2),
        Paragraph(f"{_recorded(case.findings)}。"),
        Heading("二、理由和依据", level=2),
        Paragraph(
            f"根据{NOTICE_CITATION}三（二）有关要求，考核机构出现违反法律法规、职业技能评价工作"
            "有关规定等情形，经调查核实符合撤销考核机构备案规定的，撤销其考核机构备案。"
            "你单位上述行为符合撤销考核机构备案的规定。"
        ),
        Heading("三、陈述和申辩", level=2),
        Paragraph(
            f"你单位如有异议，须{deadline}向我单位提交书面陈述和申辩。调查核实期间，{SUSPENDED}。"
        ),
        Signature(case.bureau.department, date_text(case.issued_on)),
    ]
    facts = {
        "考核机构名称": name,
        "机构代码": case.code,
        "核查意见": _recorded(case.findings),
        "陈述申辩期限": deadline,
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document(
            "findings",
            f"书面核查意见-{case.code}-{case.opened_on.isoformat()}",
            tuple(blocks),
            facts,
            ("EXIT-05",),
            city_code=case.bureau.city_code,
        )
    )
