"""The report's own typeface: Noto Serif CJK SC, subset to the characters a report uses and
converted to TrueType outlines, inlined in the HTML as ``@font-face`` data.

Why: Chromium's PDF backend embeds TrueType fonts as named CID fonts (``NotoSerifCJKsc-Regular``
with a ToUnicode map), but prints the installed Noto CJK fonts (CFF outlines in a collection)
as anonymous Type 3 glyph procedures — not the named embedded fonts PDF/A archiving wants. One
font for Latin, digits and Chinese alike also keeps ``2025年3月`` one word for text extraction
(a fallback font for the digits makes ``pdftotext`` insert spaces around them). The HTML carries
its font, so it looks the same on any machine.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from casework.errors import CaseworkError

FAMILY = "Casework Serif"
"""The family name the report CSS uses for the inlined font."""
NOTO = Path("/usr/share/fonts/opentype/noto")
FACES = {"normal": "NotoSerifCJK-Regular.ttc", "bold": "NotoSerifCJK-Bold.ttc"}
SIMPLIFIED = "NotoSerifCJKsc"
"""The PostScript name prefix of the Simplified Chinese face in the collection."""
ALWAYS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "，。、；：？！“”‘’（）《》〔〕【】—…·０１２３４５６７８９"
)
MAX_ERROR = 1.0  # font units: the quadratic outlines stay within one unit of the cubic ones


class FontMissing(CaseworkError):
    """The CJK font the reports are printed with is not installed."""


@dataclass(frozen=True)
class Face:
    """One inlined face: its CSS weight and the TrueType font data."""

    weight: str
    data: bytes

    def css(self) -> str:
        b64 = base64.b64encode(self.data).decode("ascii")
        return (
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {self.weight}; '
            f"font-style: normal; src: url(data:font/ttf;base64,{b64}) format('truetype'); }}"
        )


@lru_cache(maxsize=2)
def _collection_index(path: Path) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    for i, font in enumerate(collection.fonts):
        if str(font["name"].getDebugName(6) or "").startswith(SIMPLIFIED):
            return i
    raise FontMissing(f"{path} 中没有简体中文字体（{SIMPLIFIED}）")


def _to_truetype(font: object) -> None:
    """Replace a CFF font's outlines by quadratic TrueType ones (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    f: dict = font  # type: ignore[assignment]
    order = font.getGlyphOrder()  # type: ignore[attr-defined]
    glyph_set = font.getGlyphSet()  # type: ignore[attr-defined]
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf  # type: ignore[index]
    font["loca"] = newTable("loca")  # type: ignore[index]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp  # type: ignore[index]
    post = f["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    head = f["head"]
    head.glyphDataFormat = 0
    head.indexToLocFormat = 0
    for tag in ("CFF ", "VORG"):
        if tag in f:
            del font[tag]  # type: ignore[attr-defined]
    font.sfntVersion = "\x00\x01\x00\x00"  # type: ignore[attr-defined]


def subset(weight: str, text: Iterable[str]) -> Face:
    """The face of ``weight`` (normal/bold) holding every character of ``text``, as TrueType."""
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    path = NOTO / FACES[weight]
    if not path.exists():
        raise FontMissing(f"未安装报告所用字体：{path}（fonts-noto-cjk，见 make system-deps）")
    chars = {ord(c) for c in "".join(text)} | {ord(c) for c in ALWAYS}
    font = TTFont(str(path), fontNumber=_collection_index(path), lazy=False)
    options = ftsubset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    sub = ftsubset.Subsetter(options)
    sub.populate(unicodes=chars)
    sub.subset(font)
    _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return Face("bold" if weight == "bold" else "normal", out.getvalue())


def font_css(text: Iterable[str]) -> str:
    """``@font-face`` rules for the report's regular and bold faces, subset to ``text``."""
    chars = "".join(sorted(set("".join(text))))
    return "\n".join(subset(weight, chars).css() for weight in FACES)
