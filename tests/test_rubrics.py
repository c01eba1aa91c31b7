"""Specifications of the rubric files (Attachments 1 and 4) and of their loader."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from casework.domain import rubrics, rules
from casework.errors import NotFound, ValidationFailed
from casework.paths import REPO_DIR

RUBRIC_DIR = rubrics.rubrics_dir()
RUBRIC_FILES = sorted(RUBRIC_DIR.glob("*.yaml"))
RENEWAL_FILES = [p for p in RUBRIC_FILES if p.name.startswith(f"{rubrics.RENEWAL}-")]
SELECTION_FILES = [p for p in RUBRIC_FILES if p.name.startswith(f"{rubrics.SELECTION}-")]
NOTICE = REPO_DIR.parent / "shared" / "regulation" / "source-notice.md"
BASELINE = "2025.1"

# The 2025.1 files as the notice prints Attachments 1 and 4: pins of that revision, not rules
# every revision must keep (a revision is a new file with its own numbers).
ATT4_ITEMS = 43
"""REN-07: Attachment 4 has 43 scored items."""
ATT4_GROUP_POINTS = (3, 5, 9, 10, 10, 32, 4, 8, 4, 15)
"""REN-07: the points of Attachment 4's ten groups, in order."""
ATT4_VETO_ITEMS = 10
"""REN-06: Attachment 4 lists 10 不合格项 (veto items)."""
ATT4_POINT_STEP = 0.5
"""REN-07: 基本符合 earns part of the points; the 2025.1 sheet records half points."""
ATT1_MANDATORY_ITEMS = tuple(range(1, 8))
"""SEL-04: items 1–7 of Attachment 1 are mandatory."""
ATT1_MANDATORY_SUB_CONDITIONS = 20
"""SEL-04: Attachment 1 items 1–7 hold 20 sub-conditions."""
ATT1_PRIORITY_ITEMS = (8, 9, 10)
"""SEL-04: items 8–10 of Attachment 1 give priority."""


def by_name(path: Path) -> str:
    return path.name


def write_yaml(path: Path, raw: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def baseline_raw(kind: str) -> dict[str, Any]:
    """The 2025.1 file of ``kind`` as plain YAML data, to be altered by a test."""
    text = (RUBRIC_DIR / f"{kind}-{BASELINE}.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def refusal(path: Path) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        rubrics.load_file(path)
    return caught.value


@pytest.fixture
def renewal() -> rubrics.RenewalRubric:
    return rubrics.load(rubrics.RENEWAL, BASELINE)


@pytest.fixture
def selection() -> rubrics.SelectionRubric:
    return rubrics.load(rubrics.SELECTION, BASELINE)


# --- Every file in schemas/rubrics ----------------------------------------------------------


def test_rubric_folder_holds_the_2025_baseline_of_both_kinds() -> None:
    names = {p.name for p in RUBRIC_FILES}

    assert {f"selection-{BASELINE}.yaml", f"renewal-{BASELINE}.yaml"} <= names
    assert set(RUBRIC_FILES) == set(RENEWAL_FILES) | set(SELECTION_FILES)


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=by_name)
def test_rubric_file_validates_and_is_named_after_its_id(path: Path) -> None:
    rubric = rubrics.load_file(path)

    assert path.name == f"{rubric.id}.yaml"
    assert rubric.id == f"{rubric.kind}-{rubric.version}"
    assert rubric.digest == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=by_name)
def test_rubric_file_ids_are_unique(path: Path) -> None:
    rubric = rubrics.load_file(path)

    if isinstance(rubric, rubrics.SelectionRubric):
        ids = [rubric.conditions.sub_id]
    else:
        ids = [rubric.items.item_id, rubric.veto_items.veto_id, rubric.groups.group_no]
    assert all(column.is_unique for column in ids)


@pytest.mark.parametrize("path", RENEWAL_FILES, ids=by_name)
def test_renewal_file_group_items_add_up_to_the_declared_group_points(path: Path) -> None:
    """REN-07."""
    rubric = rubrics.load_file(path)
    assert isinstance(rubric, rubrics.RenewalRubric)

    sums = rubric.items.groupby("group_no").points.sum()

    declared = rubric.groups.set_index("group_no").points
    assert sums.sort_index().to_dict() == declared.sort_index().to_dict()


