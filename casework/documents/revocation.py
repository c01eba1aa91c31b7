"""Attachment 8 (撤销备案函) composed from structured fields, never from pasted free text.

The notice's template has two blanks: "因你单位出现____情形，根据____有关要求，现撤销你单位专项
职业能力考核机构备案。" The first is filled with a circumstance the notice itself lists
(``schemas/reference/exit-circumstances.yaml``: voluntary withdrawal, EXIT-02; the violations of
§三（二）, §四（三） and Attachment 4's 不合格项, EXIT-06), the second with the clause of the
notice applied. The facts of the case (when the investigation opened, when the written findings
were received, whether a statement was made; or when the withdrawal was applied for and the
closing work done) come from recorded dates and are stated before the template sentence.

For the exits page::

    choices = revocation.circumstances("违规")            # the list to pick from
    facts = revocation.RevocationFacts("V-06", kind="违规", opened_on=..., ...)
    text = revocation.preview("某某公司", facts, department="济南市人力资源和社会保障局",
                              issued_on=today)          # the letter as it will read
    registry.confirm_violation(..., **revocation.record_fields(facts))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from casework.documents.cases import RevocationCase
from casework.documents.citations import clause_citation
from casework.documents.model import (
    Block,
    Document,
    Paragraph,
    Signature,
    date_text,
    problem,
    refuse,
    title,
    validate,
)
from casework.domain import rules
from casework.paths import policy_file

FILE = ("reference", "exit-circumstances.yaml")
KINDS = ("自愿撤销", "违规")
WITHDRAWAL, VIOLATION = KINDS
TAIL = (
    "现撤销你单位专项职业能力考核机构备案。自收到本函之日起，你单位应全面停止专项职业能力"
    "考核组织实施活动，并妥善做好历史证书维护、考核档案管理、参评人员服务等后续工作。"
)
"""Attachment 8's wording after the second blank, word for word."""
PASTED = re.compile(r"情形|[。；！？\n]|^经|有关要求|根据")
"""Signs that a circumstance is a pasted sentence rather than a circumstance (EXIT-06)."""
DETAIL_MAX = 60


@dataclass(frozen=True)
class Circumstance:
    """One circumstance of the notice that ends a filing by revocation letter."""

    id: str
    kind: str
    text: str
    source: str
    clauses: str
    rule: str
    detail: bool = False

    @property
    def basis(self) -> str:
        """The basis as the case records it (``鲁人社函〔2025〕23号 三（二）``)."""
        return f"{rules.NOTICE_NO} {self.clauses}"


