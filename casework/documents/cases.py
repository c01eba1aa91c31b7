"""The case data each document is built from: plain frozen dataclasses, no storage.

``gather.py`` fills them from the store; tests may build them by hand. Each builder checks its
data before making a document, so a wrong or missing field is refused with a message naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.documents.config import Bureau
from casework.domain.terms import FilingTerm


@dataclass(frozen=True)
class ReceiptCase:
    """Attachment 2/2-1 (filing receipt) or 7/7-1 (renewal receipt, ``term`` the new term)."""

    institution: str
    code: str
    term: FilingTerm
    projects: tuple[str, ...]
    bureau: Bureau
    issued_on: date
    grade: str = ""  # the renewal grade (Attachment 7 only, REN-05)
    dropped: tuple[tuple[str, str], ...] = ()
    """Attachment 7-1 only (REN-05): (project name, reason) of each project not renewed."""


@dataclass(frozen=True)
class ScopeChangeCase:
    """Attachment 3/3-1: each change is (project name, 新增项目 | 删除项目) (SEL-06)."""

    institution: str
    code: str
    term: FilingTerm
    changes: tuple[tuple[str, str], ...]
    bureau: Bureau
    issued_on: date


@dataclass(frozen=True)
class RevocationCase:
    """Attachment 8: the circumstance and the rule applied (EXIT-02, EXIT-06), as recorded
    (``circumstance``, ``basis``, the dates) or as structured ``facts`` (a preview)."""

    institution: str
    circumstance: str
    basis: str
    bureau: Bureau
    issued_on: date
    revoked: bool = True  # the exit case ended with the filing revoked
    kind: str = ""  # 自愿撤销 | 违规 (the exit case's kind)
    opened_on: date | None = None
    findings_received_on: date | None = None
    statement_received_on: date | None = None
    closing_done_on: date | None = None
    facts: Any = None  # casework.documents.revocation.RevocationFacts


@dataclass(frozen=True)
class ExitCase:
    """An investigation (EXIT-04) and its written findings (EXIT-05), for the suspension
    notice and the 书面核查意见."""

    institution: str
    code: str
    kind: str
    status: str
    opened_on: date
    grounds: str
    findings: str
    findings_received_on: date | None
    statement_due: date | None
    bureau: Bureau
    issued_on: date


@dataclass(frozen=True)
class ProvinceReportCase:
    """A report of the city to the province as recorded (报送记录, SEL-08, REN-08): its kind
    (备案 | 范围调整 | 续期结果) and the subjects reported, each a dict with ``institution`` and
    ``uscc``/``projects``/``kind`` (filings, scope additions) or ``code``/``result``/
    ``dropped_projects`` (renewal results)."""

    number: int
    kind: str
    subjects: tuple[dict[str, Any], ...]
    bureau: Bureau
    issued_on: date


@dataclass(frozen=True)
class SheetCase:
    """One Attachment 4 sheet: an expert's, or the institution head's self-evaluation."""

    institution: str
    evaluated_on: date | None
    author: str
    author_role: str  # 续期评估组专家 | 机构负责人（自评）
    rubric: Any  # casework.domain.rubrics.RenewalRubric
    rows: dict[str, tuple[str, float]]  # item_id -> (verdict, points)
    veto: dict[str, bool]
    total: float | None
    city_code: str = ""


@dataclass(frozen=True)
class ApplicationCase:
    """Attachment 5 (备案续期申请表) as the institution submitted it (REN-02, ATT5-STATS)."""

    institution: str
    address: str
    code: str
    uscc: str
    contact: str
    phone: str
    term: FilingTerm
    application: dict[str, Any]
    project_names: dict[str, str]
    city_code: str = ""


@dataclass(frozen=True)
class OpinionCase:
    """Attachment 6 (续期评估组意见反馈表): members' scores, composite, grade, opinion."""

    institution: str
    members: tuple[tuple[str, float], ...]
    composite: float
    grade: str
    opinion: str
    veto_found: bool = False
    city_code: str = ""


@dataclass(frozen=True)
class CallCase:
    """征集公告 (SEL-02)."""

    bureau: Bureau
    title: str
    year: int
    projects: tuple[str, ...]
    conditions: str
    requirements: str
    supplementary: tuple[tuple[str, str], ...]
    opens_on: date
    closes_on: date
    published_on: date


@dataclass(frozen=True)
class NoticeCase:
    """公示 of proposed filings (SEL-05): (institution, 统一社会信用代码, projects, kind)."""

    bureau: Bureau
    title: str
    items: tuple[tuple[str, str, str, str], ...]
    opens_on: date
    ends_on: date
    workdays: int


@dataclass(frozen=True)
class RenewalRoundCase:
    """续期评估通知 (REN-01): who, what, when, how."""

    bureau: Bureau
    title: str
    plan: str
    expiring_from: date
    expiring_to: date
    deadline: date
    opened_on: date
    institutions: tuple[tuple[str, str, str], ...]  # (name, code, term text)


@dataclass(frozen=True)
class RenewalResultsCase:
    """续期评估结果公布 (REN-05): (name, code, composite, grade, new term, projects dropped)."""

    bureau: Bureau
    title: str
    published_on: date
    rows: tuple[tuple[str, str, str, str, str, str], ...] = field(default_factory=tuple)