@pytest.mark.parametrize("path", RENEWAL_FILES, ids=by_name)
def test_renewal_file_totals_100_points(path: Path) -> None:
    """REN-07."""
    rubric = rubrics.load_file(path)
    assert isinstance(rubric, rubrics.RenewalRubric)

    assert rubric.total_points == rules.MAX_SCORE
    assert sum(rubric.item_points.values()) == rules.MAX_SCORE


@pytest.mark.parametrize("path", RENEWAL_FILES, ids=by_name)
def test_renewal_file_declares_its_pass_mark_point_step_and_composite_method(path: Path) -> None:
    """REN-04, REN-05, REN-07: the grading policy is data of the revision, not code."""
    rubric = rubrics.load_file(path)
    assert isinstance(rubric, rubrics.RenewalRubric)

    assert 0 < rubric.pass_mark <= rules.MAX_SCORE
    assert rubric.point_step > 0
    assert all((p / rubric.point_step).is_integer() for p in rubric.items.points)
    assert rubric.composite_method in rubrics.COMPOSITE_METHODS


@pytest.mark.parametrize("path", SELECTION_FILES, ids=by_name)
def test_selection_file_sub_ids_lie_inside_their_item(path: Path) -> None:
    """SEL-04."""
    rubric = rubrics.load_file(path)
    assert isinstance(rubric, rubrics.SelectionRubric)

    prefixes = rubric.conditions.sub_id.str.split(".").str[0].astype(int)

    assert (prefixes == rubric.conditions.item_no).all()


# --- The 2025.1 baseline --------------------------------------------------------------------


def test_renewal_2025_1_header_cites_attachment_4(renewal: rubrics.RenewalRubric) -> None:
    assert (renewal.id, renewal.version) == ("renewal-2025.1", "2025.1")
    assert renewal.effective == date(2025, 2, 12)
    assert renewal.source == "鲁人社函〔2025〕23号 附件4"
    assert renewal.title == "专项职业能力考核机构续期评估明细表"
    assert renewal.legend == "“符合”满分,“基本符合”酌情给分,“不符合”0分"


def test_renewal_2025_1_grades_by_the_notices_mark_in_half_points_by_the_mean(
    renewal: rubrics.RenewalRubric,
) -> None:
    """REN-05: 60 included passes (Att.6 备注1); REN-07: half points; REN-04: the mean."""
    assert renewal.pass_mark == rules.PASS_MARK == 60.0
    assert renewal.point_step == ATT4_POINT_STEP
    assert renewal.composite_method == rubrics.MEAN


def test_renewal_2025_1_has_43_scored_items_r01_to_r43(renewal: rubrics.RenewalRubric) -> None:
    """REN-07."""
    assert len(renewal.items) == ATT4_ITEMS
    assert list(renewal.items.item_id) == [f"R{n:02d}" for n in range(1, 44)]


def test_renewal_2025_1_group_totals_computed_from_items_follow_the_notice(
    renewal: rubrics.RenewalRubric,
) -> None:
    """REN-07: 3, 5, 9, 10, 10, 32, 4, 8, 4, 15 — summed from the items, not the header."""
    totals = renewal.items.groupby("group_no", sort=True).points.sum()

    assert tuple(totals) == ATT4_GROUP_POINTS
    assert list(totals.index) == list(range(1, 11))


def test_renewal_2025_1_groups_are_the_ten_first_level_indicators(
    renewal: rubrics.RenewalRubric,
) -> None:
    assert list(renewal.groups.group) == [
        "机构信用", "管理制度", "场地设备", "人员配备", "题库资源",
        "考核组织实施", "证书管理", "档案管理", "信息公开", "工作质量管控",
    ]  # fmt: skip