@cache
def _load(path: Path) -> tuple[Circumstance, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    out = []
    for i, entry in enumerate(raw.get("circumstances") or [], 1):
        try:
            c = Circumstance(
                id=str(entry["id"]),
                kind=str(entry["kind"]),
                text=str(entry["text"]).strip(),
                source=str(entry["source"]),
                clauses=str(entry["clauses"]),
                rule=str(entry["rule"]),
                detail=bool(entry.get("detail", False)),
            )
        except (KeyError, TypeError) as exc:
            found.append(problem(f"第{i}项", "—", entry, f"缺少字段 {exc}", "EXIT-06"))
            continue
        if c.kind not in KINDS or not c.text or PASTED.search(c.text):
            found.append(problem(c.id, "kind/text", f"{c.kind} {c.text}", "情形有误", "EXIT-06"))
        out.append(c)
    ids = [c.id for c in out]
    if len(set(ids)) != len(ids) or not out:
        found.append(problem(path.name, "id", "、".join(ids), "编号唯一且至少一项", "EXIT-06"))
    if found:
        raise refuse("撤销备案情形（exit-circumstances.yaml）", found, rule_id="EXIT-06")
    return tuple(out)


def circumstances(kind: str | None = None) -> list[Circumstance]:
    """The circumstances the notice lists, in the file's order; ``kind`` 自愿撤销 or 违规."""
    return [c for c in _load(policy_file(*FILE)) if kind is None or c.kind == kind]


def circumstance(circumstance_id: str) -> Circumstance:
    """One circumstance by id. Raises DocumentRefused for an unknown id (EXIT-06)."""
    for c in circumstances():
        if c.id == circumstance_id:
            return c
    raise refuse(
        "撤销备案函（附件8）",
        [problem("—", "情形", circumstance_id, "应为通知所列情形之一", "EXIT-06")],
        rule_id="EXIT-06",
    )


@dataclass(frozen=True)
class RevocationFacts:
    """What Attachment 8 states: the circumstance picked, the concrete act where the
    circumstance is general, the clause applied (default: the circumstance's) and the dates.

    ``opened_on`` is the day the investigation opened (violation) or the withdrawal was applied
    for; ``findings_received_on`` the day the written findings were received (EXIT-05);
    ``statement_received_on`` the day a statement and defence arrived (None: none was made);
    ``closing_done_on`` the day the closing work was done (EXIT-02, EXIT-06).
    """

    circumstance_id: str
    detail: str = ""
    basis: str = ""
    opened_on: date | None = None
    findings_received_on: date | None = None
    statement_received_on: date | None = None
    closing_done_on: date | None = None


def problems(facts: RevocationFacts, kind: str | None = None) -> list[tuple]:
    """Every problem of ``facts`` (empty: the letter can be composed)."""
    known = {c.id: c for c in circumstances()}
    chosen = known.get(facts.circumstance_id)
    found = []
    if chosen is None:
        found.append(
            problem("—", "情形", facts.circumstance_id, "须从通知所列情形中选择", "EXIT-06")
        )
        return found
    if kind is not None and chosen.kind != kind:
        found.append(
            problem("—", "情形", chosen.text, f"{kind}案件不能适用“{chosen.kind}”情形", chosen.rule)
        )
    detail = facts.detail.strip()
    if chosen.detail and not detail:
        found.append(problem("—", "具体行为", "", "该情形须写明具体违规行为", "EXIT-06"))
    if detail and (PASTED.search(detail) or len(detail) > DETAIL_MAX):
        found.append(
            problem(
                "—",
                "具体行为",
                detail,
                f"写明行为本身（不超过{DETAIL_MAX}字，不含“情形”、句号或“根据…”）",
                "EXIT-06",
            )
        )
    if detail and not chosen.detail:
        found.append(problem("—", "具体行为", detail, "所选情形已是通知原文，无需补充", "EXIT-06"))
    if facts.basis.strip() and not facts.basis.strip().startswith(rules.NOTICE_NO):
        found.append(
            problem("—", "依据", facts.basis, f"应以“{rules.NOTICE_NO}”开头并写明条款", "EXIT-06")
        )
    served, opened = facts.findings_received_on, facts.opened_on
    if chosen.kind == VIOLATION and served and opened and served < opened:
        found.append(problem("—", "书面核查意见", served, "不早于立案", "EXIT-05"))
    return found


def circumstance_words(facts: RevocationFacts) -> str:
    """The first blank: the circumstance's text, with the concrete act in brackets."""
    chosen = circumstance(facts.circumstance_id)
    detail = facts.detail.strip()
    return f"{chosen.text}（{detail}）" if detail else chosen.text


def record_fields(facts: RevocationFacts) -> dict[str, str]:
    """``circumstance`` and ``basis`` as the registry records them (``confirm_violation``), so
    that the letter made later from the record reads exactly as the preview."""
    bad = problems(facts)
    if bad:
        raise refuse("撤销备案函（附件8）", bad, rule_id="EXIT-06")
    chosen = circumstance(facts.circumstance_id)
    return {"circumstance": circumstance_words(facts), "basis": facts.basis or chosen.basis}


def facts_from_record(
    recorded: str,
    basis: str = "",
    *,
    opened_on: date | None = None,
    findings_received_on: date | None = None,
    statement_received_on: date | None = None,
    closing_done_on: date | None = None,
) -> RevocationFacts:
    """The structured facts of a recorded case: its circumstance text matched to the list
    (exactly, or as ``text（act）``); a text the notice does not list is kept as the concrete
    act of the general violation (V-01) unless it reads like a pasted sentence, which
    :func:`problems` then refuses."""
    dates = {
        "opened_on": opened_on,
        "findings_received_on": findings_received_on,
        "statement_received_on": statement_received_on,
        "closing_done_on": closing_done_on,
    }
    text = recorded.strip().removesuffix("情形").strip()
    chosen, detail = None, text
    for c in circumstances():
        if text == c.text:
            chosen, detail = c, ""
            break
        if text.startswith(f"{c.text}（") and text.endswith("）"):
            chosen, detail = c, text[len(c.text) + 1 : -1]
            break
    if chosen is None:
        chosen = next(c for c in circumstances(VIOLATION) if c.detail)
    return RevocationFacts(chosen.id, detail, basis, **dates)


def _d(day: date | None) -> str:
    return date_text(day) if day else ""


def fact_sentence(facts: RevocationFacts) -> str:
    """The recorded course of the case, from its dates (empty when none is recorded)."""
    chosen = circumstance(facts.circumstance_id)
    parts = []
    if chosen.kind == WITHDRAWAL:
        if facts.opened_on:
            parts.append(f"你单位于{_d(facts.opened_on)}提交撤销备案申请")
        if facts.closing_done_on:
            parts.append(f"收尾工作已于{_d(facts.closing_done_on)}完成")
    else:
        if facts.opened_on:
            parts.append(f"我单位于{_d(facts.opened_on)}对你单位立案调查")
        if facts.findings_received_on:
            parts.append(f"你单位于{_d(facts.findings_received_on)}收到书面核查意见")
            parts.append(
                f"并于{_d(facts.statement_received_on)}提交书面陈述和申辩"
                if facts.statement_received_on
                else f"在{rules.STATEMENT_WORKDAYS}个工作日内未提交书面陈述和申辩"
            )
        if facts.closing_done_on:
            parts.append(f"收尾工作已于{_d(facts.closing_done_on)}完成")
    if not parts:
        return ""
    return "，".join(parts) + "。"


def body(facts: RevocationFacts) -> str:
    """The letter's paragraph: facts, then the template with both blanks filled."""
    chosen = circumstance(facts.circumstance_id)
    basis = clause_citation(facts.basis or chosen.basis)
    return (
        f"{fact_sentence(facts)}因你单位出现{circumstance_words(facts)}情形，"
        f"根据{basis}有关要求，{TAIL}"
    )


def revocation_letter(case: RevocationCase) -> Document:
    """Attachment 8: the revocation letter (EXIT-02 voluntary withdrawal, EXIT-06 violation),
    composed from the recorded circumstance and dates; refused with every problem named."""
    facts = case.facts or facts_from_record(
        case.circumstance,
        case.basis,
        opened_on=case.opened_on,
        findings_received_on=case.findings_received_on,
        statement_received_on=case.statement_received_on,
        closing_done_on=case.closing_done_on,
    )
    found = problems(facts, case.kind or None)
    if not case.institution.strip():
        found.append(problem("—", "考核机构名称", case.institution, "不能为空"))
    if not case.revoked:
        found.append(problem("—", "案件状态", "未撤销", "案件办结撤销备案后方可出具", "EXIT-06"))
    if found:
        raise refuse("撤销备案函（附件8）", found, rule_id="EXIT-06")
    name = case.institution
    chosen = circumstance(facts.circumstance_id)
    basis = clause_citation(facts.basis or chosen.basis)
    blocks: list[Block] = [
        title("关于撤销", name, "专项职业能力考核机构", "备案的函"),
        Paragraph(f"{name}：", indent=False, align="left"),
        Paragraph(body(facts)),
        Signature(case.bureau.department, date_text(case.issued_on)),
    ]
    facts_shown = {
        "考核机构名称": name,
        "情形": circumstance_words(facts),
        "情形编号": chosen.id,
        "依据": basis,
        "落款": case.bureau.department,
        "成文日期": date_text(case.issued_on),
    }
    return validate(
        Document(
            "revocation",
            f"撤销备案函-{name}",
            tuple(blocks),
            facts_shown,
            (chosen.rule, "EXIT-06" if chosen.kind == VIOLATION else "EXIT-02"),
            city_code=case.bureau.city_code,
        )
    )


def preview(
    institution: str,
    facts: RevocationFacts,
    *,
    department: str,
    issued_on: date,
    kind: str | None = None,
) -> str:
    """The letter's text as it will be issued, before anything is recorded (for the exits page).

    Raises:
        DocumentRefused: a field is missing or wrong (every problem named, EXIT-06).
    """
    from casework.documents.config import Bureau

    case = RevocationCase(
        institution=institution,
        circumstance="",
        basis="",
        bureau=Bureau("", "", department),
        issued_on=issued_on,
        facts=facts,
        kind=kind or circumstance(facts.circumstance_id).kind,
    )
    return revocation_letter(case).plain_text
