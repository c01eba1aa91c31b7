"""The fast GB 11643 / GB 32100 column checks agree with domain.identifiers value by value."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.identifiers import (
    is_valid_resident_id,
    is_valid_uscc,
    make_resident_id,
    make_uscc,
)
from casework.intake.idcheck import resident_id_ok, uscc_ok

ID_CHARS = st.text(alphabet="0123456789X", min_size=16, max_size=19)


@given(
    st.lists(
        st.one_of(
            ID_CHARS,
            st.builds(
                lambda s: make_resident_id(s),
                st.from_regex(
                    r"370102(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
                    fullmatch=True,
                ),
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_resident_id_column_check_agrees_with_the_scalar_check(ids: list[str]) -> None:
    column = pd.Series(ids, dtype="str")

    fast = resident_id_ok(column).tolist()

    assert fast == [is_valid_resident_id(x) for x in ids]


def test_a_repeated_value_is_checked_once_and_answered_for_every_row() -> None:
    good, bad = make_uscc("52370100MJ0000001"), "52370100MJ00000010"
    column = pd.Series([good] * 50 + [bad] * 10 + [None], dtype="str")

    ok = uscc_ok(column)

    assert ok.tolist() == [is_valid_uscc(good)] * 50 + [False] * 10 + [False]
