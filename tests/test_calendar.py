"""Specifications of the official working-day calendar (SEL-05, ATT4-PUBLISH, EXIT-05)."""

from __future__ import annotations

import doctest
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain import calendar, rules
from casework.domain.calendar import (
    PlanningCalendar,
    WorkCalendar,
    load_year_file,
    package_schedule,
)
from casework.errors import CalendarNotConfigured, ValidationFailed
from casework.paths import REPO_DIR

CALENDAR_DIR = REPO_DIR / "schemas" / "calendar"
SAMPLE = CALENDAR_DIR / "example-year.yaml.sample"
PROBLEM_COLUMNS = ["行", "列", "值", "要求", "规则"]

YEAR_2027 = """\
year: 2027
source: 测试用放假安排
holidays:
  - {name: 元旦, date: 2027-01-01}
  - {name: 春节, start: 2027-02-05, end: 2027-02-12}
workdays:
  - {name: 春节, date: 2027-02-13}
  - 2027-02-14
"""

# Dates in the years chinese_calendar knows, leaving room for 60 working days after them.
known_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))
workday_counts = st.integers(min_value=1, max_value=60)


@pytest.fixture
def strict() -> WorkCalendar:
    return WorkCalendar(CALENDAR_DIR)


@pytest.fixture
def schemas_with_2027(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2027.yaml").write_text(YEAR_2027, encoding="utf-8")
    monkeypatch.setenv("CASEWORK_SCHEMAS", str(tmp_path))
    return tmp_path / "calendar"


def write_year(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# --- The examples of the regulation -------------------------------------------------------


def test_notice_starting_2025_09_29_ends_2025_10_11_on_a_make_up_saturday() -> None:
    """SEL-05: 5 working days are 9-29, 9-30, 10-9, 10-10 and Saturday 10-11 (调休)."""
    start = date(2025, 9, 29)

    end = calendar.notice_end(start)

    assert end == date(2025, 10, 11)
    assert rules.NOTICE_MIN_WORKDAYS == 5


def test_results_notice_uses_the_same_count_as_the_filing_notice() -> None:
    """ATT4-PUBLISH: results are shown for at least 5 working days."""
    start = date(2025, 9, 29)

    end = calendar.notice_end(start, rules.RESULT_PUBLISH_WORKDAYS)

    assert end == date(2025, 10, 11)


def test_notice_posted_on_a_holiday_starts_counting_at_the_next_working_day() -> None:
    """SEL-05: a notice posted on 10-1 counts 10-9, 10-10, 10-11, 10-13 and 10-14."""
    start = date(2025, 10, 1)

    end = calendar.notice_end(start)

    assert end == date(2025, 10, 14)


def test_statement_is_due_15_working_days_after_findings_received_2025_04_30() -> None:
    """EXIT-05: the day of receipt is not counted; 5-1 to 5-5 are the Labour Day holiday."""
    received = date(2025, 4, 30)

    deadline = calendar.deadline_after(received, rules.STATEMENT_WORKDAYS)

    assert deadline == date(2025, 5, 26)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2025, 10, 1), date(2025, 10, 8), 0),  # the National Day holiday itself
        (date(2025, 9, 28), date(2025, 10, 11), 6),  # both make-up days included
        (date(2025, 9, 29), date(2025, 10, 12), 5),
        (date(2025, 9, 27), date(2025, 10, 5), 3),  # Sat off, Sun 9-28 on, 29, 30
        (date(2025, 10, 11), date(2025, 10, 11), 1),
        (date(2025, 10, 12), date(2025, 10, 11), 0),  # last before first
    ],
    ids=str,
)
def test_count_workdays_over_the_2025_national_day_week(
    first: date, last: date, expected: int
) -> None:
    count = calendar.count_workdays(first, last)

    assert count == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 9, 28), True),  # Sunday, make-up working day
        (date(2025, 10, 8), False),  # Wednesday, holiday
        (date(2025, 10, 12), False),  # ordinary Sunday
        (date(2025, 10, 13), True),  # ordinary Monday
    ],
    ids=str,
)
def test_make_up_days_work_and_holidays_rest(day: date, expected: bool) -> None:
    assert calendar.is_workday(day) is expected


