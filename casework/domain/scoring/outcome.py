"""The renewal group's result: composite score, grade and the Attachment 6 summary.

Builds on :mod:`casework.domain.scoring.renewal`:
the members' totals are combined into one composite
score (REN-04, REN-05), a confirmed veto item overrides it (REN-06), and the institution's
self-evaluation is set against the group's scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from casework.domain import rules
from casework.domain.rubrics import COMPOSITE_METHODS, MEAN, TRIMMED, RenewalRubric
from casework.domain.scoring.renewal import (
    GroupTotalsTable,
    VetoSummary,
    group_totals_of,
    summarise_veto,
    totals_of,
    validate_renewal_sheet,
    validated_with_veto,
)
from casework.domain.scoring.sheets import Sheets, problem_rows, raise_if_any
from casework.errors import RuleViolation

_CENT = Decimal("0.01")
_VERDICT_ORDER = (rules.VERDICT_NONE, rules.VERDICT_PARTIAL, rules.VERDICT_FULL)


def round_half_up(value: float) -> float:
    """``value`` to 2 decimals, halves rounded up (59.995 → 60.0), via its decimal spelling."""
    return float(Decimal(repr(float(value))).quantize(_CENT, rounding=ROUND_HALF_UP))


def composite(
    totals: pd.Series | Mapping[str, float] | Sequence[float], method: str = MEAN
) -> float:
    """The group's composite score from 3–5 member totals (REN-04, Att.6 综合得分).

    The notice does not say how the members' scores are combined; casework offers:

    * ``"mean"`` — the arithmetic mean;
    * ``"trimmed"`` — drop one highest and one lowest total, then the mean of the rest (for a
      group of 3 that is the median).

    The result is rounded to 2 decimals with halves rounded up (computed in ``Decimal`` from
    each total's decimal spelling, so 59.995 becomes 60.00 and passes).

    Raises:
        RuleViolation: fewer than ``rules.GROUP_MIN`` or more than ``rules.GROUP_MAX`` totals
            (REN-04), or a total outside 0–100 (REN-07).
        ValueError: an unknown ``method``.
    """
    if isinstance(totals, pd.Series):
        values = [float(v) for v in totals.to_numpy()]
    elif isinstance(totals, Mapping):
        values = [float(v) for v in totals.values()]
    else:
        values = [float(v) for v in totals]
    if not rules.GROUP_MIN <= len(values) <= rules.GROUP_MAX:
        raise RuleViolation(
            f"续期评估组应有 {rules.GROUP_MIN}—{rules.GROUP_MAX} 名成员评分，"
            f"现有 {len(values)} 份成员总分",
            rule_id="REN-04",
            count=len(values),
        )
    for value in values:
        if math.isnan(value) or not 0 <= value <= rules.MAX_SCORE:
            raise RuleViolation(
                f"成员总分 {value:g} 不在 0—{rules.MAX_SCORE:g} 分之间", rule_id="REN-07"
            )
    if method not in COMPOSITE_METHODS:
        raise ValueError(f"未知的综合得分计算方法“{method}”，应为 {' 或 '.join(COMPOSITE_METHODS)}")
    used = sorted(values)[1:-1] if method == TRIMMED else values
    exact = sum((Decimal(repr(v)) for v in used), Decimal(0)) / len(used)
    return float(exact.quantize(_CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Grade:
    """The result of a renewal evaluation (REN-05, REN-06); ``str()`` is the label.

    ``pass_mark`` is the mark the composite was held against: the rubric's (REN-05).
    """

    label: str
    composite: float
    veto_found: bool
    report_immediately: bool
    pass_mark: float = rules.PASS_MARK

    @property
    def passed(self) -> bool:
        """True for 合格."""
        return self.label == rules.GRADE_PASS

    def __str__(self) -> str:
        return self.label


def grade(
    composite: float, veto_found: bool = False, *, rubric: RenewalRubric | None = None
) -> Grade:
    """合格 from the pass mark (included) up to 100, else 不合格 (REN-05, Att.6 备注1).

    The pass mark is the ``rubric``'s (the Attachment 4 revision the sheets were scored under);
    without one it is the notice's ``rules.PASS_MARK`` (60).
    A veto item found by the group makes the result 不合格 whatever the score and sets
    ``report_immediately``: the group reports it to the city at once (REN-06, Att.6 备注2).
    The composite is compared as given; :func:`composite` has already rounded it.

    Raises:
        RuleViolation: ``composite`` is not a number between 0 and 100 (REN-05).
    """
    value = float(composite)
    if math.isnan(value) or not 0 <= value <= rules.MAX_SCORE:
        raise RuleViolation(
            f"综合得分 {value:g} 不在 0—{rules.MAX_SCORE:g} 分之间", rule_id="REN-05"
        )
    mark = rules.PASS_MARK if rubric is None else rubric.pass_mark
    passed = value >= mark and not veto_found
    label = rules.GRADE_PASS if passed else rules.GRADE_FAIL
    return Grade(label, value, bool(veto_found), bool(veto_found), mark)


class ItemDeltaTable(pa.DataFrameModel):
    """Per item: the institution's self-score against the group (REN-02, REN-04)."""

    item_id: Series[str]
    group_no: Series[int]
    group: Series[str]
    full_points: Series[float]
    self_points: Series[float]
    group_mean: Series[float]
    delta: Series[float]
    verdict_self: Series[str] = pa.Field(isin=list(rules.VERDICTS))
    verdict_group_mode: Series[str] = pa.Field(isin=list(rules.VERDICTS))

    class Config:
        strict = True


class GroupDeltaTable(pa.DataFrameModel):
    """Per 一级指标: the institution's self-score against the group."""

    group_no: Series[int]
    group: Series[str]
    max_points: Series[float]
    self_points: Series[float]
    group_mean: Series[float]
    delta: Series[float]

    class Config:
        strict = True


@dataclass(frozen=True, eq=False)
class SelfGroupDelta:
    """Self-evaluation (Attachment 4 as submitted, REN-02) against the group's scores.

    Attributes:
        items: per item (``ItemDeltaTable``); delta = self − group mean.
        groups: per 一级指标 (``GroupDeltaTable``), the sums of ``items``.
        self_total / group_mean_total / delta_total: the same over the whole sheet.
    """

    items: DataFrame[ItemDeltaTable]
    groups: DataFrame[GroupDeltaTable]
    self_total: float
    group_mean_total: float
    delta_total: float


def self_vs_group_delta(
    rubric: RenewalRubric, self_sheet: pd.DataFrame, group_sheets: Sheets
) -> SelfGroupDelta:
    """Where the institution scored itself above or below the group (REN-02, REN-04).

    ``group_mean`` is the mean of the members' points, ``verdict_group_mode`` the verdict most
    members gave; on a tie the lower verdict is shown (不符合 < 基本符合 < 符合). Means and
    deltas are rounded to 2 decimals, halves up.

    Raises:
        SheetInvalid: a sheet fails :func:`validate_renewal_sheet`, or the self sheet holds
            more than one filler.
    """
    own = validate_renewal_sheet(rubric, self_sheet)
    _one_filler(own)
    return _delta(rubric, own, validate_renewal_sheet(rubric, group_sheets))


def _one_filler(own: pd.DataFrame) -> None:
    """REN-02: a validated self sheet holds one filler, else SheetInvalid."""
    if own["member"].nunique() != 1:
        extra = own.drop_duplicates("member").iloc[1:].assign(_sheet="自评表", _row=None)
        raise_if_any(
            [
                problem_rows(
                    extra,
                    {"成员": "member", "值": "member"},
                    列="member",
                    要求="自评表只能有一个填写单位",
                    规则="REN-02",
                    代码="several_fillers",
                )
            ],
            "自评表未通过校验",
            "REN-02",
        )


def _delta(rubric: RenewalRubric, own: pd.DataFrame, group: pd.DataFrame) -> SelfGroupDelta:
    """:func:`self_vs_group_delta` of a self sheet and group scores already validated."""
    _one_filler(own)
    items = rubric.items[["item_id", "group_no", "group", "points"]].rename(
        columns={"points": "full_points"}
    )
    items = items.reset_index(drop=True)
    mine = own.set_index("item_id")
    counts = pd.crosstab(group["item_id"], group["verdict"]).reindex(
        columns=list(_VERDICT_ORDER), fill_value=0
    )
    items["self_points"] = items["item_id"].map(mine["points"]).astype(float)
    items["group_mean"] = items["item_id"].map(group.groupby("item_id")["points"].mean())
    items["delta"] = items["self_points"] - items["group_mean"]
    items["verdict_self"] = items["item_id"].map(mine["verdict"]).astype(str)
    items["verdict_group_mode"] = items["item_id"].map(counts.idxmax(axis=1)).astype(str)
    sums = ["full_points", "self_points", "group_mean", "delta"]
    groups = (
        items.groupby(["group_no", "group"], sort=True)[sums]
        .sum()
        .reset_index()
        .rename(columns={"full_points": "max_points"})
    )
    # Round only for display, after summing, so the group sums are the sums of exact means.
    totals = [round_half_up(float(items[c].sum())) for c in ("self_points", "group_mean", "delta")]
    for frame in (items, groups):
        for column in ("group_mean", "delta"):
            frame[column] = frame[column].map(round_half_up)
    return SelfGroupDelta(ItemDeltaTable.validate(items), GroupDeltaTable.validate(groups), *totals)


@dataclass(frozen=True, eq=False)
class Attachment6Summary:
    """What the renewal group leader signs off in Attachment 6 and the registry stores.

    Attributes:
        rubric_id / rubric_version: the Attachment 4 revision the sheets were scored under.
        member_totals: member → total (专家评分).
        group_totals: per member and 一级指标 (``GroupTotalsTable``).
        method: how the composite was formed (see :func:`composite`).
        composite / grade: 综合得分和等次 (REN-05, REN-06).
        veto: the group's veto findings (REN-06).
        delta: self-evaluation against the group, when the self sheet was given.
    """

    rubric_id: str
    rubric_version: str
    member_totals: pd.Series
    group_totals: DataFrame[GroupTotalsTable]
    method: str
    composite: float
    grade: Grade
    veto: VetoSummary
    delta: SelfGroupDelta | None = None

    @property
    def members(self) -> tuple[str, ...]:
        """The members who scored, in sheet order."""
        return tuple(str(m) for m in self.member_totals.index)

    def to_record(self) -> dict[str, Any]:
        """Plain values (str, float, bool, list, dict) for storage or JSON."""
        return {
            "rubric_id": self.rubric_id,
            "rubric_version": self.rubric_version,
            "member_totals": {str(k): float(v) for k, v in self.member_totals.items()},
            "method": self.method,
            "composite": self.composite,
            "grade": self.grade.label,
            "veto_found": self.grade.veto_found,
            "report_immediately": self.grade.report_immediately,
            "veto_items_found": list(self.veto.found_items),
            "self_total": None if self.delta is None else self.delta.self_total,
        }


def renewal_outcome(
    rubric: RenewalRubric,
    sheets: Sheets,
    veto_sheets: Sheets,
    self_sheet: pd.DataFrame | None = None,
    method: str | None = None,
) -> Attachment6Summary:
    """The renewal group's result from its members' sheets (REN-04 … REN-07, Attachment 6).

    The composite method and the pass mark are the ``rubric``'s (its ``composite_method`` and
    ``pass_mark``); a ``method`` given here overrides the rubric's method, for a what-if view.

    Raises:
        SheetInvalid: any score or veto sheet has a problem (all are listed at once).
        RuleViolation: the group has fewer than 3 or more than 5 members (REN-04).
    """
    # Validated once here (REN-06, REN-07); the summaries below read the validated frames.
    scores, answers = validated_with_veto(rubric, sheets, veto_sheets)
    totals = totals_of(scores)
    method = method or rubric.composite_method
    score = composite(totals, method)
    veto = summarise_veto(rubric, answers)
    return Attachment6Summary(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        member_totals=totals,
        group_totals=group_totals_of(rubric, scores),
        method=method,
        composite=score,
        grade=grade(score, veto.veto_found, rubric=rubric),
        veto=veto,
        delta=None
        if self_sheet is None
        else _delta(rubric, validate_renewal_sheet(rubric, self_sheet), scores),
    )


__all__ = [
    "COMPOSITE_METHODS",
    "MEAN",
    "TRIMMED",
    "Attachment6Summary",
    "Grade",
    "GroupDeltaTable",
    "ItemDeltaTable",
    "SelfGroupDelta",
    "composite",
    "grade",
    "renewal_outcome",
    "round_half_up",
    "self_vs_group_delta",
]
