"""Renewal scoring sheets of Attachment 4: validation, points, totals and veto findings.

Each member of a renewal group fills one Attachment 4 sheet: a verdict and points for every
scored item (REN-07) and a 是/否 answer for every veto item (REN-06). Functions take the rubric
the sheets were filled under, so old scores stay tied to their version.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

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
    return _validated(rubric, sheet, veto)[0]


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
    assert checked.validated is not None
    return summarise_veto(rubric, checked.validated)


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


def validated_with_veto(
    rubric: RenewalRubric, sheet: Sheets, veto: Sheets
) -> tuple[DataFrame[RenewalSheetTable], pd.DataFrame]:
    """:func:`validate_renewal_sheet` with ``veto``, returning the validated veto answers too
    (member, veto_id, found), so a caller summarising them need not validate them again.

    Raises:
        SheetInvalid: as :func:`validate_renewal_sheet` (REN-06, REN-07).
    """
    scores, answers = _validated(rubric, sheet, veto)
    assert answers is not None
    return scores, answers


def _validated(
    rubric: RenewalRubric, sheet: Sheets, veto: Sheets | None
) -> tuple[DataFrame[RenewalSheetTable], pd.DataFrame | None]:
    """The validated scores (and veto answers when ``veto`` is given), or SheetInvalid.

    Sheets that are plainly well formed (see :func:`_plainly_valid`) are checked in plain
    Python; anything else takes the full pandera path, which lists every problem. Both paths
    accept exactly the same good sheets and return the same frames."""
    plain = _plainly_valid(rubric, sheet, veto)
    if plain is not None:
        return cast(DataFrame[RenewalSheetTable], plain[0]), plain[1]
    return _fully_validated(rubric, sheet, veto)


def _fully_validated(
    rubric: RenewalRubric, sheet: Sheets, veto: Sheets | None
) -> tuple[DataFrame[RenewalSheetTable], pd.DataFrame | None]:
    """:func:`_validated` through pandera, listing every problem (REN-06, REN-07)."""
    checked, problems = _check_scores(rubric, sheet, complete=True)
    members = members_of(checked.raw)
    checked_veto = None
    if veto is not None:
        checked_veto, veto_problems = _check_veto(rubric, veto, members)
        problems.extend(veto_problems)
    raise_if_any(problems, "评分表未通过校验", "REN-07")
    assert checked.validated is not None
    answers = None if checked_veto is None else checked_veto.validated
    return cast(DataFrame[RenewalSheetTable], checked.validated), answers


_SCORE_COLUMNS = ("member", "item_id", "verdict", "points")
_VETO_COLUMNS = ("member", "veto_id", "found")


def _isclose(a: float, b: float) -> bool:
    """``numpy.isclose`` of two finite floats (the tolerance :func:`_points_mismatch` uses)."""
    return abs(a - b) <= 1e-8 + 1e-5 * abs(b)


def _clean_text(value: object) -> bool:
    """A non-empty ``str`` with nothing for :func:`~casework.domain.scoring.sheets.normalise`
    to trim: it reads the same before and after normalising and coercing."""
    return type(value) is str and value != "" and value == value.strip()


def _plain_frames(sheets: Sheets, columns: tuple[str, ...]) -> list[list[list[Any]]] | None:
    """Each sheet's columns as plain lists, in ``columns`` order; None unless every sheet is
    a non-empty frame with exactly those columns (any order, none twice)."""
    out = []
    for frame in as_sheet_list(sheets):
        if not isinstance(frame, pd.DataFrame) or len(frame) == 0:
            return None
        names = list(frame.columns)
        if len(names) != len(columns) or set(names) != set(columns):
            return None
        out.append([frame[c].tolist() for c in columns])
    return out


def _plainly_valid(
    rubric: RenewalRubric, sheets: Sheets, veto: Sheets | None
) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    """The validated (scores, veto answers) of sheets that pass every check of
    :func:`validate_renewal_sheet` as typed, checked in plain Python; None when anything is
    off (or merely unusual: text to trim, numbers typed as text, a blank sheet), leaving the
    full pandera path to list the problems or read the sheet.

    Checks, each the same as the pandera path's: REN-07 every text value non-empty, a known
    verdict, finite points of at least 0, every member judging every item exactly once with
    the points the verdict allows; REN-06 every scoring member answering every veto item
    exactly once with 是/否, and no one else answering.
    """
    frames = _plain_frames(sheets, _SCORE_COLUMNS)
    if not frames:
        return None
    full_points = rubric.item_points
    step = float(rubric.point_step)
    items = set(rubric.items[_ITEM])
    member: list[str] = []
    item_id: list[str] = []
    verdict: list[str] = []
    points: list[float] = []
    judged: dict[str, set[str]] = {}
    rows = 0
    for names, ids, verdicts, values in frames:
        for m, i, v, p in zip(names, ids, verdicts, values, strict=True):
            if not (_clean_text(m) and _clean_text(i) and _clean_text(v)):
                return None
            # float32 and friends would read differently through text: the full path decides.
            if isinstance(p, bool) or not isinstance(p, int | float | np.integer):
                return None
            if v not in rules.VERDICTS:
                return None
            x = float(p)
            if not (math.isfinite(x) and x >= 0) or i not in items:
                return None
            seen = judged.setdefault(m, set())
            if i in seen:
                return None
            seen.add(i)
            known = full_points.get(i)
            full = math.nan if known is None else float(known)
            if math.isnan(full):
                ok = True  # no points to hold the verdict to, as in _points_mismatch
            elif v == rules.VERDICT_FULL:
                ok = _isclose(x, full)
            elif v == rules.VERDICT_NONE:
                ok = _isclose(x, 0.0)
            else:
                ok = 0 < x < full - 1e-9 and _isclose(round(x / step) * step, x)
            if not ok:
                return None
            member.append(m)
            item_id.append(i)
            verdict.append(v)
            points.append(x)
            rows += 1
    if any(len(seen) != len(items) for seen in judged.values()):
        return None
    scores = pd.DataFrame(
        {"member": member, "item_id": item_id, "verdict": verdict, "points": points},
        index=pd.RangeIndex(rows),
    )
    if veto is None:
        return scores, None
    answers = _plain_veto(rubric, veto, judged)
    return None if answers is None else (scores, answers)


def _plain_veto(
    rubric: RenewalRubric, veto: Sheets, members: Mapping[str, object]
) -> pd.DataFrame | None:
    """The validated veto answers if every one of ``members`` (the scoring members) answers
    every veto item exactly once with a bool and no one else answers (REN-06); else None."""
    frames = _plain_frames(veto, _VETO_COLUMNS)
    if frames is None:
        return None
    wanted = set(rubric.veto_items[_VETO])
    answered: dict[str, set[str]] = {m: set() for m in members}
    member: list[str] = []
    veto_id: list[str] = []
    found: list[bool] = []
    for names, ids, answers in frames:
        for m, v, f in zip(names, ids, answers, strict=True):
            if not (_clean_text(m) and _clean_text(v) and isinstance(f, bool | np.bool_)):
                return None
            seen = answered.get(m)
            if seen is None or v not in wanted or v in seen:
                return None
            seen.add(v)
            member.append(m)
            veto_id.append(v)
            found.append(bool(f))
    if any(len(seen) != len(wanted) for seen in answered.values()):
        return None
    return pd.DataFrame(
        {"member": member, "veto_id": veto_id, "found": pd.array(found, dtype="boolean")},
        index=pd.RangeIndex(len(member)),
    )


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


def summarise_veto(rubric: RenewalRubric, answers: pd.DataFrame) -> VetoSummary:
    """The :class:`VetoSummary` of veto answers that already passed validation (REN-06)."""
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
    "summarise_veto",
    "totals_of",
    "validate_renewal_sheet",
    "validated_with_veto",
    "veto_summary",
]
