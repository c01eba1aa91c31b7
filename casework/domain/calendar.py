"""Official Chinese working days: the calendar behind every "N 个工作日" of the notice.

A working day follows the official calendar (RULES.md, "Working days"): Saturdays, Sundays
and public holidays are off; the State Council's make-up working days (调休, usually a weekend
day) are on. A year's schedule comes from, in order of precedence:

1. a data file ``schemas/calendar/<year>.yaml`` that an administrator copies from
   ``example-year.yaml.sample`` when the State Council publishes the year's schedule;
2. the ``chinese_calendar`` package (2004–2026 in chinesecalendar 1.11).

A date in a year neither knows raises :class:`~casework.errors.CalendarNotConfigured`; the
strict :class:`WorkCalendar` never guesses. :class:`PlanningCalendar` is the explicit
exception for planning views: unknown years fall back to weekends only, and every answer is a
:class:`Planned` value whose ``provisional`` flag and Chinese ``note`` say so.

Schedules are memoized per year (a work-day mask and the sorted work-day ordinals), so
dashboards may call these functions freely; :func:`count_workdays_many` counts whole columns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, Generic, TypeVar

import chinese_calendar
import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from casework.domain import rules
from casework.domain.problems import table as problem_table
from casework.errors import CalendarNotConfigured, ValidationFailed
from casework.paths import REPO_DIR, schemas_dir

T = TypeVar("T")
ONE_DAY = timedelta(days=1)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}
CALENDAR_RULE = "工作日"
"""The 规则 of calendar problems: RULES.md's "Working days" section has no rule ID."""
PROVISIONAL_NOTE = "按周末推算的临时{kind}，节假日安排公布后以正式安排为准"
"""The note of a provisional answer; ``{kind}`` is 日期 for a date, 结果 otherwise."""


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: its public holidays and make-up working days."""

    year: int
    source: str
    holidays: Mapping[date, str]
    """Days off other than ordinary weekends (weekend days inside a holiday may be listed)."""
    makeup_workdays: Mapping[date, str]
    """调休: weekend days that are working days."""
    provisional: bool = False
    """True only for the weekends-only guess of a :class:`PlanningCalendar`."""

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` (a day of this year) is a working day."""
        if d in self.makeup_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    @functools.cached_property
    def work_mask(self) -> npt.NDArray[np.bool_]:
        """One flag per day of the year, 1 January first."""
        first = date(self.year, 1, 1)
        days = (date(self.year + 1, 1, 1) - first).days
        return np.array([self.is_workday(first + timedelta(i)) for i in range(days)], dtype=bool)

    @functools.cached_property
    def workday_ordinals(self) -> npt.NDArray[np.int64]:
        """The working days of the year as sorted ``date.toordinal()`` numbers."""
        first = date(self.year, 1, 1).toordinal()
        return np.flatnonzero(self.work_mask).astype(np.int64) + first


@dataclass(frozen=True)
class Planned(Generic[T]):
    """An answer of the :class:`PlanningCalendar`, provisional when it rests on a guess.

    ``assumed_years`` lists the years whose holidays were not configured and were taken to be
    weekends only; the answer is then provisional and ``note`` says so in Chinese.
    """

    value: T
    assumed_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.assumed_years)

    @property
    def note(self) -> str:
        if not self.provisional:
            return ""
        years = "、".join(f"{y}年" for y in self.assumed_years)
        kind = "日期" if isinstance(self.value, date) else "结果"
        return f"{years}节假日安排尚未配置：" + PROVISIONAL_NOTE.format(kind=kind)

    def __str__(self) -> str:
        return f"{self.value}（临时）" if self.provisional else str(self.value)


