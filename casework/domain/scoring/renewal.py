"""Renewal scoring sheets of Attachment 4: validation, points, totals and veto findings.

Each member of a renewal group fills one Attachment 4 sheet: a verdict and points for every
scored item (REN-07) and a 是/否 answer for every veto item (REN-06). Functions take the rubric
the sheets were filled under, so old scores stay tied to their version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from casework.domain import rules
from casework.domain.rubrics import RenewalRubric
from casework.domain.scoring.sheets import (
    CheckedSheets,
    Sheets,
    as_sheet_list,
    check_sheets,
    empty_problems,
    keyed_rows,
    members_of,
    normalise,
    presence_problems,
    problem_rows,
    raise_if_any,
    row_indexed,
)
from casework.errors import NotFound, RuleViolation

_NONEMPTY = {"min_value": 1}
_MEMBER, _ITEM, _VETO = "member", "item_id", "veto_id"


class RenewalSheetTable(pa.DataFrameModel):
    """One member's Attachment 4 scores: a verdict and points per item (REN-07)."""

    member: Series[str] = pa.Field(str_length=_NONEMPTY)
    item_id: Series[str] = pa.Field(str_length=_NONEMPTY)
    verdict: Series[str] = pa.Field(isin=list(rules.VERDICTS))
    points: Series[float] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


class VetoSheetTable(pa.DataFrameModel):
    """One member's answers to the 不合格项 of Attachment 4 (REN-06)."""

    member: Series[str] = pa.Field(str_length=_NONEMPTY)
    veto_id: Series[str] = pa.Field(str_length=_NONEMPTY)
    found: Series[pd.BooleanDtype] = pa.Field()

    class Config:
        strict = True
        coerce = True


class GroupTotalsTable(pa.DataFrameModel):
    """Points per member and 一级指标 (REN-07)."""

    member: Series[str]
    group_no: Series[int]
    group: Series[str]
    points: Series[float] = pa.Field(ge=0)
    max_points: Series[float] = pa.Field(gt=0)

    @pa.dataframe_check
    @classmethod
    def within_group_points(cls, df: pd.DataFrame) -> pd.Series[bool]:
        """A member's points in a group never exceed the group's points (REN-07)."""
        return df["points"] <= df["max_points"] + 1e-9

    class Config:
        strict = True


class VetoSummaryTable(pa.DataFrameModel):
    """Per veto item: who found it (REN-06)."""

    veto_id: Series[str]
    text: Series[str]
    members_found: Series[int] = pa.Field(ge=0)
    members_total: Series[int] = pa.Field(ge=0)
    found_by: Series[str]
    found: Series[bool]

    class Config:
        strict = True


_SHEET_REQUIREMENTS = {
    "member": "应填写评估组成员姓名",
    "item_id": "应填写评估项编号",
    "verdict": "应为“符合”“基本符合”“不符合”之一",
    "points": "得分不能为负数",
}
_VETO_REQUIREMENTS = {
    "member": "应填写评估组成员姓名",
    "veto_id": "应填写不合格项编号",
    "found": "应为“是”或“否”",
}


def allowed_points(rubric: RenewalRubric, item_id: str, verdict: str) -> tuple[float, ...]:
    """The points a verdict may earn on an item (REN-07).

    符合 → the item's full points; 不符合 → 0; 基本符合 → every multiple of
    the rubric's ``point_step`` strictly between 0 and full (empty for an item worth one step).

    Raises:
        NotFound: the item is not in this rubric.
        RuleViolation: the verdict is not one of ``rules.VERDICTS``.
    """
    full = rubric.item_points.get(item_id)
    if full is None:
        raise NotFound(f"评分表 {rubric.id} 中没有评估项“{item_id}”", rule_id="REN-07")
    if verdict == rules.VERDICT_FULL:
        return (float(full),)
    if verdict == rules.VERDICT_NONE:
        return (0.0,)
    if verdict == rules.VERDICT_PARTIAL:
        step = rubric.point_step
        steps = int(np.ceil(full / step - 1e-9))
        return tuple(k * step for k in range(1, steps))
    raise RuleViolation(
        f"评定“{verdict}”无效，应为{'、'.join(rules.VERDICTS)}之一", rule_id="REN-07"
    )


