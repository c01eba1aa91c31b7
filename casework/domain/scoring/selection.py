"""The selection panel's checklists against Attachment 1 (SEL-03, SEL-04).

Each member of the panel ticks every sub-condition of Attachment 1 (and the city's
supplementary conditions) as met or not. :func:`evaluate_selection` checks the checklists,
forms the panel's judgement of each condition and decides whether the applicant qualifies
(every mandatory and supplementary condition met) and has priority (any priority condition met).

Per project (SEL-04, issue #14): Attachment 1 words some conditions about the project applied
for itself — its site and equipment (2.3), its examiners and experts (4.3, 4.4), its question
bank (5.1, 5.2), the applicant's standing and experience in it (6.1, 6.2). The rubric marks them
``per_project``; a member judges each of them once per project (a ``project_code`` on the row)
and the panel finds, project by project, which projects the applicant qualifies for: the
general conditions met, and every per-project condition met for that project. A checklist row
of a per-project condition without a project code (every sheet before issue #14) is the
member's judgement of all the projects alike.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Final, cast

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from casework.domain import rules
from casework.domain.rubrics import MANDATORY, PRIORITY, SelectionRubric
from casework.domain.scoring.sheets import (
    Sheets,
    as_sheet_list,
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
    """One panel member's checklist: each sub-condition met or not (SEL-04); a per-project
    condition once per project applied for (``project_code``), or once without a code for all
    the projects alike."""

    member: Series[str] = pa.Field(str_length=_NONEMPTY)
    sub_id: Series[str] = pa.Field(str_length=_NONEMPTY)
    met: Series[pd.BooleanDtype] = pa.Field()
    note: Series[str] | None = pa.Field(nullable=True)
    project_code: Series[str] | None = pa.Field(nullable=True)

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


class ProjectVerdictTable(pa.DataFrameModel):
    """Per project applied for and per-project condition: how the panel judged it (SEL-04)."""

    project_code: Series[str]
    sub_id: Series[str]
    text: Series[str]
    members_met: Series[int] = pa.Field(ge=0)
    members_total: Series[int] = pa.Field(ge=0)
    met_by: Series[str]
    not_met_by: Series[str]
    panel_met: Series[bool]

    class Config:
        strict = True
        coerce = True


_REQUIREMENTS = {
    "member": "应填写评估组成员姓名",
    "sub_id": "应填写条件编号（如 1.1、S1）",
    "met": "应为“是”或“否”",
    "note": "备注应为文字",
    "project_code": "项目编号应为文字",
}
_JUDGED = ("members_met", "members_total", "met_by", "not_met_by", "panel_met")


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
        projects: the projects applied for that were judged one by one (empty when the
            checklists name none and none were given: then every condition is judged once).
        per_project: one row per project and per-project condition (``ProjectVerdictTable``).
        eligible_projects: the projects the applicant qualifies for (general conditions met
            and every per-project condition met for it); with no ``projects`` this is empty.
        project_unmet: project → the per-project sub_ids the panel judged not met for it.

    With projects, ``eligible`` means the applicant qualifies for at least one of them and
    ``unmet`` lists every condition not met (in general or for some project); the per-project
    conditions' rows in ``per_condition`` are met only when met for every project.
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
    projects: tuple[str, ...] = ()
    per_project: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(ProjectVerdictTable.to_schema().columns))
    )
    eligible_projects: tuple[str, ...] = ()
    project_unmet: dict[str, tuple[str, ...]] = field(default_factory=dict)


def evaluate_selection(
    rubric: SelectionRubric,
    sheets: Sheets,
    supplementary: pd.DataFrame | None = None,
    *,
    rule: str = MAJORITY,
    projects: Sequence[str] | None = None,
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
        projects: the project codes applied for; the per-project conditions are judged for
            each of them. ``None``: the codes the checklists name (none: judged once).

    Raises:
        SheetInvalid: all problems at once — a panel of fewer than ``rules.PANEL_MIN`` or more
            than ``rules.PANEL_MAX`` members (SEL-03); a sub-condition a member skipped or
            judged twice, an unknown sub_id, an unreadable answer, a project code on a general
            condition or one not applied for, a per-project condition a member left out for a
            project (SEL-04).
        ValueError: an unknown ``rule``.
    """
    if rule not in PANEL_RULES:
        raise ValueError(f"未知的评估组判定规则“{rule}”，应为 {' 或 '.join(PANEL_RULES)}")
    conditions, problems = _conditions(rubric, supplementary)
    split = set(rubric.per_project)
    plain = (
        _plainly_valid(sheets, conditions, split, projects)
        if all(p.empty for p in problems)
        else None
    )
    if plain is not None:
        validated, members, codes = plain
    else:
        validated, members, codes = _checked(sheets, conditions, split, projects, problems)
    expected = _expand(conditions.assign(member=""), split, codes)
    answers = _expand(validated.astype({"met": bool}), split, codes)
    judged = _judge(expected.drop(columns="member"), answers, len(members), rule)
    table, per_project = _per_condition(conditions, judged, split if codes else set())
    must = table["kind"].isin([MANDATORY, SUPPLEMENTARY])
    unmet = tuple(table.loc[must & ~table["panel_met"], "sub_id"])
    priority_met = tuple(table.loc[(table["kind"] == PRIORITY) & table["panel_met"], "sub_id"])
    general = table["sub_id"].isin(split) if codes else pd.Series(False, index=table.index)
    general_met = not (must & ~general & ~table["panel_met"]).any()
    project_unmet = {
        code: tuple(
            per_project.loc[
                (per_project["project_code"] == code) & ~per_project["panel_met"], "sub_id"
            ]
        )
        for code in codes
    }
    eligible_projects = tuple(c for c in codes if general_met and not project_unmet[c])
    eligible = bool(eligible_projects) if codes else not unmet
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
        projects=tuple(codes),
        per_project=ProjectVerdictTable.validate(per_project),
        eligible_projects=eligible_projects,
        project_unmet=project_unmet,
    )


