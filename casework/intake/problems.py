"""The problems table an import shows when it refuses: 行, 列, 值, 要求, 规则 — in Chinese.

行 is the row number a user sees in the spreadsheet (``—`` for a problem of the whole file),
列 the column header as in the template, 值 the value exactly as typed, 要求 what was
expected and 规则 the rule: a rule ID of the notice (ATT1-REGION, EXIT-04 …), the national
standard of an identifier (GB 11643, GB 32100) or one of the intake codes below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import pandas as pd
import pandera.pandas as pa

from casework.intake.schemas import CHECKS

PROBLEM_COLUMNS: Final = ("行", "列", "值", "要求", "规则")
WHOLE_FILE: Final = "—"

FORMAT: Final = "INTAKE-FORMAT"
"""The file, its sheet or its header row cannot be read as the kind claimed."""
REQUIRED: Final = "INTAKE-REQUIRED"
"""A required cell is empty."""
VALUE: Final = "INTAKE-VALUE"
"""A value cannot be read as what its column holds, or is out of range."""
UNIQUE: Final = "INTAKE-UNIQUE"
"""Two rows of the file share a natural key."""
REFERENCE: Final = "INTAKE-REF"
"""A value refers to something the registry does not hold (an institution, project, batch…)."""
CODES: Final = {
    FORMAT: "文件、工作表或表头无法按所选类型读取",
    REQUIRED: "必填单元格为空",
    VALUE: "取值无法识别或超出范围",
    UNIQUE: "文件内两行的关键字段重复",
    REFERENCE: "引用的机构、项目、场地或批次在系统中不存在",
}


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})


def table(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    """A problems table from ``(行, 列, 值, 要求, 规则)`` tuples."""
    out = pd.DataFrame(list(rows), columns=list(PROBLEM_COLUMNS), dtype=object)
    return out if len(out) else empty()


def cells(mask: pd.Series, values: pd.Series, header: str, need: str, rule: str) -> pd.DataFrame:
    """One problem per flagged cell of a column (``mask`` aligned to the file's row numbers)."""
    hit = mask[mask.astype(bool)].index
    if not len(hit):
        return empty()
    shown = values.reindex(hit).astype(object)
    return pd.DataFrame(
        {
            "行": pd.Series(hit, dtype=object),
            "列": header,
            "值": shown.where(shown.notna(), "").astype(str).to_numpy(),
            "要求": need,
            "规则": rule,
        },
        columns=list(PROBLEM_COLUMNS),
    )


def combine(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """All problems, whole-file ones first, then by row; each problem once."""
    found = [p for p in parts if len(p)]
    if not found:
        return empty()
    out = pd.concat(found, ignore_index=True).astype(object)
    out["值"] = out["值"].where(out["值"].notna(), "").astype(str)
    rank = pd.to_numeric(out["行"], errors="coerce").fillna(-1)
    out = out.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank")
    return out.drop_duplicates().reset_index(drop=True)


# --- pandera failure cases -> problems --------------------------------------------------------
_PLAIN: Final = {
    "not_nullable": ("必填，不能为空", REQUIRED),
    "field_uniqueness": ("不能与其他行重复", UNIQUE),
    "str_length(1, None)": ("不能为空", REQUIRED),
}
_BOUNDS: Final = {
    "greater_than_or_equal_to": "不小于",
    "less_than_or_equal_to": "不大于",
    "greater_than": "大于",
    "less_than": "小于",
}


def need_of(check: str) -> tuple[str, str]:
    """What a pandera check asks for, in words, and its rule code."""
    if check in CHECKS:
        return CHECKS[check].need, CHECKS[check].rule
    if check in _PLAIN:
        return _PLAIN[check]
    name, _, arg = check.partition("(")
    arg = arg.rstrip(")")
    if name in _BOUNDS:
        return f"{_BOUNDS[name]} {arg}", VALUE
    if name == "in_range":
        low, high = arg.split(", ")[:2]
        return f"应在 {low} 至 {high} 之间", VALUE
    if name == "isin":
        options = re.findall(r"'([^']*)'", arg)
        return "应为以下之一：" + "、".join(options), VALUE
    if "dtype" in name:
        return "类型不符", VALUE
    return f"应满足 {check}", VALUE


def from_failures(
    exc: pa.errors.SchemaErrors,
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    unique: Sequence[str],
    already: pd.MultiIndex,
) -> pd.DataFrame:
    """Problems from pandera's failure cases; cells (row, field) in ``already`` were reported
    by a parser and are not repeated."""
    cases = exc.failure_cases.copy()
    cases["check"] = cases["check"].astype(str)
    row_level = cases["index"].notna()
    keep = pd.Series(True, index=cases.index)
    for key, check in CHECKS.items():  # a frame check names every column: keep its own
        keep &= ~((cases["check"] == key) & (cases["column"] != check.column))
    multi = cases["check"] == "multiple_fields_uniqueness"
    parts = [_duplicates(cases[multi & row_level], frame, headers, unique)]
    cases = cases[keep & ~multi]
    cells_seen = pd.MultiIndex.from_arrays([cases["index"], cases["column"].astype(str)])
    cases = cases[~cells_seen.isin(already)]
    needs = {c: need_of(c) for c in cases["check"].unique()}
    values = cases["failure_case"].astype(object)
    columns = cases["column"].astype(str)
    parts.append(
        pd.DataFrame(
            {
                "行": cases["index"].where(cases["index"].notna(), WHOLE_FILE).astype(object),
                "列": columns.map(dict(headers)).fillna(columns),
                "值": values.where(values.notna(), ""),
                "要求": cases["check"].map({c: n[0] for c, n in needs.items()}),
                "规则": cases["check"].map({c: n[1] for c, n in needs.items()}),
            },
            columns=list(PROBLEM_COLUMNS),
        )
    )
    return combine(parts)


def _duplicates(
    cases: pd.DataFrame, frame: pd.DataFrame, headers: Mapping[str, str], unique: Sequence[str]
) -> pd.DataFrame:
    rows = pd.Index(cases["index"].unique())
    if not len(rows):
        return empty()
    keys = frame.loc[rows, list(unique)].astype(object)
    shown = keys.where(keys.notna(), "").astype(str).agg(" / ".join, axis=1)
    return pd.DataFrame(
        {
            "行": pd.Series(rows, dtype=object),
            "列": "、".join(headers[u] for u in unique),
            "值": shown.to_numpy(),
            "要求": "同一文件中不能重复",
            "规则": UNIQUE,
        },
        columns=list(PROBLEM_COLUMNS),
    )
