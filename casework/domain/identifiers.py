"""Check digits of the two national identifiers casework meets: pure functions, no I/O.

- 统一社会信用代码 (GB 32100-2015): the institution's registration; its division code shows
  whether it is registered in Shandong (ATT1-REGION).
- 居民身份证号 (GB 11643-1999): staff and candidates.

Every scalar check normalises its input the same way (strip blanks, full-width → half-width,
ASCII upper-case) and raises :class:`~casework.errors.RuleViolation` with a Chinese message
naming the value and the fault. The ``*_mask`` variants check a whole ``pd.Series`` with numpy,
without a Python loop over the records, and agree with the scalar checks element by element.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from casework.domain import rules
from casework.errors import RuleViolation

# --- normalisation --------------------------------------------------------------------------
STRIP_CHARS: Final = " \t\r\n\v\f\u00a0\u3000\u200b\ufeff"
"""Blanks pasted around identifiers (incl. full-width space, zero-width space and BOM)."""
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0
_HALF_UPPER: Final = {
    **{cp: cp - _FULLWIDTH_SHIFT for cp in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1)},
    **{cp: cp - 32 for cp in range(ord("a"), ord("z") + 1)},
    **{cp: cp - _FULLWIDTH_SHIFT - 32 for cp in range(ord("ａ"), ord("ｚ") + 1)},
}


def normalise(value: object, label: str) -> str:
    """Strip blanks, turn full-width forms half-width and upper-case ASCII letters.

    Only ASCII letters are upper-cased so that the length never changes (``"ß".upper()`` is
    ``"SS"``); any other character stays and is refused later as illegal.
    """
    if not isinstance(value, str):
        raise RuleViolation(f"{label}“{value}”不是文本", value=value, problem="type")
    return value.strip(STRIP_CHARS).translate(_HALF_UPPER)


def _require_length(code: str, value: str, label: str) -> None:
    if len(code) != 18:
        raise RuleViolation(
            f"{label}“{value}”应为18位，实际为{len(code)}位", value=value, problem="length"
        )


# --- 统一社会信用代码 GB 32100-2015 --------------------------------------------------------------
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100: digits and capitals without I, O, Z, S, V; a character's value is its index."""
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714: weights of the 8 body characters of an organisation code (USCC positions 9–16)."""
_USCC_VALUE: Final = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_LABEL: Final = "统一社会信用代码"


def _org_value(ch: str) -> int:
    """GB 11714 value of a character: digits 0–9, letters A=10 … Z=35."""
    return int(ch, 36)


def _org_check_char(body8: str) -> str:
    remainder = 11 - sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def _uscc_check_value(first17: str) -> int:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return (31 - total % 31) % 31


def _uscc_structure(code: str, value: str) -> None:
    for pos, ch in enumerate(code, start=1):
        if ch not in _USCC_VALUE:
            raise RuleViolation(
                f"{_USCC_LABEL}“{value}”第{pos}位“{ch}”不是合法字符"
                "（只能是数字和除I、O、Z、S、V以外的大写英文字母）",
                value=value,
                problem="char",
                position=pos,
            )
    if not code[2:8].isdigit():
        raise RuleViolation(
            f"{_USCC_LABEL}“{value}”第3–8位“{code[2:8]}”应为6位数字的登记管理机关行政区划码",
            value=value,
            problem="division",
        )


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character (position 18) of the first 17 characters."""
    body = normalise(first17, _USCC_LABEL + "本体码")
    if len(body) != 17 or any(c not in _USCC_VALUE for c in body):
        raise RuleViolation(
            f"{_USCC_LABEL}本体码“{first17}”应为17位数字或大写英文字母（不含I、O、Z、S、V）",
            value=first17,
            problem="body",
        )
    return USCC_ALPHABET[_uscc_check_value(body)]


def validate_uscc(code: str, *, strict_org: bool = False) -> str:
    """Return the normalised code or raise ``RuleViolation`` naming the fault.

    Args:
        code: the code as typed; blanks, full-width forms and lower case are accepted.
        strict_org: also require the GB 11714 check digit of the organisation code (position
            17 over positions 9–16). Off by default because GB 32100 itself guarantees only
            the check character at position 18: positions 9–17 are a GB 11714 organisation
            code where the entity already had one, but since the 2015 reform the segment is
            assigned by the registration authority, and segments issued that way (notably in
            the early pilot regions, some of whose codes fail even the position-18 check,
            e.g. ``91350203M0001FUE2P``) are not reliably GB 11714-valid. Refusing on it would
            refuse lawfully registered institutions; use it only to flag data for review.
    """
    norm = normalise(code, _USCC_LABEL)
    _require_length(norm, code, _USCC_LABEL)
    _uscc_structure(norm, code)
    expected = USCC_ALPHABET[_uscc_check_value(norm[:17])]
    if norm[17] != expected:
        raise RuleViolation(
            f"{_USCC_LABEL}“{code}”校验码错误：第18位应为“{expected}”，实际为“{norm[17]}”",
            value=code,
            problem="checksum",
            expected=expected,
        )
    if strict_org and norm[16] != (org := _org_check_char(norm[8:16])):
        raise RuleViolation(
            f"{_USCC_LABEL}“{code}”中组织机构代码校验码错误：第17位应为“{org}”，实际为“{norm[16]}”",
            value=code,
            problem="org_checksum",
            expected=org,
        )
    return norm


