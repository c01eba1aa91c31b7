"""What an archived report states, before it is shown: facts, sections, forms and figures.

The collectors (``collect_*.py``) read a completed procedure from the store into a
:class:`ReportData`; ``view.py`` shows it in the notebook (forms as read-only widgets in their
final state). ``figures`` are the numbers and outcomes the report proves — re-executing the
report from its recorded parameters against the same data must give the same figures.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from casework.clock import BUREAU_TZ
from casework.errors import CaseworkError


class ProcedureNotComplete(CaseworkError):
    """The procedure has not been completed: there is nothing to archive yet."""


@dataclass(frozen=True)
class Field:
    """One field of a form: ``kind`` is text, textarea, choice, number or check."""

    label: str
    value: Any
    kind: str = "text"
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """A form in its final state (shown as disabled widgets)."""

    title: str
    fields: tuple[Field, ...]


@dataclass
class Section:
    """A part of the report: a heading, tables (HTML) and forms."""

    heading: str
    tables: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    text: str = ""


@dataclass
class ReportData:
    """A completed procedure as its archived report shows it."""

    procedure: str
    case_id: int
    title: str
    city_code: str
    subject: str
    rubric_id: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    figures: dict[str, Any]


MISSING = "—"


def missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA: a value no report prints as such."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a scalar missing value
        return False


def local_time(value: datetime) -> datetime:
    """A timestamp in Asia/Shanghai (the store keeps naive timestamps in UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(BUREAU_TZ)


def shown(value: Any) -> str:
    """A value as the report prints it: dates as 2025年3月3日, timestamps in Asia/Shanghai as
    2025年3月3日 09:30, None/NaN/NaT as —; text unchanged."""
    if missing(value):
        return MISSING
    if isinstance(value, datetime):
        t = local_time(value)
        return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.12g}"  # every digit entered, no trailing zeros
    return str(value)


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An escaped HTML table (class ``cw-table``)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(shown(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(columns)}">（无）</td></tr>'
    return f'<table class="cw-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def iso(value: date | None) -> str | None:
    """A date for the figures (JSON): ISO text or None."""
    return value.isoformat() if value else None