def _checked(
    sheets: Sheets,
    conditions: pd.DataFrame,
    split: set[str],
    projects: Sequence[str] | None,
    problems: list[pd.DataFrame],
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The full pandera path: (validated checklists, members, project codes), or
    SheetInvalid listing every problem (SEL-03, SEL-04) with ``problems`` found before."""
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
    codes = (
        list(dict.fromkeys(str(p) for p in projects))
        if projects is not None
        else sorted(set(_codes(checked.raw)[lambda c: c != ""]))
    )
    keyed = _expand(keyed_rows(checked.raw, "member", "sub_id"), split, codes)
    expected = _expand(conditions.assign(member=""), split, codes)
    members = members_of(checked.raw)
    problems.append(_panel_size(members))
    # A per-project condition is asked of each member once per project: 5.1@P1, 5.1@P2 …
    as_asked = keyed.drop(columns="sub_id").rename(columns={"key": "sub_id"})
    problems += presence_problems(
        as_asked, "sub_id", expected["key"], members_of(keyed), rule="SEL-04", what="条件"
    )
    raise_if_any(problems, "遴选评估表未通过校验", "SEL-04")
    assert checked.validated is not None
    return checked.validated, members, codes


_SHEET_COLUMNS = ("member", "sub_id", "met", "note", "project_code")
_SHEET_REQUIRED = frozenset(("member", "sub_id", "met"))


def _plainly_valid(
    sheets: Sheets,
    conditions: pd.DataFrame,
    split: set[str],
    projects: Sequence[str] | None,
) -> tuple[pd.DataFrame, list[str], list[str]] | None:
    """(validated checklists, members, project codes) of checklists that pass every check of
    the full path as typed, checked in plain Python; None when anything is off or merely
    unusual (text to trim, a missing note, answers typed as text …): the full pandera path
    then lists the problems or reads the sheets.

    The checks are the full path's: SEL-03 a panel of ``rules.PANEL_MIN``–``rules.PANEL_MAX``
    members; SEL-04 every text value non-empty, 是/否 answers, each member judging every
    condition (a per-project one for every project, or once for all alike) exactly once and
    nothing else.
    """
    frames: list[pd.DataFrame] = []
    for frame in as_sheet_list(sheets):
        if not isinstance(frame, pd.DataFrame) or len(frame) == 0:
            return None
        names = list(frame.columns)
        if len(set(names)) != len(names) or not _SHEET_REQUIRED <= set(names) <= set(
            _SHEET_COLUMNS
        ):
            return None
        frames.append(frame)
    if not frames:
        return None
    columns = [c for c in _SHEET_COLUMNS if c in frames[0].columns]
    if any(set(f.columns) != set(columns) for f in frames):
        return None
    data: dict[str, list[object]] = {c: [] for c in columns}
    for frame in frames:
        for column in columns:
            data[column] += frame[column].tolist()
    given: list[str] = []
    for column in ("member", "sub_id"):
        if not all(_clean_text(v) for v in data[column]):
            return None
    if not all(isinstance(v, bool | np.bool_) for v in data["met"]):
        return None
    if "note" in data and not all(
        _null(v) or (type(v) is str and v == v.strip()) for v in data["note"]
    ):
        return None
    if "project_code" in data:
        for v in data["project_code"]:
            if _null(v):
                given.append("")
            elif type(v) is str and v == v.strip():
                given.append(v)
            else:
                return None
    else:
        given = [""] * len(data["member"])
    members = list(dict.fromkeys(cast(list[str], data["member"])))
    if not rules.PANEL_MIN <= len(members) <= rules.PANEL_MAX:
        return None
    codes = (
        list(dict.fromkeys(str(p) for p in projects))
        if projects is not None
        else sorted({c for c in given if c != ""})
    )
    wanted: set[str] = set()
    for sub_id in conditions["sub_id"]:
        if sub_id in split and codes:
            wanted.update(f"{sub_id}@{c}" for c in codes)
        else:
            wanted.add(str(sub_id))
    judged: dict[str, set[str]] = {m: set() for m in members}
    for member, sub_id, code in zip(data["member"], data["sub_id"], given, strict=True):
        if code == "" and sub_id in split and codes:
            keys = [f"{sub_id}@{c}" for c in codes]
        else:
            keys = [f"{sub_id}@{code}" if code else str(sub_id)]
        seen = judged[cast(str, member)]
        for key in keys:
            if key not in wanted or key in seen:
                return None
            seen.add(key)
    if any(len(seen) != len(wanted) for seen in judged.values()):
        return None
    validated = pd.DataFrame(
        {
            c: pd.array([bool(v) for v in data[c]], dtype="boolean") if c == "met" else data[c]
            for c in columns
        },
        index=pd.RangeIndex(len(data["member"])),
    )
    return validated, members, codes


def _null(value: object) -> bool:
    """None, NaN or NA: a blank cell of a nullable column (read as no project code)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _clean_text(value: object) -> bool:
    """A non-empty ``str`` with nothing for :func:`~casework.domain.scoring.sheets.normalise`
    to trim."""
    return type(value) is str and value != "" and value == value.strip()


def _codes(frame: pd.DataFrame) -> pd.Series:
    """The project code of each row ("" where none is given)."""
    if "project_code" not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    code = frame["project_code"]
    return code.astype(object).where(code.notna(), "").astype(str).str.strip()


def _expand(frame: pd.DataFrame, split: set[str], projects: Sequence[str]) -> pd.DataFrame:
    """Rows keyed by what they judge: ``key`` = the sub_id of a general condition, or
    ``sub_id@project`` of a per-project one (SEL-04). A per-project row without a code stands
    for every project (a checklist kept from before the per-project reading). A code on a
    general condition, or one not applied for, keys a condition no sheet is asked for, so it
    is reported as unknown."""
    frame = frame.assign(project_code=_codes(frame))
    if not len(frame):
        return frame.assign(key=pd.Series(dtype=object))
    per = frame["sub_id"].astype(str).isin(split) & bool(projects)
    alike = frame[per & (frame["project_code"] == "")]
    if len(alike):
        spread = alike.loc[alike.index.repeat(len(projects))].copy()
        spread["project_code"] = list(projects) * len(alike)
        frame = pd.concat([frame[~(per & (frame["project_code"] == ""))], spread])
    key = frame["sub_id"].astype(str)
    coded = frame["project_code"] != ""
    return frame.assign(key=key.where(~coded, key + "@" + frame["project_code"]))


def _per_condition(
    conditions: pd.DataFrame, judged: pd.DataFrame, split: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per condition, and one per (project, per-project condition).

    A per-project condition is met in ``per_condition`` only when met for every project; its
    counts are the least of the projects', met_by the members who ticked it for every project
    and not_met_by those who did not tick it for some project."""
    per = judged["project_code"].ne("") & judged["sub_id"].isin(split)
    columns = ["project_code", "sub_id", "text", *_JUDGED]
    projects = judged.loc[per, columns].reset_index(drop=True)
    general_rows = judged.loc[~per, ["sub_id", *_JUDGED]].to_dict("records")
    general: dict[object, dict[str, object]] = {}
    for r in general_rows:
        general.setdefault(r["sub_id"], {k: r[k] for k in _JUDGED})
    by_sub: dict[object, list[dict[str, object]]] = {}
    for r in projects.to_dict("records"):
        by_sub.setdefault(r["sub_id"], []).append({str(k): v for k, v in r.items()})
    rows = []
    for sub_id in conditions["sub_id"]:
        if sub_id in general:
            rows.append(general[sub_id])
            continue
        part = by_sub.get(sub_id, [])
        met_by = [r["met_by"] for r in part]
        not_met_by = [r["not_met_by"] for r in part]
        names = [set(filter(None, str(v).split("、"))) for v in met_by]
        everyone = set.intersection(*names) if names else set()
        failed = set().union(*(filter(None, str(v).split("、")) for v in not_met_by))
        order = [m for v in met_by + not_met_by for m in str(v).split("、") if m]
        order = list(dict.fromkeys(order))
        rows.append(
            {
                "members_met": min(int(cast(int, r["members_met"])) for r in part),
                "members_total": max(int(cast(int, r["members_total"])) for r in part),
                "met_by": "、".join(m for m in order if m in everyone),
                "not_met_by": "、".join(m for m in order if m in failed),
                "panel_met": all(bool(r["panel_met"]) for r in part),
            }
        )
    table = conditions.reset_index(drop=True).join(pd.DataFrame(rows, columns=list(_JUDGED)))
    table = table.astype({"members_met": int, "members_total": int, "panel_met": bool})
    projects = projects.astype({"members_met": int, "members_total": int, "panel_met": bool})
    return table, projects


_CONDITIONS: dict[Hashable, tuple[SelectionRubric, pd.DataFrame, list[pd.DataFrame]]] = {}
_CONDITIONS_KEPT = 64


def _conditions(
    rubric: SelectionRubric, supplementary: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Attachment 1's conditions followed by the city's; problems of the supplementary table.

    Every panel of a call judges the same conditions: they are checked once per rubric and
    supplementary table (both by value: ``rubrics.load`` hands out a fresh copy of a rubric
    each time) and handed out as copies.
    """
    key: Hashable = None
    base = rubric.conditions[["sub_id", "item_no", "kind", "text"]]
    if (
        supplementary is None
        or all(
            isinstance(v, str | int | float | bool | None) for v in supplementary.to_numpy().flat
        )
    ) and all(isinstance(v, str | int | None) for v in base.to_numpy().flat):
        key = (
            rubric.id,
            rubric.version,
            tuple(base.astype(object).itertuples(index=True, name=None)),
            None
            if supplementary is None
            else (
                tuple(map(str, supplementary.columns)),
                tuple(supplementary.index.tolist()),
                tuple(supplementary.astype(object).itertuples(index=False, name=None)),
            ),
        )
    cached = _CONDITIONS.get(key) if key is not None else None
    if cached is not None:
        conditions, problems = cached[1], cached[2]
    else:
        conditions, problems = _conditions_of(rubric, supplementary)
        if key is not None:
            if len(_CONDITIONS) >= _CONDITIONS_KEPT:
                _CONDITIONS.clear()
            _CONDITIONS[key] = (rubric, conditions, problems)
    return conditions.copy(), [p.copy() for p in problems]


def _conditions_of(
    rubric: SelectionRubric, supplementary: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
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
    """Count the ticks per judged ``key`` (a condition, or a condition for one project) and
    apply the panel rule (vectorised)."""
    answers = answers.assign(member=answers["member"].astype(str))
    ticked = answers[answers["met"]].groupby("key", sort=False)["member"]
    unticked = answers[~answers["met"]].groupby("key", sort=False)["member"]
    table = conditions.copy()
    table["members_met"] = table["key"].map(ticked.size()).fillna(0).astype(int)
    table["members_total"] = panel
    table["met_by"] = table["key"].map(ticked.agg("、".join)).astype(object).fillna("").astype(str)
    table["not_met_by"] = (
        table["key"].map(unticked.agg("、".join)).astype(object).fillna("").astype(str)
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
    "ProjectVerdictTable",
    "SelectionSheetTable",
    "SelectionVerdict",
    "SupplementaryConditionsTable",
    "evaluate_selection",
]
