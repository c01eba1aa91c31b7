"""Read the values people type into spreadsheets, a whole column at a time.

Every parser takes a column of text (as the readers return it) and gives back the typed column
and a mask of the cells it could not read; those cells become rows of the problems table with
the value exactly as typed. Full-width digits and letters, blanks around values, dates written
``2025年3月5日``, ``2025.3.5``, ``20250305`` or as Excel serial numbers, units after numbers
(``3年``, ``12个月``, ``150㎡``) and the usual spellings of yes/no and of the vocabulary are all
read. No Python loop over the records: pandas string methods and numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casework.domain.evidence import vocabulary as v
from casework.domain.identifiers import STRIP_CHARS

_FULLWIDTH: Final = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_HALFWIDTH_TABLE: Final = str.maketrans({chr(k): chr(x) for k, x in _FULLWIDTH.items()})
EXCEL_EPOCH: Final = pd.Timestamp("1899-12-30")
"""Day 0 of Excel's 1900 date system (serial 1 is 1900-01-01; the phantom 1900-02-29 aside)."""
SERIAL_RANGE: Final = (20_000, 80_000)
"""Serial numbers read as dates: 1954-10-03 … 2119-01-10; anything else is not a date."""
UNITS: Final = r"(?:年|个月|月|平方米|平米|㎡|m2|m²|分|岁|套|道|人|个)$"
OPEN_ENDED_CONTRACT: Final = 999
"""Months recorded for a labour contract 无固定期限 (open-ended): longer than any minimum."""

Parsed = tuple[pd.Series, pd.Series]
"""(typed values, mask of cells that were filled in but could not be read)."""


BLANKS: Final = "[ \t\r\n\x0b\x0c\xa0\u3000]"
"""Blank characters inside a value (written out: pyarrow's regex engine has no Unicode \\s)."""
STR: Final = pd.StringDtype("pyarrow", na_value=np.nan)
"""pandas' default text dtype, backed by pyarrow (the intake's frames use it throughout)."""


def _arrow(raw: pd.Series) -> pa.ChunkedArray:
    text = raw if raw.dtype == STR else raw.astype(STR)
    return pa.chunked_array(text.array._pa_array)  # type: ignore[union-attr]


def _series(arr: pa.ChunkedArray | pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=STR), index=index)  # type: ignore[call-arg]


