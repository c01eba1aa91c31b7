"""Specifications of the filing term (ATT2-TERM, SEL-05, REN-05)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain import rules
from casework.domain.terms import FilingTerm, YearMonth, filing_term
from casework.errors import RuleViolation, ValidationFailed

WORDING = re.compile(r"^自(\d{4})年(\d{1,2})月至(\d{4})年(\d{1,2})月$")
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def months_covered(term: FilingTerm) -> int:
    first, last = term.first_month, term.last_month
    return (last.year - first.year) * 12 + last.month - first.month + 1


def test_filing_starting_march_2025_runs_to_february_2028() -> None:
    """ATT2-TERM: month M of year Y runs to month M-1 of year Y+3."""
    start = date(2025, 3, 15)

    term = filing_term(start)

    assert term.text == "自2025年3月至2028年2月"
    assert term.receipt_text == "有效期3年（自2025年3月至2028年2月）"
    assert (term.first_day, term.last_day) == (date(2025, 3, 1), date(2028, 2, 29))
    assert term.start == start


def test_filing_starting_january_2025_runs_to_december_2027() -> None:
    """ATT2-TERM: a January start runs to December of Y+2."""
    term = filing_term(date(2025, 1, 1))

    assert term.text == "自2025年1月至2027年12月"
    assert term.last_month == YearMonth(2027, 12)
    assert term.last_day == date(2027, 12, 31)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_start_month_gives_36_months_in_the_receipt_wording(month: int) -> None:
    """ATT2-TERM, SEL-05."""
    term = filing_term(date(2025, month, 1))

    found = WORDING.match(term.text)

    assert found is not None
    assert months_covered(term) == rules.TERM_MONTHS == term.months == 36
    expected_last = (2028, month - 1) if month > 1 else (2027, 12)
    assert (int(found[3]), int(found[4])) == expected_last
    assert term.receipt_text == f"有效期3年（{term.text}）"


@settings(max_examples=200)
@given(start=starts)
def test_any_start_day_gives_36_whole_months(start: date) -> None:
    """ATT2-TERM."""
    term = filing_term(start)

    assert months_covered(term) == rules.TERM_MONTHS
    assert term.first_day.day == 1
    assert (term.last_day + timedelta(days=1)).day == 1
    assert term.contains(start)


@settings(max_examples=200)
@given(start=starts)
def test_the_renewal_term_begins_the_day_after_this_one_ends(start: date) -> None:
    """REN-05: a renewed filing continues without a gap or an overlap."""
    term = filing_term(start)

    renewed = term.next_term()

    assert renewed.first_day == term.last_day + timedelta(days=1)
    assert months_covered(renewed) == rules.TERM_MONTHS
    assert not renewed.contains(term.last_day)


def test_renewal_of_march_2025_runs_from_march_2028_to_february_2031() -> None:
    renewed = filing_term(date(2025, 3, 1)).next_term()

    assert renewed.text == "自2028年3月至2031年2月"


@pytest.mark.parametrize(
    ("day", "contained", "remaining", "expired"),
    [
        (date(2025, 2, 28), False, 1097, False),  # the day before the term
        (date(2025, 3, 1), True, 1096, False),  # first day of the first month
        (date(2028, 2, 28), True, 2, False),
        (date(2028, 2, 29), True, 1, False),  # last day: still valid, one day left
        (date(2028, 3, 1), False, 0, True),  # the day after the end
        (date(2030, 1, 1), False, 0, True),
    ],
    ids=str,
)
def test_contains_days_remaining_and_expired_at_the_boundaries(
    day: date, contained: bool, remaining: int, expired: bool
) -> None:
    term = filing_term(date(2025, 3, 20))

    answers = (term.contains(day), term.days_remaining(day), term.expired(day))

    assert answers == (contained, remaining, expired)


def test_a_datetime_start_is_taken_as_its_day() -> None:
    term = filing_term(datetime(2025, 3, 20, 9, 30))

    assert term.start == date(2025, 3, 20)
    assert term.contains(datetime(2028, 2, 29, 23, 59))


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ((2025, 3), (2028, 2)),
        ("2025-03", "2028-02"),
        ("2025年3月", "2028年2月"),
        (date(2025, 3, 9), date(2028, 2, 1)),
        (YearMonth(2025, 3), None),
    ],
    ids=str,
)
def test_a_term_rebuilds_from_stored_months(first: object, last: object) -> None:
    term = FilingTerm.from_months(first, last)  # type: ignore[arg-type]

    assert term == filing_term(date(2025, 3, 1))


def test_stored_months_that_are_not_36_months_apart_are_refused() -> None:
    """ATT2-TERM."""
    with pytest.raises(RuleViolation) as refused:
        FilingTerm.from_months("2025-03", "2028-03")

    assert refused.value.rule_id == "ATT2-TERM"
    assert "2028年2月" in str(refused.value)


@pytest.mark.parametrize("bad", ["2025-13", "三月", (2025,), (2025, 0), "2025/3/1"], ids=str)
def test_an_unreadable_month_is_refused_with_a_problems_table(bad: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        FilingTerm.from_months(bad)  # type: ignore[arg-type]

    assert refused.value.problems["规则"].tolist() == ["ATT2-TERM"]


@pytest.mark.parametrize(
    "text",
    [
        "有效期3年（自2025年3月至2028年2月）",
        "机构代码（SD001）及有效期（自 2025 年 3 月至 2028 年 2 月）不变。",  # Attachment 3
    ],
)
def test_a_term_is_read_back_from_receipt_wording(text: str) -> None:
    term = FilingTerm.from_text(text)

    assert term.text == "自2025年3月至2028年2月"


def test_wording_without_a_term_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="无法识别"):
        FilingTerm.from_text("有效期三年")
