"""The selection panel's checklists against Attachment 1 (SEL-03, SEL-04).

Each member of the panel ticks every sub-condition of Attachment 1 (and the city's
supplementary conditions) as met or not. :func:`evaluate_selection` checks the checklists,
forms the panel's judgement of each condition and decides whether the applicant qualifies
(every mandatory and supplementary condition met) and has priority (any priority condition met).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from casework.domain import rules
from casework.domain.rubrics import MANDATORY, PRIORITY, SelectionRubric
from casework.domain.scoring.sheets import (
    Sheets,
    check_sheets,
    empty_problems,
    keyed_rows,
    members_of,
    presence_problems,
    problem_rows,
    raise_if_any,
)

SUPPLEMENTARY: Final = "补充"
"""SEL-03, SEL-04: a condition the city adds to Attachment 1; it must be met like 必备."""
MAJORITY: Final = "majority"
UNANIMOUS: Final = "unanimous"
PANEL_RULES: Final = (MAJORITY, UNANIMOUS)
_NONEMPTY = {"min_value": 1}


class SelectionSheetTable(pa.DataFrameModel):
    """One panel member's checklist: each sub-condition met or not (SEL-04)."""

    member: Series[str] = pa.Field(str_length=_NONEMPTY)
    sub_id: Series[str] = pa.Field(str_length=_NONEMPTY)
    met: Series[pd.BooleanDtype] = pa.Field()
    note: Series[str] | None = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class SupplementaryConditionsTable(pa.DataFrameModel):
    """The city's supplementary conditions (SEL-03): an id such as "S1" and the text."""

    sub_id: Series[str] = pa.Field(str_length=_NONEMPTY, unique=True)
    text: Series[str] = pa.Field(str_length=_NONEMPTY)

    class Config:
        strict = True
        coerce = True


class ConditionVerdictTable(pa.DataFrameModel):
    """Per condition: how the panel judged it (SEL-04)."""

    sub_id: Series[str]
    item_no: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(isin=[MANDATORY, PRIORITY, SUPPLEMENTARY])
    text: Series[str]
    members_met: Series[int] = pa.Field(ge=0)
    members_total: Series[int] = pa.Field(ge=0)
    met_by: Series[str]
    not_met_by: Series[str]
    panel_met: Series[bool]

    class Config:
        strict = True


_REQUIREMENTS = {
    "member": "应填写评估组成员姓名",
    "sub_id": "应填写条件编号（如 1.1、S1）",
    "met": "应为“是”或“否”",
    "note": "备注应为文字",
}


@dataclass(frozen=True, eq=False)
class SelectionVerdict:
    """The panel's finding on one applicant (SEL-03, SEL-04).

    Attributes:
        per_condition: one row per condition (``ConditionVerdictTable``), rubric order, then
            the city's supplementary conditions.
        eligible: every 必备 and every 补充 condition met by the panel.
        priority: eligible and at least one 优先 condition met by the panel.
        unmet: the 必备 and 补充 sub_ids the panel judged not met (why it is not eligible).
        priority_met: the 优先 sub_ids the panel judged met.
        members: the panel members, in sheet order.
        rule: the panel rule applied (``"majority"`` or ``"unanimous"``).
        rubric_id / rubric_version: the Attachment 1 revision the checklists follow.
    """

    per_condition: DataFrame[ConditionVerdictTable]
    eligible: bool
    priority: bool
    unmet: tuple[str, ...]
    priority_met: tuple[str, ...]
    members: tuple[str, ...]
    rule: str
    rubric_id: str
    rubric_version: str


def evaluate_selection(
    rubric: SelectionRubric,
    sheets: Sheets,
    supplementary: pd.DataFrame | None = None,
    *,
    rule: str = MAJORITY,
) -> SelectionVerdict:
    """Judge an applicant from the panel members' checklists (SEL-03, SEL-04).

    The panel holds a condition met when ``rule`` is satisfied:

    * ``"majority"`` (default): more than half of the members ticked it. The notice leaves the
      panel's internal decision rule to the city; simple majority is casework's reading.
    * ``"unanimous"``: every member ticked it.

    Args:
        rubric: the Attachment 1 revision the checklists follow.
        sheets: one checklist per member (or one stacked table): member, sub_id, met, note.
        supplementary: the city's own conditions (sub_id, text), judged in the same sheets.
        rule: ``"majority"`` or ``"unanimous"``.

    Raises:
        SheetInvalid: all problems at once — a panel of fewer than ``rules.PANEL_MIN`` or more
            than ``rules.PANEL_MAX`` members (SEL-03); a sub-condition a member skipped or
            judged twice, an unknown sub_id, an unreadable answer (SEL-04).
        ValueError: an unknown ``rule``.
    """
    if rule not in PANEL_RULES:
        raise ValueError(f"未知的评估组判定规则“{rule}”，应为 {' 或 '.join(PANEL_RULES)}")
    conditions, problems = _conditions(rubric, supplementary)
    checked = check_sheets(
        SelectionSheetTable,
        sheets,
        label="评估表",
        rule_id="SEL-04",
        member_col="member",
        item_col="sub_id",
        requirements=_REQUIREMENTS,
        bool_columns=("met",),
    )
    problems.append(checked.problems)
    keyed = keyed_rows(checked.raw, "member", "sub_id")
    members = members_of(checked.raw)
    problems.append(_panel_size(members))
    problems += presence_problems(
        keyed, "sub_id", conditions["sub_id"], members_of(keyed), rule="SEL-04", what="条件"
    )
    raise_if_any(problems, "遴选评估表未通过校验", "SEL-04")
    assert checked.validated is not None
    table = _judge(conditions, checked.validated.astype({"met": bool}), len(members), rule)
    must = table["kind"].isin([MANDATORY, SUPPLEMENTARY])
    unmet = tuple(table.loc[must & ~table["panel_met"], "sub_id"])
    priority_met = tuple(table.loc[(table["kind"] == PRIORITY) & table["panel_met"], "sub_id"])
    eligible = not unmet
    return SelectionVerdict(
        per_condition=ConditionVerdictTable.validate(table),
        eligible=eligible,
        priority=eligible and bool(priority_met),
        unmet=unmet,
        priority_met=priority_met,
        members=tuple(str(m) for m in members),
        rule=rule,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
    )


