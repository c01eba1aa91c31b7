"""Shared plumbing of the scoring sheets: read human-typed tables, list every problem at once.

A panel member's sheet is typed by a person, so it is validated lazily: the pandera model checks
each column, :func:`check_sheets` turns the failure cases into one Chinese problems table
(:data:`PROBLEM_COLUMNS`), and the caller adds its cross-table findings before raising
:class:`~casework.errors.SheetInvalid` once with all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from casework.domain import problems
from casework.errors import SheetInvalid

PROBLEM_COLUMNS = problems.SHEET_COLUMNS
"""表 sheet (its kind and 1-based number, e.g. 评分表2), 行 data row in that sheet (1-based),
成员 member, 项目 item or condition, 列 column, 值 value found, 要求 what was expected,
规则 rule ID, 代码 machine-readable code (see :mod:`casework.domain.problems`)."""

SHEET_COL = "_sheet"
ROW_COL = "_row"

_TRUE_TOKENS = ("true", "1", "1.0", "是", "√", "✓", "y", "yes", "符合", "满足", "t")
_FALSE_TOKENS = ("false", "0", "0.0", "否", "×", "✗", "n", "no", "不符合", "不满足", "f")
_BOOL_TOKENS = {**dict.fromkeys(_TRUE_TOKENS, True), **dict.fromkeys(_FALSE_TOKENS, False)}

_TYPE_LABELS = {"float64": "数字", "boolean": "“是”或“否”", "str": "文字", "bool": "“是”或“否”"}

Sheets = pd.DataFrame | Iterable[pd.DataFrame]
"""One table, or one table per member (they are stacked; each keeps its own sheet number)."""


def problem_rows(
    frame: pd.DataFrame, read: Mapping[str, str] | None = None, **fixed: object
) -> pd.DataFrame:
    """Problems for the rows of ``frame`` (which carries ``_sheet``/``_row``), one per row.

    Args:
        frame: the offending rows.
        read: problem column → column of ``frame`` to copy (e.g. ``{"成员": "member"}``).
        fixed: problem column → a value repeated on every row, or a Series aligned to ``frame``.
    """
    if len(frame) == 0:
        return empty_problems()
    data: dict[str, object] = {"表": frame.get(SHEET_COL), "行": frame.get(ROW_COL)}
    for name in PROBLEM_COLUMNS[2:]:
        value = frame[read[name]] if read and name in read else fixed.get(name)
        data[name] = value.astype(object) if isinstance(value, pd.Series) else value
    out = pd.DataFrame(data, index=frame.index, columns=list(PROBLEM_COLUMNS))
    return out.reset_index(drop=True)


_EMPTY_PROBLEMS = problems.empty(PROBLEM_COLUMNS)


def empty_problems() -> pd.DataFrame:
    """A problems table with no rows (a copy of one built once: building it costs more)."""
    return _EMPTY_PROBLEMS.copy()


def raise_if_any(tables: Sequence[pd.DataFrame], message: str, rule_id: str) -> None:
    """Raise one :class:`SheetInvalid` listing every problem, if there is any."""
    found = [p for p in tables if not p.empty]
    if not found:
        return
    table = pd.concat(found, ignore_index=True).astype(object)
    table = table.where(table.notna(), None)
    table["行"] = table["行"].astype("Int64")
    # Sheets in the order their kinds first appear (评分表 before 不合格项), then by number/row.
    parts = table["表"].astype("string").str.extract(r"^(\D*)(\d*)$")
    kinds = list(dict.fromkeys(parts[0].fillna("")))
    order = pd.DataFrame(
        {
            "kind": parts[0].fillna("").map(kinds.index),
            "number": pd.to_numeric(parts[1], errors="coerce"),
            "row": table["行"],
        }
    )
    order = order.sort_values(["kind", "number", "row"], kind="stable", na_position="last")
    table = table.loc[order.index].reset_index(drop=True)
    raise SheetInvalid(f"{message}：共 {len(table)} 处问题", table, rule_id=rule_id)


def row_indexed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` indexed by row: its own index if unique non-negative integers, else positions."""
    index = frame.index
    if pd.api.types.is_integer_dtype(index) and index.is_unique and bool((index >= 0).all()):
        return frame
    return frame.reset_index(drop=True)


