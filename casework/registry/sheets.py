"""Evaluation sheets: drafts saved as they are typed, locked once submitted.

An expert writes only their own sheet, on a panel they sit on, after declaring no conflict of
interest, while the case is being evaluated. Drafts are checked lightly (every value inside its
options); submission validates the whole sheet with :mod:`casework.domain.scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.domain import lifecycle, rubrics, rules, scoring
from casework.errors import PermissionDenied, RuleViolation
from casework.queries.renewal_outcome import group_outcome_in
from casework.queries.stored_sheets import (
    DRAFT,
    RENEWAL_SHEET,
    SELECTION_SHEET,
    SELF,
    SUBMITTED,
    renewal_frames,
    selection_frame,
)
from casework.registry.actors import EXPERT, INSTITUTION
from casework.registry.uow import Tx, command
from casework.store.tables import (
    application_projects,
    applications,
    calls,
    filings,
    institutions,
    panel_members,
    panels,
    renewal_cases,
    sheets,
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_draft_values(
    rubric: Any,
    rows: Sequence[dict[str, Any]],
    veto: Sequence[dict[str, Any]],
    supplementary_ids: Sequence[str] = (),
    projects: Sequence[str] = (),
) -> None:
    """Every value a draft holds must be one its field offers (the browser is untrusted).

    A selection row may name a ``project_code`` only on a per-project condition (SEL-04) and
    only a project the application applied for."""
    bad: list[str] = []
    if rubric.kind == "selection":
        known = set(rubric.conditions.sub_id) | set(supplementary_ids)
        split = set(rubric.per_project)
        for r in rows:
            if r.get("sub_id") not in known:
                bad.append(f"条件{r.get('sub_id')!r}不存在")
            if not isinstance(r.get("met"), bool | type(None)):
                bad.append(f"条件{r.get('sub_id')}的判断{r.get('met')!r}不是“符合/不符合”")
            code = r.get("project_code")
            if code is not None and (r.get("sub_id") not in split or code not in projects):
                bad.append(f"条件{r.get('sub_id')}不能按项目{code!r}评估（SEL-04）")
    else:
        for r in rows:
            item, verdict, points = str(r.get("item_id")), r.get("verdict"), r.get("points")
            if item not in rubric.item_points:
                bad.append(f"评分项{item!r}不存在")
                continue
            if verdict is None and points is None:
                continue
            if verdict not in rules.VERDICTS:
                bad.append(f"评分项{item}的结论{verdict!r}不在“符合/基本符合/不符合”之内")
                continue
            if points is not None and float(points) not in scoring.allowed_points(
                rubric, item, str(verdict)
            ):
                bad.append(f"评分项{item}结论为{verdict}时不能得{points}分")
        known_veto = set(rubric.veto_items.veto_id)
        for v in veto:
            if v.get("veto_id") not in known_veto or not isinstance(
                v.get("found"), bool | type(None)
            ):
                bad.append(f"不合格项{v.get('veto_id')!r}的取值{v.get('found')!r}无效")
    if bad:
        raise RuleViolation("评估表含有无效取值：" + "；".join(bad[:20]), rule_id="REN-07")


def judged_keys(rubric: Any, rows: Sequence[dict[str, Any]], projects: Sequence[str]) -> list[str]:
    """What each row judges: a condition (``5.1``) or a condition for a project (``5.1@P1``);
    a per-project row without a code judges every project alike (SEL-04)."""
    split = set(rubric.per_project) if projects else set()
    keys: list[str] = []
    for r in rows:
        sub, code = str(r.get("sub_id")), r.get("project_code")
        if code is not None:
            keys.append(f"{sub}@{code}")
        elif sub in split:
            keys += [f"{sub}@{p}" for p in projects]
        else:
            keys.append(sub)
    return keys


def check_selection_complete(
    rubric: Any,
    rows: Sequence[dict[str, Any]],
    supplementary: pd.DataFrame,
    projects: Sequence[str] = (),
) -> None:
    """SEL-04: a submitted checklist judges every condition, and the city's own, exactly once;
    a per-project condition once for each project applied for (or once for all alike)."""
    split = set(rubric.per_project) if projects else set()
    wanted = [
        *(
            f"{s}@{p}" if s in split else s
            for s in rubric.conditions.sub_id
            for p in (projects if s in split else [None])
        ),
        *supplementary["sub_id"],
    ]
    given = judged_keys(rubric, rows, projects)
    missing = [s for s in wanted if s not in given]
    twice = sorted({s for s in given if given.count(s) > 1})
    unknown = sorted({str(s) for s in given if s not in wanted})
    blank = [r.get("sub_id") for r in rows if not isinstance(r.get("met"), bool)]
    parts = []
    if missing:
        parts.append(f"未判断的条件：{'、'.join(missing)}")
    if twice:
        parts.append(f"重复判断的条件：{'、'.join(twice)}")
    if unknown:
        parts.append(f"不存在的条件：{'、'.join(unknown)}")
    if blank:
        parts.append(f"未选择“符合/不符合”的条件：{'、'.join(map(str, blank))}")
    if parts:
        raise RuleViolation("遴选评估表不完整：" + "；".join(parts), rule_id="SEL-04")


def case_state(tx: Tx, panel: Any) -> tuple[Any, str]:
    """The lifecycle machine and the current state of the case a panel evaluates."""
    if panel["application_id"] is not None:
        app = tx.get(applications, "备案申请", id=panel["application_id"])
        return lifecycle.APPLICATION, app["status"]
    case = tx.get(renewal_cases, "续期评估", id=panel["renewal_id"])
    return lifecycle.RENEWAL, case["status"]


def existing_sheet(tx: Tx, **keys: Any) -> Any:
    q = select(sheets).where(*(sheets.c[k] == v for k, v in keys.items()))
    return tx.conn.execute(q).mappings().first()


def write_sheet(
    tx: Tx,
    *,
    keys: dict[str, Any],
    kind: str,
    rubric_id: str,
    rows: Sequence[dict[str, Any]],
    veto: Sequence[dict[str, Any]],
    submit: bool,
    total: float | None,
) -> int:
    current = existing_sheet(tx, **keys)
    if current is not None and current["status"] == SUBMITTED:
        raise RuleViolation("评估表已提交并锁定，不能再修改", rule_id="REN-04")
    values = {
        "rows": [dict(r) for r in rows],
        "veto": [dict(v) for v in veto],
        "status": SUBMITTED if submit else DRAFT,
        "total": total,
        "updated_at": _now(),
        "submitted_at": _now() if submit else None,
    }
    if current is None:
        return int(tx.insert(sheets, kind=kind, rubric_id=rubric_id, **keys, **values))
    tx.update(sheets, {"id": current["id"]}, **values)
    return int(current["id"])


@command("保存评估表", rules=("SEL-03", "REN-04", "REN-07"), roles=(EXPERT,))
def save_sheet(
    tx: Tx,
    *,
    panel_id: int,
    rows: Sequence[dict[str, Any]],
    veto: Sequence[dict[str, Any]] = (),
    submit: bool = False,
) -> int:
    """Save an expert's own sheet as a draft, or submit (validate and lock) it."""
    panel, rubric = writable_sheet(tx, panel_id)
    supplementary = supplementary_frame(tx, panel)
    projects = projects_applied_for(tx, panel)
    check_draft_values(rubric, rows, veto, list(supplementary["sub_id"]), projects)
    total = None
    if submit:
        if rubric.kind == "selection":
            check_selection_complete(rubric, rows, supplementary, projects)
        else:
            sheet, vetoes = renewal_frames(rows, veto, tx.actor.username)
            # REN-06, REN-07: validated once; the total is read from the validated sheet.
            scores = scoring.validate_renewal_sheet(rubric, sheet, vetoes)
            total = float(scoring.totals_of(scores).iloc[0])
    return write_sheet(
        tx,
        keys={"panel_id": panel_id, "renewal_id": None, "author": tx.actor.username},
        kind=SELECTION_SHEET if rubric.kind == "selection" else RENEWAL_SHEET,
        rubric_id=rubric.id,
        rows=rows,
        veto=veto,
        submit=submit,
        total=total,
    )