def package_schedule(year: int) -> YearSchedule | None:
    """The schedule ``chinese_calendar`` knows for ``year``, or None outside its years."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    return YearSchedule(
        year=year,
        source=f"chinesecalendar {version('chinesecalendar')} 收录的国务院办公厅{year}年放假安排",
        holidays=_named_days(chinese_calendar.holidays, year),
        makeup_workdays=_named_days(chinese_calendar.workdays, year),
    )


def _named_days(days: Mapping[date, str], year: int) -> dict[date, str]:
    return {d: _HOLIDAY_NAMES.get(name, name) for d, name in days.items() if d.year == year}


def weekends_only(year: int) -> YearSchedule:
    """The provisional guess for an unconfigured year: Monday to Friday are working days."""
    return YearSchedule(year, "按周末推算（节假日安排尚未配置）", {}, {}, provisional=True)


# --- Year files -----------------------------------------------------------------------------
_FILE_KEYS = ("year", "source", "holidays", "workdays")
_ENTRY_KEYS = ("name", "date", "start", "end")
_Problem = tuple[Any, str, Any, str, str]


class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date becomes a row of the problems table."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def problems_table(rows: list[_Problem]) -> pd.DataFrame:
    """The 行/列/值/要求/规则 table of :class:`~casework.errors.ValidationFailed`."""
    return problem_table(rows)


def _as_date(value: object) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def load_year_file(path: Path) -> YearSchedule:
    """Read and check ``<year>.yaml``; refuse the whole file with ValidationFailed if it is wrong.

    Checks: the keys are year, source, holidays, workdays; ``year`` matches the file name;
    every date lies in that year; ranges run forwards; holidays are named; a make-up working
    day falls on a weekend and is not also a holiday. See ``schemas/calendar/README.md``.
    """
    problems: list[_Problem] = []

    def bad(row: Any, column: str, value: Any, requirement: str) -> None:
        problems.append((row, column, value, requirement, CALENDAR_RULE))

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDatesLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        data = None
        bad("—", "—", str(exc), "UTF-8 编码、符合 YAML 语法")
    if not isinstance(data, dict):
        if not problems:
            bad("—", "—", data, "包含 year、source、holidays、workdays 四项的映射")
        raise _refused(path, problems)
    for key in sorted(set(data) - set(_FILE_KEYS), key=str):
        bad("—", str(key), data[key], "只允许 year、source、holidays、workdays")
    year = data.get("year")
    expected = int(path.stem) if path.stem.isdigit() else None
    if isinstance(year, bool) or not isinstance(year, int):
        bad("—", "year", year, "四位数年份，如 2027")
        year = None
    elif expected is not None and year != expected:
        bad("—", "year", year, f"与文件名一致：{expected}")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        bad("—", "source", source, "国务院办公厅放假安排通知的标题和文号")
    holidays = _read_entries(data, "holidays", year, bad)
    workdays = _read_entries(data, "workdays", year, bad)
    for d, (row, _) in workdays.items():
        if d in holidays:
            bad(row, "workdays.date", d, "同一日期不能既放假又调休上班")
        elif d.weekday() < 5:
            bad(row, "workdays.date", d, "调休上班日为周六或周日")
    if problems or year is None or not isinstance(source, str):
        raise _refused(path, problems)
    return YearSchedule(
        year=year,
        source=source.strip(),
        holidays={d: name for d, (_, name) in holidays.items()},
        makeup_workdays={d: name for d, (_, name) in workdays.items()},
    )


def _read_entries(
    data: dict[Any, Any], key: str, year: int | None, bad: Callable[[Any, str, Any, str], None]
) -> dict[date, tuple[int, str]]:
    """The days of ``holidays`` or ``workdays``: each entry is a date or a {name, date} /
    {name, start, end} mapping; holidays need a name, make-up days may be bare dates."""
    items = data.get(key)
    if not isinstance(items, list) or (key == "holidays" and not items):
        bad("—", key, items, "日期列表（workdays 没有则写 []）")
        return {}
    days: dict[date, tuple[int, str]] = {}
    for row, item in enumerate(items, start=1):
        entry = item if isinstance(item, dict) else {"date": item}
        for extra in sorted(set(entry) - set(_ENTRY_KEYS), key=str):
            bad(row, f"{key}.{extra}", entry[extra], "只允许 name、date、start、end")
        name = entry.get("name", "调休上班" if key == "workdays" else None)
        if not isinstance(name, str) or not name.strip():
            bad(row, f"{key}.name", name, "节日名称，如 春节")
            name = ""
        if "date" in entry and ("start" in entry or "end" in entry):
            bad(row, f"{key}.date", entry["date"], "date 与 start/end 二选一")
            continue
        fields = ("date", "date") if "date" in entry else ("start", "end")
        ends = [_as_date(entry.get(f)) for f in fields]
        for f, value, parsed in zip(fields, (entry.get(f) for f in fields), ends, strict=True):
            if parsed is None:
                bad(row, f"{key}.{f}", value, "日期，格式 YYYY-MM-DD")
            elif year is not None and parsed.year != year:
                bad(row, f"{key}.{f}", value, f"在{year}年内")
        first, last = ends
        if first is None or last is None or (year is not None and first.year != year):
            continue
        if last < first:
            bad(row, f"{key}.end", entry.get("end"), f"不早于开始日期 {first}")
        span = (last - first).days + 1 if last.year == first.year else 0
        days.update({first + timedelta(i): (row, name.strip()) for i in range(span)})
    return days


def _refused(path: Path, problems: list[_Problem]) -> ValidationFailed:
    return ValidationFailed(
        f"节假日安排文件 {_shown(path)} 未通过校验（{len(problems)} 处问题），未载入",
        problems_table(problems),
    )


class _Schedules:
    """Finds and memoizes each year's schedule: year file first, then the package."""

    def __init__(self, calendar_dir: Path) -> None:
        self.calendar_dir = calendar_dir
        self._known: dict[int, YearSchedule] = {}
        self._guessed: dict[int, YearSchedule] = {}

    def get(self, year: int, *, guess: bool) -> YearSchedule:
        known = self._known.get(year)
        if known is not None:
            return known
        path = self.calendar_dir / f"{year}.yaml"
        found = load_year_file(path) if path.is_file() else package_schedule(year)
        if found is not None:
            self._known[year] = found
            return found
        if guess:
            return self._guessed.setdefault(year, weekends_only(year))
        raise CalendarNotConfigured(
            f"尚未配置{year}年节假日安排：请在 {_shown(path)} 中录入国务院办公厅公布的放假安排",
            year=year,
            path=path,
        )

    def clear(self) -> None:
        self._known.clear()
        self._guessed.clear()


