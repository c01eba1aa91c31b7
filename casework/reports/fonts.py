"""The report's own typeface: Noto Serif CJK SC, subset to the characters a report uses and
converted to TrueType outlines, inlined in the HTML as ``@font-face`` data.

Why: Chromium's PDF backend embeds TrueType fonts as named CID fonts (``NotoSerifCJKsc-Regular``
with a ToUnicode map), but prints the installed Noto CJK fonts (CFF outlines in a collection)
as anonymous Type 3 glyph procedures — not the named embedded fonts PDF/A archiving wants. One
font for Latin, digits and Chinese alike also keeps ``2025年3月`` one word for text extraction
(a fallback font for the digits makes ``pdftotext`` insert spaces around them). The HTML carries
its font, so it looks the same on any machine.

Subsetting the whole collection face (65,000 CFF glyphs) for every report took about a second a
weight, most of a batch's export. So each face is reduced once to the characters a report is
expected to hold — printable ASCII, the punctuation above and all of GB 2312 (6,763 hanzi) — and
converted to TrueType, and that reduced font is kept in the user's cache folder
(``$XDG_CACHE_HOME/casework/fonts``, else ``~/.cache/casework/fonts``) under a name derived from
the SHA-256 of the installed font file and of everything the reduction depends on; a process
reads it once. A report is then subset from the reduced font. A report holding a character the
reduced font lacks but the installed face has (a rare hanzi in a name) is subset from the
installed face as before, so no character of a report is ever lost.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

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
REDUCTION = 1
"""The version of the reduction (characters, options, conversion): part of the cache key, so a
change here never reads a font reduced the old way."""


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


def common_characters() -> str:
    """The characters of the reduced font: :data:`ALWAYS` and every character of GB 2312."""
    chars = set(ALWAYS)
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((hi, lo)).decode("gb2312"))
    return "".join(sorted(chars))


def cache_dir() -> Path:
    """The user's cache folder for reduced fonts (XDG base directory convention)."""
    from casework import settings

    return settings.cache_home() / "fonts"


BUILD_AT = 40
"""Reports in one batch that pay for making the reduced fonts (tens of seconds a face, once a
machine; each report then saves about a second a face). Smaller batches and single reports use
the reduced fonts when a large batch has made them, and never wait for them to be made."""
_may_build = False
_reduced: dict[str, Reduced] = {}


@contextlib.contextmanager
def building_allowed(allowed: bool = True) -> Iterator[None]:
    """Within the block, :func:`reduced` makes a missing reduced font (a large batch)."""
    global _may_build
    before, _may_build = _may_build, allowed
    try:
        yield
    finally:
        _may_build = before


def _source(weight: str) -> Path:
    path = NOTO / FACES[weight]
    if not path.exists():
        raise FontMissing(f"未安装报告所用字体：{path}（fonts-noto-cjk，见 make system-deps）")
    return path


def _options(*, hinting: bool) -> Any:
    from fontTools import subset as ftsubset

    options = ftsubset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = hinting
    options.desubroutinize = True
    return options


def _from_source(weight: str, unicodes: set[int]) -> bytes:
    """The installed face of ``weight`` subset to ``unicodes``, as TrueType (the slow way)."""
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    path = _source(weight)
    # the installed face's own timestamp: the same text gives the same font, byte for byte
    font = TTFont(str(path), fontNumber=_collection_index(path), lazy=False, recalcTimestamp=False)
    sub = ftsubset.Subsetter(_options(hinting=False))
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Reduced:
    """A face reduced to :func:`common_characters`, as TrueType, the characters it maps and its
    outlines read once (``glyphs``, glyph name to fontTools glyph; None when one is composite),
    shared by the reports subset from it."""

    data: bytes
    unicodes: frozenset[int]
    glyphs: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


