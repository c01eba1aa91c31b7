"""The filing term: 36 whole months, written on the receipt as "自2025年3月至2028年2月".

ATT2-TERM: a filing that starts in month M of year Y runs to month M-1 of year Y+3 (a January
start runs to December of Y+2). SEL-05: the term is normally 3 years (rules.TERM_YEARS).
REN-05: a renewed filing continues with the next term, from the month after this one ends.
"""

from __future__ import annotations

import calendar as _gregorian
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from casework.domain import problems, rules
from casework.errors import RuleViolation, ValidationFailed

_TERM_TEXT = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*至\s*(\d{4})\s*年\s*(\d{1,2})\s*月")
_MONTH_TEXT = re.compile(r"^\s*(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?\s*$")


class YearMonth(NamedTuple):
    """A calendar month, shown as ``2025年3月``."""

    year: int
    month: int

    @classmethod
    def of(cls, d: date) -> YearMonth:
        return cls(d.year, d.month)

    @classmethod
    def parse(cls, value: YearMonth | tuple[int, int] | date | str) -> YearMonth:
        """From a date, a (year, month) pair, or text such as ``2025-03`` or ``2025年3月``."""
        if isinstance(value, date):
            return cls.of(value)
        pair: tuple[object, ...] = (0, 0)
        if isinstance(value, str):
            found = _MONTH_TEXT.match(value)
            pair = (int(found[1]), int(found[2])) if found else pair
        elif isinstance(value, tuple) and len(value) == 2:
            pair = tuple(value)
        year, month = pair
        if not isinstance(year, int) or not isinstance(month, int) or isinstance(year, bool):
            raise _invalid_month(value)
        if not (1 <= year <= 9999 and 1 <= month <= 12) or isinstance(month, bool):
            raise _invalid_month(value)
        return cls(year, month)

    def plus(self, months: int) -> YearMonth:
        """The month ``months`` later (earlier if negative)."""
        index = self.year * 12 + self.month - 1 + months
        return YearMonth(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, _gregorian.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月"


def _invalid_month(value: object) -> ValidationFailed:
    found = problems.table(
        [(problems.WHOLE, "月份", value, "年月，如 2025-03 或 2025年3月", "ATT2-TERM")]
    )
    return ValidationFailed(f"无法识别的年月：{value!r}", found, rule_id="ATT2-TERM")


@dataclass(frozen=True)
class FilingTerm:
    """The term of a filing (ATT2-TERM, SEL-05), in whole calendar months.

    ``start`` is the date the filing took effect; the term covers every day of its month, so
    ``first_day`` is the 1st of that month and ``last_day`` the last day of the ``length``-th
    month. The term is normally (一般为) 36 months; another length is an exception the city
    decides and records (SEL-11).
    """

    start: date
    length: int = rules.TERM_MONTHS

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime):
            object.__setattr__(self, "start", self.start.date())
        elif not isinstance(self.start, date):
            raise TypeError(f"备案起始日期应为日期，实际为 {self.start!r}")
        if not 1 <= self.length <= rules.TERM_MONTHS_MAX:
            raise RuleViolation(
                f"备案有效期{self.length}个月不在1至{rules.TERM_MONTHS_MAX}个月之内",
                rule_id="SEL-11",
            )

    @classmethod
    def from_months(
        cls,
        first: YearMonth | tuple[int, int] | date | str,
        last: YearMonth | tuple[int, int] | date | str | None = None,
        *,
        length: int = rules.TERM_MONTHS,
    ) -> FilingTerm:
        """Rebuild a term from stored months; ``last``, if given, must agree (ATT2-TERM).

        ``length`` is the term granted: 36 months unless the city recorded another (SEL-11).

        Raises:
            RuleViolation: ``last`` is not the ``length``-th month from ``first``.
            ValidationFailed: a month cannot be read.
        """
        term = cls(YearMonth.parse(first).first_day, length)
        if last is not None and YearMonth.parse(last) != term.last_month:
            raise RuleViolation(
                f"备案有效期“自{term.first_month}至{YearMonth.parse(last)}”不是"
                f"{length}个月：自{term.first_month}起应至{term.last_month}",
                rule_id="ATT2-TERM",
                first=term.first_month,
                last=last,
            )
        return term

    @classmethod
    def from_text(cls, text: str) -> FilingTerm:
        """Read the wording of a receipt, e.g. ``有效期3年（自 2025 年 3 月至 2028 年 2 月）``."""
        found = _TERM_TEXT.search(text)
        if found is None:
            shown = problems.table(
                [(problems.WHOLE, "有效期", text, "自YYYY年M月至YYYY年M月", "ATT2-TERM")]
            )
            raise ValidationFailed(f"无法识别的备案有效期：{text}", shown, rule_id="ATT2-TERM")
        y1, m1, y2, m2 = (int(g) for g in found.groups())
        return cls.from_months((y1, m1), (y2, m2))

    @classmethod
    def spanning(cls, first_day: date, last_day: date) -> FilingTerm:
        """The term from ``first_day``'s month through ``last_day``'s month, as stored."""
        first, last = YearMonth.of(_day(first_day)), YearMonth.of(_day(last_day))
        return cls(first.first_day, (last.year - first.year) * 12 + last.month - first.month + 1)

    @property
    def months(self) -> int:
        return self.length

    @property
    def standard(self) -> bool:
        """Whether the term has the normal length of 3 years (SEL-11)."""
        return self.length == rules.TERM_MONTHS

    @property
    def first_month(self) -> YearMonth:
        return YearMonth.of(self.start)

    @property
    def last_month(self) -> YearMonth:
        return self.first_month.plus(self.length - 1)

    @property
    def first_day(self) -> date:
        return self.first_month.first_day

    @property
    def last_day(self) -> date:
        return self.last_month.last_day

    @property
    def text(self) -> str:
        """``自2025年3月至2028年2月`` (ATT2-TERM)."""
        return f"自{self.first_month}至{self.last_month}"

    @property
    def receipt_text(self) -> str:
        """``有效期3年（自2025年3月至2028年2月）``, as on receipts (Attachments 2 and 7); a
        term of another length (SEL-11) prints the length actually granted."""
        span = f"{self.length // 12}年" if self.length % 12 == 0 else f"{self.length}个月"
        return f"有效期{span}（{self.text}）"

    def contains(self, d: date) -> bool:
        """Whether ``d`` lies in the term (its first month through its last month)."""
        return self.first_day <= _day(d) <= self.last_day

    def days_remaining(self, today: date) -> int:
        """Calendar days from ``today`` through ``last_day``, both counted; 0 after the end."""
        return max(0, (self.last_day - _day(today)).days + 1)

    def expired(self, on: date) -> bool:
        """Whether ``on`` is after the term's last day."""
        return _day(on) > self.last_day

    def next_term(self) -> FilingTerm:
        """The renewal term (REN-05): it begins the month after this one's last month."""
        return FilingTerm(self.last_month.plus(1).first_day)

    def __str__(self) -> str:
        return self.text


def filing_term(start: date, months: int = rules.TERM_MONTHS) -> FilingTerm:
    """The term of a filing taking effect on ``start`` (ATT2-TERM, SEL-05); 36 months unless
    the city decided another length (SEL-11)."""
    return FilingTerm(start, months)


def term_of(filing: Any) -> FilingTerm:
    """A stored filing's current term, from its ``term_start`` and ``term_end`` (SEL-11)."""
    return FilingTerm.spanning(filing["term_start"], filing["term_end"])


def _day(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d
