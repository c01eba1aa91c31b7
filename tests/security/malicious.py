# ruff: noqa: E501  (OOXML namespaces and content types are long literals)
"""Crafted workbooks that once exhausted memory on import, built small in memory."""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="考生成绩" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(dimension: str, rows: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def _book(sheet: str, shared: str | bytes, level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def _shared(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'


def million_rows() -> bytes:
    """A header row and one cell at the sheet's last row: every row between is padding."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>批次号</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    return _book(_sheet("A1:XFD1048576", rows), _shared([]))


def _header_row() -> str:
    from openpyxl.utils import get_column_letter

    from casework.intake.kinds import kind_of

    cells = "".join(
        f'<c r="{get_column_letter(j)}1" t="inlineStr"><is><t>{f.header}</t></is></c>'
        for j, f in enumerate(kind_of("results").fields, start=1)
    )
    return f'<row r="1">{cells}</row>'


def lying_dimension() -> bytes:
    """A real 考生成绩 header and one cell at the last row, under a dimension claiming two rows."""
    rows = _header_row() + (
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    return _book(_sheet("A1:A2", rows), _shared([]))


def huge_shared_strings(count: int = 3_000_000) -> bytes:
    """A shared-strings table of ``count`` short distinct entries (deflates to a few MB)."""
    body = "".join(f"<si><t>{i:x}</t></si>" for i in range(count))
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1">{body}</sst>'
    )
    return _book(_sheet("A1", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared)


def zip_bomb(size: int = 400 * 1024 * 1024) -> bytes:
    """A workbook whose sheet inflates to ``size`` bytes of blanks."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0"?><worksheet {NS}><sheetData>'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                part.write(chunk)
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def ratio_bomb(size: int = 50 * 1024 * 1024) -> bytes:
    """Under the total size limit, but one part inflates a thousandfold."""
    return zip_bomb(size)


BUILDERS = {
    "million_rows": million_rows,
    "lying_dimension": lying_dimension,
    "huge_shared_strings": huge_shared_strings,
    "zip_bomb": zip_bomb,
    "ratio_bomb": ratio_bomb,
}