def test_candidate_results_row_belongs_to_the_assessment_delivery_group(
    renewal: rubrics.RenewalRubric,
) -> None:
    """REN-07: the misplaced row 考生成果成绩管理 (3 points) is part of 考核组织实施."""
    row = renewal.items.set_index("indicator").loc["考生成果成绩管理"]

    assert (row.group, row.group_no, row.points) == ("考核组织实施", 6, 3.0)
    assert row.criterion == "考生成果(含答卷、作品、工件等)保存和成绩核定等管理工作规范。"


def test_renewal_2025_1_lists_10_veto_items_v01_to_v10(renewal: rubrics.RenewalRubric) -> None:
    """REN-06."""
    assert len(renewal.veto_items) == ATT4_VETO_ITEMS
    assert list(renewal.veto_items.veto_id) == [f"V{n:02d}" for n in range(1, 11)]
    assert renewal.veto_items.text.iloc[8] == "备案期限内未开展考核工作。"


@pytest.mark.parametrize(
    ("item_id", "indicator", "needle", "points"),
    [
        pytest.param("R26", "考核工作情况", "每位考生的实际操作有3名考评员签字。", 5.0,
                     id="R26-ATT4-SIGN"),
        pytest.param("R16", "考核方案制定", "每个考核批次在考前至少5个工作日制定考核计划", 2.0,
                     id="R16-ATT4-PLAN"),
        pytest.param("R36", "考核结果", "每个考核批次的结果公示时间不少于5个工作日。", 1.0,
                     id="R36-ATT4-PUBLISH"),
        pytest.param("R38", "考核活动", "机构在备案考核项目和地域范围内开展考核活动。", 2.0,
                     id="R38-ATT4-SCOPE"),
        pytest.param("R01", "基本情况", "机构证照(企业营业执照/民办非企业资质证书/组织机构代码证)",
                     1.0, id="R01"),
        pytest.param("R43", "信息平台使用", "全部考核批次的考核工作信息按要求进行线上提报。", 2.0,
                     id="R43"),
    ],
)  # fmt: skip
def test_renewal_2025_1_item_text_and_points_are_verbatim(
    renewal: rubrics.RenewalRubric, item_id: str, indicator: str, needle: str, points: float
) -> None:
    """ATT4-SIGN, ATT4-PLAN, ATT4-PUBLISH, ATT4-SCOPE: spot checks against the notice."""
    row = renewal.items.set_index("item_id").loc[item_id]

    assert row.indicator == indicator
    assert needle in row.criterion
    assert renewal.item_points[item_id] == points


def test_selection_2025_1_header_cites_attachment_1(selection: rubrics.SelectionRubric) -> None:
    assert selection.id == "selection-2025.1"
    assert selection.effective == date(2025, 2, 12)
    assert selection.source == "鲁人社函〔2025〕23号 附件1"
    assert selection.title == "专项职业能力考核机构遴选评估参考条件"


def test_selection_2025_1_has_20_mandatory_sub_conditions_in_items_1_to_7(
    selection: rubrics.SelectionRubric,
) -> None:
    """SEL-04."""
    mandatory = selection.mandatory

    assert len(mandatory) == ATT1_MANDATORY_SUB_CONDITIONS
    assert tuple(sorted(set(mandatory.item_no))) == ATT1_MANDATORY_ITEMS


@pytest.mark.parametrize(
    ("item_no", "name", "count"),
    [(1, "机构主体", 2), (2, "场地设备", 5), (3, "机构设置", 1), (4, "人员配备", 5),
     (5, "题库资源", 2), (6, "工作经验", 2), (7, "工作保障", 3)],
    ids=[f"item{n}" for n in range(1, 8)],
)  # fmt: skip
def test_selection_2025_1_mandatory_item_has_its_sub_conditions(
    selection: rubrics.SelectionRubric, item_no: int, name: str, count: int
) -> None:
    """SEL-04."""
    rows = selection.conditions[selection.conditions.item_no == item_no]

    assert list(rows.sub_id) == [f"{item_no}.{k}" for k in range(1, count + 1)]
    assert set(rows.item_name) == {name}
    assert set(rows.kind) == {rubrics.MANDATORY}


