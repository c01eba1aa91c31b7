"""The one problems table: every refusal lists its problems as rows a user can read.

Every validator of casework — an import, a scoring sheet, a rubric, a year of the holiday
calendar, a reference file, a document — refuses with the same table (:data:`COLUMNS`):

* 行 where the problem is: a row number, or a label such as ``第3组（运营管理）``;
  :data:`WHOLE` for the file, sheet or column as a whole;
* 列 the column (or field) at fault, as the user knows it;
* 值 the value exactly as found (blank when there is none);
* 要求 what was expected, in Chinese;
* 规则 the rule ID of the notice (SEL-04, REN-07 …) or another code the caller names;

plus, where a caller asks for it, 代码 (:data:`CODE`), a machine-readable code such as
``wrong_type`` or ``duplicate``. A scoring sheet adds the sheet, member and item
(:data:`SHEET_COLUMNS`).

:func:`from_failure_cases` is the one translation of pandera's lazy failure cases into that
table and :func:`need_of` the one Chinese wording of a pandera check; :func:`problem` and
:func:`table` build it from plain tuples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, Protocol

import pandas as pd
from pandera.errors import SchemaErrors

COLUMNS: Final = ("行", "列", "值", "要求", "规则")
"""行 where, 列 column, 值 value found, 要求 what was expected, 规则 rule ID."""
CODE: Final = "代码"
"""The optional machine-readable code of a problem (``wrong_type``, ``duplicate`` …)."""
SHEET_COLUMNS: Final = ("表", *COLUMNS[:1], "成员", "项目", *COLUMNS[1:], CODE)
"""A scoring sheet's problems: 表 sheet (e.g. 评分表2), 行 data row in it (1-based),
成员 member, 项目 item or condition, then 列, 值, 要求, 规则 and 代码."""
WHOLE: Final = "—"
"""行 of a problem of the whole file, sheet or column (no row to name)."""

# --- codes ---------------------------------------------------------------------------------
MISSING_COLUMN: Final = "missing_column"
UNEXPECTED_COLUMN: Final = "unexpected_column"
WRONG_TYPE: Final = "wrong_type"
EMPTY: Final = "empty"
NOT_ALLOWED: Final = "not_allowed"
OUT_OF_RANGE: Final = "out_of_range"
DUPLICATE: Final = "duplicate"
BAD_FORMAT: Final = "bad_format"
CHECK_FAILED: Final = "check_failed"

_COLUMN_LEVEL: Final = ("column_in_schema", "column_in_dataframe")
_CODES: Final = {
    "column_in_schema": UNEXPECTED_COLUMN,
    "column_in_dataframe": MISSING_COLUMN,
    "coerce_dtype": WRONG_TYPE,
    "dtype": WRONG_TYPE,
    "not_nullable": EMPTY,
    "str_length": EMPTY,
    "isin": NOT_ALLOWED,
    "notin": NOT_ALLOWED,
    "greater_than_or_equal_to": OUT_OF_RANGE,
    "less_than_or_equal_to": OUT_OF_RANGE,
    "greater_than": OUT_OF_RANGE,
    "less_than": OUT_OF_RANGE,
    "in_range": OUT_OF_RANGE,
    "field_uniqueness": DUPLICATE,
    "multiple_fields_uniqueness": DUPLICATE,
    "str_matches": BAD_FORMAT,
}
_BOUNDS: Final = {
    "greater_than_or_equal_to": "应不小于",
    "less_than_or_equal_to": "应不大于",
    "greater_than": "应大于",
    "less_than": "应小于",
}
_TYPES: Final = (
    ("bool", "“是”或“否”"),
    ("int", "整数"),
    ("float", "数字"),
    ("datetime", "日期"),
    ("date", "日期"),
    ("str", "文本"),
    ("object", "文本"),
)


class NamedCheck(Protocol):
    """A custom pandera check's Chinese requirement, its rule and the column it is about."""

    @property
    def need(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def column(self) -> str: ...


def problem(where: object, column: str, value: object, need: str, rule: str = "") -> tuple:
    """One problem as a ``(行, 列, 值, 要求, 规则)`` tuple; a missing value is shown blank."""
    return (where, column, "" if value is None else str(value), need, rule)


def empty(columns: Sequence[str] = COLUMNS) -> pd.DataFrame:
    """A problems table with no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def table(rows: Iterable[Sequence[object]], columns: Sequence[str] = COLUMNS) -> pd.DataFrame:
    """A problems table from tuples in the order of ``columns`` (default :data:`COLUMNS`)."""
    out = pd.DataFrame(list(rows), columns=list(columns), dtype=object)
    return out if len(out) else empty(columns)


def code_of(check: str) -> str:
    """The machine-readable code of a pandera check (``check_failed`` for a custom one)."""
    kind = re.match(r"[a-z_]+", check)
    return _CODES.get(kind.group(0) if kind else "", CHECK_FAILED)


def _type_name(check: str) -> str:
    found = re.search(r"dtype\('?([^')]+)'?\)", check)
    raw = found.group(1).lower() if found else ""
    return next((label for key, label in _TYPES if key in raw), raw or "正确类型")


def need_of(check: str) -> str:
    """What a pandera check asks for, in the words an evaluator reads (the one wording)."""
    code = code_of(check)
    name, _, arg = check.partition("(")
    arg = arg.rstrip(")")
    if code == UNEXPECTED_COLUMN:
        return "不应有此列"
    if code == MISSING_COLUMN:
        return "缺少此列"
    if code == WRONG_TYPE:
        return f"类型应为{_type_name(check)}"
    if code == EMPTY:
        return "不能为空"
    if code == DUPLICATE:
        return "不得重复"
    if name in _BOUNDS:
        return f"{_BOUNDS[name]} {arg}"
    if name == "in_range":
        low, high = arg.split(", ")[:2]
        return f"应在 {low} 至 {high} 之间"
    if name in ("isin", "notin"):
        options = re.findall(r"'([^']*)'", arg) or [arg.strip("[]")]
        head = "应为以下之一：" if name == "isin" else "不能为以下之一："
        return head + "、".join(options)
    if name == "str_matches":
        return f"格式应符合 {arg}"
    return f"应满足 {check}"


def _cases(failures: SchemaErrors | pd.DataFrame) -> pd.DataFrame:
    cases = failures.failure_cases if isinstance(failures, SchemaErrors) else failures
    cases = cases.copy()
    cases["check"] = cases["check"].astype(str)
    cases["index"] = cases["index"].astype(object)
    return cases.reset_index(drop=True)


def from_failure_cases(
    failures: SchemaErrors | pd.DataFrame,
    *,
    rule: str | None,
    rule_by_code: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    needs: Mapping[str, str] | None = None,
    checks: Mapping[str, NamedCheck] | None = None,
    allowed: Sequence[str] | None = None,
    frame: pd.DataFrame | None = None,
    unique: Sequence[str] = (),
    skip: pd.MultiIndex | None = None,
    rows: Callable[[object], object] | None = None,
    whole: object = WHOLE,
    code: bool = False,
    keep_index: bool = False,
) -> pd.DataFrame:
    """pandera's failure cases (``SchemaErrors`` or its ``failure_cases``) → a problems table.

    One problem per failing cell: a cell that failed its type reports only that (its later
    checks say nothing more); a check that failed a whole column is dropped when the same
    column already names rows; the same requirement for the same cell is reported once.

    Args:
        failures: a lazy validation's ``SchemaErrors`` or its ``failure_cases`` frame.
        rule: the rule ID cited for a problem (``None`` where none applies).
        rule_by_code: a different rule per code (e.g. ``{EMPTY: "INTAKE-REQUIRED"}``).
        headers: column → the name the user knows it by (its template header).
        needs: column → 要求 for a value that breaks the column's own checks (range, choices);
            missing values, wrong types and duplicates keep their standard wording.
        checks: custom check name → its need, rule and column; a frame-wide custom check
            that pandera reports against every column is kept for its own column only.
        allowed: the allowed columns, named in the requirement of an unexpected column.
        frame: the frame that was validated: an unexpected column is then named at every row
            that fills it, and a duplicate of ``unique`` shows the row's key.
        unique: the columns that together must not repeat (``Config.unique``).
        skip: cells ``(index, column)`` already reported by the caller.
        rows: the failing row's index label → 行 (default: the label itself).
        whole: 行 of a problem with no row.
        code: add the :data:`CODE` column.
        keep_index: index the result by the failing row's label (NaN for none), for callers
            that add columns of their own from that row; otherwise a fresh RangeIndex.
    """
    cases = _cases(failures)
    headers, needs, checks = dict(headers or {}), dict(needs or {}), dict(checks or {})
    for name, named in checks.items():  # a frame check names every column: keep its own
        cases = cases[~((cases["check"] == name) & (cases["column"] != named.column))]
    column_level = cases["check"].isin(_COLUMN_LEVEL)
    cases["列"] = cases["column"].where(~column_level, cases["failure_case"]).astype(object)
    cases["值"] = cases["failure_case"].where(~column_level, None).astype(object)
    if frame is not None:
        cases = _spread_unexpected(cases, frame)
    if skip is not None and len(skip):
        cells = pd.MultiIndex.from_arrays([cases["index"], cases["列"].astype(str)])
        cases = cases[~cells.isin(skip)]
    cases = _one_per_cell(cases)
    multi = cases["check"] == "multiple_fields_uniqueness"
    keyed = cases[multi & cases["index"].notna()].drop_duplicates("index")
    if frame is not None and unique and len(keyed):
        key = frame.loc[keyed["index"].tolist(), list(unique)].astype(object)
        shown = key.where(key.notna(), "").astype(str).agg(" / ".join, axis=1)
        keyed = keyed.assign(列="、".join(headers.get(u, u) for u in unique), 值=shown.to_numpy())
    cases = pd.concat([cases[~multi], keyed], ignore_index=True)

    codes = cases["check"].map(code_of)
    wording = cases["check"].map(need_of)
    own = cases["列"].map(needs)
    value_check = codes.isin([NOT_ALLOWED, OUT_OF_RANGE, BAD_FORMAT, CHECK_FAILED])
    wording = wording.where(~(value_check & own.notna()), own)
    if allowed is not None:
        listed = f"不应有此列（只允许：{'、'.join(allowed)}）"
        wording = wording.where(codes != UNEXPECTED_COLUMN, listed)
    named_rules = cases["check"].map({n: c.rule for n, c in checks.items()})
    named_needs = cases["check"].map({n: c.need for n, c in checks.items()})
    wording = wording.where(named_rules.isna(), named_needs)
    by_code = codes.map(dict(rule_by_code or {}))
    cited = named_rules.where(named_rules.notna(), by_code.where(by_code.notna(), rule))

    has_row = cases["index"].notna()
    where = cases["index"].astype(object)
    if rows is not None:
        where[has_row] = cases.loc[has_row, "index"].map(rows)
    values = cases["值"]
    out = pd.DataFrame(
        {
            "行": where.where(has_row, whole).astype(object),
            "列": cases["列"].map(lambda c: headers.get(str(c), c)).astype(object),
            "值": values.where(values.notna(), "").astype(object),
            "要求": wording.astype(object),
            "规则": cited.astype(object),
            CODE: codes.astype(object),
        }
    )
    out = out.drop_duplicates(subset=["行", "列", "值", "要求", "规则"])
    if keep_index:
        out.index = pd.Index(cases.loc[out.index, "index"].to_numpy(), dtype=object)
    else:
        out = out.reset_index(drop=True)
    return out if code else out.drop(columns=CODE)


def _spread_unexpected(cases: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """An unexpected column of ``frame`` named at each row that fills it, with its value."""
    extra = (cases["check"] == "column_in_schema") & cases["列"].isin(frame.columns)
    if not extra.any():
        return cases
    spread = []
    for _, case in cases[extra].iterrows():
        filled = frame[case["列"]].dropna()
        for label, value in filled.items():
            spread.append({**case.to_dict(), "index": label, "值": value})
    return pd.concat(
        [cases[~extra], pd.DataFrame(spread, columns=cases.columns)], ignore_index=True
    )


def _one_per_cell(cases: pd.DataFrame) -> pd.DataFrame:
    """Drop what a cell's failed type already says, and column-wide echoes of row failures."""
    has_row = cases["index"].notna()
    typed = cases["check"].map(code_of).eq(WRONG_TYPE) & has_row
    cell = cases["index"].astype(str) + "\x00" + cases["列"].astype(str)
    hidden = cell.isin(set(cell[typed])) & ~typed
    column_level = cases["check"].isin(_COLUMN_LEVEL)
    per_row = set(cases.loc[has_row, "列"].astype(str))
    echo = ~has_row & ~column_level & cases["列"].astype(str).isin(per_row)
    return cases[~hidden & ~echo]
