"""The draft of Attachment 5 (备案续期申请表), saved as the institution head types it.

Until the renewal is submitted (REN-02) the draft is kept in the case's ``application`` column,
marked with ``DRAFT_KEY``; :func:`casework.registry.submit_renewal` replaces it with the
submitted application. Every value is checked against :data:`APPLICATION_FIELDS` — the browser
is untrusted — but completeness is only required at submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from casework.domain import lifecycle
from casework.errors import RuleViolation
from casework.registry.actors import INSTITUTION
from casework.registry.selection import scope_of
from casework.registry.sheets import renewal_institution
from casework.registry.uow import Tx, command
from casework.store.tables import renewal_cases

DRAFT_KEY: Final = "draft"
SITES: Final = ("自有场地", "租用场地")
MAX_TEXT: Final = 5000

TEXT_FIELDS: Final = {
    "position": "联系人职务",
    "email": "电子邮箱",
    "changed_items": "变更项",
    "site_address": "场地地址",
    "summary": "工作开展情况",
    "plan": "下步工作规划",
    "issues": "问题与建议",
}
FLAG_FIELDS: Final = {
    "qualification_changed": "主体资质是否变更",
    "credit_good": "信用情况是否良好",
    "integrity_declared": "诚信声明",
}
COUNT_FIELDS: Final = {
    "evaluators": "考评人员数量",
    "supervisors": "督导人员数量",
    "item_writers": "命题专家数量",
    "staff": "工作人员数量",
}
PROJECT_COUNTS: Final = {"assessed": "考核人次", "certified": "取证人次"}
BANK_COUNTS: Final = {"papers": "卷库(套)", "items": "题库(道)"}
APPLICATION_FIELDS: Final = (
    *TEXT_FIELDS,
    *FLAG_FIELDS,
    *COUNT_FIELDS,
    "site",
    "first_assessment_on",
    "projects",
    "question_banks",
)
"""Every key an Attachment 5 may hold (ATT5-STATS: ``projects`` and ``question_banks`` are
per-project lists keyed by ``project_code``)."""


def _count_ok(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _rows_problems(rows: Any, counts: Mapping[str, str], scope: set[str], what: str) -> list[str]:
    if not isinstance(rows, list):
        return [f"{what}应为逐项目的列表"]
    bad: list[str] = []
    seen: set[str] = set()
    for row in rows:
        if not isinstance(row, dict) or set(row) - {"project_code", *counts}:
            bad.append(f"{what}含无效行{row!r}")
            continue
        code = row.get("project_code")
        if code not in scope or code in seen:
            bad.append(f"{what}的项目{code!r}不在备案范围内或重复")
        seen.add(str(code))
        bad += [
            f"{what}项目{code}的{label}“{row.get(key)!r}”不是非负整数"
            for key, label in counts.items()
            if not _count_ok(row.get(key))
        ]
    return bad


def application_problems(application: Mapping[str, Any], scope: set[str]) -> list[str]:
    """Every value of a draft outside what its field allows (not completeness)."""
    bad = [f"未知字段“{k}”" for k in application if k not in APPLICATION_FIELDS]
    for key, label in TEXT_FIELDS.items():
        value = application.get(key, "")
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            bad.append(f"{label}应为不超过{MAX_TEXT}字的文字")
    for key, label in FLAG_FIELDS.items():
        if not isinstance(application.get(key), bool | type(None)):
            bad.append(f"{label}应为“是/否”")
    for key, label in COUNT_FIELDS.items():
        if not _count_ok(application.get(key)):
            bad.append(f"{label}“{application.get(key)!r}”不是非负整数")
    if application.get("site") not in (*SITES, None):
        bad.append(f"考核场地“{application.get('site')!r}”应为{'或'.join(SITES)}")
    first = application.get("first_assessment_on") or ""
    try:
        if first:
            date.fromisoformat(str(first))
    except ValueError:
        bad.append(f"初次考核时间“{first}”不是有效日期")
    bad += _rows_problems(application.get("projects", []), PROJECT_COUNTS, scope, "考核情况")
    bad += _rows_problems(application.get("question_banks", []), BANK_COUNTS, scope, "题库情况")
    return bad


@command("保存续期申请草稿", rules=("REN-02", "ATT5-STATS"), roles=(INSTITUTION,))
def save_renewal_application_draft(
    tx: Tx, *, renewal_id: int, application: Mapping[str, Any]
) -> None:
    """REN-02: the institution's own Attachment 5 draft, while its case awaits self-evaluation."""
    case, filing, inst = renewal_institution(tx, renewal_id)
    tx.require_institution(inst["id"])
    lifecycle.RENEWAL.target("submit", case["status"])
    bad = application_problems(application, scope_of(tx, filing["id"]))
    if bad:
        raise RuleViolation("续期申请表含有无效取值：" + "；".join(bad[:20]), rule_id="ATT5-STATS")
    tx.update(renewal_cases, {"id": renewal_id}, application={**application, DRAFT_KEY: True})
