"""Read a csv or xlsx file into a table of text with the kind's column names.

Files are taken as they come from common office software: the header may sit below a title
row, span two rows with merged group cells (``结果公示`` over ``开始日期``/``结束日期``), use
full-width characters or another usual name for a column; a workbook may hold the data on any
sheet; a csv may be UTF-8 (with or without BOM) or GB18030 and use commas, tabs or semicolons.
What cannot be read is refused with a problems table (:mod:`casework.intake.problems`) — never
a traceback, never half a table. The frame's index is the row number a user sees.

A file is measured before it is parsed (:class:`ImportLimits`): its size; for a workbook the zip
directory (total uncompressed size, compression ratio, overlapping entries), each sheet's
``<dimension>`` and the number of shared strings, counted by streaming; for a csv its lines and
fields. A file over a limit is refused with a message naming the limit, so a crafted file (a
sheet claiming 1,048,576 rows, a huge shared-strings table, a zip bomb) costs a bounded amount
of memory and time. Workbooks are then read as a stream (openpyxl ``read_only``), stopping at
the row and column limits.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Final

import pandas as pd

from casework.errors import ValidationFailed
from casework.intake import problems as pr
from casework.intake.kinds import KINDS, Kind

HEADER_SCAN_ROWS: Final = 20
INSTRUCTIONS_SHEET: Final = "说明"
Source = bytes | str | Path | IO[bytes]
MB: Final = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """The largest file an import reads; anything larger is refused before it is parsed."""

    max_bytes: int = 30 * MB
    """上传文件大小."""
    max_rows: int = 200_000
    """数据行数 (a sheet's rows, header and title rows aside)."""
    max_columns: int = 100
    """列数."""
    max_shared_strings: int = 2_000_000
    """工作簿共享字符串数."""
    max_uncompressed: int = 300 * MB
    """工作簿解压后的总大小."""
    max_ratio: int = 100
    """工作簿中一个部件的压缩比 (parts over 1 MB)."""


LIMITS: Final = ImportLimits()
"""The limits every import uses unless given others."""
_RATIO_FROM: Final = MB


@dataclass
class RawTable:
    """The file's data rows as text, columns named by the kind's fields, index = row number."""

    frame: pd.DataFrame
    sheet: str | None = None
    header_rows: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)


def _refuse(filename: str, need: str, value: str = "", column: str = "文件") -> ValidationFailed:
    problems = pr.table([(pr.WHOLE_FILE, column, value, need, pr.FORMAT)])
    return ValidationFailed(f"文件“{filename}”无法导入：{need}", problems, rule_id=pr.FORMAT)