def _shown(path: Path) -> str:
    try:
        return path.relative_to(REPO_DIR).as_posix()
    except ValueError:
        return str(path)


class WorkdayArithmetic:
    """Working-day arithmetic over a ``year -> YearSchedule`` lookup.

    :class:`WorkCalendar` is this with the strict lookup; :class:`PlanningCalendar` runs it
    with a lookup that guesses unknown years and records that it did.
    """

    def __init__(self, schedule: Callable[[int], YearSchedule]) -> None:
        self._schedule = schedule

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is an official working day."""
        d = _day(d)
        return bool(self._schedule(d.year).work_mask[d.timetuple().tm_yday - 1])

    def add_workdays(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (before it if ``n`` < 0); ``d`` is not counted.

        ``n == 0`` returns ``d`` unchanged, working day or not.
        """
        d, remaining = _day(d), abs(n)
        if n == 0:
            return d
        if n > 0:
            cursor = d + ONE_DAY
            while True:
                ords = self._schedule(cursor.year).workday_ordinals
                i = int(np.searchsorted(ords, cursor.toordinal(), side="left"))
                if remaining <= len(ords) - i:
                    return date.fromordinal(int(ords[i + remaining - 1]))
                remaining -= len(ords) - i
                cursor = date(cursor.year + 1, 1, 1)
        cursor = d - ONE_DAY
        while True:
            ords = self._schedule(cursor.year).workday_ordinals
            i = int(np.searchsorted(ords, cursor.toordinal(), side="right"))
            if remaining <= i:
                return date.fromordinal(int(ords[i - remaining]))
            remaining -= i
            cursor = date(cursor.year - 1, 12, 31)

    def notice_end(self, start: date, workdays: int = rules.NOTICE_MIN_WORKDAYS) -> date:
        """The last day of a notice from ``start`` covering ``workdays`` working days.

        SEL-05 (filing notice), ATT4-PUBLISH (results notice). ``start`` counts as the first
        working day when it is one; a notice posted on a day off starts counting at the next
        working day.
        """
        return self.add_workdays(_day(start) - ONE_DAY, _positive(workdays))

    def deadline_after(self, received: date, workdays: int) -> date:
        """The ``workdays``-th working day after ``received`` (EXIT-05); receipt day not counted."""
        return self.add_workdays(received, _positive(workdays))

    def count_workdays(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included; 0 when ``last < first``."""
        first, last = _day(first), _day(last)
        total = 0
        if last < first:
            return total
        for year in range(first.year, last.year + 1):
            ords = self._schedule(year).workday_ordinals
            lo = max(first, date(year, 1, 1)).toordinal()
            hi = min(last, date(year, 12, 31)).toordinal()
            total += int(np.searchsorted(ords, hi, "right") - np.searchsorted(ords, lo, "left"))
        return total

    def workdays_left(self, today: date, deadline: date) -> int:
        """Working days after ``today`` up to and including ``deadline``.

        0 on the deadline itself and after it; compare ``today > deadline`` for "overdue".
        """
        return self.count_workdays(_day(today) + ONE_DAY, deadline)

    def count_workdays_many(self, first: Any, last: Any) -> npt.NDArray[np.int64]:
        """:meth:`count_workdays` element-wise over arrays, Series or a scalar and an array.

        Inputs broadcast like numpy arrays; missing dates raise ValidationFailed. Make-up
        weekend days are honoured through a cumulative working-day index per day (numpy's
        ``busday_count`` with holidays cannot make a Saturday a working day).
        """
        lo, hi = np.broadcast_arrays(_ordinals(first, "first"), _ordinals(last, "last"))
        out = np.zeros(lo.shape, dtype=np.int64)
        valid = hi >= lo
        if not valid.any():
            return out
        lo_v, hi_v = lo[valid], hi[valid]
        needed: set[int] = set()  # only years some interval covers must be known
        for y1, y2 in np.unique(np.stack([_years(lo_v), _years(hi_v)], axis=1), axis=0):
            needed.update(range(int(y1), int(y2) + 1))
        start, end = min(needed), max(needed)
        masks = [
            self._schedule(y).work_mask if y in needed else np.zeros(_days_in(y), dtype=bool)
            for y in range(start, end + 1)
        ]
        cum = np.concatenate(([0], np.cumsum(np.concatenate(masks), dtype=np.int64)))
        base = date(start, 1, 1).toordinal()
        out[valid] = cum[hi_v - base + 1] - cum[lo_v - base]
        return out


def _day(d: date) -> date:
    """Accept datetimes and pandas Timestamps; calendar arithmetic is on days."""
    return d.date() if isinstance(d, datetime) else d


def _positive(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"工作日数应为正整数，实际为 {n!r}")
    return n


def _days_in(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _years(ordinals: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    days = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _ordinals(values: Any, column: str) -> npt.NDArray[np.int64]:
    """Dates (scalar, sequence, Series, datetime64 array) as ``toordinal()`` numbers."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # keep the local calendar day
    days = np.asarray(values, dtype="datetime64[D]")
    missing = np.flatnonzero(np.isnat(days.ravel()))
    if missing.size:
        rows = [(int(i) + 1, column, "空", "日期不能为空", CALENDAR_RULE) for i in missing]
        message = f"有 {missing.size} 个日期为空，无法计算工作日"
        raise ValidationFailed(message, problems_table(rows))
    return days.astype(np.int64) + _EPOCH_ORDINAL


class WorkCalendar(WorkdayArithmetic):
    """The strict official calendar: unknown years raise, results are never provisional.

    Args:
        calendar_dir: where ``<year>.yaml`` files live; default ``schemas_dir() / "calendar"``.
    """

    def __init__(self, calendar_dir: Path | str | None = None) -> None:
        default = schemas_dir() / "calendar"
        self.calendar_dir = default if calendar_dir is None else Path(calendar_dir)
        self._schedules = _Schedules(self.calendar_dir)
        super().__init__(functools.partial(self._schedules.get, guess=False))

    def schedule(self, year: int) -> YearSchedule:
        """The configured schedule of ``year`` (raises CalendarNotConfigured if none)."""
        return self._schedules.get(year, guess=False)

    def reload(self) -> None:
        """Forget memoized years, e.g. after an administrator edited a year file."""
        self._schedules.clear()

    def planning(self) -> PlanningCalendar:
        """A planning view of the same calendar files (see :class:`PlanningCalendar`)."""
        return PlanningCalendar(self)


class PlanningCalendar:
    """A planning view: unknown years are taken to be weekends only, and answers say so.

    Every method returns a :class:`Planned` value; it is provisional (``.provisional``, with a
    Chinese ``.note``) exactly when a year without a configured schedule was consulted.
    Never use it to decide a legal deadline — use :class:`WorkCalendar` for that.
    """

    def __init__(self, calendar: WorkCalendar | Path | str | None = None) -> None:
        strict = calendar if isinstance(calendar, WorkCalendar) else WorkCalendar(calendar)
        self._schedules = strict._schedules  # share the memoized years
        self.calendar_dir = strict.calendar_dir

    def _run(self, question: Callable[[WorkdayArithmetic], T]) -> Planned[T]:
        assumed: set[int] = set()

        def lookup(year: int) -> YearSchedule:
            found = self._schedules.get(year, guess=True)
            if found.provisional:
                assumed.add(year)
            return found

        value = question(WorkdayArithmetic(lookup))
        return Planned(value, tuple(sorted(assumed)))

    def is_workday(self, d: date) -> Planned[bool]:
        return self._run(lambda e: e.is_workday(d))

    def add_workdays(self, d: date, n: int) -> Planned[date]:
        return self._run(lambda e: e.add_workdays(d, n))

    def notice_end(self, start: date, workdays: int = rules.NOTICE_MIN_WORKDAYS) -> Planned[date]:
        return self._run(lambda e: e.notice_end(start, workdays))

    def deadline_after(self, received: date, workdays: int) -> Planned[date]:
        return self._run(lambda e: e.deadline_after(received, workdays))

    def count_workdays(self, first: date, last: date) -> Planned[int]:
        return self._run(lambda e: e.count_workdays(first, last))

    def workdays_left(self, today: date, deadline: date) -> Planned[int]:
        return self._run(lambda e: e.workdays_left(today, deadline))

    def count_workdays_many(self, first: Any, last: Any) -> Planned[npt.NDArray[np.int64]]:
        return self._run(lambda e: e.count_workdays_many(first, last))


@functools.cache
def _calendar_at(calendar_dir: Path) -> WorkCalendar:
    return WorkCalendar(calendar_dir)


def default_calendar() -> WorkCalendar:
    """The strict calendar of ``schemas_dir() / "calendar"`` (one memoized instance per dir)."""
    return _calendar_at(schemas_dir() / "calendar")


def planning_calendar() -> PlanningCalendar:
    """The provisional planning view of :func:`default_calendar` (see PlanningCalendar)."""
    return default_calendar().planning()


def is_workday(d: date) -> bool:
    """Whether ``d`` is an official working day (strict default calendar)."""
    return default_calendar().is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """See :meth:`WorkCalendar.add_workdays`."""
    return default_calendar().add_workdays(d, n)


def notice_end(start: date, workdays: int = rules.NOTICE_MIN_WORKDAYS) -> date:
    """See :meth:`WorkCalendar.notice_end` (SEL-05, ATT4-PUBLISH)."""
    return default_calendar().notice_end(start, workdays)


def deadline_after(received: date, workdays: int) -> date:
    """See :meth:`WorkCalendar.deadline_after` (EXIT-05)."""
    return default_calendar().deadline_after(received, workdays)


def count_workdays(first: date, last: date) -> int:
    """See :meth:`WorkCalendar.count_workdays`."""
    return default_calendar().count_workdays(first, last)


def workdays_left(today: date, deadline: date) -> int:
    """See :meth:`WorkCalendar.workdays_left`."""
    return default_calendar().workdays_left(today, deadline)


def count_workdays_many(first: Any, last: Any) -> npt.NDArray[np.int64]:
    """See :meth:`WorkCalendar.count_workdays_many`."""
    return default_calendar().count_workdays_many(first, last)
