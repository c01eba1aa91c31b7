"""Specifications of selection and renewal scoring (SEL-03, SEL-04, REN-04 … REN-07)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from casework.domain import rubrics, rules, scoring
from casework.errors import NotFound, RuleViolation, SheetInvalid, ValidationFailed
from tests.test_rubrics import ATT4_GROUP_POINTS

BASELINE = "2025.1"
MEMBERS = ("张三", "李四", "王五", "赵六", "钱七", "孙八")


@pytest.fixture
def renewal() -> rubrics.RenewalRubric:
    return rubrics.load(rubrics.RENEWAL, BASELINE)


@pytest.fixture
def selection() -> rubrics.SelectionRubric:
    return rubrics.load(rubrics.SELECTION, BASELINE)


def checklist(
    rubric: rubrics.SelectionRubric,
    member: str,
    unmet: Iterable[str] = (),
    extra: Iterable[str] = (),
    answers: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """A member's checklist ticking every condition except ``unmet``; ``answers`` as typed."""
    ids = [*rubric.conditions["sub_id"], *extra]
    typed = dict(answers or {})
    met = [typed.get(i, i not in set(unmet)) for i in ids]
    return pd.DataFrame({"member": member, "sub_id": ids, "met": met, "note": None})


def score_sheet(
    rubric: rubrics.RenewalRubric,
    member: str,
    changes: Mapping[str, tuple[str, object]] | None = None,
) -> pd.DataFrame:
    """A member's Attachment 4 sheet: 符合 with full points, except ``changes``."""
    full = rubric.item_points
    scored = {i: (rules.VERDICT_FULL, full[i]) for i in full} | dict(changes or {})
    return pd.DataFrame(
        [(member, i, verdict, points) for i, (verdict, points) in scored.items()],
        columns=["member", "item_id", "verdict", "points"],
    )