def writable_sheet(tx: Tx, panel_id: int) -> tuple[Any, Any]:
    """The group and its rubric, when the acting expert may write their sheet there now: a
    member (PermissionDenied), who signed the conflict-of-interest declaration (SUP-03), of a
    case still scoring (its lifecycle). Every command that writes a member's sheet asks this."""
    panel = tx.get(panels, "评估组", id=panel_id)
    member = (
        tx.conn.execute(
            select(panel_members).where(
                panel_members.c.panel_id == panel_id, panel_members.c.username == tx.actor.username
            )
        )
        .mappings()
        .first()
    )
    if member is None:
        raise PermissionDenied(f"{tx.actor.label}不是该评估组成员，不能填写评估表")
    if member["coi_declared_at"] is None:
        raise RuleViolation("请先签署利益冲突声明，再填写评估表", rule_id="SUP-03")
    machine, state = case_state(tx, panel)
    machine.target("submit_sheet", state)
    return panel, rubrics.by_id(panel["rubric_id"])


def supplementary_of(tx: Tx, panel: Any) -> pd.DataFrame:
    """The city's supplementary conditions a selection panel judges (none for a renewal group)."""
    if panel["application_id"] is None:
        return pd.DataFrame(columns=["sub_id", "text"])
    app = tx.get(applications, "备案申请", id=panel["application_id"])
    call = tx.get(calls, "征集公告", id=app["call_id"])
    return pd.DataFrame(list(call["supplementary"] or []), columns=["sub_id", "text"])


supplementary_frame = supplementary_of


def projects_applied_for(tx: Tx, panel: Any) -> list[str]:
    """The project codes a selection panel judges the per-project conditions for (SEL-04)."""
    if panel["application_id"] is None:
        return []
    q = select(application_projects.c.project_code).where(
        application_projects.c.application_id == panel["application_id"]
    )
    return sorted(tx.conn.execute(q).scalars())