def _conditions(
    rubric: SelectionRubric, supplementary: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Attachment 1's conditions followed by the city's; problems of the supplementary table."""
    base = rubric.conditions[["sub_id", "item_no", "kind", "text"]].astype({"item_no": "Int64"})
    if supplementary is None:
        return base.reset_index(drop=True), [empty_problems()]
    checked = check_sheets(
        SupplementaryConditionsTable,
        supplementary,
        label="补充条件表",
        rule_id="SEL-03",
        member_col="",
        item_col="sub_id",
        requirements={"sub_id": "应填写补充条件编号", "text": "应填写条件内容"},
    )
    problems = [checked.problems]
    raw = checked.raw
    if "sub_id" not in raw:
        return base.reset_index(drop=True), problems
    given = raw["sub_id"].notna() & (raw["sub_id"].astype(str) != "")
    clash = raw[given & raw["sub_id"].isin(base["sub_id"])]
    problems.append(
        problem_rows(
            clash,
            {"项目": "sub_id", "值": "sub_id"},
            列="sub_id",
            要求="补充条件编号不能与附件1的条件编号相同",
            规则="SEL-03",
            代码="clashing_sub_id",
        )
    )
    # Even when the city's table has problems its readable ids are known conditions, so the
    # checklists are not also blamed for judging them.
    extra = (
        checked.validated
        if checked.validated is not None
        else raw[given & ~raw.index.isin(clash.index)].assign(text="")
    )
    extra = extra.assign(item_no=None, kind=SUPPLEMENTARY).astype({"item_no": "Int64"})
    extra = extra.drop_duplicates("sub_id")
    return pd.concat([base, extra[base.columns]], ignore_index=True), problems


def _panel_size(members: list[str]) -> pd.DataFrame:
    """SEL-03: the panel has ``rules.PANEL_MIN``–``rules.PANEL_MAX`` members."""
    count = len(members)
    if rules.PANEL_MIN <= count <= rules.PANEL_MAX:
        return empty_problems()
    row = pd.DataFrame({"member": ["、".join(members)]})
    return problem_rows(
        row,
        {"成员": "member"},
        列="member",
        值=f"{count} 人",
        要求=f"遴选评估组应有 {rules.PANEL_MIN}—{rules.PANEL_MAX} 人",
        规则="SEL-03",
        代码="panel_size",
    )


def _judge(conditions: pd.DataFrame, answers: pd.DataFrame, panel: int, rule: str) -> pd.DataFrame:
    """Count the ticks per condition and apply the panel rule (vectorised)."""
    answers = answers.assign(member=answers["member"].astype(str))
    ticked = answers[answers["met"]].groupby("sub_id", sort=False)["member"]
    unticked = answers[~answers["met"]].groupby("sub_id", sort=False)["member"]
    table = conditions.copy()
    table["members_met"] = table["sub_id"].map(ticked.size()).fillna(0).astype(int)
    table["members_total"] = panel
    table["met_by"] = (
        table["sub_id"].map(ticked.agg("、".join)).astype(object).fillna("").astype(str)
    )
    table["not_met_by"] = (
        table["sub_id"].map(unticked.agg("、".join)).astype(object).fillna("").astype(str)
    )
    if rule == UNANIMOUS:
        table["panel_met"] = table["members_met"] == panel
    else:
        table["panel_met"] = table["members_met"] * 2 > panel
    return table


__all__ = [
    "MAJORITY",
    "PANEL_RULES",
    "SUPPLEMENTARY",
    "UNANIMOUS",
    "ConditionVerdictTable",
    "SelectionSheetTable",
    "SelectionVerdict",
    "SupplementaryConditionsTable",
    "evaluate_selection",
]
