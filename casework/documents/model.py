"""The document model: what a letter, form or public text says, before any layout.

A builder turns case data into a :class:`Document` (a title and a sequence of blocks); the
renderers (``docx.py``, ``pdf.py``) only lay it out. :func:`validate` runs before any rendering
and refuses a document with a blank field, a template placeholder left in (``XXXX``,
``20XX年M月``, ``____``) or a malformed table, naming every problem at once — so a wrong or
missing field never reaches paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from casework.errors import ValidationFailed

PROBLEM_COLUMNS = ["行", "列", "值", "要求", "规则"]
PLACEHOLDERS = re.compile(r"X{2,}|20XX|M-1月|＿{2,}|_{3,}|\bNone\b|\bnan\b|\bNaT\b")
"""Template blanks and Python leftovers that must never appear in an issued document."""


class DocumentRefused(ValidationFailed):
    """A document cannot be issued: a field is missing or wrong; nothing was written."""


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 is the document title (小标宋), level 2 a section (黑体)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text (仿宋): ``indent`` for a first-line indent of two characters."""

    text: str
    indent: bool = True
    align: Literal["justify", "left", "center", "right"] = "justify"


@dataclass(frozen=True)
class Label:
    """An attachment label at the top left, e.g. ``附件`` or ``附件2-1`` (黑体)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table; ``header`` False for a form whose first column holds the labels."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    note: str = ""
    header: bool = True
    allow_empty: bool = False


@dataclass(frozen=True)
class Signature:
    """The issuing department and the date, right-aligned (the seal goes over them)."""

    department: str
    dated: str


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (an attachment, the next sheet)."""


Block = Heading | Paragraph | Label | Table | Signature | PageBreak


@dataclass(frozen=True)
class Document:
    """A document ready to render.

    ``kind`` is the builder's key, ``name`` the file name stem, ``facts`` the case values the
    document states (for checking it against the case), ``rules`` the rule IDs it serves.
    """

    kind: str
    name: str
    blocks: tuple[Block, ...]
    facts: Mapping[str, str] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    landscape: bool = False

    def texts(self) -> Iterator[str]:
        """Every piece of text, in reading order (headings, paragraphs, cells, notes)."""
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph | Label):
                yield block.text
            elif isinstance(block, Table):
                if block.header:
                    yield from block.columns
                for row in block.rows:
                    yield from row
                if block.note:
                    yield block.note
            elif isinstance(block, Signature):
                yield block.department
                yield block.dated

    @property
    def plain_text(self) -> str:
        return "\n".join(self.texts())


def problem(where: str, column: str, value: object, expected: str, rule: str = "") -> tuple:
    """One row of a problems table (行, 列, 值, 要求, 规则)."""
    return (where, column, "" if value is None else str(value), expected, rule)


def refuse(title: str, problems: Iterable[tuple], rule_id: str | None = None) -> DocumentRefused:
    """The error naming every problem at once."""
    frame = pd.DataFrame(list(problems), columns=PROBLEM_COLUMNS)
    return DocumentRefused(f"不能生成{title}：{len(frame)}处问题", frame, rule_id=rule_id)


def _block_problems(i: int, block: Block) -> Iterator[tuple]:
    where = f"第{i + 1}段"
    if isinstance(block, Heading | Paragraph | Label):
        if not block.text.strip():
            yield problem(where, "文字", block.text, "不能为空")
        elif PLACEHOLDERS.search(block.text):
            yield problem(where, "文字", block.text, "不得保留模板占位符（XXXX、20XX、____）")
    elif isinstance(block, Table):
        if not block.rows and not block.allow_empty:
            yield problem(where, "表格", "（空）", "表格至少应有一行")
        if block.widths and len(block.widths) != len(block.columns):
            yield problem(where, "列宽", len(block.widths), f"应与列数{len(block.columns)}一致")
        for r, row in enumerate(block.rows, 1):
            if len(row) != len(block.columns):
                yield problem(f"{where}表格第{r}行", "列数", len(row), f"应为{len(block.columns)}")
            for c, cell in enumerate(row):
                if PLACEHOLDERS.search(str(cell)):
                    yield problem(f"{where}表格第{r}行", block.columns[c], cell, "不得保留占位符")
    elif isinstance(block, Signature):
        if not block.department.strip():
            yield problem(where, "落款单位", block.department, "技能人才评价管理部门名称不能为空")
        if not block.dated.strip() or PLACEHOLDERS.search(block.dated):
            yield problem(where, "成文日期", block.dated, "成文日期不能为空")


def validate(document: Document) -> Document:
    """Refuse a document with any blank or placeholder (all problems at once); else return it."""
    found = [p for i, b in enumerate(document.blocks) for p in _block_problems(i, b)]
    for key, value in document.facts.items():
        if not str(value).strip():
            found.append(problem("—", key, value, "不能为空"))
    if not document.name.strip() or "/" in document.name:
        found.append(problem("—", "文件名", document.name, "不能为空或含“/”"))
    if found:
        raise refuse(document.name or document.kind, found)
    return document


def date_text(d: date) -> str:
    """成文日期 in Arabic numerals without leading zeros (GB/T 9704-2012 7.3.5.3)."""
    return f"{d.year}年{d.month}月{d.day}日"