def test_selection_2025_1_items_8_to_10_are_priority_with_one_sub_condition_each(
    selection: rubrics.SelectionRubric,
) -> None:
    """SEL-04."""
    priority = selection.priority

    assert tuple(priority.item_no) == ATT1_PRIORITY_ITEMS
    assert list(priority.sub_id) == ["8.1", "9.1", "10.1"]


def test_selection_2025_1_keeps_the_qualification_notes(
    selection: rubrics.SelectionRubric,
) -> None:
    """SEL-04: 说明 1 and 2 of Attachment 1."""
    assert len(selection.notes) == 2
    assert selection.notes[0].startswith("申报单位符合“必备条件”所有要求")
    assert "各市可结合工作实际提出补充条件" in selection.notes[0]
    assert selection.notes[1].startswith("申报单位符合“优先条件”之一者")


def test_selection_2025_1_lease_condition_is_verbatim(selection: rubrics.SelectionRubric) -> None:
    """ATT1-LEASE."""
    text = selection.conditions.set_index("sub_id").loc["2.1"].text
    lease = "如为租赁场所，提供租赁协议，备案开始之日起至租期结束之日应当不少于 3 年。"

    assert text.endswith(lease)


@pytest.mark.skipif(not NOTICE.exists(), reason="shared/regulation/ is not beside the repo")
def test_every_text_of_the_2025_1_rubrics_appears_verbatim_in_the_notice(
    selection: rubrics.SelectionRubric, renewal: rubrics.RenewalRubric
) -> None:
    notice = NOTICE.read_text(encoding="utf-8")
    texts = [
        *selection.conditions.item_name, *selection.conditions.text, *selection.notes,
        *renewal.groups.group, *renewal.items.indicator, *renewal.items.criterion,
        *renewal.veto_items.text, renewal.legend, selection.title, renewal.title,
    ]  # fmt: skip

    missing = [text for text in texts if text not in notice]

    assert missing == []


# --- Malformed files are refused ------------------------------------------------------------


def test_group_whose_items_do_not_add_up_is_refused_naming_the_group(tmp_path: Path) -> None:
    """REN-07: R26 lowered from 5 to 4 leaves 考核组织实施 at 31 of its 32 points."""
    raw = baseline_raw(rubrics.RENEWAL)
    raw["groups"][5]["items"][10]["points"] = 4
    path = write_yaml(tmp_path / "renewal-2025.1.yaml", raw)

    problems = refusal(path).problems

    assert list(problems.columns) == list(rubrics.PROBLEM_COLUMNS)
    assert len(problems) == 1
    row = problems.iloc[0]
    assert "考核组织实施" in row["行"] and "renewal-2025.1.yaml" in row["行"]
    assert (row["列"], row["规则"]) == ("points", "REN-07")
    assert "32" in row["要求"] and "31" in row["值"]


def test_groups_that_add_up_to_more_than_100_are_refused(tmp_path: Path) -> None:
    """REN-07: each group consistent, but 101 points in all."""
    raw = baseline_raw(rubrics.RENEWAL)
    raw["groups"][0]["points"] = 4
    raw["groups"][0]["items"][0]["points"] = 2
    path = write_yaml(tmp_path / "renewal-2025.1.yaml", raw)

    problems = refusal(path).problems

    assert list(problems["值"]) == ["各组合计 101"]
    assert list(problems["规则"]) == ["REN-07"]


def test_duplicate_item_id_and_unknown_field_are_refused_together(tmp_path: Path) -> None:
    raw = baseline_raw(rubrics.RENEWAL)
    raw["groups"][0]["items"][1]["item_id"] = "R01"
    raw["groups"][1]["items"][0]["pionts"] = 3
    path = write_yaml(tmp_path / "renewal-2025.1.yaml", raw)

    problems = refusal(path).problems

    assert set(problems["列"]) == {"item_id", "pionts"}
    assert (problems[problems["列"] == "item_id"]["要求"] == "不得重复").all()
    assert problems[problems["列"] == "pionts"]["行"].str.contains("R04").all()


