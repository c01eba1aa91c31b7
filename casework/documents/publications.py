"""The texts a city publishes, generated from the case the same way as its letters:
the call (征集公告, SEL-02), the public notice of proposed filings (公示, SEL-05), the renewal
notice (续期评估通知, REN-01) and the publication of renewal results (REN-05)."""

from __future__ import annotations

from casework.documents.cases import CallCase, NoticeCase, RenewalResultsCase, RenewalRoundCase
from casework.documents.citations import NOTICE_CITATION
from casework.documents.config import Bureau
from casework.documents.model import (
    Block,
    Document,
    Heading,
    Paragraph,
    Signature,
    Table,
    date_text,
    problem,
    refuse,
    validate,
)
from casework.domain import rules

RENEWAL_FOCUS = "制度建设、队伍建设、题库建设、考核实施、质量管控、舆情反馈"
"""REN-01: what a renewal evaluation focuses on."""


def _contact(bureau: Bureau) -> list[Block]:
    """联系地址 and 联系电话 (and the unit to contact, where configured)."""
    lines = [f"联系地址：{bureau.address}", f"联系电话：{bureau.phone}"]
    if bureau.contact.strip():
        lines.insert(0, f"联系单位：{bureau.contact}")
    return [Paragraph(line, gap=i == 0) for i, line in enumerate(lines)] if bureau.phone else []


def _contact_problems(bureau: Bureau, rule: str) -> list[tuple]:
    """SEL-02, SEL-05: the public must be able to ask and to object — 公示 and 征集公告 are
    refused without a contact address and telephone (bureaus.yaml)."""
    found = []
    if not bureau.address.strip():
        found.append(problem("bureaus.yaml", "联系地址", bureau.city_code, "须配置联系地址", rule))
    if not bureau.phone.strip():
        found.append(problem("bureaus.yaml", "联系电话", bureau.city_code, "须配置联系电话", rule))
    return found


def call_announcement(case: CallCase) -> Document:
    """征集公告 (SEL-02): scope, application conditions, requirements and period."""
    found = []
    if not case.projects:
        found.append(problem("—", "征集范围", "（无）", "至少一个考核项目", "SEL-02"))
    if case.closes_on < case.opens_on:
        found.append(
            problem(
                "—", "申报时间", f"{case.opens_on}至{case.closes_on}", "截止不早于开始", "SEL-02"
            )
        )
    if not case.title.strip():
        found.append(problem("—", "标题", "", "不能为空", "SEL-02"))
    found += _contact_problems(case.bureau, "SEL-02")
    if found:
        raise refuse("征集公告", found, rule_id="SEL-02")
    city = case.bureau.city
    blocks: list[Block] = [
        Heading(case.title),
        Paragraph(
            f"根据{NOTICE_CITATION}要求，结合本市专项职业能力考核需求，"
            f"现面向社会征集{city}专项职业能力考核机构。有关事项公告如下："
        ),
        Heading("一、征集范围", level=2),
        Table(
            ("序号", "考核项目"),
            tuple((str(i), p) for i, p in enumerate(case.projects, 1)),
            widths=(1.0, 5.0),
        ),
        Heading("二、申报条件", level=2),
        Paragraph(
            "申报单位须符合《专项职业能力考核机构遴选评估参考条件》“必备条件”全部要求；"
            "符合“优先条件”之一者，在满足必备条件前提下优先备案。"
        ),
    ]
    if case.conditions.strip():
        blocks.append(Paragraph(case.conditions.strip()))
    if case.supplementary:
        blocks.append(Paragraph("本市补充条件："))
        blocks.append(Table(("编号", "补充条件"), case.supplementary, widths=(1.0, 6.0)))
    blocks += [
        Heading("三、申报要求", level=2),
        Paragraph(case.requirements.strip() or "申报单位按要求提交申报材料，对材料真实性负责。"),
        Heading("四、申报时间", level=2),
        Paragraph(f"{date_text(case.opens_on)}至{date_text(case.closes_on)}。"),
        *_contact(case.bureau),
        Signature(case.bureau.department, date_text(case.published_on)),
    ]
    facts = {
        "标题": case.title,
        "征集范围": "、".join(case.projects),
        "申报时间": f"{date_text(case.opens_on)}至{date_text(case.closes_on)}",
        "落款": case.bureau.department,
    }
    return validate(
        Document(
            "call",
            f"征集公告-{case.year}-{case.published_on.isoformat()}",
            tuple(blocks),
            facts,
            ("SEL-02",),
            city_code=case.bureau.city_code,
        )
    )


