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
from datetime import date
from typing import Any

import pandas as pd

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


def shown(value: Any) -> str:
    """A value as the report prints it (dates as 2025年3月3日, None as —)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
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