def validate_renewal_sheet(
    rubric: RenewalRubric, sheet: Sheets, veto: Sheets | None = None
) -> DataFrame[RenewalSheetTable]:
    """Check one or more members' Attachment 4 sheets; return them validated and stacked.

    Every problem is listed at once (REN-07): a value of the wrong type or verdict; points that
    do not match the verdict (符合 = exactly the item's points, 不符合 = 0, 基本符合 strictly
    between, in steps of the rubric's ``point_step``); an unknown item; an item missing or
    judged twice by a member. With ``veto`` the members' veto answers are checked as well
    (REN-06): each member answers every veto item exactly once, and no one else answers.

    Raises:
        SheetInvalid: with ``problems`` (表, 行, 成员, 项目, 列, 值, 要求, 规则, 代码).
    """
    checked, problems = _check_scores(rubric, sheet, complete=True)
    members = members_of(checked.raw)
    if veto is not None:
        problems.extend(_check_veto(rubric, veto, members)[1])
    raise_if_any(problems, "评分表未通过校验", "REN-07")
    assert checked.validated is not None
    return cast(DataFrame[RenewalSheetTable], checked.validated)


def sheet_totals(rubric: RenewalRubric, sheet: Sheets) -> DataFrame[GroupTotalsTable]:
    """Points per member and 一级指标, with the group's full points (REN-07).

    Raises:
        SheetInvalid: the sheet does not pass :func:`validate_renewal_sheet`.
    """
    return group_totals_of(rubric, validate_renewal_sheet(rubric, sheet))


def member_totals(rubric: RenewalRubric, sheets: Sheets) -> pd.Series:
    """Each member's total out of 100 (REN-07), in the order the members first appear.

    Raises:
        SheetInvalid: a sheet does not pass :func:`validate_renewal_sheet`.
    """
    return totals_of(validate_renewal_sheet(rubric, sheets))


def running_total(rubric: RenewalRubric, partial_sheet: Sheets) -> pd.Series:
    """The total of a sheet still being filled in: missing or blank items count 0.

    A row without a verdict or without points is not yet filled and is skipped; filled rows
    obey the same rules as a complete sheet. Once every item is filled the result equals
    :func:`member_totals`.

    Raises:
        SheetInvalid: a filled row breaks a rule of REN-07 (wrong points, unknown item …).
    """
    frames = [row_indexed(frame) for frame in as_sheet_list(partial_sheet)]
    checked, problems = _check_scores(rubric, [_filled(f) for f in frames], complete=False)
    raise_if_any(problems, "评分表未通过校验", "REN-07")
    everyone = list(dict.fromkeys(m for f in frames for m in members_of(normalise(f))))
    if checked.validated is None or checked.validated.empty:
        return pd.Series(0.0, index=pd.Index(everyone, name=_MEMBER, dtype=object), name="total")
    return totals_of(checked.validated).reindex(everyone, fill_value=0.0)


@dataclass(frozen=True, eq=False)
class VetoSummary:
    """The group's veto findings (REN-06, Att.6 备注2).

    casework's reading: a veto item counts as present as soon as **one** member of the group
    finds it. Att.6 备注2 obliges the group to report such a finding to the city at once and
    leaves the investigation to the city, so no member's finding may be outvoted.

    Attributes:
        table: per veto item (``VetoSummaryTable``): members_found, members_total, found_by.
        veto_found: any veto item found by any member.
        found_items: the veto_ids found, in rubric order.
    """

    table: DataFrame[VetoSummaryTable]
    veto_found: bool
    found_items: tuple[str, ...]

    @property
    def found(self) -> bool:
        """Alias of ``veto_found``."""
        return self.veto_found