def _blank_to_null(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def as_text(raw: pd.Series) -> pd.Series:
    """Trim blanks (incl. full-width and zero-width spaces); empty cells become missing."""
    return _series(_blank_to_null(pc.utf8_trim(_arrow(raw), STRIP_CHARS)), raw.index)


def halfwidth(raw: pd.Series) -> pd.Series:
    """Full-width ASCII forms (``２０２５``, ``ＡＢ``) and the ideographic space made half-width.

    Only cells holding non-ASCII characters are translated (a Python-level step), so columns of
    plain ASCII — identifiers, codes, numbers — stay fully vectorised.
    """
    text = as_text(raw)
    wide = ~pc.string_is_ascii(_arrow(text)).fill_null(True).to_numpy(zero_copy_only=False)
    if wide.any():
        narrow = text[wide].str.translate(_HALFWIDTH_TABLE)
        text = as_text(text.mask(wide, narrow))
    return text


def _failed(text: pd.Series, typed: pd.Series) -> pd.Series:
    return (text.notna() & typed.isna()).astype(bool)


def parse_code(raw: pd.Series) -> Parsed:
    """An identifier or code: half-width, no inner blanks, ASCII letters upper-cased."""
    arr = _arrow(halfwidth(raw))
    if pc.any(pc.match_substring_regex(arr, BLANKS)).as_py():
        arr = pc.replace_substring_regex(arr, BLANKS + "+", "")
    arr = pc.utf8_upper(arr)
    return _series(_blank_to_null(arr), raw.index), pd.Series(False, index=raw.index)


def parse_number(
    raw: pd.Series, *, integer: bool = False, words: Mapping[str, float] | None = None
) -> Parsed:
    """Numbers with thousands separators or a unit after them; ``words`` maps whole cells."""
    text = halfwidth(raw)
    try:  # the common case: plain numbers only, cast by pyarrow
        number = pd.Series(pc.cast(_arrow(text), pa.float64()).to_numpy(), index=raw.index)
    except (pa.ArrowInvalid, ValueError, TypeError):
        cleaned = text.str.replace("[, ]", "", regex=True).str.replace(UNITS, "", regex=True)
        number = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    if words:
        number = number.fillna(text.map(dict(words)).astype("float64"))
    if integer:
        number = number.where(number.isna() | (number == np.floor(number)))
        return number.astype("Int64"), _failed(text, number)
    return number, _failed(text, number)


_YMD: Final = r"^([0-9]{4}) *[年./\-] *([0-9]{1,2}) *[月./\-] *([0-9]{1,2}) *日?$"
_COMPACT: Final = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"
_TIME: Final = r"(日)?(?:T| )*[0-9]{1,2}[:：][0-9]{2}(?:[:：][0-9]{2}(?:\.[0-9]+)?)?$"


def parse_date(raw: pd.Series) -> Parsed:
    """Dates as typed: ISO, ``2025/3/5``, ``2025.3.5``, ``2025年3月5日``, ``20250305``, serials.

    A time of day after the date is ignored; impossible dates (``2025-02-30``) are failures.
    """
    text = halfwidth(raw).str.replace(_TIME, r"\1", regex=True).str.strip()
    parts = text.str.extract(_YMD).combine_first(text.str.extract(_COMPACT))
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    numbers.columns = ["year", "month", "day"]
    dates = pd.to_datetime(numbers, errors="coerce")
    serial = pd.to_numeric(text.where(text.str.fullmatch("[0-9]{5}(?:[.]0+)?")), errors="coerce")
    serial = serial.where(serial.between(*SERIAL_RANGE))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    out = dates.fillna(from_serial).astype("datetime64[ns]")
    return out, _failed(text, out)


_TRUE: Final = ("是", "√", "✓", "通过", "合格", "已通过", "y", "yes", "true", "t", "1", "1.0")
_FALSE: Final = ("否", "×", "✗", "未通过", "不通过", "不合格", "n", "no", "false", "f", "0", "0.0")
BOOL_WORDS: Final = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def parse_bool(raw: pd.Series) -> Parsed:
    """是/否, 通过/不通过, 合格/不合格, √/×, 1/0, true/false (any case)."""
    text = as_text(raw)
    yes = np.array(text.isin(_TRUE), dtype=bool)
    no = np.array(text.isin(_FALSE), dtype=bool)
    rest = text.notna().to_numpy(bool) & ~(yes | no)
    if rest.any():  # spelled otherwise: full-width, inner blanks, upper case
        fixed = halfwidth(text[rest]).str.replace(BLANKS + "+", "", regex=True).str.lower()
        yes[rest], no[rest] = fixed.isin(_TRUE).to_numpy(bool), fixed.isin(_FALSE).to_numpy(bool)
    out = pd.Series(pd.array(yes, dtype="boolean"), index=raw.index).mask(~(yes | no))
    return out, _failed(text, out)


def parse_choice(raw: pd.Series, choices: Mapping[str, Sequence[str]]) -> Parsed:
    """One of the canonical ``choices`` (keys), or one of its spellings (values)."""
    words = {k.lower(): k for k in choices}
    words |= {alias.lower(): k for k, aliases in choices.items() for alias in aliases}
    text = as_text(raw)
    exact = text.isin(list(choices))
    out = text.where(exact)
    rest = text[~exact & text.notna()]
    if len(rest):  # spelled otherwise: an alias, full-width, inner blanks, other case
        fixed = halfwidth(rest).str.replace(BLANKS + "+", "", regex=True).str.lower()
        out = out.fillna(fixed.map(words).astype("str"))
    return out, _failed(text, out)


_LEVEL_PATTERNS: Final = (
    ("高级技师", "一级"),
    ("技师", "二级"),
    ("高级工", "三级"),
    ("中级工", "四级"),
    ("初级工", "五级"),
    ("^(?:一|1)级", "一级"),
    ("^(?:二|2)级", "二级"),
    ("^(?:三|3)级", "三级"),
    ("^(?:四|4)级", "四级"),
    ("^(?:五|5)级", "五级"),
)
_TITLE_PATTERNS: Final = (
    ("副高|副教授|副研究员|^高级|高级(?:工程师|讲师|经济师|会计师|农艺师|实验师)", "副高级"),
    ("正高|教授|研究员", "正高级"),
    ("初级|助理|技术员", "初级"),
    ("中级|讲师|工程师|经济师|会计师|农艺师|实验师", "中级"),
)


def _first_match(raw: pd.Series, patterns: tuple[tuple[str, str], ...]) -> Parsed:
    text = halfwidth(raw).str.replace(BLANKS + "+", "", regex=True)
    conditions = [text.str.contains(p, regex=True).fillna(False) for p, _ in patterns]
    picked = np.select(conditions, [out for _, out in patterns], default="")
    out = pd.Series(picked, index=raw.index, dtype="str")
    out = out.where(out != "")
    return out, _failed(text, out)


def parse_level(raw: pd.Series) -> Parsed:
    """Certificate levels 一级…五级: ``高级工（三级）``, ``三级/高级工``, ``3级`` all read 三级."""
    return _first_match(raw, _LEVEL_PATTERNS)


def parse_title(raw: pd.Series) -> Parsed:
    """专业技术职称 ranks 初级…正高级: ``高级工程师`` reads 副高级, ``工程师`` 中级."""
    return _first_match(raw, _TITLE_PATTERNS)


def parse_months(raw: pd.Series, *, words: Mapping[str, float] | None = None) -> Parsed:
    """A duration in months; ``3年`` is 36, ``18个月`` and ``18`` are 18."""
    text = halfwidth(raw)
    years = text.str.fullmatch(r"[0-9., ]+年").fillna(False).astype(bool)
    months, _ = parse_number(text, words=words)
    months = months.where(~years, months * 12)
    months = months.where(months.isna() | (months == np.floor(months)))
    return months.astype("Int64"), _failed(text, months)


def parse_list(raw: pd.Series) -> Parsed:
    """A list of names separated by 、 , ， ; ； / or blanks, rewritten with 、."""
    text = as_text(raw).str.replace("[、,，;；/\n]+|" + BLANKS + "{2,}", "、", regex=True)
    text = text.str.strip("、 ")
    return text.where(text != ""), pd.Series(False, index=raw.index)


def parse_city(raw: pd.Series, cities: pd.DataFrame) -> Parsed:
    """A city by name (济南, 济南市) or division code (370100, or a district's 370102)."""
    text = halfwidth(raw).str.replace(BLANKS + "+", "", regex=True)
    by_name = dict(zip(cities["name"], cities["city_code"], strict=True))
    by_name |= dict(zip(cities["full_name"], cities["city_code"], strict=True))
    codes = set(cities["city_code"])
    district = text.where(text.str.fullmatch("[0-9]{6}")).str.slice(0, 4) + "00"
    out = text.map(by_name).astype("str").fillna(district.where(district.isin(codes)))
    return out, _failed(text, out)


def choices_with(
    words: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    """Canonical ``words`` with their spellings, for :func:`parse_choice`."""
    return {w: tuple(aliases.get(w, ())) for w in words}


ROLE_CHOICES: Final = choices_with(
    v.ROLES,
    {
        v.EXAM_AFFAIRS: ("考务", "考务人员", "考务管理人员", "专职考务管理人员"),
        v.SUPERVISOR: (
            "督导",
            "督导员",
            "督导人员",
            "内督",
            "内督人员",
            "质量督导员",
            "内部质量督导",
            "内部质量督导人员",
            "质量督导人员",
        ),
        v.EVALUATOR: ("考评员", "考评", "考评人"),
        v.TECH_EXPERT: ("技术资源建设专家", "技术资源专家", "技术专家", "专家"),
        v.QUESTION_EXPERT: ("命题", "命题人员"),
        v.OTHER_STAFF: ("其他", "工作人员", "其他人员"),
    },
)
EMPLOYMENT_CHOICES: Final = choices_with(
    v.EMPLOYMENT,
    {v.FULL_TIME: ("全职", "full-time", "专职人员"), v.PART_TIME: ("part-time", "兼职人员")},
)
QUALIFICATION_CHOICES: Final = choices_with(
    v.QUALIFICATIONS,
    {
        v.VOCATIONAL_QUALIFICATION: ("职业资格", "资格证书"),
        v.SKILL_LEVEL_CERTIFICATE: ("职业技能等级", "技能等级证书", "等级证书"),
        v.MASTER: ("技能大师", "带头人", "技艺带头人"),
        v.NO_QUALIFICATION: ("没有", "暂无", "-", "—"),
    },
)
TENURE_CHOICES: Final = choices_with(
    v.TENURES,
    {
        v.OWNED: ("自有产权", "产权", "自建", "自有场地"),
        v.LEASED: ("租用", "租", "租赁场地", "租用场地"),
    },
)
GENDER_CHOICES: Final = choices_with(
    v.GENDERS, {v.MALE: ("男性", "m", "male"), v.FEMALE: ("女性", "f", "female")}
)
KIND_CHOICES: Final = choices_with(
    v.INSTITUTION_KINDS, {"院校": ("学校", "高校", "职业院校", "技工院校")}
)
CONTRACT_WORDS: Final = {
    "无固定期限": float(OPEN_ENDED_CONTRACT),
    "长期": float(OPEN_ENDED_CONTRACT),
}
