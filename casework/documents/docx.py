"""Render a :class:`~casework.documents.model.Document` as ``.docx`` in official-document layout.

GB/T 9704-2012 layout: A4, 版心 156 × 225 mm (margins 37/35/28/26 mm), 22 lines of 28
characters: the title in 方正小标宋简体 二号 (22 pt) centred on lines that break only between
words, the body in 仿宋_GB2312 三号 (16 pt, 28 characters per line) with a two-character
first-line indent, headings in 黑体 (一、) and 楷体_GB2312 (（一）), the 附件说明 a line below
the body, the date four characters from the right edge with the issuing department centred
above it and room for the seal, a centred ``— N —`` page number.

Each role is a named paragraph style (公文标题, 公文正文, …) naming the official font in every
font attribute (``w:ascii``, ``w:hAnsi``, ``w:eastAsia``, ``w:cs``), so Word on a bureau PC
uses it; our own PDF rendering substitutes installed fonts for them (``pdf.py``, ``fonts.py``).
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
from docx.shared import Mm, Pt

from casework.documents import fonts, layout
from casework.documents.config import DocumentSettings
from casework.documents.model import (
    DocNumber,
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
    "公文二级标题": ("subheading", 16.0, False),
    "公文正文": ("body", 16.0, False),
    "附件标签": ("heading", 16.0, False),
    "发文字号": ("body", 16.0, False),
    "落款": ("body", 16.0, False),
    "表格文字": ("table", 12.0, False),
    "表格小字": ("table", 10.5, False),
}
BODY_STYLES = ("公文小标题", "公文二级标题", "公文正文", "附件标签", "发文字号", "落款")
LINE_TWIPS = 579
"""22 lines on the 225 mm 版心: 225 mm / 22 = 28.95 pt = 579 twips (the docGrid pitch)."""
LINE = Pt(LINE_TWIPS / 20)
CONDENSE_TWENTIETHS = -5
"""Character spacing −0.25 pt: 16 pt characters then advance 15.75 pt, and exactly 28 fit the
156 mm line (442.2 pt: 28 × 15.75 = 441; 29 would need 456.75), in Word and in LibreOffice."""
CHAR = Pt(layout.BODY_PT + CONDENSE_TWENTIETHS / 20)
DATE_RIGHT_CHARS = 4
"""成文日期右空四字 (GB/T 9704-2012 7.3.5.1)."""


def _set_font(element_rpr: object, family: str) -> None:
    """Name ``family`` in every font attribute, east-Asian included (``w:eastAsia``): without
    it Word sets Chinese text in the theme's east-Asian font, whatever the style says."""
    rpr = element_rpr
    rfonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)
    rfonts.set(qn("w:hint"), "eastAsia")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def _condense(element_rpr: object) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
    element_rpr.append(spacing)  # type: ignore[attr-defined]


