"""From text as read to a typed, validated table — or every problem at once.

:func:`check_frame` is pure (no store): it parses each column
(:mod:`casework.intake.values`), validates the typed table with the kind's pandera model
lazily and turns both kinds of failure into one problems table. A cell that could not be read
is reported once, with the value as typed, not again by the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
import pandera.pandas as pa

from casework.domain.evidence import vocabulary as v
from casework.domain.reference import cities
from casework.errors import ValidationFailed
from casework.intake import problems as pr
from casework.intake import values
from casework.intake.kinds import Field, Kind

NEEDS: Final = {
    "int": "应为整数",
    "float": "应为数字",
    "months": "应为月数，如 12、18个月 或 3年",
    "date": "应为有效日期，如 2025-03-05、2025/3/5 或 2025年3月5日",
    "bool": "应为 是/否、通过/不通过 或 合格/不合格",
    "level": "应为证书等级：一级至五级（如 三级、高级工、技师）",
    "title": "应为职称：" + "、".join(v.TITLE_RANKS),
    "city": "应为山东省设区市名称（如 济南）或行政区划代码（如 370100）",
}


@dataclass(frozen=True)
class Checked:
    """A kind's rows, typed; ``problems`` is empty exactly when the rows may be stored."""

    kind: Kind
    frame: pd.DataFrame
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def raise_if_any(self, filename: str) -> None:
        if not self.ok:
            raise refused(self.kind, filename, self.problems)


def refused(kind: Kind, filename: str, problems: pd.DataFrame) -> ValidationFailed:
    rules = problems["规则"].astype(str)
    first = rules.iloc[0] if len(rules) else pr.FORMAT
    return ValidationFailed(
        f"“{kind.label}”文件“{filename}”未导入：共 {len(problems)} 处问题，"
        "请按问题清单修改后重新导入（本次未写入任何数据）",
        problems,
        rule_id=first,
    )


def parse_column(f: Field, raw: pd.Series) -> values.Parsed:
    """One column typed by its field's parser; (values, cells that could not be read)."""
    match f.parse:
        case "text":
            return values.as_text(raw), pd.Series(False, index=raw.index)
        case "code":
            return values.parse_code(raw)
        case "int":
            return values.parse_number(raw, integer=True)
        case "float":
            return values.parse_number(raw)
        case "months":
            return values.parse_months(raw, words=f.words)
        case "date":
            return values.parse_date(raw)
        case "bool":
            return values.parse_bool(raw)
        case "choice":
            return values.parse_choice(raw, f.choices or {})
        case "level":
            return values.parse_level(raw)
        case "title":
            return values.parse_title(raw)
        case "list":
            return values.parse_list(raw)
        case "city":
            return values.parse_city(raw, cities())
    raise ValueError(f"unknown parser {f.parse!r}")  # pragma: no cover - kinds are declared


def _need(f: Field) -> str:
    if f.parse == "choice":
        return "应为以下之一：" + "、".join(f.choices or {})
    return NEEDS.get(f.parse, "无法识别")


def check_frame(kind: Kind, raw: pd.DataFrame) -> Checked:
    """Parse and validate ``raw`` (text columns named by ``kind``'s fields, index = row number)."""
    typed: dict[str, pd.Series] = {}
    parts: list[pd.DataFrame] = []
    failed: list[pd.MultiIndex] = []
    for f in kind.fields:
        column = raw[f.name] if f.name in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
        parsed, bad = parse_column(f, column)
        typed[f.name] = parsed
        if bad.any():
            parts.append(pr.cells(bad, column, f.header, _need(f), pr.VALUE))
            rows = bad[bad].index
            failed.append(pd.MultiIndex.from_arrays([rows, [f.name] * len(rows)]))
    frame = pd.DataFrame(typed, index=raw.index)
    already = failed[0].append(failed[1:]) if failed else pd.MultiIndex.from_arrays([[], []])
    try:
        frame = kind.model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        unique = kind.model.to_schema().unique or list(kind.natural_key)
        parts.append(pr.from_failures(exc, frame, kind.headers, list(unique), already))
    return Checked(kind, frame, pr.combine(parts))