def test_working_days_cross_the_new_year_both_ways() -> None:
    new_years_eve = date(2024, 12, 31)

    after = calendar.add_workdays(new_years_eve, 1)
    back = calendar.add_workdays(after, -1)

    assert after == date(2025, 1, 2)  # 1-1 is a holiday
    assert back == new_years_eve


def test_workdays_left_counts_after_today_through_the_deadline() -> None:
    received = date(2025, 4, 30)
    deadline = calendar.deadline_after(received, 15)

    on_receipt = calendar.workdays_left(received, deadline)
    on_deadline = calendar.workdays_left(deadline, deadline)
    after = calendar.workdays_left(deadline + timedelta(days=1), deadline)

    assert (on_receipt, on_deadline, after) == (15, 0, 0)


@pytest.mark.parametrize("bad", [0, -3, True, 2.5])
def test_a_notice_must_cover_a_positive_whole_number_of_working_days(bad: int) -> None:
    with pytest.raises(ValueError, match="正整数"):
        calendar.notice_end(date(2025, 9, 29), bad)


# --- Unknown years and year files ---------------------------------------------------------


def test_2027_is_refused_with_the_year_and_the_file_to_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CASEWORK_SCHEMAS", raising=False)

    with pytest.raises(CalendarNotConfigured) as refused:
        calendar.notice_end(date(2027, 1, 4))

    assert "尚未配置2027年节假日安排" in str(refused.value)
    assert "schemas/calendar/2027.yaml" in str(refused.value)
    assert refused.value.context["year"] == 2027


def test_a_range_reaching_an_unknown_year_is_refused(strict: WorkCalendar) -> None:
    with pytest.raises(CalendarNotConfigured, match="2027"):
        strict.count_workdays(date(2026, 12, 1), date(2027, 1, 31))


def test_a_2027_year_file_makes_2027_work(schemas_with_2027: Path) -> None:
    saturday_make_up = date(2027, 2, 13)

    works = calendar.is_workday(saturday_make_up)
    end = calendar.notice_end(date(2027, 2, 3))

    assert works is True
    # 2-3 (Wed), 2-4 (Thu), the holiday 2-5..2-12, Sat 2-13 and Sun 2-14 (调休), Mon 2-15.
    assert end == date(2027, 2, 15)
    assert calendar.default_calendar().schedule(2027).source == "测试用放假安排"


def test_a_year_file_overrides_the_package(tmp_path: Path) -> None:
    write_year(
        tmp_path,
        "2025.yaml",
        "year: 2025\nsource: 假设的更正通知\n"
        "holidays:\n  - {name: 国庆节, start: 2025-10-01, end: 2025-10-09}\nworkdays: []\n",
    )
    overridden = WorkCalendar(tmp_path)

    works = overridden.is_workday(date(2025, 10, 9))

    assert works is False
    assert calendar.is_workday(date(2025, 10, 9)) is True  # the package's answer
    assert overridden.is_workday(date(2025, 10, 11)) is False  # no make-up days in the file


@pytest.mark.parametrize(
    "path",
    [*sorted(CALENDAR_DIR.glob("*.yaml")), SAMPLE],
    ids=lambda p: p.name,
)
def test_every_calendar_file_in_schemas_loads(path: Path) -> None:
    schedule = load_year_file(path)

    assert schedule.holidays
    assert schedule.source


def test_the_sample_is_2026_as_the_package_knows_it(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "2026.yaml")
    from_file = WorkCalendar(tmp_path)
    packaged = package_schedule(2026)
    assert packaged is not None
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]

    differences = [d for d in days if from_file.is_workday(d) != packaged.is_workday(d)]

    assert differences == []
    assert from_file.schedule(2026).source == "国务院办公厅关于2026年部分节假日安排的通知"