@pytest.mark.parametrize(
    ("field", "value", "need"),
    [
        ("version", 2025.1, "版本号须加引号"),
        ("kind", "续期", "应为 selection 或 renewal"),
        ("effective", "2025-13-01", "应为生效日期"),
        ("id", "renewal-2025", "应为 renewal-2025.1"),
    ],
    ids=["version", "kind", "effective", "id"],
)
def test_bad_header_field_is_refused_naming_the_field(
    tmp_path: Path, field: str, value: object, need: str
) -> None:
    raw = baseline_raw(rubrics.RENEWAL)
    raw[field] = value
    path = write_yaml(tmp_path / "renewal-x.yaml", raw)

    problems = refusal(path).problems

    hits = problems[problems["列"] == field]
    assert hits["要求"].str.contains(need).any()


@pytest.mark.parametrize(
    ("field", "value", "need", "rule"),
    [
        ("pass_mark", 0, "合格分数线应为 0 至 100 之间的数", "REN-05"),
        ("pass_mark", "六十", "合格分数线", "REN-05"),
        ("point_step", 0, "给分单位应为大于 0 的数", "REN-07"),
        ("point_step", 2, "分值应为给分单位 2 的整数倍", "REN-07"),
        ("composite_method", "median", "应为 mean 或 trimmed", "REN-04"),
    ],
    ids=["mark-zero", "mark-text", "step-zero", "step-off-items", "method"],
)
def test_bad_grading_policy_is_refused_naming_the_field_and_rule(
    tmp_path: Path, field: str, value: object, need: str, rule: str
) -> None:
    """REN-04, REN-05, REN-07."""
    raw = baseline_raw(rubrics.RENEWAL)
    raw[field] = value
    path = write_yaml(tmp_path / "renewal-x.yaml", raw)

    problems = refusal(path).problems

    hits = problems[problems["要求"].str.contains(need)]
    assert not hits.empty
    assert set(hits["规则"]) == {rule}


@pytest.mark.parametrize("field", ["pass_mark", "point_step", "composite_method"])
def test_renewal_file_without_its_grading_policy_is_refused(tmp_path: Path, field: str) -> None:
    """REN-05: a revision states its own mark, step and method; none is taken from code."""
    raw = baseline_raw(rubrics.RENEWAL)
    del raw[field]
    path = write_yaml(tmp_path / "renewal-x.yaml", raw)

    problems = refusal(path).problems

    assert problems[problems["列"] == field]["要求"].str.contains("缺少必填字段").any()


def test_by_id_returns_the_revision_a_case_was_graded_under(two_revisions: Path) -> None:
    """A stored rubric id keeps its revision after a newer one takes effect."""
    rubric = rubrics.by_id("renewal-2025.1")

    assert (rubric.id, rubric.item_points["R01"]) == ("renewal-2025.1", 1.0)
    with pytest.raises(NotFound):
        rubrics.by_id("renewal")


def test_selection_sub_id_outside_its_item_and_unquoted_sub_id_are_refused(tmp_path: Path) -> None:
    """SEL-04."""
    raw = baseline_raw(rubrics.SELECTION)
    raw["items"][0]["conditions"][0]["sub_id"] = 1.1
    raw["items"][1]["conditions"][0]["sub_id"] = "3.9"
    path = write_yaml(tmp_path / "selection-2025.1.yaml", raw)

    problems = refusal(path).problems

    assert set(problems["值"]) == {"1.1", "3.9"}
    assert set(problems["规则"]) == {"SEL-04"}
    assert problems["要求"].str.contains("类型应为文本").any()
    assert problems["要求"].str.contains("应以“2.”开头").any()


def test_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "renewal-9.yaml"
    path.write_text("id: renewal-9\ngroups: [\n", encoding="utf-8")

    problems = refusal(path).problems

    assert len(problems) == 1
    assert problems.iloc[0]["行"].startswith("renewal-9.yaml：第")


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="找不到评分细则文件"):
        rubrics.load_file(tmp_path / "renewal-0.yaml")


# --- Choosing a revision --------------------------------------------------------------------