def veto_sheet(
    rubric: rubrics.RenewalRubric,
    member: str,
    found: Iterable[str] = (),
    answers: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """A member's veto answers: 是 for ``found``, 否 otherwise; ``answers`` as typed."""
    typed = dict(answers or {})
    ids = list(rubric.veto_items["veto_id"])
    answered = [typed.get(i, i in set(found)) for i in ids]
    return pd.DataFrame({"member": member, "veto_id": ids, "found": answered})


def refusal(call: object, *args: object, **kwargs: object) -> pd.DataFrame:
    """The problems table of the SheetInvalid that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(SheetInvalid) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert list(caught.value.problems.columns) == list(scoring.PROBLEM_COLUMNS)
    return caught.value.problems


# --- Selection: SEL-03 panel size -----------------------------------------------------------


@pytest.mark.parametrize("size", [rules.PANEL_MIN, 4, rules.PANEL_MAX])
def test_sel03_panel_of_three_to_five_members_is_accepted(
    selection: rubrics.SelectionRubric, size: int
) -> None:
    sheets = [checklist(selection, m) for m in MEMBERS[:size]]

    verdict = scoring.evaluate_selection(selection, sheets)

    assert verdict.members == MEMBERS[:size]
    assert verdict.eligible


@pytest.mark.parametrize("size", [rules.PANEL_MIN - 1, rules.PANEL_MAX + 1])
def test_sel03_panel_outside_three_to_five_members_is_refused(
    selection: rubrics.SelectionRubric, size: int
) -> None:
    sheets = [checklist(selection, m) for m in MEMBERS[:size]]

    problems = refusal(scoring.evaluate_selection, selection, sheets)

    assert problems[["规则", "代码", "值"]].values.tolist() == [
        ["SEL-03", "panel_size", f"{size} 人"]
    ]


# --- Selection: SEL-04 mandatory, supplementary and priority conditions ---------------------


def test_sel04_applicant_meeting_every_condition_is_eligible_with_priority(
    selection: rubrics.SelectionRubric,
) -> None:
    sheets = [checklist(selection, m) for m in MEMBERS[:3]]

    verdict = scoring.evaluate_selection(selection, sheets)

    assert (verdict.eligible, verdict.priority, verdict.unmet) == (True, True, ())
    assert verdict.priority_met == ("8.1", "9.1", "10.1")
    assert verdict.per_condition["met_by"].eq("张三、李四、王五").all()
    assert (verdict.rubric_id, verdict.rubric_version) == ("selection-2025.1", BASELINE)


def test_sel04_one_unmet_mandatory_sub_condition_makes_the_applicant_ineligible(
    selection: rubrics.SelectionRubric,
) -> None:
    sheets = [checklist(selection, m, unmet=["4.2"]) for m in MEMBERS[:3]]

    verdict = scoring.evaluate_selection(selection, sheets)

    assert (verdict.eligible, verdict.priority, verdict.unmet) == (False, False, ("4.2",))
    row = verdict.per_condition.set_index("sub_id").loc["4.2"]
    assert (row["kind"], row["members_met"], row["not_met_by"]) == ("必备", 0, "张三、李四、王五")


def test_sel04_unmet_city_supplementary_condition_makes_the_applicant_ineligible(
    selection: rubrics.SelectionRubric,
) -> None:
    city = pd.DataFrame({"sub_id": ["S1", "S2"], "text": ["本市设有服务网点", "近两年无投诉"]})
    sheets = [checklist(selection, m, unmet=["S2"], extra=["S1", "S2"]) for m in MEMBERS[:3]]

    verdict = scoring.evaluate_selection(selection, sheets, city)

    assert (verdict.eligible, verdict.unmet) == (False, ("S2",))
    assert verdict.per_condition["kind"].tail(2).tolist() == ["补充", "补充"]


@pytest.mark.parametrize(
    ("unmet", "priority"),
    [(["8.1", "9.1", "10.1"], False), (["8.1", "9.1"], True), (["1.1", "9.1", "10.1"], False)],
    ids=["no-priority", "one-priority", "ineligible-with-priority"],
)
def test_sel04_priority_needs_eligibility_and_any_one_priority_condition(
    selection: rubrics.SelectionRubric, unmet: list[str], priority: bool
) -> None:
    sheets = [checklist(selection, m, unmet=unmet) for m in MEMBERS[:3]]

    verdict = scoring.evaluate_selection(selection, sheets)

    assert verdict.priority is priority


@pytest.mark.parametrize(
    ("size", "ticks", "rule", "met"),
    [
        (3, 2, scoring.MAJORITY, True),
        (4, 2, scoring.MAJORITY, False),
        (5, 3, scoring.MAJORITY, True),
        (3, 2, scoring.UNANIMOUS, False),
        (3, 3, scoring.UNANIMOUS, True),
    ],
)
def test_panel_holds_a_condition_met_by_majority_or_unanimity(
    selection: rubrics.SelectionRubric, size: int, ticks: int, rule: str, met: bool
) -> None:
    sheets = [
        checklist(selection, m, unmet=[] if k < ticks else ["3.1"])
        for k, m in enumerate(MEMBERS[:size])
    ]

    verdict = scoring.evaluate_selection(selection, sheets, rule=rule)

    assert verdict.per_condition.set_index("sub_id").loc["3.1", "panel_met"] == met
    assert verdict.eligible is met


def test_sel04_every_checklist_problem_is_listed_at_once(
    selection: rubrics.SelectionRubric,
) -> None:
    skipped = checklist(selection, "张三").drop(index=4)
    odd = checklist(selection, "李四", answers={"1.1": "也许"})
    odd.loc[1, "sub_id"] = "11.1"
    twice = pd.concat([checklist(selection, "王五"), checklist(selection, "王五").head(1)])

    problems = refusal(scoring.evaluate_selection, selection, [skipped, odd, twice.reset_index()])

    found = problems[["表", "成员", "项目", "代码"]].values.tolist()
    assert ["评估表1", "张三", "2.3", "missing_sub_id"] in found
    assert ["评估表2", "李四", "1.1", "wrong_type"] in found
    assert ["评估表2", "李四", "11.1", "unknown_sub_id"] in found
    assert ["评估表2", "李四", "1.2", "missing_sub_id"] in found
    assert ["评估表3", "王五", None, "unexpected_column"] in found
    assert ["评估表3", "王五", "1.1", "duplicate_sub_id"] in found
    assert set(problems["规则"]) == {"SEL-04"}


@pytest.mark.parametrize("spelling", ["否", "False", "0", "×", "不符合", False])
def test_answers_spelled_as_no_are_read_as_not_met(
    selection: rubrics.SelectionRubric, spelling: object
) -> None:
    sheets = [checklist(selection, m, answers={"1.2": spelling}) for m in MEMBERS[:3]]

    verdict = scoring.evaluate_selection(selection, sheets)

    assert verdict.unmet == ("1.2",)


def test_sel03_supplementary_condition_may_not_reuse_an_attachment_1_id(
    selection: rubrics.SelectionRubric,
) -> None:
    city = pd.DataFrame({"sub_id": ["1.1"], "text": ["重复编号"]})
    sheets = [checklist(selection, m) for m in MEMBERS[:3]]

    problems = refusal(scoring.evaluate_selection, selection, sheets, city)

    assert problems[["表", "代码", "规则"]].values.tolist() == [
        ["补充条件表1", "clashing_sub_id", "SEL-03"]
    ]


def test_unknown_panel_rule_is_refused(selection: rubrics.SelectionRubric) -> None:
    sheets = [checklist(selection, m) for m in MEMBERS[:3]]

    with pytest.raises(ValueError, match="判定规则"):
        scoring.evaluate_selection(selection, sheets, rule="plurality")


# --- Selection: SEL-04 per-project conditions (issue #14) ------------------------------------

PER_PROJECT = ("2.3", "4.3", "4.4", "5.1", "5.2", "6.1", "6.2")
"""Attachment 1 conditions worded about the project applied for itself."""


def per_project_checklist(
    rubric: rubrics.SelectionRubric,
    member: str,
    projects: Iterable[str],
    unmet: Iterable[tuple[str, str | None]] = (),
) -> pd.DataFrame:
    """A checklist with each per-project condition once per project; ``unmet`` (sub_id,
    project) pairs are ticked not met, everything else met."""
    missing = set(unmet)
    rows = []
    for sub_id, per in zip(rubric.conditions.sub_id, rubric.conditions.per_project, strict=True):
        for code in projects if per else [None]:
            rows.append((member, sub_id, (sub_id, code) not in missing, None, code))
    return pd.DataFrame(rows, columns=["member", "sub_id", "met", "note", "project_code"])


def test_sel04_attachment_1_conditions_about_the_project_applied_for_are_judged_per_project(
    selection: rubrics.SelectionRubric,
) -> None:
    """Sites (2.3), examiners and experts (4.3, 4.4), question bank (5.1, 5.2) and experience
    (6.1, 6.2) are worded about “所申报/每个专项职业能力考核项目”; 2.2 is the total area."""
    flagged = selection.per_project

    assert flagged == PER_PROJECT
    texts = selection.conditions.set_index("sub_id").text
    assert all(("所申报专项职业能力考核项目" in texts[s]) or ("每个" in texts[s]) for s in flagged)


@pytest.mark.parametrize(
    "path", sorted(rubrics.rubrics_dir().glob("selection-*.yaml")), ids=lambda p: p.name
)
def test_sel04_every_selection_rubric_marks_only_mandatory_conditions_per_project(
    path: Path,
) -> None:
    rubric = rubrics.load_file(path)
    assert isinstance(rubric, rubrics.SelectionRubric)

    flagged = rubric.conditions[rubric.conditions.per_project]

    assert set(flagged.kind) <= {rubrics.MANDATORY}


@pytest.mark.parametrize(
    ("item", "value", "need"),
    [(4, "yes", "应为 true 或 false"), (7, True, "只有“必备”条件")],
    ids=["not-a-flag", "priority-condition"],
)
def test_sel04_a_malformed_per_project_flag_is_refused(
    tmp_path: Path, item: int, value: object, need: str
) -> None:
    raw = yaml.safe_load((rubrics.rubrics_dir() / f"selection-{BASELINE}.yaml").read_text("utf-8"))
    raw["items"][item]["conditions"][0]["per_project"] = value
    path = tmp_path / f"selection-{BASELINE}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    with pytest.raises(ValidationFailed) as caught:
        rubrics.load_file(path)

    problems = caught.value.problems
    assert problems["要求"].str.contains(need).any()
    assert set(problems["列"]) == {"per_project"}


def test_sel04_panel_finds_the_applicant_qualified_for_some_projects_and_not_others(
    selection: rubrics.SelectionRubric,
) -> None:
    """A question bank missing for P2 (5.1) makes P2, and only P2, ineligible."""
    sheets = [
        per_project_checklist(selection, m, ["P1", "P2"], unmet=[("5.1", "P2")])
        for m in MEMBERS[:3]
    ]

    verdict = scoring.evaluate_selection(selection, sheets, projects=["P1", "P2"])

    assert verdict.eligible_projects == ("P1",)
    assert verdict.project_unmet == {"P1": (), "P2": ("5.1",)}
    assert verdict.eligible and verdict.unmet == ("5.1",)
    row = verdict.per_project.set_index(["project_code", "sub_id"]).loc[("P2", "5.1")]
    assert (row["members_met"], row["panel_met"]) == (0, False)
    assert not verdict.per_condition.set_index("sub_id").loc["5.1", "panel_met"]


def test_sel04_per_project_conditions_follow_the_panel_rule_project_by_project(
    selection: rubrics.SelectionRubric,
) -> None:
    """Two of three members find P2's examiners (4.3) enough: met by majority, not unanimously."""
    sheets = [
        per_project_checklist(selection, "张三", ["P1", "P2"], unmet=[("4.3", "P2")]),
        per_project_checklist(selection, "李四", ["P1", "P2"]),
        per_project_checklist(selection, "王五", ["P1", "P2"]),
    ]

    majority = scoring.evaluate_selection(selection, sheets, projects=["P1", "P2"])
    unanimous = scoring.evaluate_selection(
        selection, sheets, projects=["P1", "P2"], rule=scoring.UNANIMOUS
    )

    assert majority.eligible_projects == ("P1", "P2")
    assert unanimous.eligible_projects == ("P1",)


def test_sel04_an_unmet_general_condition_makes_no_project_eligible(
    selection: rubrics.SelectionRubric,
) -> None:
    sheets = [
        per_project_checklist(selection, m, ["P1", "P2"], unmet=[("4.1", None)])
        for m in MEMBERS[:3]
    ]

    verdict = scoring.evaluate_selection(selection, sheets, projects=["P1", "P2"])

    assert (verdict.eligible, verdict.eligible_projects, verdict.unmet) == (False, (), ("4.1",))


def test_sel04_a_checklist_without_project_codes_judges_all_projects_alike(
    selection: rubrics.SelectionRubric,
) -> None:
    """Sheets kept from before the per-project reading stay valid."""
    sheets = [checklist(selection, m, unmet=["6.2"]) for m in MEMBERS[:3]]

    verdict = scoring.evaluate_selection(selection, sheets, projects=["P1", "P2"])

    assert verdict.eligible_projects == ()
    assert verdict.project_unmet == {"P1": ("6.2",), "P2": ("6.2",)}
    assert len(verdict.per_project) == 2 * len(PER_PROJECT)


def test_sel04_a_per_project_condition_left_out_for_one_project_or_coded_wrongly_is_refused(
    selection: rubrics.SelectionRubric,
) -> None:
    left_out = per_project_checklist(selection, "张三", ["P1", "P2"])
    left_out = left_out[~((left_out.sub_id == "5.2") & (left_out.project_code == "P2"))]
    coded = per_project_checklist(selection, "李四", ["P1", "P2"])
    coded.loc[coded.sub_id == "1.1", "project_code"] = "P1"  # a general condition
    coded.loc[(coded.sub_id == "6.1") & (coded.project_code == "P2"), "project_code"] = "P9"
    sheets = [left_out, coded, per_project_checklist(selection, "王五", ["P1", "P2"])]

    problems = refusal(scoring.evaluate_selection, selection, sheets, projects=["P1", "P2"])

    found = problems[["成员", "项目", "代码"]].values.tolist()
    assert ["张三", "5.2@P2", "missing_sub_id"] in found
    assert ["李四", "1.1@P1", "unknown_sub_id"] in found
    assert ["李四", "6.1@P9", "unknown_sub_id"] in found
    assert set(problems["规则"]) == {"SEL-04"}


# --- Renewal sheets: REN-07 -----------------------------------------------------------------


def test_ren07_full_marks_on_every_item_total_100_in_the_ten_groups(
    renewal: rubrics.RenewalRubric,
) -> None:
    sheet = score_sheet(renewal, "张三")

    totals = scoring.sheet_totals(renewal, sheet)

    assert totals["points"].tolist() == list(map(float, ATT4_GROUP_POINTS))
    assert totals["points"].equals(totals["max_points"])
    assert scoring.member_totals(renewal, sheet).to_dict() == {"张三": rules.MAX_SCORE}


@pytest.mark.parametrize(
    ("item_id", "verdict", "allowed"),
    [
        ("R01", "符合", (1.0,)),
        ("R01", "基本符合", (0.5,)),
        ("R01", "不符合", (0.0,)),
        ("R04", "符合", (3.0,)),
        ("R04", "基本符合", (0.5, 1.0, 1.5, 2.0, 2.5)),
        ("R04", "不符合", (0.0,)),
    ],
)
def test_ren07_allowed_points_follow_the_verdict(
    renewal: rubrics.RenewalRubric, item_id: str, verdict: str, allowed: tuple[float, ...]
) -> None:
    assert scoring.allowed_points(renewal, item_id, verdict) == allowed


def test_allowed_points_of_an_unknown_item_or_verdict_are_refused(
    renewal: rubrics.RenewalRubric,
) -> None:
    with pytest.raises(NotFound, match="R99"):
        scoring.allowed_points(renewal, "R99", "符合")
    with pytest.raises(RuleViolation, match="优秀"):
        scoring.allowed_points(renewal, "R01", "优秀")


@pytest.mark.parametrize(
    ("verdict", "points", "valid"),
    [
        ("符合", 3, True),
        ("符合", 2.5, False),
        ("不符合", 0, True),
        ("不符合", 1, False),
        ("基本符合", 0.5, True),
        ("基本符合", 2.5, True),
        ("基本符合", 1.3, False),
        ("基本符合", 0, False),
        ("基本符合", 3, False),
    ],
)
def test_ren07_points_must_match_the_verdict_in_half_point_steps(
    renewal: rubrics.RenewalRubric, verdict: str, points: float, valid: bool
) -> None:
    sheet = score_sheet(renewal, "张三", {"R04": (verdict, points)})

    if valid:
        assert scoring.member_totals(renewal, sheet)["张三"] == 97 + points
    else:
        problems = refusal(scoring.validate_renewal_sheet, renewal, sheet)
        assert problems[["行", "项目", "代码", "规则"]].values.tolist() == [
            [4, "R04", "points_mismatch", "REN-07"]
        ]


def test_ren07_every_sheet_problem_is_listed_at_once(renewal: rubrics.RenewalRubric) -> None:
    changes = {"R01": ("符合", 0.5), "R05": ("很好", 2), "R06": ("符合", "两分")}
    sheet = score_sheet(renewal, "张三", changes)
    sheet = pd.concat(
        [
            sheet.drop(index=6),
            pd.DataFrame(
                [["张三", "R99", "符合", 1], ["张三", "R02", "符合", 1]],
                columns=sheet.columns,
                index=[100, 101],
            ),
        ]
    )
    veto = veto_sheet(renewal, "张三", answers={"V01": "不清楚"}).drop(index=3)

    problems = refusal(scoring.validate_renewal_sheet, renewal, sheet, veto)

    assert problems[["表", "行", "项目", "代码"]].astype(object).values.tolist() == [
        ["评分表1", 1, "R01", "points_mismatch"],
        ["评分表1", 5, "R05", "not_allowed"],
        ["评分表1", 6, "R06", "wrong_type"],
        ["评分表1", 101, "R99", "unknown_item_id"],
        ["评分表1", 102, "R02", "duplicate_item_id"],
        ["评分表1", pd.NA, "R07", "missing_item_id"],
        ["不合格项表1", 1, "V01", "wrong_type"],
        ["不合格项表1", pd.NA, "V04", "missing_veto_id"],
    ]
    assert problems.loc[0, "要求"] == "“符合”应得本项满分 1 分"
    assert problems["规则"].tolist() == ["REN-07"] * 6 + ["REN-06"] * 2


def test_ren07_a_sheet_with_wrong_columns_is_refused_naming_the_sheet_and_member(
    renewal: rubrics.RenewalRubric,
) -> None:
    good = score_sheet(renewal, "张三")
    renamed = score_sheet(renewal, "李四").rename(columns={"points": "得分"})

    problems = refusal(scoring.validate_renewal_sheet, renewal, [good, renamed])

    assert problems[["表", "成员", "列", "代码"]].values.tolist() == [
        ["评分表2", "李四", "得分", "unexpected_column"],
        ["评分表2", "李四", "points", "missing_column"],
    ]


def test_ren07_an_empty_sheet_is_refused(renewal: rubrics.RenewalRubric) -> None:
    empty = score_sheet(renewal, "张三").head(0)

    problems = refusal(scoring.validate_renewal_sheet, renewal, empty)

    assert problems["代码"].tolist() == ["empty_sheet"]


def test_ren06_each_scoring_member_answers_every_veto_item(renewal: rubrics.RenewalRubric) -> None:
    sheets = [score_sheet(renewal, m) for m in MEMBERS[:2]]
    vetoes = [veto_sheet(renewal, "张三"), veto_sheet(renewal, "周九")]

    problems = refusal(scoring.validate_renewal_sheet, renewal, sheets, vetoes)

    assert problems.groupby("成员")["代码"].agg(set).to_dict() == {
        "李四": {"missing_veto_id"},
        "周九": {"member_without_sheet"},
    }


def test_running_total_counts_blank_and_missing_items_as_zero(
    renewal: rubrics.RenewalRubric,
) -> None:
    sheet = score_sheet(renewal, "张三", {"R04": ("基本符合", 1.5)}).head(5)
    sheet.loc[0, ["verdict", "points"]] = [None, None]

    total = scoring.running_total(renewal, sheet)

    assert total.to_dict() == {"张三": 1 + 1 + 1.5 + 2}


def test_running_total_equals_member_totals_once_the_sheet_is_complete(
    renewal: rubrics.RenewalRubric,
) -> None:
    sheets = [score_sheet(renewal, "张三", {"R10": ("基本符合", 2)}), score_sheet(renewal, "李四")]

    assert scoring.running_total(renewal, sheets).equals(scoring.member_totals(renewal, sheets))


def test_running_total_refuses_a_filled_row_with_wrong_points(
    renewal: rubrics.RenewalRubric,
) -> None:
    sheet = score_sheet(renewal, "张三", {"R02": ("不符合", 1)}).head(3)

    problems = refusal(scoring.running_total, renewal, sheet)

    assert problems[["行", "代码"]].values.tolist() == [[2, "points_mismatch"]]


def test_scoring_follows_the_rubric_version_the_sheet_was_made_under(
    renewal: rubrics.RenewalRubric, tmp_path: Path
) -> None:
    raw = yaml.safe_load((rubrics.rubrics_dir() / f"renewal-{BASELINE}.yaml").read_text("utf-8"))
    raw.update(id="renewal-2099.1", version="2099.1", effective="2099-01-01")
    raw["groups"][0]["items"][0]["points"] = 0.5  # R01: 1 → 0.5
    raw["groups"][0]["items"][1]["points"] = 1.5  # R02: 1 → 1.5
    path = tmp_path / "renewal-2099.1.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    revised = rubrics.load_file(path)
    assert isinstance(revised, rubrics.RenewalRubric)
    sheet = score_sheet(renewal, "张三", {"R02": ("符合", 1)})

    problems = refusal(scoring.validate_renewal_sheet, revised, sheet)

    assert problems["项目"].tolist() == ["R01", "R02"]
    assert scoring.allowed_points(revised, "R02", "基本符合") == (0.5, 1.0)
    assert scoring.allowed_points(revised, "R01", "基本符合") == ()
    assert scoring.member_totals(renewal, sheet)["张三"] == 100


# --- Composite and grade: REN-04, REN-05, REN-06 --------------------------------------------


@pytest.mark.parametrize("size", [rules.GROUP_MIN - 1, rules.GROUP_MAX + 1])
def test_ren04_composite_needs_three_to_five_member_totals(size: int) -> None:
    with pytest.raises(RuleViolation) as caught:
        scoring.composite([80.0] * size)

    assert caught.value.rule_id == "REN-04"


@pytest.mark.parametrize(
    ("totals", "method", "expected"),
    [
        ([60, 59.99, 59.995], "mean", 60.0),  # 59.995 exactly → rounds half up
        ([70, 80, 90.5], "mean", 80.17),
        ({"张三": 50, "李四": 99, "王五": 70}, "trimmed", 70.0),  # 3 members → the median
        (pd.Series([10, 60, 61, 62, 100]), "trimmed", 61.0),
        ((80, 80.5, 81, 90), "trimmed", 80.75),
    ],
)
def test_composite_is_the_mean_or_trimmed_mean_rounded_half_up(
    totals: object, method: str, expected: float
) -> None:
    assert scoring.composite(totals, method) == expected  # type: ignore[arg-type]


def test_composite_refuses_a_member_total_above_100() -> None:
    with pytest.raises(RuleViolation, match=r"100\.5"):
        scoring.composite([80, 90, 100.5])


@pytest.mark.parametrize(
    ("composite", "label"),
    [(60, "合格"), (60.0, "合格"), (100, "合格"), (59.99, "不合格"), (0, "不合格")],
)
def test_ren05_composite_of_60_or_more_passes(composite: float, label: str) -> None:
    result = scoring.grade(composite)

    assert (str(result), result.passed, result.report_immediately) == (
        label,
        label == "合格",
        False,
    )


@pytest.mark.parametrize("composite", [-0.01, 100.01, float("nan")])
def test_ren05_composite_outside_0_to_100_is_refused(composite: float) -> None:
    with pytest.raises(RuleViolation) as caught:
        scoring.grade(composite)

    assert caught.value.rule_id == "REN-05"


def test_ren06_confirmed_veto_item_fails_whatever_the_score_and_is_reported_at_once() -> None:
    result = scoring.grade(98.5, veto_found=True)

    assert (result.label, result.veto_found, result.report_immediately) == ("不合格", True, True)


def test_ren06_one_members_veto_finding_counts_for_the_group(
    renewal: rubrics.RenewalRubric,
) -> None:
    vetoes = [
        veto_sheet(renewal, "张三"),
        veto_sheet(renewal, "李四", ["V05"]),
        veto_sheet(renewal, "王五"),
    ]

    summary = scoring.veto_summary(renewal, vetoes)

    assert (summary.veto_found, summary.found, summary.found_items) == (True, True, ("V05",))
    row = summary.table.set_index("veto_id").loc["V05"]
    assert (row["members_found"], row["members_total"], row["found_by"]) == (1, 3, "李四")


def test_sel04_checklists_follow_the_selection_rubric_version(
    selection: rubrics.SelectionRubric, tmp_path: Path
) -> None:
    raw = yaml.safe_load((rubrics.rubrics_dir() / f"selection-{BASELINE}.yaml").read_text("utf-8"))
    raw.update(id="selection-2099.1", version="2099.1", effective="2099-01-01")
    raw["items"][6]["conditions"].append({"sub_id": "7.4", "text": "建立考生信息保护制度。"})
    path = tmp_path / "selection-2099.1.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    revised = rubrics.load_file(path)
    assert isinstance(revised, rubrics.SelectionRubric)
    old_sheets = [checklist(selection, m) for m in MEMBERS[:3]]

    problems = refusal(scoring.evaluate_selection, revised, old_sheets)

    assert problems[["项目", "代码"]].drop_duplicates().values.tolist() == [
        ["7.4", "missing_sub_id"]
    ]
    assert scoring.evaluate_selection(selection, old_sheets).eligible


def test_self_evaluation_is_compared_item_by_item_and_group_by_group(
    renewal: rubrics.RenewalRubric,
) -> None:
    own = score_sheet(renewal, "某考核机构")
    group = [
        score_sheet(renewal, "张三", {"R04": ("基本符合", 2)}),
        score_sheet(renewal, "李四", {"R04": ("基本符合", 1)}),
        score_sheet(renewal, "王五", {"R04": ("不符合", 0)}),
    ]

    delta = scoring.self_vs_group_delta(renewal, own, group)

    r04 = delta.items.set_index("item_id").loc["R04"]
    assert (r04["self_points"], r04["group_mean"], r04["delta"]) == (3.0, 1.0, 2.0)
    assert (r04["verdict_self"], r04["verdict_group_mode"]) == ("符合", "基本符合")
    assert delta.groups.set_index("group_no").loc[2, "delta"] == 2.0
    assert (delta.self_total, delta.group_mean_total, delta.delta_total) == (100.0, 98.0, 2.0)


def test_a_self_evaluation_sheet_has_a_single_filler(renewal: rubrics.RenewalRubric) -> None:
    own = pd.concat([score_sheet(renewal, "某考核机构"), score_sheet(renewal, "另一单位")])
    group = [score_sheet(renewal, m) for m in MEMBERS[:3]]

    problems = refusal(scoring.self_vs_group_delta, renewal, own.reset_index(drop=True), group)

    assert problems[["成员", "代码", "规则"]].values.tolist() == [
        ["另一单位", "several_fillers", "REN-02"]
    ]


def test_attachment6_summary_fails_a_high_scoring_institution_with_a_veto_finding(
    renewal: rubrics.RenewalRubric,
) -> None:
    sheets = [
        score_sheet(renewal, "张三"),
        score_sheet(renewal, "李四", {"R01": ("不符合", 0)}),
        score_sheet(renewal, "王五", {"R04": ("基本符合", 2.5)}),
    ]
    vetoes = [
        veto_sheet(renewal, "张三"),
        veto_sheet(renewal, "李四", ["V09"]),
        veto_sheet(renewal, "王五"),
    ]

    summary = scoring.renewal_outcome(
        renewal, sheets, vetoes, self_sheet=score_sheet(renewal, "机构")
    )

    assert summary.to_record() == {
        "rubric_id": "renewal-2025.1",
        "rubric_version": BASELINE,
        "member_totals": {"张三": 100.0, "李四": 99.0, "王五": 99.5},
        "method": "mean",
        "composite": 99.5,
        "grade": "不合格",
        "veto_found": True,
        "report_immediately": True,
        "veto_items_found": ["V09"],
        "self_total": 100.0,
    }
    assert summary.members == ("张三", "李四", "王五")
    assert len(summary.group_totals) == 3 * len(renewal.groups)


def sheets_totalling(rubric: rubrics.RenewalRubric, total: float) -> list[pd.DataFrame]:
    """Three members' sheets that each total ``total``: 不符合 on the first items until the
    points lost reach 100 − ``total`` exactly."""
    lost, changes = rules.MAX_SCORE - total, {}
    for item_id, points in rubric.item_points.items():
        if points <= lost:
            changes[item_id], lost = (rules.VERDICT_NONE, 0), lost - points
    assert lost == 0
    return [score_sheet(rubric, m, changes) for m in MEMBERS[:3]]


@pytest.fixture
def province_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> rubrics.RenewalRubric:
    """The province's own schemas folder (CASEWORK_SCHEMAS) adding renewal 2026.1, in force
    from 2026-01-01 with a pass mark of 70; the shipped 2025.1 stays."""
    shipped = rubrics.load(rubrics.RENEWAL, BASELINE).path
    raw = yaml.safe_load(shipped.read_text("utf-8"))
    raw.update(id="renewal-2026.1", version="2026.1", effective="2026-01-01", pass_mark=70)
    folder = tmp_path / "province" / "rubrics"
    folder.mkdir(parents=True)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    (folder / "renewal-2026.1.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CASEWORK_SCHEMAS", str(folder.parent))
    return rubrics.load(rubrics.RENEWAL, "2026.1")


def test_ren05_a_revised_pass_mark_grades_new_cases_while_an_old_case_keeps_60(
    province_revision: rubrics.RenewalRubric,
) -> None:
    """REN-05: the pass mark is the rubric's; a case keeps the rubric it was graded under."""
    old_case_rubric = rubrics.by_id("renewal-2025.1")  # the id stored with the old case
    new_case_rubric = rubrics.load(rubrics.RENEWAL, on=date(2026, 3, 2))
    veto = [veto_sheet(new_case_rubric, m) for m in MEMBERS[:3]]

    old = scoring.renewal_outcome(old_case_rubric, sheets_totalling(old_case_rubric, 65), veto)
    new = scoring.renewal_outcome(new_case_rubric, sheets_totalling(new_case_rubric, 65), veto)

    assert new_case_rubric.id == province_revision.id == "renewal-2026.1"
    assert (old.composite, old.grade.pass_mark, str(old.grade)) == (65.0, 60.0, "合格")
    assert (new.composite, new.grade.pass_mark, str(new.grade)) == (65.0, 70.0, "不合格")
    assert (old.rubric_id, new.rubric_id) == ("renewal-2025.1", "renewal-2026.1")


def test_ren04_the_composite_method_is_the_rubrics_unless_asked_for_another(
    renewal: rubrics.RenewalRubric, tmp_path: Path
) -> None:
    """REN-04: a revision may combine the members' totals by the trimmed mean."""
    raw = yaml.safe_load(renewal.path.read_text("utf-8"))
    raw.update(id="renewal-2099.1", version="2099.1", composite_method=rubrics.TRIMMED)
    path = tmp_path / "renewal-2099.1.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    trimmed = rubrics.load_file(path)
    assert isinstance(trimmed, rubrics.RenewalRubric)
    sheets = [*sheets_totalling(renewal, 70)[:2], score_sheet(renewal, "王五")]
    veto = [veto_sheet(renewal, m) for m in MEMBERS[:3]]

    by_file = scoring.renewal_outcome(trimmed, sheets, veto)
    by_mean = scoring.renewal_outcome(trimmed, sheets, veto, method=rubrics.MEAN)

    assert (by_file.method, by_file.composite) == (rubrics.TRIMMED, 70.0)
    assert (by_mean.method, by_mean.composite) == (rubrics.MEAN, 80.0)


def test_ren04_renewal_outcome_of_two_members_is_refused(renewal: rubrics.RenewalRubric) -> None:
    sheets = [score_sheet(renewal, m) for m in MEMBERS[:2]]
    vetoes = [veto_sheet(renewal, m) for m in MEMBERS[:2]]

    with pytest.raises(RuleViolation) as caught:
        scoring.renewal_outcome(renewal, sheets, vetoes)

    assert caught.value.rule_id == "REN-04"
