"""GB 11643 and GB 32100 checks over normalised columns of a million values.

:mod:`casework.domain.identifiers` holds the rules; this module only makes them cheap on the columns
an import sees: a value that repeats (the institution's code on every row, an evaluator on
thousands) is checked once, and a column of 18-character ASCII values is read straight from
its pyarrow buffer instead of through Python strings. Values reach here already normalised by
the intake (half-width, upper-case, no blanks), so anything not 18 ASCII characters is invalid.
A test checks that both agree with :mod:`casework.domain.identifiers` value by value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casework.domain.identifiers import (
    BIRTH_YEAR_MIN,
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    valid_resident_id_mask,
    valid_uscc_mask,
)

REPEATS_FACTOR: Final = 4
"""Check distinct values only when a column has at least this many rows per distinct value."""
_CHECK_BYTES: Final = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)
_DAYS: Final = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0, 0, 0, 0, 0])


def _bytes18(values: pd.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint8]]:
    """(mask of values of 18 bytes, those values' bytes as a (k, 18) array)."""
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    is18 = pc.equal(pc.binary_length(arr), 18).fill_null(False).to_numpy(zero_copy_only=False)
    fixed = arr.filter(pa.array(is18)).cast(pa.binary(18))
    data = fixed.buffers()[1]
    if data is None or not len(fixed):
        return is18, np.empty((0, 18), dtype=np.uint8)
    flat = np.frombuffer(data, dtype=np.uint8)[fixed.offset * 18 : (fixed.offset + len(fixed)) * 18]
    return is18, flat.reshape(-1, 18)


def _resident_ids(values: pd.Series) -> npt.NDArray[np.bool_]:
    is18, b = _bytes18(values)
    v = np.ascontiguousarray(b.T).astype(np.int16) - ord("0")  # (18, k): one row per position
    body_ok = ((v[:17] >= 0) & (v[:17] <= 9)).all(axis=0)
    last = b[:, 17]
    last_ok = ((last >= ord("0")) & (last <= ord("9"))) | (last == ord("X"))
    d = np.clip(v, 0, 9)
    year = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9]
    month = np.minimum(d[10] * 10 + d[11], 19)
    day = d[12] * 10 + d[13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS[month] + ((month == 2) & leap)
    date_ok = (year >= BIRTH_YEAR_MIN) & (month >= 1) & (day >= 1) & (day <= month_days)
    total = np.zeros(d.shape[1], dtype=np.int32)
    for position, weight in enumerate(ID_WEIGHTS):  # 17 positions, not the records
        total += d[position] * weight
    check_ok = _CHECK_BYTES[total % 11] == last
    out = np.zeros(len(values), dtype=bool)
    out[is18] = body_ok & last_ok & date_ok & check_ok
    return out


SAMPLE: Final = 10_000


def _by_distinct(
    series: pd.Series, check: Callable[[pd.Series], npt.NDArray[np.bool_] | pd.Series]
) -> pd.Series:
    """``check`` on each distinct value once when values repeat, mapped back to every row."""
    present = series.dropna()
    sample = present.iloc[:SAMPLE]
    if sample.nunique() * REPEATS_FACTOR <= len(sample):
        distinct = present.drop_duplicates()
        ok = np.asarray(check(distinct.reset_index(drop=True)), dtype=bool)
        result = series.isin(distinct[ok]).to_numpy(dtype=bool)
    else:
        result = np.zeros(len(series), dtype=bool)
        result[series.notna().to_numpy()] = np.asarray(check(present.reset_index(drop=True)))
    return pd.Series(result, index=series.index, dtype=bool)


def resident_id_ok(series: pd.Series) -> pd.Series:
    """GB 11643 element-wise over normalised values (missing values are invalid)."""
    return _by_distinct(series, _resident_ids)


def uscc_ok(series: pd.Series) -> pd.Series:
    """GB 32100 element-wise over normalised values (missing values are invalid)."""
    return _by_distinct(series, lambda s: valid_uscc_mask(s).to_numpy(dtype=bool))


def agrees_with_reference(series: pd.Series) -> bool:
    """Whether the fast resident-ID check agrees with :mod:`casework.domain.identifiers` (tests)."""
    fast = resident_id_ok(series).to_numpy()
    slow = valid_resident_id_mask(series.fillna("")).to_numpy()
    return bool((fast == slow).all())