def submitted_sheets(tx: Tx, panel_id: int) -> list[Any]:
    return tx.rows(sheets, panel_id=panel_id, status=SUBMITTED)


def panel_usernames(tx: Tx, panel_id: int) -> list[str]:
    return [m["username"] for m in tx.rows(panel_members, panel_id=panel_id)]


def require_all_sheets(tx: Tx, panel_id: int, rule_id: str) -> list[Any]:
    """Every member's submitted sheet (SEL-03, REN-04); refused while one is missing."""
    done = submitted_sheets(tx, panel_id)
    missing = sorted(set(panel_usernames(tx, panel_id)) - {s["author"] for s in done})
    if missing:
        raise RuleViolation(f"评估组成员{'、'.join(missing)}尚未提交评估表", rule_id=rule_id)
    return [s for s in done if s["kind"] != SELF]


def renewal_institution(tx: Tx, renewal_id: int) -> tuple[Any, Any, Any]:
    case = tx.get(renewal_cases, "续期评估", id=renewal_id)
    filing = tx.get(filings, "备案", id=case["filing_id"])
    inst = tx.get(institutions, "考核机构", id=filing["institution_id"])
    return case, filing, inst


@command("保存机构自评", rules=("REN-02", "REN-07"), roles=(INSTITUTION,))
def save_self_evaluation(
    tx: Tx, *, renewal_id: int, rows: Sequence[dict[str, Any]], veto: Sequence[dict[str, Any]] = ()
) -> int:
    """The institution head's Attachment 4 self-evaluation draft (submitted with the renewal)."""
    case, _filing, inst = renewal_institution(tx, renewal_id)
    tx.require_institution(inst["id"])
    lifecycle.RENEWAL.target("submit", case["status"])
    rubric = renewal_rubric_of(tx, case)
    check_draft_values(rubric, rows, veto)
    return write_sheet(
        tx,
        keys={"panel_id": None, "renewal_id": renewal_id, "author": tx.actor.username},
        kind=SELF,
        rubric_id=rubric.id,
        rows=rows,
        veto=veto,
        submit=False,
        total=None,
    )


def renewal_rubric_of(tx: Tx, case: Any) -> Any:
    from casework.store.tables import renewal_rounds

    rnd = tx.get(renewal_rounds, "续期评估轮次", id=case["round_id"])
    return rubrics.by_id(rnd["rubric_id"])


# --- what the leader sees -------------------------------------------------------------------
def selection_verdict(tx: Tx, panel: Any) -> Any:
    """SEL-04: the panel verdict from every member's submitted sheet."""
    done = require_all_sheets(tx, panel["id"], "SEL-03")
    rubric: Any = rubrics.by_id(panel["rubric_id"])
    frames = [selection_frame(s["rows"], s["author"]) for s in done]
    return scoring.evaluate_selection(
        rubric, frames, supplementary_frame(tx, panel), projects=projects_applied_for(tx, panel)
    )


def renewal_result(tx: Tx, panel: Any, renewal_id: int, method: str | None = None) -> Any:
    """REN-05/REN-06: the group's Attachment 6 summary from every member's submitted sheet,
    read through the one read model of it (:func:`casework.queries.renewal_outcome`).
    The composite method is the rubric's unless ``method`` overrides it (REN-04)."""
    outcome = group_outcome_in(tx.conn, renewal_id, method)
    if outcome.panel_id != panel["id"]:
        raise RuleViolation(
            f"评估组{panel['id']}不是续期评估{renewal_id}的评估组", rule_id="REN-04"
        )
    if outcome.summary is None:
        missing = "、".join(outcome.waiting)
        raise RuleViolation(f"评估组成员{missing}尚未提交评估表", rule_id="REN-04")
    return outcome.summary


@command("提交评估组意见", rules=("REN-04", "REN-05", "REN-06"), roles=(EXPERT,))
def submit_group_opinion(tx: Tx, *, panel_id: int, opinion: str) -> None:
    """The renewal group leader returns Attachment 6 (the group's opinion) to the city once
    every member has submitted; the city then decides (REN-05). The group's text stays in
    ``renewal_cases.opinion``: the city's decision is kept apart (``decision_note``)."""
    panel = tx.get(panels, "评估组", id=panel_id)
    member = tx.get(panel_members, "评估组成员", panel_id=panel_id, username=tx.actor.username)
    if not member["is_leader"] or panel["renewal_id"] is None:
        raise PermissionDenied(f"{tx.actor.label}不是该续期评估组组长，不能提交评估组意见")
    case = tx.get(renewal_cases, "续期评估", id=panel["renewal_id"])
    lifecycle.RENEWAL.target("submit_sheet", case["status"])
    require_all_sheets(tx, panel_id, "REN-04")
    if not opinion.strip():
        raise RuleViolation("须填写评估组对考核机构的意见建议", rule_id="REN-04")
    tx.update(renewal_cases, {"id": case["id"]}, opinion=opinion.strip())
