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

from casework.domain import problems
from casework.domain.problems import table as problems_table
from casework.errors import ValidationFailed

PROBLEM_COLUMNS = ["行", "列", "值", "要求", "规则"]
PLACEHOLDERS = re.compile(
    r"X{2,}|20XX|M-1月|＿{2,}|_{3,}"
    r"|(?<![A-Za-z])(?:None|nan|NaN|NaT|null|<NA>)(?![A-Za-z])"
    r"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
)
"""Template blanks and Python leftovers that must never appear in an issued document: a
missing value (None, nan, NaT, <NA>) or a raw timestamp, even inside Chinese text (建议“nan”),
where ``\\b`` would not see a word boundary."""


class DocumentRefused(ValidationFailed):
    """A document cannot be issued: a field is missing or wrong; nothing was written."""


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 is the document title (小标宋), level 2 a first-order section
    heading (黑体, 一、), level 3 a second-order one (楷体, （一）) — GB/T 9704-2012 7.3.3.

    ``words`` splits a title into the pieces a line may break between (a name, a phrase), so
    that a title never breaks inside a word; empty means "break anywhere" (short titles).
    """

    text: str
    level: int = 1
    words: tuple[str, ...] = ()


def title(*words: str) -> Heading:
    """A document title made of unbreakable ``words`` (joined without spaces)."""
    return Heading("".join(words), 1, tuple(w for w in words if w))


@dataclass(frozen=True)
class DocNumber:
    """The 发文字号 (e.g. ``济人社函〔2026〕12号``), placed as GB/T 9704-2012 10.1 places it
    on a letter: on its own line at the right edge, above the title."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text (仿宋): ``indent`` for a first-line indent of two characters."""

    text: str
    indent: bool = True
    align: Literal["justify", "left", "center", "right"] = "justify"
    gap: bool = False  # a blank line before (GB/T 9704-2012 7.3.4: 正文下空一行编排附件说明)
    hang: int = 0  # continuation lines indented by this many characters more than the first
    words: tuple[str, ...] = ()  # the end of ``text`` as unbreakable words (a name that runs on)


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
    merges: tuple[tuple[int, int, int, int], ...] = ()
    """Merged cells as (first row, first column, last row, last column) of ``rows``; every
    cell a merge covers except its first is empty (the form's layout, e.g. Attachment 5)."""


@dataclass(frozen=True)
class Signature:
    """The issuing department and the date, right-aligned (the seal goes over them)."""

    department: str
    dated: str


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (an attachment, the next sheet)."""


Block = Heading | Paragraph | Label | Table | Signature | PageBreak | DocNumber


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
    city_code: str = ""

    def texts(self) -> Iterator[str]:
        """Every piece of text, in reading order (headings, paragraphs, cells, notes)."""
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph | Label | DocNumber):
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
    """One row of a problems table (行, 列, 值, 要求, 规则); see :mod:`casework.domain.problems`."""
    return problems.problem(where, column, value, expected, rule)


def refuse(title: str, problems: Iterable[tuple], rule_id: str | None = None) -> DocumentRefused:
    """The error naming every problem at once."""
    frame = problems_table(problems)
    return DocumentRefused(f"不能生成{title}：{len(frame)}处问题", frame, rule_id=rule_id)


def _block_problems(i: int, block: Block) -> Iterator[tuple]:
    where = f"第{i + 1}段"
    if isinstance(block, Heading) and block.words and "".join(block.words) != block.text:
        yield problem(where, "标题", block.text, "标题分词须与标题一致")
    if isinstance(block, Heading | Paragraph | Label | DocNumber):
        if not block.text.strip():
            yield problem(where, "文字", block.text, "不能为空")
        elif PLACEHOLDERS.search(block.text):
            yield problem(where, "文字", block.text, "不得保留模板占位符（XXXX、20XX、____）")
    elif isinstance(block, Table):
        if not block.rows and not block.allow_empty:
            yield problem(where, "表格", "（空）", "表格至少应有一行")
        if block.widths and len(block.widths) != len(block.columns):
            yield problem(where, "列宽", len(block.widths), f"应与列数{len(block.columns)}一致")
        for r0, c0, r1, c1 in block.merges:
            inside = 0 <= r0 <= r1 < len(block.rows) and 0 <= c0 <= c1 < len(block.columns)
            covered = [
                block.rows[r][c]
                for r in range(r0, r1 + 1)
                for c in range(c0, c1 + 1)
                if inside and (r, c) != (r0, c0) and c < len(block.rows[r])
            ]
            if not inside or any(str(v).strip() for v in covered):
                yield problem(where, "合并单元格", (r0, c0, r1, c1), "范围有效且被合并的格为空")
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
        elif PLACEHOLDERS.search(str(value)):
            found.append(problem("—", key, value, "不得保留占位符或空值（None、nan）"))
    if not document.name.strip() or "/" in document.name:
        found.append(problem("—", "文件名", document.name, "不能为空或含“/”"))
    if found:
        raise refuse(document.name or document.kind, found)
    return document


def date_text(d: date) -> str:
    """成文日期 in Arabic numerals without leading zeros (GB/T 9704-2012 7.3.5.3)."""
    return f"{d.year}年{d.month}月{d.day}日"
