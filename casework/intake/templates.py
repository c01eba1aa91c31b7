"""Downloadable templates: an xlsx with the kind's sheet and a 说明 sheet, or a csv header."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

from casework.domain.cells import neutralise
from casework.intake.kinds import Kind, kind_of
from casework.intake.readers import INSTRUCTIONS_SHEET

GENERAL_NOTES: Final = (
    "每行一条记录；表头请勿修改（常见的别名和两行合并表头也能识别）。",
    "日期可写 2025-03-05、2025/3/5、2025.3.5 或 2025年3月5日；全角数字可以识别。",
    "身份证号按 GB 11643 校验，统一社会信用代码按 GB 32100 校验。",
    "导入要么全部成功，要么一条也不写入；出错时会列出全部问题（行、列、值、要求、规则）。",
    "同一文件重复导入不会重复添加；内容有变化的记录按关键字段更新。",
)
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE: Final = "text/csv"


def csv_template(kind: Kind) -> bytes:
    """The header row as UTF-8 with a BOM, so Excel and WPS open it in the right encoding."""
    return (",".join(neutralise(f.header) for f in kind.fields) + "\r\n").encode("utf-8-sig")


def xlsx_template(kind: Kind) -> bytes:
    """A workbook: the kind's sheet with its Chinese headers, then a 说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind.label
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for j, f in enumerate(kind.fields, start=1):
        cell = sheet.cell(row=1, column=j, value=neutralise(f.header))
        cell.font, cell.fill = bold, fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, 2 * len(f.header) + 4)
        if f.parse == "date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        elif f.parse in ("code", "text", "list"):
            sheet.column_dimensions[letter].number_format = "@"  # keep leading zeros
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(INSTRUCTIONS_SHEET)

    def add(row: list[object]) -> None:
        notes.append([neutralise(x) for x in row])

    add([f"{kind.label}（导入类型 {kind.key}）"])
    notes["A1"].font = bold
    if kind.note:
        add([kind.note])
    add([])
    add(["列名", "是否必填", "填写说明"])
    for cell in notes[notes.max_row]:
        cell.font, cell.fill = bold, fill
    nullable = kind.model.to_schema().columns
    for f in kind.fields:
        optional = (not f.required) or nullable[f.name].nullable
        add([f.header, "选填" if optional else "必填", f.note])
    add([])
    for line in GENERAL_NOTES:
        add([line])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(kind: str | Kind, fmt: str = "xlsx") -> bytes:
    """The template of ``kind`` as ``xlsx`` or ``csv`` bytes."""
    k = kind if isinstance(kind, Kind) else kind_of(kind)
    if fmt == "csv":
        return csv_template(k)
    if fmt == "xlsx":
        return xlsx_template(k)
    raise ValueError(f"模板格式应为 xlsx 或 csv：{fmt}")


def write_template(kind: str | Kind, path: str | Path) -> Path:
    """Write the template to ``path``; the format follows its suffix (.csv, else xlsx)."""
    target = Path(path)
    fmt = "csv" if target.suffix.lower() == ".csv" else "xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(template(kind, fmt))
    return target