def is_valid_uscc(code: object, *, strict_org: bool = False) -> bool:
    """Whether :func:`validate_uscc` accepts ``code`` (anything not text is invalid)."""
    if not isinstance(code, str):
        return False
    try:
        validate_uscc(code, strict_org=strict_org)
    except RuleViolation:
        return False
    return True


def uscc_division(code: str) -> str:
    """The 6-digit administrative division code (positions 3–8) of a valid code."""
    return validate_uscc(code)[2:8]


def is_shandong_uscc(code: object) -> bool:
    """ATT1-REGION: a valid code whose registration division lies in Shandong (``37…``)."""
    if not isinstance(code, str) or not is_valid_uscc(code):
        return False
    return uscc_division(code).startswith(rules.REGION_DIVISION_PREFIX)


def validate_shandong_uscc(code: str) -> str:
    """ATT1-REGION: return the normalised code, refusing one registered outside Shandong."""
    norm = validate_uscc(code)
    if not norm[2:8].startswith(rules.REGION_DIVISION_PREFIX):
        raise RuleViolation(
            f"{_USCC_LABEL}“{code}”的登记管理机关行政区划码为{norm[2:8]}，"
            f"不是山东省（{rules.REGION_DIVISION_PREFIX}开头）登记的主体",
            rule_id="ATT1-REGION",
            value=code,
            problem="region",
        )
    return norm


def make_uscc(first17: str) -> str:
    """Append the check character to a 17-character body (demo data and tests)."""
    body = normalise(first17, _USCC_LABEL + "本体码")
    return validate_uscc(body + uscc_check_char(body))


# --- 居民身份证号 GB 11643-1999 -----------------------------------------------------------------
ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS: Final = "10X98765432"
"""GB 11643: the check character is ``ID_CHECK_CHARS[Σ mod 11]``."""
BIRTH_YEAR_MIN: Final = 1800
"""Sanity bound, not a rule of GB 11643 (whose own example is born 1880): catches typos."""
MALE: Final = "男"
FEMALE: Final = "女"
_ID_LABEL: Final = "居民身份证号"


