"""Templates: one per kind, Chinese headers, a 说明 sheet; a template reads back as its kind."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from casework.intake import KINDS, read_table, template


@pytest.mark.parametrize("key", list(KINDS))
def test_the_xlsx_template_has_the_kinds_sheet_its_headers_and_instructions(key: str) -> None:
    kind = KINDS[key]

    book = load_workbook(io.BytesIO(template(kind, "xlsx")))

    assert book.sheetnames == [kind.label, "说明"]
    headers = [c.value for c in book[kind.label][1]]
    assert headers == [f.header for f in kind.fields]
    notes = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert all(f.header in notes for f in kind.fields)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("key", list(KINDS))
def test_a_template_reads_back_as_its_kind_with_no_rows(key: str, fmt: str) -> None:
    kind = KINDS[key]

    table = read_table(template(kind, fmt), f"模板.{fmt}", kind)

    assert list(table.frame.columns) == [f.name for f in kind.fields]
    assert table.frame.empty


def test_the_csv_template_opens_in_excel_as_utf8() -> None:
    assert template("staff", "csv").startswith(b"\xef\xbb\xbf")