def _too_large(filename: str, what: str, limit: str, found: str) -> ValidationFailed:
    need = f"{what}不能超过{limit}（本文件{found}）；请拆分后分批导入"
    problems = pr.table([(pr.WHOLE_FILE, "文件", found, need, pr.FORMAT)])
    return ValidationFailed(
        f"文件“{filename}”超过导入上限，未读取：{need}", problems, rule_id=pr.FORMAT
    )


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def read_bytes(source: Source, filename: str = "上传文件", limits: ImportLimits = LIMITS) -> bytes:
    """The file's bytes, refused unread past ``limits.max_bytes`` (上传文件大小)."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        size = Path(source).stat().st_size
        if size > limits.max_bytes:
            raise _too_large(filename, "文件大小", _mb(limits.max_bytes), _mb(size))
        data = Path(source).read_bytes()
    else:
        data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        shown = _mb(len(data)) if isinstance(source, bytes) else f"超过{_mb(limits.max_bytes)}"
        raise _too_large(filename, "文件大小", _mb(limits.max_bytes), shown)
    return data


# --- header labels ---------------------------------------------------------------------------
_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})


def label_key(label: object) -> str:
    """A header as compared: half-width, no blanks, no required-marks or trailing colon."""
    text = "" if label is None else str(label)
    text = text.translate(_FULLWIDTH).replace("\u3000", "")
    return re.sub(r"[\s*：:]+", "", text).lower()


def _bare(key: str) -> str:
    return re.sub(r"\([^)]*\)", "", key)


def header_map(kind: Kind) -> dict[str, str]:
    """Every known spelling of every header of ``kind`` → its field."""
    out: dict[str, str] = {}
    for f in kind.fields:
        for spelling in (f.header, *f.aliases, f.name):
            out.setdefault(label_key(spelling), f.name)
            out.setdefault(_bare(label_key(spelling)), f.name)
    return out


def _resolve(labels: Sequence[str], known: dict[str, str]) -> str | None:
    for label in labels:
        key = label_key(label)
        if key and (key in known or _bare(key) in known):
            return known.get(key) or known[_bare(key)]
    return None


def _compose(top: list[str | None], bottom: list[str | None] | None) -> list[list[str]]:
    """Candidate labels per column; a merged group cell of the top row spans the empty cells to
    its right wherever the row below has a header."""
    if bottom is None:
        return [[t] if t else [] for t in top]
    out, group = [], None
    for t, b in zip(top, bottom, strict=True):
        if t:
            group = t
        spanned = group if (t or b) else None
        candidates = [f"{spanned}{b}", b] if spanned and b else [b] if b else []
        out.append([*candidates, *([t] if t else [])])
    return out


@dataclass
class _Header:
    row: int  # 0-based position of the first header row
    depth: int
    columns: list[str | None]  # field per column, None if unknown
    labels: list[str]  # the label shown for each column
    score: int


def _padded(rows: list[list[str | None]], width: int | None = None) -> list[list[str | None]]:
    width = width if width is not None else max((len(r) for r in rows), default=0)
    return [list(r[:width]) + [None] * (width - len(r)) for r in rows]


def find_header(rows: list[list[str | None]], kind: Kind) -> _Header | None:
    """The header (one row, or two with merged group cells) matching most of ``kind``'s columns
    among the first rows, or None."""
    known = header_map(kind)
    rows = _padded(rows[: HEADER_SCAN_ROWS + 1])
    best: _Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        for depth in (1, 2):
            if r + depth > len(rows):
                continue
            composed = _compose(rows[r], rows[r + 1] if depth == 2 else None)
            columns = [_resolve(c, known) for c in composed]
            score = len({c for c in columns if c})
            if score and (best is None or score > best.score):
                labels = [c[-1] if len(c) == 1 else (c[0] if c else "") for c in composed]
                best = _Header(r, depth, columns, labels, score)
    return best


def _needed(kind: Kind) -> int:
    return max(1, math.ceil(sum(f.required for f in kind.fields) / 2))


def _guess_other(rows: list[list[str | None]], kind: Kind) -> str:
    scores = {k.label: (h.score if (h := find_header(rows, k)) else 0) for k in KINDS.values()}
    label = max(scores, key=lambda k: scores[k])
    if label != kind.label and scores[label] >= _needed(KINDS[_key(label)]):
        return f"；内容看起来是“{label}”数据，请确认导入类型"
    return ""


def _key(label: str) -> str:
    return next(k.key for k in KINDS.values() if k.label == label)


# --- rows of text -> frame ------------------------------------------------------------------
def _frame(rows: list[list[str | None]], header: _Header, kind: Kind, filename: str) -> RawTable:
    first = header.row + header.depth
    header_rows = tuple(range(header.row + 1, first + 1))
    width = max(len(header.columns), max(map(len, rows), default=0))
    data = pd.DataFrame(_padded(rows[first:], width), columns=range(width), dtype="str")
    data.index = pd.RangeIndex(first + 1, first + 1 + len(data))
    return _name_columns(data, header, kind, filename, header_rows)


def _name_columns(
    data: pd.DataFrame, header: _Header, kind: Kind, filename: str, header_rows: tuple[int, ...]
) -> RawTable:
    data = data.set_axis(range(data.shape[1]), axis=1)
    data = data.reindex(columns=range(max(data.shape[1], len(header.columns))))
    data = data.dropna(how="all")
    extra = max(0, data.shape[1] - len(header.columns))
    header = _Header(
        header.row,
        header.depth,
        [*header.columns, *[None] * extra],
        [*header.labels, *[""] * extra],
        header.score,
    )
    at = header_rows[-1] if header_rows else pr.WHOLE_FILE
    rows: list[tuple[object, ...]] = []
    names: dict[int, str] = {}
    for j, (name, label) in enumerate(zip(header.columns, header.labels, strict=True)):
        has_data = j < data.shape[1] and bool(data[j].notna().any())
        if name is None:
            if label:
                expected = "、".join(f.header for f in kind.fields)
                rows.append(
                    (at, label, label, f"不是“{kind.label}”的列；应有的列：{expected}", pr.FORMAT)
                )
            elif has_data:
                rows.append((at, f"第{j + 1}列", "", "这一列有数据但没有表头", pr.FORMAT))
        elif name in names.values():
            rows.append(
                (at, label, label, f"与另一列重复，都表示“{kind.headers[name]}”", pr.FORMAT)
            )
        else:
            names[j] = name
    for f in kind.fields:
        if f.required and f.name not in names.values():
            rows.append((at, f.header, "", f"缺少必填列“{f.header}”", pr.FORMAT))
    if rows:
        raise ValidationFailed(
            f"文件“{filename}”的表头与“{kind.label}”模板不符", pr.table(rows), rule_id=pr.FORMAT
        )
    frame = data[list(names)].rename(columns=names)
    frame = frame.reindex(columns=[f.name for f in kind.fields]).astype("str")
    return RawTable(frame, header_rows=header_rows)


# --- csv -----------------------------------------------------------------------------------
def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(filename, "无法识别文件编码；请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx")


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def check_csv(text: str, sep: str, filename: str, limits: ImportLimits = LIMITS) -> None:
    """Refuse a csv over the row or column limits before pandas parses it."""
    lines = text.count("\n") + 1
    if lines > limits.max_rows + HEADER_SCAN_ROWS + 1:
        raise _too_large(filename, "数据行数", f"{limits.max_rows}行", f"约{lines}行")
    widest = max((line.count(sep) + 1 for line in text.splitlines()), default=0)
    if widest > limits.max_columns:  # separators inside quotes count too: count exactly
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, len(text) + 1))
        try:
            reader = csv.reader(io.StringIO(text), delimiter=sep)
            widest = max((len(r) for r in reader), default=0)
        finally:
            csv.field_size_limit(limit)
        if widest > limits.max_columns:
            raise _too_large(filename, "列数", f"{limits.max_columns}列", f"{widest}列")


def read_csv(data: bytes, filename: str, kind: Kind, limits: ImportLimits = LIMITS) -> RawTable:
    text = _decode(data, filename)
    sep = _delimiter(text)
    check_csv(text, sep, filename, limits)
    options: dict[str, Any] = {
        "sep": sep,
        "header": None,
        "dtype": "str",
        "keep_default_na": False,
        "na_values": [""],
        "skip_blank_lines": False,
    }
    try:
        frame = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:  # rows longer than the first: read with the widest row
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, len(text) + 1))
        try:
            reader = csv.reader(io.StringIO(text), delimiter=sep)
            width = max((len(r) for r in reader), default=1)
        finally:
            csv.field_size_limit(limit)
        frame = pd.read_csv(io.StringIO(text), names=range(width), **options)
    except pd.errors.EmptyDataError:
        raise _refuse(filename, "文件中没有数据") from None
    head = frame.head(HEADER_SCAN_ROWS + 1)
    rows = [[None if pd.isna(x) else str(x) for x in row] for row in head.itertuples(index=False)]
    header = find_header(rows, kind)
    if header is None or header.score < _needed(kind):
        raise _no_header(filename, kind, rows)
    first = header.row + header.depth
    body = frame.iloc[first:]
    body.index = pd.RangeIndex(first + 1, first + 1 + len(body))
    return _name_columns(body, header, kind, filename, tuple(range(header.row + 1, first + 1)))


def _no_header(
    filename: str, kind: Kind, rows: list[list[str | None]], sheet: str = ""
) -> ValidationFailed:
    seen = "、".join(x for x in (rows[0] if rows else []) if x)[:120]
    expected = "、".join(f.header for f in kind.fields if f.required)
    where = f"工作表“{sheet}”" if sheet else "文件"
    return ValidationFailed(
        f"文件“{filename}”中找不到“{kind.label}”的表头{_guess_other(rows, kind)}",
        pr.table(
            [(pr.WHOLE_FILE, "表头", seen, f"{where}中应有表头行，至少包括：{expected}", pr.FORMAT)]
        ),
        rule_id=pr.FORMAT,
    )


# --- xlsx ----------------------------------------------------------------------------------
def cell_text(value: object) -> str | None:
    """An Excel cell as the text a person sees (dates ISO, 12.0 as 12, TRUE as 是)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