def test_a_sample_file_is_never_loaded(tmp_path: Path) -> None:
    text = YEAR_2027.replace("2027", "2099")
    write_year(tmp_path, "2099.yaml.sample", text)
    write_year(tmp_path, "example-year.yaml.sample", text)

    with pytest.raises(CalendarNotConfigured, match="2099"):
        WorkCalendar(tmp_path).is_workday(date(2099, 3, 2))


@pytest.mark.parametrize(
    ("text", "column"),
    [
        (YEAR_2027.replace("2027-01-01", "2026-12-31"), "holidays.date"),
        (YEAR_2027.replace("- 2027-02-14", "- 2027-02-06"), "workdays.date"),  # also a holiday
        (YEAR_2027.replace("- 2027-02-14", "- 2027-02-15"), "workdays.date"),  # a Monday
        (YEAR_2027.replace("year: 2027", "year: 2028"), "year"),
        (YEAR_2027.replace("source: 测试用放假安排", "source: ''"), "source"),
        (YEAR_2027.replace("end: 2027-02-12", "end: 2027-02-01"), "holidays.end"),
        (YEAR_2027.replace("date: 2027-01-01", "date: 2027-13-01"), "holidays.date"),
        (YEAR_2027.replace("{name: 元旦, ", "{"), "holidays.name"),
        (YEAR_2027 + "notes: 多余字段\n", "notes"),
        ("year: 2027\nsource: [\n", "—"),
    ],
    ids=[
        "date-outside-year",
        "holiday-and-workday",
        "make-up-on-weekday",
        "year-not-file-name",
        "no-source",
        "range-backwards",
        "not-a-date",
        "unnamed-holiday",
        "unknown-key",
        "broken-yaml",
    ],
)
def test_a_bad_year_file_is_refused_with_a_problems_table(
    tmp_path: Path, text: str, column: str
) -> None:
    write_year(tmp_path, "2027.yaml", text)

    with pytest.raises(ValidationFailed) as refused:
        WorkCalendar(tmp_path).is_workday(date(2027, 3, 1))

    problems = refused.value.problems
    assert list(problems.columns) == PROBLEM_COLUMNS
    assert column in set(problems["列"])
    assert "2027.yaml" in refused.value.message


def test_a_bad_year_file_is_never_replaced_by_a_guess(tmp_path: Path) -> None:
    write_year(tmp_path, "2027.yaml", YEAR_2027.replace("year: 2027", "year: 2028"))

    with pytest.raises(ValidationFailed):
        PlanningCalendar(tmp_path).is_workday(date(2027, 3, 1))


# --- The provisional planning view --------------------------------------------------------


def test_planning_calendar_takes_2027_as_weekends_only_and_says_so(tmp_path: Path) -> None:
    planning = PlanningCalendar(tmp_path)

    new_years_day = planning.is_workday(date(2027, 1, 1))
    end = planning.notice_end(date(2027, 1, 4))

    assert new_years_day.value is True  # a Friday; the real holiday is not known yet
    assert end.value == date(2027, 1, 8)
    assert end.provisional and end.assumed_years == (2027,)
    assert "按周末推算的临时日期，节假日安排公布后以正式安排为准" in end.note
    assert "2027年" in end.note
    assert str(end) == "2027-01-08（临时）"


def test_planning_calendar_is_not_provisional_where_the_year_is_known(tmp_path: Path) -> None:
    planning = PlanningCalendar(tmp_path)

    end = planning.notice_end(date(2025, 9, 29))

    assert end.value == date(2025, 10, 11)
    assert not end.provisional
    assert end.note == ""


def test_a_planning_answer_becomes_official_once_the_year_file_exists(tmp_path: Path) -> None:
    planning = PlanningCalendar(tmp_path)
    guessed = planning.is_workday(date(2027, 2, 8))
    write_year(tmp_path, "2027.yaml", YEAR_2027)

    official = planning.is_workday(date(2027, 2, 8))

    assert (guessed.value, guessed.provisional) == (True, True)
    assert (official.value, official.provisional) == (False, False)