@pytest.fixture
def two_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A schemas folder with the baseline plus renewal 2026.1, effective 2026-01-01."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    for path in RUBRIC_FILES:
        if path.stem.endswith(BASELINE):
            shutil.copy(path, folder / path.name)
    raw = baseline_raw(rubrics.RENEWAL)
    raw.update(id="renewal-2026.1", version="2026.1", effective=date(2026, 1, 1))
    raw["groups"][0]["items"][0]["points"] = 2  # R01 2, R02 0.5, R03 0.5: still 3
    raw["groups"][0]["items"][1]["points"] = 0.5
    raw["groups"][0]["items"][2]["points"] = 0.5
    write_yaml(folder / "renewal-2026.1.yaml", raw)
    monkeypatch.setenv("CASEWORK_SCHEMAS", str(tmp_path))
    return folder


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (None, "2026.1"),
        (date(2025, 2, 12), "2025.1"),
        (date(2025, 12, 31), "2025.1"),
        (date(2026, 1, 1), "2026.1"),
        (date(2027, 6, 30), "2026.1"),
    ],
    ids=str,
)
def test_load_picks_the_latest_revision_in_force_on_the_date(
    two_revisions: Path, on: date | None, version: str
) -> None:
    rubric = rubrics.load(rubrics.RENEWAL, on=on)

    assert rubric.version == version
    assert rubric.path.parent == two_revisions.resolve()


def test_load_with_a_version_returns_that_version(two_revisions: Path) -> None:
    rubric = rubrics.load(rubrics.RENEWAL, "2025.1", on=date(2026, 6, 1))

    assert rubric.version == "2025.1"
    assert rubric.item_points["R01"] == 1.0


def test_available_lists_every_rubric_file(two_revisions: Path) -> None:
    table = rubrics.available()

    assert list(table.columns) == ["id", "kind", "version", "effective", "path"]
    assert list(table.id) == ["renewal-2025.1", "renewal-2026.1", "selection-2025.1"]


def test_date_before_every_revision_is_not_found(two_revisions: Path) -> None:
    with pytest.raises(NotFound, match="2025-02-11"):
        rubrics.load(rubrics.RENEWAL, on=date(2025, 2, 11))


@pytest.mark.parametrize(
    ("kind", "version", "message"),
    [("renewal", "1999.1", "没有版本为“1999.1”"), ("appeal", None, "未知的评分细则类别“appeal”")],
    ids=["unknown-version", "unknown-kind"],
)
def test_unknown_kind_or_version_is_not_found_in_chinese(
    two_revisions: Path, kind: str, version: str | None, message: str
) -> None:
    with pytest.raises(NotFound, match=message):
        rubrics.load(kind, version)


def test_two_files_of_the_same_kind_and_version_are_refused(two_revisions: Path) -> None:
    shutil.copy(two_revisions / "renewal-2026.1.yaml", two_revisions / "renewal-copy.yaml")

    with pytest.raises(ValidationFailed) as caught:
        rubrics.available()

    assert caught.value.problems["要求"].str.contains("版本号重复").any()


# --- Immutability and caching ---------------------------------------------------------------


def test_rubric_is_frozen(renewal: rubrics.RenewalRubric) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        renewal.version = "2099.1"  # type: ignore[misc]


def test_item_points_mapping_is_read_only(renewal: rubrics.RenewalRubric) -> None:
    with pytest.raises(TypeError):
        renewal.item_points["R01"] = 99.0  # type: ignore[index]


def test_changing_a_loaded_frame_does_not_change_the_next_load(
    renewal: rubrics.RenewalRubric,
) -> None:
    renewal.items.loc[0, "points"] = 99.0

    again = rubrics.load(rubrics.RENEWAL, BASELINE)

    assert again.items.loc[0, "points"] == 1.0
    assert again == renewal  # same file, same digest


def test_an_edited_file_is_loaded_afresh(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "renewal-2025.1.yaml", baseline_raw(rubrics.RENEWAL))
    first = rubrics.load_file(path)
    raw = baseline_raw(rubrics.RENEWAL)
    raw["veto_items"][0]["text"] = "修订后的不合格项。"
    write_yaml(path, raw)

    second = rubrics.load_file(path)

    assert second.digest != first.digest
    assert isinstance(second, rubrics.RenewalRubric)
    assert second.veto_items.text.iloc[0] == "修订后的不合格项。"
