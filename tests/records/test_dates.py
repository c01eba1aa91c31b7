"""Dates on documents and pages are dates in Asia/Shanghai, never a UTC timestamp's date
(issue #13)."""

from __future__ import annotations

from datetime import date, datetime

from casework.queries.renewal_outcome import bureau_date


def test_a_sheet_submitted_after_midnight_in_jinan_is_dated_that_day() -> None:
    stored_utc = datetime(2026, 3, 1, 17, 30)  # 2026-03-02 01:30 in Asia/Shanghai

    assert bureau_date(stored_utc) == date(2026, 3, 2)
