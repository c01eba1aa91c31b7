"""Values as people type them: dates, numbers, full-width digits, yes/no, the vocabulary."""

from __future__ import annotations

import pandas as pd
import pytest

from casework.intake import values


def one(parser, text: object, **kw: object) -> object:
    parsed, bad = parser(pd.Series([text], dtype=object), **kw)
    return None if bool(bad.iloc[0]) else parsed.iloc[0]


@pytest.mark.parametrize(
    "typed",
    [
        "2025-03-05",
        "2025/3/5",
        "2025.3.5",
        "2025年3月5日",
        "２０２５年３月５日",
        "20250305",
        "45721",
        "2025-03-05 00:00:00",
        " 2025-3-5 ",
    ],
)
def test_every_usual_spelling_of_5_march_2025_reads_as_that_day(typed: str) -> None:
    assert one(values.parse_date, typed) == pd.Timestamp("2025-03-05")


@pytest.mark.parametrize("typed", ["2025-02-30", "下周一", "2025年3月", "3/5/25", "99999"])
def test_what_is_not_a_date_is_a_failure_not_a_guess(typed: str) -> None:
    assert one(values.parse_date, typed) is None


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("85", 85.0),
        ("８５", 85.0),
        ("1,200", 1200.0),
        ("150㎡", 150.0),
        ("3年", 3.0),
        ("85分", 85.0),
    ],
)
def test_numbers_with_full_width_digits_separators_or_units_are_read(
    typed: str, number: float
) -> None:
    assert one(values.parse_number, typed) == number


@pytest.mark.parametrize(
    ("typed", "months"),
    [("18", 18), ("18个月", 18), ("3年", 36), ("无固定期限", values.OPEN_ENDED_CONTRACT)],
)
def test_contract_terms_read_in_months(typed: str, months: int) -> None:
    assert one(values.parse_months, typed, words=values.CONTRACT_WORDS) == months


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("是", True),
        ("通过", True),
        ("合格", True),
        ("√", True),
        ("TRUE", True),
        ("否", False),
        ("不合格", False),
        ("0", False),
    ],
)
def test_yes_and_no_in_their_usual_forms(typed: str, answer: bool) -> None:
    assert one(values.parse_bool, typed) == answer


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        ("高级工（三级）", "三级"),
        ("三级/高级工", "三级"),
        ("3级", "三级"),
        ("高级技师", "一级"),
        ("技师", "二级"),
    ],
)
def test_certificate_levels_in_any_usual_spelling(typed: str, level: str) -> None:
    assert one(values.parse_level, typed) == level


@pytest.mark.parametrize(
    ("typed", "rank"),
    [("高级工程师", "副高级"), ("工程师", "中级"), ("助理工程师", "初级"), ("正高级", "正高级")],
)
def test_technical_titles_by_rank(typed: str, rank: str) -> None:
    assert one(values.parse_title, typed) == rank


@pytest.mark.parametrize(
    ("typed", "code"),
    [("济南", "370100"), ("济南市", "370100"), ("370102", "370100"), ("370200", "370200")],
)
def test_a_city_by_name_or_division_code(typed: str, code: str) -> None:
    from casework.domain.reference import cities

    assert one(values.parse_city, typed, cities=cities()) == code


def test_codes_are_half_width_upper_case_without_blanks() -> None:
    assert one(values.parse_code, " ３７０１０２ １９８５０１０１００１ｘ ") == "37010219850101001X"
