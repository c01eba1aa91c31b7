"""Specifications of the identifier checks: GB 32100 credit codes (ATT1-REGION), GB 11643 IDs."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from casework.domain import identifiers as ids
from casework.errors import RuleViolation

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Published codes whose check characters are known to be right (GB 32100 and GB 11714).
KNOWN_USCC = [
    "91350100M000100Y43",
    "9144030071526726XG",
    "914403001922038216",
    "91330100716105852F",
    "91110108551385082Q",
]
# The two examples printed in GB 11643-1999 itself.
KNOWN_IDS = ["11010519491231002X", "440524188001010014"]


def spec_uscc_check(body17: str) -> str:
    """GB 32100 written out independently of the module under test."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_W, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def spec_id_check(body17: str) -> str:
    """GB 11643 written out independently of the module under test."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, ID_W, strict=True)) % 11]


def with_id_check(body17: str) -> str:
    """Append a GB 11643 check char, counting a stray X in the body as 10 (for bad examples)."""
    total = sum((10 if c == "X" else int(c)) * w for c, w in zip(body17, ID_W, strict=True))
    return body17 + "10X98765432"[total % 11]


# Correct check chars around impossible content: leap days, a stray X among the digits.
TRICKY_IDS = [
    with_id_check(f"110105{born}002")
    for born in ["19000229", "21000229", "20000229", "19490229", "19960229", "17991231"]
] + [with_id_check("11010519491231X02"), with_id_check("X1010519491231002")]


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def raised(fn: object, value: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        fn(value)  # type: ignore[operator]
    return info.value


# --- strategies -----------------------------------------------------------------------------
uscc_bodies = st.builds(
    lambda head, division, org: head + division + org,
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.from_regex(r"\A[0-9]{6}\Z"),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
valid_usccs = uscc_bodies.map(lambda body: body + spec_uscc_check(body))
id_bodies = st.builds(
    lambda area, born, seq: f"{area}{born:%Y%m%d}{seq:03d}",
    st.from_regex(r"\A[1-8][0-9]{5}\Z"),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
valid_ids = id_bodies.map(lambda body: body + spec_id_check(body))
NOISE = "0123456789ABHIJOSVXYZabxyz ０９Ａｘ\u3000\ufeff\tß é\x00𝟘"


def disguise(draw: st.DrawFn, code: str) -> object:
    """A valid identifier as users type it, or broken in a typical way, or not text at all."""
    kind = draw(
        st.sampled_from(["as is", "lower", "full", "blanks", "swap", "cut", "extend", "noise"])
    )
    if kind == "lower":
        return code.lower()
    if kind == "full":
        return to_full_width(code)
    if kind == "blanks":
        return draw(st.sampled_from([" ", "\u3000", "\t", "\ufeff"])) + code + " "
    if kind == "swap":
        pos = draw(st.integers(0, 17))
        return code[:pos] + draw(st.sampled_from(NOISE)) + code[pos + 1 :]
    if kind == "cut":
        return code[: draw(st.integers(0, 17))]
    if kind == "extend":
        return code + draw(st.sampled_from("0X9 a"))
    if kind == "noise":
        return draw(
            st.one_of(st.text(NOISE, min_size=15, max_size=20), st.none(), st.just(math.nan))
        )
    return code


@st.composite
def typed_usccs(draw: st.DrawFn) -> object:
    """Also: any legal characters with a correct check char, e.g. letters in the division."""
    if draw(st.booleans()):
        body = draw(st.text(USCC_ALPHABET, min_size=17, max_size=17))
        return body + spec_uscc_check(body)
    return disguise(draw, draw(valid_usccs))


@st.composite
def typed_ids(draw: st.DrawFn) -> object:
    """Also: any birth date digits (Feb 29, month 13, year 1799 …) with a correct check char."""
    if draw(st.booleans()):
        body = draw(valid_ids)[:6] + draw(
            st.builds(
                lambda y, m, d: f"{y:04d}{m:02d}{d:02d}",
                st.integers(1700, 2100),
                st.one_of(st.integers(0, 13), st.just(2)),
                st.one_of(st.integers(0, 32), st.sampled_from([28, 29, 30, 31])),
            )
        )
        body += f"{draw(st.integers(0, 999)):03d}"
        return body + spec_id_check(body)
    return disguise(draw, draw(valid_ids))


# --- 统一社会信用代码 ------------------------------------------------------------------------
@pytest.mark.parametrize("code", KNOWN_USCC)
def test_published_credit_codes_are_valid_and_their_check_char_is_recomputed(code: str) -> None:
    body = code[:17]

    check = ids.uscc_check_char(body)

    assert check == code[17]
    assert ids.validate_uscc(code) == code
    assert ids.validate_uscc(code, strict_org=True) == code


def test_credit_code_is_normalised_from_blanks_lower_case_and_full_width() -> None:
    typed = "\u3000" + to_full_width("91350100m000100y43") + " "

    normalised = ids.validate_uscc(typed)

    assert normalised == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "length"), [("", 0), ("91350100M000100Y4", 17), ("91350100M000100Y431", 19)]
)
def test_credit_code_of_wrong_length_is_refused_naming_the_length(code: str, length: int) -> None:
    error = raised(ids.validate_uscc, code)

    assert error.context["problem"] == "length"
    assert f"“{code}”" in error.message
    assert f"应为18位，实际为{length}位" in error.message


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_credit_code_containing_i_o_z_s_or_v_is_refused(letter: str) -> None:
    code = "91350100M000100Y43"[:9] + letter + "91350100M000100Y43"[10:]

    error = raised(ids.validate_uscc, code)

    assert error.context["problem"] == "char"
    assert f"第10位“{letter}”不是合法字符" in error.message


def test_credit_code_with_a_wrong_check_char_names_the_expected_one() -> None:
    error = raised(ids.validate_uscc, "91350100M000100Y44")

    assert error.context == {"value": "91350100M000100Y44", "problem": "checksum", "expected": "3"}
    assert "第18位应为“3”，实际为“4”" in error.message


def test_credit_code_whose_division_is_not_six_digits_is_refused() -> None:
    body = "913701A0MA3C40001"
    code = body + spec_uscc_check(body)

    error = raised(ids.validate_uscc, code)

    assert error.context["problem"] == "division"
    assert "3701A0" in error.message


@pytest.mark.parametrize("authority", ["1", "5", "9", "Y", "N", "A"])
def test_credit_codes_may_begin_with_a_digit_or_a_letter(authority: str) -> None:
    code = ids.make_uscc(authority + "1370102MA3C40001")

    valid = ids.is_valid_uscc(code)

    assert valid
    assert code[0] == authority


def test_check_value_31_is_written_as_0() -> None:
    code = ids.make_uscc("0" * 17)

    assert code == "0" * 18


@given(valid_usccs, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_every_single_character_substitution_is_detected(code: str, pos: int, new: str) -> None:
    changed = code[:pos] + new + code[pos + 1 :]

    valid = ids.is_valid_uscc(changed)

    assert valid == (changed == code)


@pytest.mark.parametrize(
    ("code", "shandong"),
    [
        (ids.make_uscc("91370102MA3C40001"), True),
        (ids.make_uscc("52371200MJD000001"), True),  # former 莱芜: still 37…
        ("91350100M000100Y43", False),
        ("91370102MA3C40001X", False),  # invalid, so not a Shandong registration either
        (None, False),
    ],
)
def test_att1_region_shandong_registration_is_read_from_the_division_code(
    code: str, shandong: bool
) -> None:
    result = ids.is_shandong_uscc(code)

    assert result is shandong


def test_att1_region_code_registered_outside_shandong_is_refused() -> None:
    error = raised(ids.validate_shandong_uscc, "91350100M000100Y43")

    assert error.rule_id == "ATT1-REGION"
    assert "350100" in error.message
    assert "ATT1-REGION" in str(error)


def test_division_code_is_positions_3_to_8() -> None:
    division = ids.uscc_division(" 91370102ma3c40001" + spec_uscc_check("91370102MA3C40001"))

    assert division == "370102"


def test_organisation_check_digit_is_only_enforced_when_asked() -> None:
    code = ids.make_uscc("91370102000000061")  # GB 11714 wants X at position 17, not 1

    error = raised(lambda c: ids.validate_uscc(c, strict_org=True), code)

    assert ids.is_valid_uscc(code)
    assert not ids.is_valid_uscc(code, strict_org=True)
    assert error.context["problem"] == "org_checksum"
    assert "第17位应为“X”" in error.message


@pytest.mark.parametrize(("body8", "check"), [("00000000", "0"), ("00000006", "X")])
def test_organisation_check_maps_11_to_0_and_10_to_x(body8: str, check: str) -> None:
    code = ids.make_uscc("91370102" + body8 + check)

    valid = ids.is_valid_uscc(code, strict_org=True)

    assert valid


@pytest.mark.parametrize("body", ["9137010200000006", "91370102O00000061", 91370102])
def test_make_uscc_refuses_a_body_that_is_not_17_legal_characters(body: object) -> None:
    error = raised(ids.make_uscc, body)

    assert error.context["problem"] in {"body", "type"}


# --- 居民身份证号 ----------------------------------------------------------------------------
@pytest.mark.parametrize("number", KNOWN_IDS)
def test_the_examples_of_gb_11643_are_valid(number: str) -> None:
    normalised = ids.validate_resident_id(number)

    assert normalised == number
    assert ids.make_resident_id(number[:17]) == number


@pytest.mark.parametrize(
    ("number", "born", "gender"),
    [
        ("11010519491231002X", date(1949, 12, 31), "女"),
        ("440524188001010014", date(1880, 1, 1), "男"),
    ],
)
def test_birth_date_and_gender_are_read_from_the_number(
    number: str, born: date, gender: str
) -> None:
    birth = ids.resident_id_birth_date(number)
    sex = ids.resident_id_gender(number)

    assert birth == born
    assert sex == gender


def test_resident_id_is_normalised_from_lower_case_x_and_full_width() -> None:
    typed = to_full_width("11010519491231002") + "x "

    normalised = ids.validate_resident_id(typed)

    assert normalised == "11010519491231002X"


@pytest.mark.parametrize(
    "born", ["19490229", "19000229", "19491301", "19490000", "19491232", "17991231"]
)
def test_resident_id_with_an_impossible_birth_date_is_refused(born: str) -> None:
    body = "110105" + born + "002"
    number = body + spec_id_check(body)

    error = raised(ids.validate_resident_id, number)

    assert error.context["problem"] == "birth_date"
    assert f"“{born}”不是有效的出生日期" in error.message


@pytest.mark.parametrize("born", ["20000229", "19960229", "18000101"])
def test_resident_id_born_on_a_real_date_is_accepted(born: str) -> None:
    body = "110105" + born + "002"

    number = ids.make_resident_id(body)

    assert ids.resident_id_birth_date(number).strftime("%Y%m%d") == born


def test_resident_id_with_a_wrong_check_char_names_the_expected_one() -> None:
    error = raised(ids.validate_resident_id, "110105194912310021")

    assert error.context["expected"] == "X"
    assert "第18位应为“X”，实际为“1”" in error.message


@pytest.mark.parametrize(
    "number", ["1101051949123100XX", "11010519491231A02X", "X10105194912310021"]
)
def test_resident_id_with_letters_before_the_last_place_is_refused(number: str) -> None:
    error = raised(ids.validate_resident_id, number)

    assert error.context["problem"] == "char"


@pytest.mark.parametrize("value", [None, 11010519491231002, math.nan])
def test_resident_id_that_is_not_text_is_refused(value: object) -> None:
    error = raised(ids.validate_resident_id, value)

    assert error.context["problem"] == "type"
    assert not ids.is_valid_resident_id(value)


def test_make_resident_id_refuses_a_body_with_letters() -> None:
    error = raised(ids.make_resident_id, "1101051949123100A")

    assert error.context["problem"] == "body"


# --- vectorised checks ----------------------------------------------------------------------
def series_variants(values: list[object]) -> list[pd.Series]:
    """The values as an object column, and (text and missing only) as a pandas ``str`` column."""
    texts = [v if isinstance(v, str) else None for v in values]
    return [pd.Series(values, dtype=object), pd.Series(texts, dtype="str")]


@settings(max_examples=60, deadline=None)
@given(st.lists(typed_usccs(), max_size=40))
@example(["91350100M000100Y43", " ９１３５０１００ｍ０００１００ｙ４３", None, math.nan, "", 5])
def test_vectorised_credit_code_check_agrees_with_the_scalar_one(values: list[object]) -> None:
    expected = [ids.is_valid_uscc(v) for v in values]
    expected_org = [ids.is_valid_uscc(v, strict_org=True) for v in values]

    for series in series_variants(values):
        scalar = [ids.is_valid_uscc(v) if isinstance(v, str) else False for v in series]
        assert ids.valid_uscc_mask(series).tolist() == scalar
    assert ids.valid_uscc_mask(pd.Series(values, dtype=object)).tolist() == expected
    assert ids.valid_uscc_mask(pd.Series(values, dtype=object), strict_org=True).tolist() == (
        expected_org
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(typed_ids(), max_size=40))
@example(["11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", None])
@example(["110105194902290021", "\ufeff440524188001010014\u3000", math.nan, 4.0])
@example(TRICKY_IDS)
def test_vectorised_resident_id_check_agrees_with_the_scalar_one(values: list[object]) -> None:
    expected = [ids.is_valid_resident_id(v) for v in values]

    for series in series_variants(values):
        scalar = [ids.is_valid_resident_id(v) if isinstance(v, str) else False for v in series]
        assert ids.valid_resident_id_mask(series).tolist() == scalar
    assert ids.valid_resident_id_mask(pd.Series(values, dtype=object)).tolist() == expected


@pytest.mark.parametrize("mask", [ids.valid_uscc_mask, ids.valid_resident_id_mask])
@pytest.mark.parametrize(
    "series",
    [
        pd.Series([], dtype=object),
        pd.Series([1, 2]),
        pd.Series([None, None]),
        pd.Series([math.nan]),
    ],
    ids=["empty", "integers", "all-none", "all-nan"],
)
def test_a_column_without_text_has_no_valid_identifier(mask: object, series: pd.Series) -> None:
    result = mask(series)  # type: ignore[operator]

    assert result.dtype == bool
    assert not result.any()
    assert len(result) == len(series)


def test_vectorised_check_keeps_the_index_of_the_column() -> None:
    series = pd.Series(["11010519491231002X", "bad", "440524188001010014"], index=[10, 20, 30])

    mask = ids.valid_resident_id_mask(series)

    assert mask.to_dict() == {10: True, 20: False, 30: True}