def _id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _id_birth_date(norm: str, value: str) -> dt.date:
    try:
        born = dt.date(int(norm[6:10]), int(norm[10:12]), int(norm[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < BIRTH_YEAR_MIN:
        raise RuleViolation(
            f"{_ID_LABEL}“{value}”第7–14位“{norm[6:14]}”不是有效的出生日期",
            value=value,
            problem="birth_date",
        )
    return born


def validate_resident_id(s: str) -> str:
    """Return the normalised number (``x`` → ``X``) or raise ``RuleViolation`` naming the fault."""
    norm = normalise(s, _ID_LABEL)
    _require_length(norm, s, _ID_LABEL)
    if not (norm[:17].isascii() and norm[:17].isdigit()) or norm[17] not in "0123456789X":
        raise RuleViolation(
            f"{_ID_LABEL}“{s}”含非法字符：前17位应为数字，第18位应为数字或X",
            value=s,
            problem="char",
        )
    _id_birth_date(norm, s)
    expected = _id_check_char(norm[:17])
    if norm[17] != expected:
        raise RuleViolation(
            f"{_ID_LABEL}“{s}”校验码错误：第18位应为“{expected}”，实际为“{norm[17]}”",
            value=s,
            problem="checksum",
            expected=expected,
        )
    return norm


def is_valid_resident_id(s: object) -> bool:
    """Whether :func:`validate_resident_id` accepts ``s`` (anything not text is invalid)."""
    if not isinstance(s, str):
        return False
    try:
        validate_resident_id(s)
    except RuleViolation:
        return False
    return True


def resident_id_birth_date(s: str) -> dt.date:
    """The date of birth (positions 7–14) of a valid number."""
    norm = validate_resident_id(s)
    return _id_birth_date(norm, s)


def resident_id_gender(s: str) -> str:
    """``"男"`` when the 17th digit is odd, ``"女"`` when it is even."""
    return MALE if int(validate_resident_id(s)[16]) % 2 else FEMALE


def make_resident_id(first17: str) -> str:
    """Append the check character to a 17-digit body (demo data and tests)."""
    body = normalise(first17, _ID_LABEL + "本体码")
    if len(body) != 17 or not (body.isascii() and body.isdigit()):
        raise RuleViolation(
            f"{_ID_LABEL}本体码“{first17}”应为17位数字", value=first17, problem="body"
        )
    return validate_resident_id(body + _id_check_char(body))


# --- vectorised checks ----------------------------------------------------------------------
_BMP: Final = 0x10000


def _bmp_lut(alphabet: str, values: list[int]) -> npt.NDArray[np.int8]:
    """Value of every BMP code point after :func:`normalise`'s translation, -1 if illegal."""
    cps = np.arange(_BMP)
    fullwidth = (cps >= _FULLWIDTH_FIRST) & (cps <= _FULLWIDTH_LAST)
    cps = np.where(fullwidth, cps - _FULLWIDTH_SHIFT, cps)
    cps = np.where((cps >= ord("a")) & (cps <= ord("z")), cps - 32, cps)
    ascii_lut = np.full(128, -1, dtype=np.int8)
    ascii_lut[[ord(c) for c in alphabet]] = values
    return np.where(cps < 128, ascii_lut[np.minimum(cps, 127)], -1).astype(np.int8)


_USCC_LUT: Final = _bmp_lut(USCC_ALPHABET, list(range(len(USCC_ALPHABET))))
_USCC_TO_ORG: Final = np.array([_org_value(c) for c in USCC_ALPHABET])
_ORG_CHECK: Final = np.array([_USCC_VALUE[c] for c in "0X987654321"])  # index: Σ mod 11
_ID_LUT: Final = _bmp_lut("0123456789X", list(range(11)))
_ID_CHECK_VALUES: Final = np.array(["0123456789X".index(c) for c in ID_CHECK_CHARS])
_DAYS_IN_MONTH: Final = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0])


def _values18(
    series: pd.Series, lut: npt.NDArray[np.int8]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32]]:
    """Normalise like :func:`normalise`; return (length-18 mask, values of those rows).

    The values array is ``(18, k)`` — one row per position, for the k rows whose normalised
    text has 18 characters — of ``lut`` values, -1 for an illegal character.
    """
    try:
        stripped = series.str.strip(STRIP_CHARS)
    except AttributeError:  # not a text column: nothing in it can be an identifier
        return np.zeros(len(series), dtype=bool), np.empty((18, 0), dtype=np.int32)
    has18 = (stripped.str.len() == 18).fillna(False).to_numpy(dtype=bool)
    cps = stripped[has18].to_numpy(dtype="U18").view(np.uint32).reshape(-1, 18)
    # Code points beyond the BMP are illegal: clip them onto U+FFFF, whose value is -1.
    values = lut[np.minimum(cps, _BMP - 1)]
    return has18, np.ascontiguousarray(values.T, dtype=np.int32)


def _weighted(values: npt.NDArray[np.int32], weights: tuple[int, ...]) -> npt.NDArray[np.int32]:
    total = np.zeros(values.shape[1], dtype=np.int32)
    for row, weight in zip(values, weights, strict=False):
        total += row * weight
    return total


def _spread(has18: npt.NDArray[np.bool_], ok: npt.NDArray[np.bool_], index: pd.Index) -> pd.Series:
    out = np.zeros(len(has18), dtype=bool)
    out[has18] = ok
    return pd.Series(out, index=index, dtype=bool)


def valid_uscc_mask(series: pd.Series, *, strict_org: bool = False) -> pd.Series:
    """Element-wise :func:`is_valid_uscc` over a Series, vectorised with numpy."""
    has18, v = _values18(series, _USCC_LUT)
    ok = (v >= 0).all(axis=0) & (v[2:8] < 10).all(axis=0)
    ok &= (31 - _weighted(v, USCC_WEIGHTS) % 31) % 31 == v[17]
    if strict_org:
        # GB 11714 values differ from USCC values after H (I is skipped only by the USCC).
        body = _USCC_TO_ORG[np.maximum(v[8:16], 0)].astype(np.int32)
        ok &= _ORG_CHECK[_weighted(body, ORG_WEIGHTS) % 11] == v[16]
    return _spread(has18, ok, series.index)


def valid_resident_id_mask(series: pd.Series) -> pd.Series:
    """Element-wise :func:`is_valid_resident_id` over a Series, vectorised with numpy."""
    has18, v = _values18(series, _ID_LUT)
    ok = ((v[:17] >= 0) & (v[:17] <= 9)).all(axis=0) & (v[17] >= 0)
    d = np.maximum(v, 0)
    year = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9]
    month = np.minimum(d[10] * 10 + d[11], 15)
    day = d[12] * 10 + d[13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[month] + ((month == 2) & leap)
    ok &= (year >= BIRTH_YEAR_MIN) & (month >= 1) & (day >= 1) & (day <= month_days)
    ok &= _ID_CHECK_VALUES[_weighted(d, ID_WEIGHTS) % 11] == v[17]
    return _spread(has18, ok, series.index)
