"""Reports of a city to the province (报省厅), generated from the report as recorded
(``casework.registry.report_to_province``): the institutions to be filed after a 公示 without
objection and the scope additions (SEL-08), and the renewal results (REN-08).

Addressed to 山东省人力资源和社会保障厅, signed by the city bureau, dated the day the report was
recorded as sent. The notice prescribes no template: the report states what it reports under
which rule, lists the subjects in a table and closes with 特此报告。
"""

from __future__ import annotations

from typing import Any

from casework.documents.cases import ProvinceReportCase
from casework.documents.citations import ISSUER, NOTICE_CITATION
from casework.documents.model import (
    Block,
    Document,
    Paragraph,
    Signature,
    Table,
    date_text,
    problem,
    refuse,
    title,
    validate,
)

ADDRESSEE = f"{ISSUER}："
CLOSING = "特此报告。"
FILING, SCOPE, RENEWAL = "备案", "范围调整", "续期结果"
RULES = {FILING: ("SEL-08", "SEL-05"), SCOPE: ("SEL-08", "SEL-06"), RENEWAL: ("REN-08", "REN-05")}


def _names(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "—"
    return str(value or "—")


def _content(case: ProvinceReportCase) -> tuple[Any, str, Table]:
    city = case.bureau.city
    n = len(case.subjects)
    if case.kind == FILING:
        heading = title("关于", city, "拟备案专项职业能力考核机构", "情况的报告")
        lead = (
            f"根据{NOTICE_CITATION}要求，我市组织开展了专项职业能力考核机构征集遴选工作，"
            f"经遴选评估组评估、研究确定并向社会公示，公示期间无异议。现将拟备案的{n}家考核"
            "机构及考核项目报告如下："
        )
        table = Table(
            ("序号", "考核机构名称", "统一社会信用代码", "考核项目"),
            tuple(
                (str(i), s["institution"], str(s.get("uscc") or "—"), _names(s.get("projects")))
                for i, s in enumerate(case.subjects, 1)
            ),
            widths=(0.8, 3.4, 2.8, 3.4),
        )
    elif case.kind == SCOPE:
        heading = title("关于", city, "专项职业能力考核机构", "考核范围调整情况的报告")
        lead = (
            f"根据{NOTICE_CITATION}要求，经评估，同意以下考核机构调整考核范围，机构代码及有效期"
            "不变。现将调整情况报告如下，请对考核机构目录予以调整："
        )
        table = Table(
            ("序号", "考核机构名称", "考核项目", "调整情况"),
            tuple(
                (str(i), s["institution"], _names(s.get("projects")), "新增项目")
                for i, s in enumerate(case.subjects, 1)
            ),
            widths=(0.8, 3.6, 4.0, 1.6),
        )
    else:
        heading = title("关于", city, "专项职业能力考核机构", "续期评估结果的报告")
        lead = (
            f"根据{NOTICE_CITATION}要求，我市组织开展了专项职业能力考核机构续期评估，"
            "根据续期评估组反馈意见，经研究确定，现将评估结果报告如下："
        )
        table = Table(
            ("序号", "考核机构名称", "机构代码", "评估结果", "不予续期的项目"),
            tuple(
                (
                    str(i),
                    s["institution"],
                    str(s.get("code") or "—"),
                    str(s.get("result") or "—"),
                    _names(s.get("dropped_projects")),
                )
                for i, s in enumerate(case.subjects, 1)
            ),
            widths=(0.8, 3.4, 2.4, 1.4, 2.6),
        )
    return heading, lead, table


def province_report(case: ProvinceReportCase) -> Document:
    """报省厅 (SEL-08, REN-08): the report as recorded, one table row per subject reported."""
    found = []
    if case.kind not in RULES:
        found.append(problem("—", "报送类型", case.kind, "备案、范围调整或续期结果", "SEL-08"))
    if not case.subjects:
        found.append(problem("—", "报送事项", "（无）", "至少一个报送事项", "SEL-08"))
    if any(not str(s.get("institution") or "").strip() for s in case.subjects):
        found.append(problem("—", "考核机构名称", "（空）", "每个报送事项须有机构名称", "SEL-08"))
    if found:
        raise refuse("报省厅报告", found, rule_id="SEL-08")
    heading, lead, table = _content(case)
    blocks: list[Block] = [
        heading,
        Paragraph(ADDRESSEE, indent=False, align="left"),
        Paragraph(lead),
        table,
        Paragraph(CLOSING, gap=True),
        Signature(case.bureau.department, date_text(case.issued_on)),
    ]
    facts = {
        "报送类型": case.kind,
        "报送事项": "、".join(str(s["institution"]) for s in case.subjects),
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document(
            "province-report",
            f"报省厅-{case.kind}-第{case.number}号",
            tuple(blocks),
            facts,
            RULES[case.kind],
            city_code=case.bureau.city_code,
        )
    )
