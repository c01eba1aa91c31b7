"""The problems table an import shows when it refuses: 行, 列, 值, 要求, 规则 — in Chinese.

行 is the row number a user sees in the spreadsheet (``—`` for a problem of the whole file),
列 the column header as in the template, 值 the value exactly as typed, 要求 what was
expected and 规则 the rule: a rule ID of the notice (ATT1-REGION, EXIT-04 …), the national
standard of an identifier (GB 11643, GB 32100) or one of the intake codes below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import pandas as pd
import pandera.pandas as pa

from casework.domain import problems
from casework.intake.schemas import CHECKS

PROBLEM_COLUMNS: Final = problems.COLUMNS
WHOLE_FILE: Final = problems.WHOLE

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
    return problems.empty()


def table(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    """A problems table from ``(行, 列, 值, 要求, 规则)`` tuples."""
    return problems.table(rows)


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
_RULES: Final = {problems.EMPTY: REQUIRED, problems.DUPLICATE: UNIQUE}


def from_failures(
    exc: pa.errors.SchemaErrors,
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    unique: Sequence[str],
    already: pd.MultiIndex,
) -> pd.DataFrame:
    """Problems from pandera's failure cases (:func:`casework.domain.problems.from_failure_cases`);
    cells (row, field) in ``already`` were reported by a parser and are not repeated."""
    found = problems.from_failure_cases(
        exc,
        rule=VALUE,
        rule_by_code=_RULES,
        headers=headers,
        checks=CHECKS,
        frame=frame,
        unique=unique,
        skip=already,
    )
    return combine([found])