def _cache_key(weight: str, chars: str) -> str:
    import fontTools

    h = hashlib.sha256()
    with _source(weight).open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    recipe = f"{REDUCTION}|{weight}|{SIMPLIFIED}|{MAX_ERROR}|fontTools {fontTools.version}|"
    h.update(recipe.encode("utf-8") + chars.encode("utf-8"))
    return h.hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (two processes never reduce the same face at once)."""
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _parsed(data: bytes) -> Reduced:
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), lazy=True)
    glyphs = font["glyf"].glyphs
    # a composite glyph would be changed in place by the subsetter (its component indices)
    shared = None if any(g.isComposite() for g in glyphs.values()) else glyphs
    return Reduced(data, frozenset(font.getBestCmap()), shared)


def _cached(folder: Path, stem: str) -> Reduced | None:
    """The reduced font kept under ``stem``, if one is there whole: its name ends in the
    SHA-256 of its bytes, so a damaged file is never used (it is made again)."""
    for path in sorted(folder.glob(f"{stem}-*.ttf")):
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            if path.stem == f"{stem}-{hashlib.sha256(data).hexdigest()}":
                return _parsed(data)
    return None


def _keep(folder: Path, stem: str, data: bytes) -> None:
    """Write ``data`` as ``<stem>-<sha256>.ttf``, whole or not at all (a temporary file
    renamed)."""
    path = folder / f"{stem}-{hashlib.sha256(data).hexdigest()}.ttf"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".reducing-", suffix=".ttf")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def reduced(weight: str) -> Reduced | None:
    """The face of ``weight`` reduced to :func:`common_characters`: read from the cache folder
    (once a process), else — inside :func:`building_allowed` — made (tens of seconds, once a
    machine and font version) and kept there. None when there is none yet, or the cache folder
    cannot be written: reports are then subset from the installed face, as before."""
    if weight in _reduced:
        return _reduced[weight]
    chars = common_characters()
    folder = cache_dir()
    stem = f"{SIMPLIFIED}-{weight}-{_cache_key(weight, chars)[:32]}"
    found = _cached(folder, stem) if folder.is_dir() else None
    if found is None and _may_build:
        found = _make(folder, stem, weight, chars)
    if found is not None:
        _reduced[weight] = found
    return found


def forget_reduced() -> None:
    """Read the reduced fonts from the cache folder again (tests)."""
    _reduced.clear()


def _make(folder: Path, stem: str, weight: str, chars: str) -> Reduced | None:
    with contextlib.ExitStack() as stack:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stack.enter_context(_locked(folder / f".{stem}.lock"))
        except OSError:
            return None
        found = _cached(folder, stem)  # made by another process while this one waited
        if found is not None:
            return found
        made = _parsed(_from_source(weight, {ord(c) for c in chars}))
        with contextlib.suppress(OSError):
            _keep(folder, stem, made.data)
        return made


@lru_cache(maxsize=2)
def _source_unicodes(weight: str) -> frozenset[int]:
    """The characters the installed face maps (asked only for a character the reduced lacks)."""
    from fontTools.ttLib import TTFont

    path = _source(weight)
    return frozenset(TTFont(str(path), fontNumber=_collection_index(path), lazy=True).getBestCmap())


def _from_reduced(face: Reduced, unicodes: set[int]) -> bytes:
    """``face`` subset to ``unicodes``: its glyphs copied as they are (no hints to drop, bounds
    already computed) and its name table set aside, which the subsetter would walk every
    layout table to prune (the reduced font keeps only the names it needs).

    The outlines are not read again: the glyph table is made over the glyphs read once
    (``face.glyphs``; reading 13,000 of them was a third of the time). The subsetter picks
    from that table's own dictionary and only trims a simple glyph's padding, the same each
    time, so the shared glyphs stay as read.
    """
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(face.data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    if face.glyphs is not None:
        glyf = newTable("glyf")
        glyf.glyphOrder = font.getGlyphOrder()
        glyf._reverseGlyphOrder = {}
        glyf.glyphs = dict(face.glyphs)
        font["glyf"] = glyf
    name = font["name"]
    del font["name"]
    sub = ftsubset.Subsetter(_options(hinting=True))
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    font["name"] = name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def subset(weight: str, text: Iterable[str]) -> Face:
    """The face of ``weight`` (normal/bold) holding every character of ``text``, as TrueType.

    Made from the reduced font (:func:`reduced`) unless ``text`` holds a character only the
    installed face has; then from the installed face.
    """
    chars = {ord(c) for c in "".join(text)} | {ord(c) for c in ALWAYS}
    face = reduced(weight)
    missing = chars - face.unicodes if face is not None else chars
    if face is None or (missing and missing & _source_unicodes(weight)):
        data = _from_source(weight, chars)
    else:
        data = _from_reduced(face, chars)
    return Face("bold" if weight == "bold" else "normal", data)


def font_css(text: Iterable[str]) -> str:
    """``@font-face`` rules for the report's regular and bold faces, subset to ``text``."""
    chars = "".join(sorted(set("".join(text))))
    return "\n".join(subset(weight, chars).css() for weight in FACES)