def _styles(doc: DocxDocument, settings: DocumentSettings) -> dict[str, str]:
    """Add the named styles; returns style name → chosen font family."""
    normal = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.append(lang)
    _set_font(normal, fonts.official("body", settings.fonts.get("body", ())))
    chosen = {}
    for name, (role, size, bold) in STYLES.items():
        family = fonts.official(role, settings.fonts.get(role, ()))
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.name = family
        style.font.size = Pt(size)
        style.font.bold = bold
        rpr = style.element.get_or_add_rPr()
        _set_font(rpr, family)
        if name in BODY_STYLES:
            _condense(rpr)
        fmt = style.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.widow_control = False
        if name.startswith("表格"):
            fmt.line_spacing = 1.15
            snap = OxmlElement("w:snapToGrid")  # a table line is not a 28.95 pt body line
            snap.set(qn("w:val"), "0")
            style.element.get_or_add_pPr().append(snap)
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
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
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
            if not str(value):
                continue  # an empty cell stays empty, so a merge over it adds no blank line
            run = para.add_run(str(value))
            run.bold = block.header and r == 0
            if block.header and r == 0:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in table.rows:  # a row is never split across pages (a form's signature cell)
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
    offset = 1 if block.header else 0
    for r0, c0, r1, c1 in block.merges:
        table.cell(r0 + offset, c0).merge(table.cell(r1 + offset, c1))
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
    new_page = False
    for block in document.blocks:
        before = len(doc.paragraphs)
        if isinstance(block, PageBreak):
            new_page = True
            continue
        if isinstance(block, Heading):
            _heading(doc, block, document.landscape)
        elif isinstance(block, DocNumber):
            p = doc.add_paragraph(block.text, style="发文字号")
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            doc.add_paragraph("", style="发文字号")
        elif isinstance(block, Label):
            doc.add_paragraph(block.text, style="附件标签")
        elif isinstance(block, Paragraph):
            if block.gap:
                doc.add_paragraph("", style="公文正文")
            text = block.text
            if block.words:  # 附件说明: break the name only between words, under its first char
                room = layout.CHARS_PER_LINE - (2 if block.indent else 0) - block.hang
                head = block.text[: len(block.text) - len("".join(block.words))]
                lines = layout.title_lines(block.words, room, greedy=True)
                text = head + "\n".join(lines)
            p = doc.add_paragraph(text, style="公文正文")
            p.alignment = ALIGN[block.align]
            if block.indent and block.hang:  # 附件说明: continuation under the name
                p.paragraph_format.left_indent = Pt(CHAR.pt * (2 + block.hang))
                p.paragraph_format.first_line_indent = Pt(-CHAR.pt * block.hang)
            elif block.indent:
                p.paragraph_format.first_line_indent = Pt(CHAR.pt * 2)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Signature):
            _signature(doc, block)
        if new_page and len(doc.paragraphs) > before:
            # a new page starts at the block's first paragraph (a break character in an empty
            # paragraph of its own makes LibreOffice leave a blank page)
            doc.paragraphs[before].paragraph_format.page_break_before = True
            new_page = False
        elif new_page and isinstance(block, Table):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            new_page = False
    return doc


def _heading(doc: DocxDocument, block: Heading, landscape: bool) -> None:
    """A title on lines broken only between its words (explicit line breaks, each line short
    enough that neither Word nor LibreOffice breaks it again); a section heading as is."""
    if block.level != 1:
        p = doc.add_paragraph(
            block.text, style="公文小标题" if block.level == 2 else "公文二级标题"
        )
        p.paragraph_format.first_line_indent = Pt(CHAR.pt * 2)  # 左空二字, like the body
        return
    # one character of slack: digits and punctuation are not exactly ½ and 1 em wide
    per_line = layout.chars_per_line(layout.TITLE_PT, landscape) - 1
    lines = layout.title_lines(block.words or layout.words_of(block.text), per_line)
    p = doc.add_paragraph(style="公文标题")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(16)
    for i, line in enumerate(lines):
        run = p.add_run(line)
        if i < len(lines) - 1:
            run.add_break()


def _signature(doc: DocxDocument, block: Signature) -> None:
    """GB/T 9704-2012 7.3.5.1: the date four characters from the right edge, the issuing
    department centred over the date, two blank lines above them for the seal."""
    if doc.paragraphs:  # never a page with the signature alone (GB/T 9704-2012 7.3.5.4)
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(2):
        doc.add_paragraph("", style="落款").paragraph_format.keep_with_next = True
    date_w = layout.width(block.dated)
    dept_w = layout.width(block.department)
    dept_indent = max(0.0, DATE_RIGHT_CHARS + (date_w - dept_w) / 2)
    for text, indent in ((block.department, dept_indent), (block.dated, DATE_RIGHT_CHARS)):
        p = doc.add_paragraph(text, style="落款")
        p.paragraph_format.keep_with_next = text == block.department
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(CHAR.pt * indent)


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