_DIMENSION: Final = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?\"")
_SHARED_STRING: Final = re.compile(rb"<(?:\w+:)?si[\s>/]")
_CHUNK: Final = 1 << 16


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + (c - 64)
    return n


def _count_shared_strings(book: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> int:
    """The ``<si>`` entries of the shared-strings part, counted streaming; stops past ``most``."""
    count, tail = 0, b""
    with book.open(info) as part:
        while count <= most and (chunk := part.read(_CHUNK)):
            block = tail + chunk
            # a match lying wholly in the carried tail was counted with the block before
            count += sum(1 for m in _SHARED_STRING.finditer(block) if m.end() > len(tail))
            tail = block[-32:]
    return count


def check_workbook(data: bytes, filename: str, limits: ImportLimits = LIMITS) -> None:
    """Refuse a workbook over ``limits`` by its zip directory, sheet dimensions and shared strings,
    before any of it is parsed.

    Raises:
        ValidationFailed: the limit exceeded, by name (INTAKE-FORMAT).
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(
            filename, "不是 Excel 工作簿（.xlsx）；请在 Excel/WPS 中另存为 .xlsx 或 .csv"
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise _too_large(filename, "工作簿解压后的总大小", _mb(limits.max_uncompressed), _mb(total))
    if sum(i.compress_size for i in infos) > len(data):  # entries overlapping: a zip bomb
        raise _too_large(filename, "工作簿各部件的压缩数据", "文件本身大小", "各部件互相重叠")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FROM and ratio > limits.max_ratio:
            raise _too_large(
                filename,
                "工作簿部件的压缩比",
                f"{limits.max_ratio}倍",
                f"{info.filename}为{ratio:.0f}倍",
            )
    for info in infos:
        name = info.filename.lower()
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with book.open(info) as part:
                head = part.read(_CHUNK)
            found = _DIMENSION.search(head)
            if found and found.group(4):
                rows, columns = int(found.group(4)), _column_number(found.group(3))
            elif found and found.group(2):
                rows, columns = int(found.group(2)), _column_number(found.group(1))
            else:
                continue
            if rows > limits.max_rows + HEADER_SCAN_ROWS:
                raise _too_large(
                    filename, "数据行数", f"{limits.max_rows}行", f"工作表声明有{rows}行"
                )
            if columns > limits.max_columns:
                raise _too_large(
                    filename, "列数", f"{limits.max_columns}列", f"工作表声明有{columns}列"
                )
        elif name.endswith("sharedstrings.xml"):
            count = _count_shared_strings(book, info, limits.max_shared_strings)
            if count > limits.max_shared_strings:
                raise _too_large(
                    filename,
                    "共享字符串数",
                    f"{limits.max_shared_strings}个",
                    f"超过{limits.max_shared_strings}个",
                )


def _bounded_rows(
    ws: Any, filename: str, limits: ImportLimits, max_row: int | None = None
) -> list[list[str | None]]:
    """A sheet's rows as text, read as a stream and refused past the row and column limits."""
    most = limits.max_rows + HEADER_SCAN_ROWS
    stop = most + 1 if max_row is None else min(max_row, most + 1)
    rows: list[list[str | None]] = []
    for row in ws.iter_rows(max_row=stop, max_col=limits.max_columns + 1, values_only=True):
        if len(row) > limits.max_columns and row[limits.max_columns] is not None:
            raise _too_large(filename, "列数", f"{limits.max_columns}列", "超过")
        cells = [cell_text(c) for c in row[: limits.max_columns]]
        while cells and cells[-1] is None:  # padding rows and cells cost nothing to keep
            cells.pop()
        rows.append(cells)
    if len(rows) > most:
        raise _too_large(filename, "数据行数", f"{limits.max_rows}行", "超过")
    return rows


def read_xlsx(
    data: bytes,
    filename: str,
    kind: Kind,
    sheet: str | None = None,
    limits: ImportLimits = LIMITS,
) -> RawTable:
    from openpyxl import load_workbook

    check_workbook(data, filename, limits)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _refuse(
            filename, "不是 Excel 工作簿（.xlsx）；请在 Excel/WPS 中另存为 .xlsx 或 .csv"
        ) from None
    try:
        names = [n for n in book.sheetnames if sheet is None or n == sheet]
        if not names:
            raise _refuse(
                filename, f"没有名为“{sheet}”的工作表", "、".join(book.sheetnames), "工作表"
            )
        best: tuple[int, str, _Header, list[list[str | None]]] | None = None
        for name in names:
            if name == INSTRUCTIONS_SHEET and sheet is None:
                continue
            ws = book[name]
            head = _bounded_rows(ws, filename, limits, max_row=HEADER_SCAN_ROWS + 1)
            header = find_header(head, kind)
            if header and (best is None or header.score > best[0]):
                best = (header.score, name, header, head)
        if best is None or best[0] < _needed(kind):
            sheets = "、".join(book.sheetnames)
            hint = _guess_other(best[3], kind) if best else ""
            raise ValidationFailed(
                f"文件“{filename}”中没有“{kind.label}”工作表{hint}",
                pr.table(
                    [
                        (
                            pr.WHOLE_FILE,
                            "工作表",
                            sheets,
                            f"应有一张含“{kind.label}”表头的工作表（模板的工作表名为“{kind.label}”）；现有工作表：{sheets}",
                            pr.FORMAT,
                        )
                    ]
                ),
                rule_id=pr.FORMAT,
            )
        _, name, header, _ = best
        rows = _bounded_rows(book[name], filename, limits)
    finally:
        book.close()
    table = _frame(rows, header, kind, filename)
    table.sheet = name
    return table


# --- entry point ---------------------------------------------------------------------------
_SIGNATURES: Final = (
    (
        b"\xd0\xcf\x11\xe0",
        "这是旧版 Excel（.xls）或其他 Office 二进制文件；请在 Excel/WPS 中另存为 .xlsx 或 .csv",
    ),
    (b"%PDF", "这是 PDF 文件，无法读取表格；请导入模板格式的 .xlsx 或 .csv"),
)


def read_table(
    source: Source,
    filename: str,
    kind: Kind,
    *,
    sheet: str | None = None,
    limits: ImportLimits = LIMITS,
) -> RawTable:
    """The data rows of ``source`` as text columns named by ``kind``'s fields.

    Raises:
        ValidationFailed: the file cannot be read as ``kind`` or is over ``limits`` (problems
            table, rule INTAKE-FORMAT).
    """
    data = read_bytes(source, filename, limits)
    if not data.strip():
        raise _refuse(filename, "文件为空")
    for magic, need in _SIGNATURES:
        if data.startswith(magic):
            raise _refuse(filename, need)
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, filename, kind, sheet, limits)
    head = data[:4096].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<table", b"<?xml")):
        raise _refuse(
            filename,
            "这是网页（HTML/XML）文件，常见于网站导出的“xls”；请用 Excel/WPS 打开后另存为 .xlsx",
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(filename, "不是 CSV 文本或 .xlsx 工作簿；请使用模板")
    return read_csv(data, filename, kind, limits)