def veto_summary(rubric: RenewalRubric, veto_sheets: Sheets) -> VetoSummary:
    """Who found which veto item; see :class:`VetoSummary` for the rule applied (REN-06).

    Raises:
        SheetInvalid: an answer is missing, unreadable, repeated or names an unknown item.
    """
    checked, problems = _check_veto(rubric, veto_sheets, None)
    raise_if_any(problems, "不合格项回答未通过校验", "REN-06")
    return _summarise_veto(rubric, checked)


def group_totals_of(rubric: RenewalRubric, scores: pd.DataFrame) -> DataFrame[GroupTotalsTable]:
    """Points per member and group of scores that already passed :func:`validate_renewal_sheet`."""
    members = pd.unique(scores[_MEMBER])
    items = rubric.items[[_ITEM, "group_no"]]
    per_group = (
        scores.merge(items, on=_ITEM, how="left")
        .groupby([_MEMBER, "group_no"], sort=False)["points"]
        .sum()
    )
    groups = rubric.groups.rename(columns={"points": "max_points"})
    grid = pd.MultiIndex.from_product(
        [pd.Index(members, dtype=object), groups["group_no"]], names=[_MEMBER, "group_no"]
    )
    table = per_group.reindex(grid, fill_value=0.0).round(2).reset_index()
    table = table.merge(groups, on="group_no", how="left")
    table = table[["member", "group_no", "group", "points", "max_points"]]
    return GroupTotalsTable.validate(table.astype({"member": str}))


def totals_of(scores: pd.DataFrame) -> pd.Series:
    """Member totals of scores that already passed :func:`validate_renewal_sheet`."""
    totals = scores.groupby(_MEMBER, sort=False)["points"].sum().round(2)
    totals.name = "total"
    return totals.astype(float)


