"""Specifications of the one problems table (行/列/值/要求/规则) and its failure-case formatter."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.errors import SchemaErrors
from pandera.typing import Series

from casework.domain import problems


class Rows(pa.DataFrameModel):
    """A small strict table with the usual kinds of check."""

    code: Series[str] = pa.Field(str_length={"min_value": 1})
    score: Series[float] = pa.Field(ge=0, le=100)
    kind: Series[str] = pa.Field(isin=["甲", "乙"])

    class Config:
        strict = True
        coerce = True


class Keyed(pa.DataFrameModel):
    """Rows keyed by two columns together."""

    project: Series[str]
    year: Series[int]

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["project", "year"]


class Named(NamedTuple):
    need: str
    rule: str
    column: str


def failures(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> SchemaErrors:
    with pytest.raises(SchemaErrors) as caught:
        model.validate(frame, lazy=True)
    return caught.value


def test_failure_cases_become_the_five_columns_in_chinese() -> None:
    frame = pd.DataFrame({"code": ["A", ""], "score": [50.0, 120.0], "kind": ["甲", "丙"]})

    table = problems.from_failure_cases(failures(Rows, frame), rule="REN-07")

    assert list(table.columns) == list(problems.COLUMNS) == ["行", "列", "值", "要求", "规则"]
    assert table.sort_values("列")[["行", "列", "值", "要求"]].values.tolist() == [
        [1, "code", "", "不能为空"],
        [1, "kind", "丙", "应为以下之一：甲、乙"],
        [1, "score", 120.0, "应不大于 100"],
    ]
    assert set(table["规则"]) == {"REN-07"}


def test_a_machine_readable_code_is_added_on_request() -> None:
    frame = pd.DataFrame({"code": ["A"], "score": ["很多"], "kind": ["甲"]})

    table = problems.from_failure_cases(failures(Rows, frame), rule="X", code=True)

    assert list(table.columns) == [*problems.COLUMNS, problems.CODE]
    assert table[["列", "值", "要求", problems.CODE]].values.tolist() == [
        ["score", "很多", "类型应为数字", problems.WRONG_TYPE]
    ]


def test_a_column_failing_its_type_reports_the_cells_of_the_wrong_type_only() -> None:
    frame = pd.DataFrame({"code": ["A", "B"], "score": ["x", 150], "kind": ["甲", "甲"]})

    table = problems.from_failure_cases(failures(Rows, frame), rule=None, code=True)

    assert table[["行", "列", problems.CODE]].values.tolist() == [[0, "score", problems.WRONG_TYPE]]


def test_missing_and_unexpected_columns_name_the_column_for_the_whole_table() -> None:
    frame = pd.DataFrame({"code": ["A"], "kind": ["甲"], "extra": [1]})

    table = problems.from_failure_cases(
        failures(Rows, frame), rule="SEL-04", allowed=("code", "score", "kind"), code=True
    )

    rows = table.set_index(problems.CODE)
    assert rows.loc[problems.MISSING_COLUMN, ["行", "列", "要求"]].tolist() == [
        problems.WHOLE,
        "score",
        "缺少此列",
    ]
    assert rows.loc[problems.UNEXPECTED_COLUMN, "要求"] == "不应有此列（只允许：code、score、kind）"


def test_an_unexpected_column_is_named_at_each_row_that_fills_it_when_the_frame_is_given() -> None:
    frame = pd.DataFrame(
        {"code": ["A", "B"], "score": [1.0, 2.0], "kind": ["甲", "乙"], "pionts": [None, 3]}
    )

    table = problems.from_failure_cases(
        failures(Rows, frame), rule="REN-07", frame=frame, rows=lambda i: f"第{int(i) + 1}项"
    )

    assert table[["行", "列", "值"]].values.tolist() == [["第2项", "pionts", 3.0]]


def test_rows_and_headers_are_shown_as_the_user_knows_them() -> None:
    frame = pd.DataFrame({"code": ["A"], "score": [-1.0], "kind": ["甲"]}, index=[7])

    table = problems.from_failure_cases(
        failures(Rows, frame), rule="X", headers={"score": "成绩"}, rows=lambda i: f"第{i}行"
    )

    assert table[["行", "列", "要求"]].values.tolist() == [["第7行", "成绩", "应不小于 0"]]


def test_a_repeated_key_is_one_problem_per_row_showing_the_key() -> None:
    frame = pd.DataFrame({"project": ["S0001", "S0001", "S0002"], "year": [2025, 2025, 2025]})

    table = problems.from_failure_cases(
        failures(Keyed, frame),
        rule="INTAKE-VALUE",
        rule_by_code={problems.DUPLICATE: "INTAKE-UNIQUE"},
        headers={"project": "项目", "year": "年份"},
        frame=frame,
        unique=["project", "year"],
    )

    assert table.values.tolist() == [
        [0, "项目、年份", "S0001 / 2025", "不得重复", "INTAKE-UNIQUE"],
        [1, "项目、年份", "S0001 / 2025", "不得重复", "INTAKE-UNIQUE"],
    ]


def test_a_named_custom_check_speaks_its_own_words_and_rule_for_its_own_column() -> None:
    schema = pa.DataFrameSchema(
        {"uscc": pa.Column(str), "name": pa.Column(str)},
        checks=pa.Check(lambda df: df["uscc"].str.len() == 18, error="uscc"),
    )
    frame = pd.DataFrame({"uscc": ["123"], "name": ["某机构"]})
    with pytest.raises(SchemaErrors) as caught:
        schema.validate(frame, lazy=True)
    named = {"uscc": Named("统一社会信用代码应为18位", "GB 32100", "uscc")}

    table = problems.from_failure_cases(caught.value, rule="INTAKE-VALUE", checks=named)

    assert table[["行", "列", "要求", "规则"]].values.tolist() == [
        [0, "uscc", "统一社会信用代码应为18位", "GB 32100"]
    ]


def test_cells_already_reported_are_skipped() -> None:
    frame = pd.DataFrame({"code": ["A"], "score": [500.0], "kind": ["丁"]})
    already = pd.MultiIndex.from_tuples([(0, "score")])

    table = problems.from_failure_cases(failures(Rows, frame), rule="X", skip=already)

    assert table["列"].tolist() == ["kind"]


def test_plain_problem_tuples_make_the_same_table() -> None:
    rows = [problems.problem("第1段", "文字", None, "不能为空", "SEL-05")]

    table = problems.table(rows)

    assert list(table.columns) == list(problems.COLUMNS)
    assert table.values.tolist() == [["第1段", "文字", "", "不能为空", "SEL-05"]]
    assert problems.table([]).empty and list(problems.table([]).columns) == list(problems.COLUMNS)


@pytest.mark.parametrize(
    ("check", "need", "code"),
    [
        ("not_nullable", "不能为空", problems.EMPTY),
        ("field_uniqueness", "不得重复", problems.DUPLICATE),
        ("dtype('int64')", "类型应为整数", problems.WRONG_TYPE),
        ("coerce_dtype('float64')", "类型应为数字", problems.WRONG_TYPE),
        ("in_range(1, 10)", "应在 1 至 10 之间", problems.OUT_OF_RANGE),
        ("greater_than(0)", "应大于 0", problems.OUT_OF_RANGE),
        ("isin(['mean', 'trimmed'])", "应为以下之一：mean、trimmed", problems.NOT_ALLOWED),
        ("some_rule", "应满足 some_rule", problems.CHECK_FAILED),
    ],
)
def test_each_pandera_check_has_one_chinese_wording_and_code(
    check: str, need: str, code: str
) -> None:
    assert (problems.need_of(check), problems.code_of(check)) == (need, code)