def filing_notice(case: NoticeCase) -> Document:
    """公示 of the proposed filings, at least 5 working days (SEL-05)."""
    found = []
    if not case.items:
        found.append(problem("—", "公示对象", "（无）", "至少一个拟备案机构", "SEL-05"))
    if case.workdays < rules.NOTICE_MIN_WORKDAYS:
        found.append(
            problem(
                "—", "公示期", case.workdays, f"不少于{rules.NOTICE_MIN_WORKDAYS}个工作日", "SEL-05"
            )
        )
    found += _contact_problems(case.bureau, "SEL-05")
    if found:
        raise refuse("公示", found, rule_id="SEL-05")
    period = f"{date_text(case.opens_on)}至{date_text(case.ends_on)}"
    blocks: list[Block] = [
        Heading(case.title),
        Paragraph(
            f"根据{NOTICE_CITATION}要求，经遴选评估组评估、研究确定，"
            f"现将拟备案专项职业能力考核机构及考核项目予以公示。"
        ),
        Table(
            ("序号", "考核机构名称", "统一社会信用代码", "考核项目", "类型"),
            tuple((str(i), *row) for i, row in enumerate(case.items, 1)),
            widths=(0.8, 3.2, 2.6, 3.0, 1.2),
        ),
        Paragraph(
            f"公示时间：{period}（{case.workdays}个工作日）。公示期间，如有异议，"
            "请以书面形式实名向我单位反映，并提供必要的证明材料。"
        ),
        *_contact(case.bureau),
        Signature(case.bureau.department, date_text(case.opens_on)),
    ]
    facts = {
        "公示期": period,
        "工作日": str(case.workdays),
        "公示对象": "、".join(i[0] for i in case.items),
        "落款": case.bureau.department,
    }
    name = f"公示-{case.opens_on.isoformat()}"
    return validate(
        Document("notice", name, tuple(blocks), facts, ("SEL-05",), city_code=case.bureau.city_code)
    )


def renewal_notice(case: RenewalRoundCase) -> Document:
    """续期评估通知 (REN-01): who is evaluated, what, when and how; REN-02's consequence."""
    if not case.institutions:
        raise refuse(
            "续期评估通知",
            [problem("—", "评估对象", "（无）", "至少一家到期考核机构", "REN-01")],
            rule_id="REN-01",
        )
    blocks: list[Block] = [
        Heading(case.title),
        Paragraph(
            f"根据{NOTICE_CITATION}要求，现组织开展专项职业能力考核机构续期评估。有关事项通知如下："
        ),
        Heading("一、评估对象", level=2),
        Paragraph(
            f"备案有效期于{date_text(case.expiring_from)}至{date_text(case.expiring_to)}"
            "期间届满的考核机构（名单附后）。"
        ),
        Table(
            ("序号", "考核机构名称", "机构代码", "有效期"),
            tuple((str(i), *row) for i, row in enumerate(case.institutions, 1)),
            widths=(0.8, 4.0, 2.2, 3.0),
        ),
        Heading("二、评估内容", level=2),
        Paragraph(f"以{RENEWAL_FOCUS}等为重点，对考核机构备案期内工作进行综合评估。"),
        Heading("三、评估时间和方式", level=2),
        Paragraph(
            f"（一）机构自评。考核机构于{date_text(case.deadline)}前提交《专项职业能力考核机构"
            "续期评估明细表》《专项职业能力考核机构备案续期申请表》。未按要求提交备案续期申请的，"
            "不再进行续期评估，备案期满后自动退出考核机构目录。"
        ),
        Paragraph(
            "（二）综合评估。资料评估与实地评估相结合，实地评估由续期评估组采取座谈问询、"
            "资料查阅、现场检查、个别访谈、电话回访等方式进行。"
        ),
        Paragraph("（三）结果公布。评估结果分为合格、不合格，由我单位向社会公布。"),
    ]
    if case.plan.strip():
        blocks += [Heading("四、评估方案", level=2), Paragraph(case.plan.strip())]
    blocks += [
        *_contact(case.bureau),
        Signature(case.bureau.department, date_text(case.opened_on)),
    ]
    facts = {
        "自评截止": date_text(case.deadline),
        "评估对象": "、".join(i[0] for i in case.institutions),
        "落款": case.bureau.department,
    }
    name = f"续期评估通知-{case.opened_on.isoformat()}"
    return validate(
        Document(
            "renewal-notice",
            name,
            tuple(blocks),
            facts,
            ("REN-01", "REN-02"),
            city_code=case.bureau.city_code,
        )
    )


def renewal_results(case: RenewalResultsCase) -> Document:
    """续期评估结果公布 (REN-05): 合格 institutions continue with a new term; projects without
    assessment in the term are not renewed."""
    if not case.rows:
        raise refuse(
            "续期评估结果公布",
            [problem("—", "评估结果", "（无）", "本轮尚无已确定的评估结果", "REN-05")],
            rule_id="REN-05",
        )
    blocks: list[Block] = [
        Heading(case.title),
        Paragraph(
            f"根据{NOTICE_CITATION}要求，我单位组织开展了专项职业能力"
            "考核机构续期评估，现将评估结果公布如下："
        ),
        Table(
            (
                "序号",
                "考核机构名称",
                "机构代码",
                "综合得分",
                "评估结果",
                "新有效期",
                "不予续期的项目",
            ),
            tuple((str(i), *row) for i, row in enumerate(case.rows, 1)),
            widths=(0.7, 3.0, 2.0, 1.2, 1.2, 2.6, 2.0),
        ),
        Paragraph(
            "评估结果为合格的考核机构，继续面向社会开展考核活动；评估结果为不合格的考核机构，"
            "或备案期内未开展考核的考核项目，不予备案续期。"
        ),
        Signature(case.bureau.department, date_text(case.published_on)),
    ]
    facts = {
        "评估结果": "；".join(f"{r[0]}：{r[3]}" for r in case.rows),
        "落款": case.bureau.department,
    }
    name = f"续期评估结果-{case.published_on.isoformat()}"
    return validate(
        Document(
            "renewal-results",
            name,
            tuple(blocks),
            facts,
            ("REN-05",),
            landscape=True,
            city_code=case.bureau.city_code,
        )
    )