# --- internals ------------------------------------------------------------------------------


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with both a verdict and points (blank text counts as missing)."""
    blank = pd.Series(False, index=frame.index)
    for column in ("verdict", "points"):
        if column in frame:
            value = frame[column]
            blank |= value.isna() | (value.astype(str).str.strip() == "")
    return frame[~blank]


def _check_scores(
    rubric: RenewalRubric, sheets: Sheets, *, complete: bool
) -> tuple[CheckedSheets, list[pd.DataFrame]]:
    """Schema, presence and verdict-points checks of score sheets; problems not yet raised."""
    checked = check_sheets(
        RenewalSheetTable,
        sheets,
        label="评分表",
        rule_id="REN-07",
        member_col=_MEMBER,
        item_col=_ITEM,
        requirements=_SHEET_REQUIREMENTS,
    )
    keyed = keyed_rows(checked.raw, _MEMBER, _ITEM)
    # Completeness is asked of members with at least one readable item; the rows of the
    # others already carry their own problems.
    members = members_of(keyed) if complete else None
    problems = [checked.problems]
    if complete and not members_of(checked.raw) and checked.problems.empty:
        nobody = pd.DataFrame(index=[0])
        problems.append(
            problem_rows(nobody, 要求="评分表中没有任何评定", 规则="REN-07", 代码="empty_sheet")
        )
    problems += presence_problems(
        keyed, _ITEM, rubric.items.item_id, members, rule="REN-07", what="评估项"
    )
    problems.append(_points_mismatch(rubric, keyed.drop(index=checked.bad_rows, errors="ignore")))
    return checked, problems


def _points_mismatch(rubric: RenewalRubric, rows: pd.DataFrame) -> pd.DataFrame:
    """REN-07: points that the verdict does not allow, vectorised over the rows."""
    full = rows[_ITEM].map(rubric.item_points)
    rows = rows[full.notna()]
    if rows.empty:
        return empty_problems()
    full = full[full.notna()].astype(float)
    points = pd.to_numeric(rows["points"], errors="coerce").astype(float)
    verdict = rows["verdict"]
    step = rubric.point_step
    on_step = np.isclose(np.round(points / step) * step, points)
    ok = (
        ((verdict == rules.VERDICT_FULL) & np.isclose(points, full))
        | ((verdict == rules.VERDICT_NONE) & np.isclose(points, 0.0))
        | ((verdict == rules.VERDICT_PARTIAL) & (points > 0) & (points < full - 1e-9) & on_step)
    )
    bad, full = rows[~ok], full[~ok]
    if bad.empty:
        return empty_problems()
    full_text = full.map("{:g}".format).astype(str)
    verdict = bad["verdict"]
    partial = verdict == rules.VERDICT_PARTIAL
    need = pd.Series(
        np.select(
            [verdict == rules.VERDICT_FULL, partial & (full <= step + 1e-9), partial],
            [
                f"“{rules.VERDICT_FULL}”应得本项满分 " + full_text + " 分",
                "本项满分 " + full_text + f" 分，不能评“{rules.VERDICT_PARTIAL}”",
                f"“{rules.VERDICT_PARTIAL}”应大于 0 且小于本项满分 "
                + full_text
                + f" 分，以 {step:g} 分为单位",
            ],
            default=f"“{rules.VERDICT_NONE}”应得 0 分",
        ),
        index=bad.index,
    )
    return problem_rows(
        bad,
        {"成员": _MEMBER, "项目": _ITEM, "值": "points"},
        列="points",
        要求=need,
        规则="REN-07",
        代码="points_mismatch",
    )


def _check_veto(
    rubric: RenewalRubric, veto: Sheets, members: list[str] | None
) -> tuple[CheckedSheets, list[pd.DataFrame]]:
    """REN-06: every member answers every veto item once; ``members`` = the scoring members.

    A scoring member with no veto answer at all is asked for every veto item; a member whose
    rows name no readable veto item is not (those rows already carry their problems)."""
    checked = check_sheets(
        VetoSheetTable,
        veto,
        label="不合格项表",
        rule_id="REN-06",
        member_col=_MEMBER,
        item_col=_VETO,
        requirements=_VETO_REQUIREMENTS,
        bool_columns=("found",),
    )
    keyed = keyed_rows(checked.raw, _MEMBER, _VETO)
    named = members_of(checked.raw)
    absent = [m for m in members or [] if m not in named]
    expected = members_of(keyed) + absent
    problems = [checked.problems]
    problems += presence_problems(
        keyed, _VETO, rubric.veto_items.veto_id, expected, rule="REN-06", what="不合格项"
    )
    if members is not None:
        strangers = keyed[~keyed[_MEMBER].isin(members)].drop_duplicates(_MEMBER)
        problems.append(
            problem_rows(
                strangers,
                {"成员": _MEMBER, "值": _MEMBER},
                列=_MEMBER,
                要求="此成员没有提交评分表",
                规则="REN-04",
                代码="member_without_sheet",
            )
        )
    return checked, problems


def _summarise_veto(rubric: RenewalRubric, checked: CheckedSheets) -> VetoSummary:
    answers = checked.validated
    assert answers is not None
    answers = answers.astype({"found": bool})
    hits = answers[answers["found"]]
    by_item = hits.groupby(_VETO)[_MEMBER].agg(lambda names: "、".join(names))
    counts = hits.groupby(_VETO)[_MEMBER].size()
    table = rubric.veto_items[[_VETO, "text"]].reset_index(drop=True).copy()
    table["members_found"] = table[_VETO].map(counts).fillna(0).astype(int)
    table["members_total"] = int(answers[_MEMBER].nunique())
    table["found_by"] = table[_VETO].map(by_item).astype(object).fillna("").astype(str)
    table["found"] = table["members_found"] > 0
    found_items = tuple(table.loc[table["found"], _VETO])
    return VetoSummary(VetoSummaryTable.validate(table), bool(found_items), found_items)


__all__ = [
    "GroupTotalsTable",
    "RenewalSheetTable",
    "VetoSheetTable",
    "VetoSummary",
    "VetoSummaryTable",
    "allowed_points",
    "group_totals_of",
    "member_totals",
    "running_total",
    "sheet_totals",
    "totals_of",
    "validate_renewal_sheet",
    "veto_summary",
]