def test_strict_results_are_plain_values_never_provisional(strict: WorkCalendar) -> None:
    end = strict.notice_end(date(2025, 9, 29))
    count = strict.count_workdays(date(2025, 9, 1), date(2025, 9, 30))

    assert type(end) is date
    assert type(count) is int
    assert not hasattr(end, "provisional")


# --- Performance and the vectorised helper ------------------------------------------------


def test_each_year_is_loaded_once_per_calendar(strict: WorkCalendar) -> None:
    first = strict.schedule(2025)

    strict.count_workdays(date(2025, 1, 1), date(2025, 12, 31))

    assert strict.schedule(2025) is first
    assert int(first.work_mask.sum()) == len(first.workday_ordinals) == 248


def test_count_workdays_many_takes_a_scalar_and_a_series() -> None:
    deadlines = pd.Series(pd.to_datetime(["2025-10-08", "2025-10-11", "2025-09-01"]))

    counts = calendar.count_workdays_many(date(2025, 9, 29), deadlines)

    assert counts.tolist() == [2, 5, 0]
    assert counts.dtype == np.int64


def test_count_workdays_many_refuses_missing_dates_row_by_row() -> None:
    lasts = pd.Series([date(2025, 10, 8), None, date(2025, 10, 11)])

    with pytest.raises(ValidationFailed) as refused:
        calendar.count_workdays_many(date(2025, 9, 29), lasts)

    assert refused.value.problems["行"].tolist() == [2]
    assert refused.value.problems["列"].tolist() == ["last"]


def test_count_workdays_many_skips_unknown_years_no_interval_needs(strict: WorkCalendar) -> None:
    firsts = [date(2025, 1, 1), date(2030, 1, 1)]
    lasts = [date(2025, 1, 31), date(2029, 1, 1)]  # the second is empty: last < first

    counts = strict.count_workdays_many(firsts, lasts)

    assert counts.tolist() == [strict.count_workdays(firsts[0], lasts[0]), 0]


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(known_days, known_days), min_size=1, max_size=30))
def test_count_workdays_many_agrees_with_count_workdays(pairs: list[tuple[date, date]]) -> None:
    firsts, lasts = zip(*pairs, strict=True)

    counts = calendar.count_workdays_many(list(firsts), list(lasts))

    assert counts.tolist() == [calendar.count_workdays(f, last) for f, last in pairs]


# --- Properties ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(received=known_days, n=workday_counts)
def test_deadline_is_the_nth_working_day_after_receipt(received: date, n: int) -> None:
    """EXIT-05."""
    deadline = calendar.deadline_after(received, n)

    assert calendar.is_workday(deadline)
    assert calendar.count_workdays(received + timedelta(days=1), deadline) == n


@settings(max_examples=200, deadline=None)
@given(start=known_days, n=workday_counts)
def test_notice_covers_exactly_n_working_days(start: date, n: int) -> None:
    """SEL-05, ATT4-PUBLISH."""
    end = calendar.notice_end(start, n)

    assert calendar.is_workday(end)
    assert calendar.count_workdays(start, end) == n


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2004, 4, 1), max_value=date(2026, 9, 30)), n=workday_counts)
def test_going_back_n_working_days_undoes_going_forward(day: date, n: int) -> None:
    forward = calendar.add_workdays(day, n)

    back = calendar.add_workdays(forward, -n)

    expected = day if calendar.is_workday(day) else calendar.add_workdays(day, -1)
    assert back == expected


@settings(max_examples=50, deadline=None)
@given(start=st.dates(min_value=date(2027, 1, 1), max_value=date(2040, 12, 1)), n=workday_counts)
def test_planning_calendar_for_unknown_years_is_numpys_weekday_calendar(
    start: date, n: int
) -> None:
    end = PlanningCalendar(Path("/nonexistent")).notice_end(start, n)

    expected = np.busday_offset(np.datetime64(start, "D"), n - 1, roll="forward")
    assert end.value == expected.astype(date)
    assert end.provisional


# --- Documentation ------------------------------------------------------------------------


def test_calendar_readme_examples_run() -> None:
    result = doctest.testfile(
        str(CALENDAR_DIR / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )

    assert result.attempted > 0
    assert result.failed == 0