def normalise(raw: pd.DataFrame, bool_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Trim typed text and read 是/否-style answers, leaving unreadable values for pandera.

    A sheet with a unique non-negative integer index keeps it, so a slice of a bigger table
    reports the rows of that table (行 = label + 1); any other index becomes the position.

    pandera's bool coercion would read "否" or "False" as True, so the answers are mapped here
    (是/否, √/×, true/false, 1/0 …); any other value is kept as typed and fails the schema.
    """
    frame = row_indexed(raw).copy()
    for column in frame.columns:
        series = frame[column]
        if column in bool_columns:
            tokens = series.astype(str).str.strip().str.lower().map(_BOOL_TOKENS)
            readable = tokens.notna() & series.notna()
            frame[column] = series.astype(object).where(~readable, tokens)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            frame[column] = series.where(series.isna(), series.astype(str).str.strip())
    return frame


def keyed_rows(raw: pd.DataFrame, member_col: str, key_col: str) -> pd.DataFrame:
    """Rows naming both a member and a key (the others have already failed the schema)."""
    if member_col not in raw or key_col not in raw:
        return pd.DataFrame({member_col: [], key_col: [], SHEET_COL: [], ROW_COL: []}, dtype=object)
    given = raw[member_col].notna() & raw[key_col].notna()
    keyed = raw[given].astype({member_col: str, key_col: str})
    return keyed[(keyed[member_col] != "") & (keyed[key_col] != "")]


def members_of(raw: pd.DataFrame, member_col: str = "member") -> list[str]:
    """The distinct members named in ``raw`` (blank names skipped), in order of appearance."""
    if member_col not in raw:
        return []
    names = raw[member_col].dropna().astype(str)
    return [str(m) for m in pd.unique(names[names != ""])]


def presence_problems(
    keyed: pd.DataFrame,
    key_col: str,
    known: pd.Series,
    members: list[str] | None,
    *,
    rule: str,
    what: str,
    member_col: str = "member",
) -> list[pd.DataFrame]:
    """Keys not in ``known``, keys a member gave twice and (unless ``members`` is None) keys
    a member left out, each member being asked for every known key. Vectorised."""
    unknown = keyed[~keyed[key_col].isin(known)]
    twice = keyed[keyed.duplicated([member_col, key_col], keep="first")]
    read = {"成员": member_col, "项目": key_col}
    common = {"列": key_col, "规则": rule}
    found = [
        problem_rows(
            unknown,
            {**read, "值": key_col},
            要求=f"应为本表中的{what}编号",
            代码=f"unknown_{key_col}",
            **common,
        ),
        problem_rows(
            twice,
            {**read, "值": key_col},
            要求=f"每位成员对每个{what}只能填写一次",
            代码=f"duplicate_{key_col}",
            **common,
        ),
    ]
    if members is not None:
        present = set(zip(keyed[member_col], keyed[key_col], strict=True))
        pairs = [(m, k) for m in members for k in known if (m, k) not in present]
        missing = pd.DataFrame(pairs, columns=[member_col, key_col], dtype=object)
        first_sheet = keyed.drop_duplicates(member_col).set_index(member_col)[SHEET_COL]
        missing[SHEET_COL] = missing[member_col].map(first_sheet)
        missing[ROW_COL] = None
        found.append(
            problem_rows(
                missing, read, 要求=f"缺少对此{what}的评定", 代码=f"missing_{key_col}", **common
            )
        )
    return found


@dataclass(frozen=True, eq=False)
class CheckedSheets:
    """The result of :func:`check_sheets`.

    Attributes:
        raw: every sheet stacked after :func:`normalise`, with ``_sheet`` and ``_row``.
        bad_rows: positions in ``raw`` whose values failed the schema, and every row of a sheet
            with a missing or unexpected column.
        problems: the column-level problems found by pandera.
        validated: the stacked validated frame when no sheet had a problem, else ``None``.
    """

    raw: pd.DataFrame
    bad_rows: pd.Index
    problems: pd.DataFrame
    validated: pd.DataFrame | None


def as_sheet_list(sheets: Sheets) -> list[pd.DataFrame]:
    """One frame → ``[frame]``; a mapping → its values; any other iterable → a list."""
    if isinstance(sheets, pd.DataFrame):
        return [sheets]
    if isinstance(sheets, Mapping):
        return list(sheets.values())
    return list(sheets)


def check_sheets(
    model: type[pa.DataFrameModel],
    sheets: Sheets,
    *,
    label: str,
    rule_id: str,
    member_col: str,
    item_col: str,
    requirements: Mapping[str, str],
    bool_columns: Sequence[str] = (),
) -> CheckedSheets:
    """Validate the sheets lazily with ``model`` and translate the failure cases.

    The sheets whose columns are right are stacked and validated in one pandera call; a sheet
    with a missing or unexpected column is validated on its own, so the column problem names
    that sheet. Either way every row keeps its sheet and row number.

    Args:
        model: the pandera model (strict, coerce) of one sheet.
        sheets: one frame or several.
        label: what a sheet is called in 表 (评分表, 不合格项表 …); numbered from 1.
        rule_id: the rule cited for a problem pandera finds.
        member_col: the column naming the panel member (copied into 成员).
        item_col: the column naming the item or condition (copied into 项目).
        requirements: Chinese text for 要求 per column, used for value problems.
        bool_columns: columns holding 是/否 answers (see :func:`normalise`).
    """
    schema = model.to_schema()
    allowed = tuple(schema.columns)
    required = {name for name, column in schema.columns.items() if column.required}
    raws: list[pd.DataFrame] = []
    parts: list[tuple[str | None, pd.DataFrame]] = []  # (sheet validated alone, frame)
    start = 0
    for number, sheet in enumerate(as_sheet_list(sheets), start=1):
        raw = normalise(sheet, bool_columns)
        name = f"{label}{number}"
        raws.append(raw.assign(_sheet=name, _row=raw.index + 1))
        if not required <= set(raw.columns) <= set(allowed):
            parts.append((name, raw.set_axis(pd.RangeIndex(start, start + len(raw)))))
        start += len(raw)
    empty = pd.DataFrame(columns=[*allowed, SHEET_COL, ROW_COL])
    stacked = pd.concat(raws, ignore_index=True) if raws else empty
    ctx = _Context(stacked, rule_id, member_col, item_col, requirements, allowed)
    alone = [name for name, _ in parts]
    fine = stacked[~stacked[SHEET_COL].isin(alone)]
    if len(fine) or not alone:
        parts.insert(0, (None, fine[[c for c in allowed if c in fine]]))
    found = [empty_problems()]
    validated: pd.DataFrame | None = None
    for alone_name, frame in parts:
        try:
            result = model.validate(frame, lazy=True)
        except SchemaErrors as errors:
            found.append(_translate(errors, alone_name, ctx))
        else:
            validated = result if alone_name is None else validated
    table = pd.concat(found, ignore_index=True)
    if table.empty and not alone:
        return CheckedSheets(stacked, stacked.index[:0], table, validated)
    failed = pd.to_numeric(table["行"], errors="coerce").notna()
    bad_keys = pd.MultiIndex.from_frame(table.loc[failed, ["表", "行"]].astype({"行": int}))
    keys = pd.MultiIndex.from_frame(stacked[[SHEET_COL, ROW_COL]])
    # A sheet with a wrong column cannot have its values cross-checked: all its rows are bad.
    bad = stacked.index[keys.isin(bad_keys) | stacked[SHEET_COL].isin(alone)]
    if not table.empty:
        validated = None
    return CheckedSheets(stacked, bad, table, validated)


@dataclass(frozen=True)
class _Context:
    stacked: pd.DataFrame
    rule_id: str
    member_col: str
    item_col: str
    requirements: Mapping[str, str]
    allowed: tuple[str, ...]


def _translate(errors: SchemaErrors, sheet: str | None, ctx: _Context) -> pd.DataFrame:
    """pandera failure cases → problems (:func:`casework.domain.problems.from_failure_cases`),
    with the sheet, row, member and item of each failing row.

    ``sheet`` names the sheet validated alone, or None for the stacked well-formed sheets;
    a failure with a row takes its sheet and row number from ``ctx.stacked``.
    """
    found = problems.from_failure_cases(
        errors,
        rule=ctx.rule_id,
        needs=ctx.requirements,
        allowed=ctx.allowed,
        code=True,
        keep_index=True,
    )
    index = pd.to_numeric(pd.Series(found.index, dtype=object), errors="coerce")
    at = ctx.stacked.reindex(index.fillna(-1).astype(int).to_numpy())
    whole_sheet = ctx.stacked[ctx.stacked[SHEET_COL] == sheet] if sheet else ctx.stacked.iloc[:0]

    def cell(column: str, *, whole: bool = False) -> object:
        """The offending row's ``column``; with ``whole``, a column problem gets the sheet's
        value when the sheet has only one (the member of a one-member sheet)."""
        if column not in ctx.stacked:
            return None
        values = at[column].astype(object).to_numpy(copy=True)
        names = list(whole_sheet[column].dropna().unique()) if whole else []
        if len(names) == 1:
            values[index.isna().to_numpy()] = names[0]
        return values

    column_level = found[problems.CODE].isin([problems.MISSING_COLUMN, problems.UNEXPECTED_COLUMN])
    out = pd.DataFrame(
        {
            "表": at[SHEET_COL].fillna(sheet).to_numpy() if sheet else at[SHEET_COL].to_numpy(),
            "行": at[ROW_COL].to_numpy(),
            "成员": cell(ctx.member_col, whole=True),
            "项目": cell(ctx.item_col) if ctx.item_col != ctx.member_col else None,
            "列": found["列"].to_numpy(),
            "值": found["值"].where(~column_level, None).to_numpy(),
            "要求": found["要求"].to_numpy(),
            "规则": found["规则"].to_numpy(),
            "代码": found[problems.CODE].to_numpy(),
        },
        columns=list(PROBLEM_COLUMNS),
    )
    return out.astype(object)
