"""Render a :class:`~casework.documents.model.Document` as ``.docx`` in official-document layout.

GB/T 9704-2012 layout: A4, margins 37/35/28/26 mm, the title in 小标宋 二号 (22 pt) centred, the
body in 仿宋 三号 (16 pt) with a two-character first-line indent on a fixed 28 pt line, section
headings in 黑体 三号, the issuing department and date right-aligned with room for the seal, a
centred ``— N —`` page number. Each role is a named paragraph style (公文标题, 公文正文, …) whose
font is the first installed family of the configured preferences (see ``fonts.py``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from casework.documents import fonts
from casework.documents.config import DocumentSettings
from casework.documents.model import (
    Document,
    Heading,
    Label,
    PageBreak,
    Paragraph,
    Signature,
    Table,
    validate,
)

ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
STYLES = {
    # name: (font role, size pt, bold)
    "公文标题": ("title", 22.0, False),
    "公文小标题": ("heading", 16.0, False),
    "公文正文": ("body", 16.0, False),
    "附件标签": ("heading", 16.0, False),
    "落款": ("body", 16.0, False),
    "表格文字": ("table", 12.0, False),
    "表格小字": ("table", 10.5, False),
}
LINE = Pt(28)


def _set_font(element_rpr: object, family: str) -> None:
    rpr = element_rpr
    rfonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _styles(doc: DocxDocument, settings: DocumentSettings) -> dict[str, str]:
    """Add the named styles; returns style name → chosen font family."""
    normal = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.append(lang)
    chosen = {}
    for name, (role, size, bold) in STYLES.items():
        family = fonts.pick(role, settings.fonts.get(role, ()))
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.name = family
        style.font.size = Pt(size)
        style.font.bold = bold
        _set_font(style.element.get_or_add_rPr(), family)
        fmt = style.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if name.startswith("表格"):
            fmt.line_spacing = 1.15
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(36) if name == "公文标题" else LINE
        chosen[name] = family
    return chosen


def _page(doc: DocxDocument, landscape: bool) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    footer.add_run(" —")


def _table(doc: DocxDocument, block: Table) -> None:
    small = len(block.columns) > 3 or len(block.rows) > 20
    style = "表格小字" if small else "表格文字"
    n_rows = len(block.rows) + (1 if block.header else 0)
    table = doc.add_table(rows=n_rows, cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [block.columns, *block.rows] if block.header else list(block.rows)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            para = cell.paragraphs[0]
            para.style = doc.styles[style]
            run = para.add_run(str(value))
            run.bold = block.header and r == 0
            if block.header and r == 0:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.widths:
        section = doc.sections[-1]
        margins = int(section.left_margin or 0) + int(section.right_margin or 0)
        usable = int(section.page_width or Mm(210)) - margins
        total = sum(block.widths)
        table.autofit = False
        for c, w in enumerate(block.widths):
            width = int(usable * w / total)
            table.columns[c].width = width
            for cell in table.columns[c].cells:
                cell.width = width
    if block.note:
        doc.add_paragraph(block.note, style="表格文字")


def build_docx(document: Document, settings: DocumentSettings) -> DocxDocument:
    """The python-docx document for a validated ``document``."""
    validate(document)
    doc = new_docx()
    _page(doc, document.landscape)
    _styles(doc, settings)
    props = doc.core_properties
    props.title, props.author, props.comments = document.name, "casework", "、".join(document.rules)
    props.created = props.modified = datetime(2025, 1, 1)  # content decides, not the clock
    for block in document.blocks:
        if isinstance(block, Heading):
            style = "公文标题" if block.level == 1 else "公文小标题"
            p = doc.add_paragraph(block.text, style=style)
            if block.level == 1:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.space_after = Pt(16)
        elif isinstance(block, Label):
            doc.add_paragraph(block.text, style="附件标签")
        elif isinstance(block, Paragraph):
            p = doc.add_paragraph(block.text, style="公文正文")
            p.alignment = ALIGN[block.align]
            if block.indent:
                p.paragraph_format.first_line_indent = Pt(32)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Signature):
            for _ in range(2):  # room for the seal
                doc.add_paragraph("", style="落款")
            for text in (block.department, block.dated):
                p = doc.add_paragraph(text, style="落款")
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                p.paragraph_format.right_indent = Cm(1.1)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return doc


def write_docx(document: Document, settings: DocumentSettings, path: Path) -> Path:
    """Write ``document`` to ``path`` atomically: a refused or failed render leaves no file."""
    doc = build_docx(document, settings)
    tmp = path.with_name(f".{path.name}.part")
    try:
        doc.save(str(tmp))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
