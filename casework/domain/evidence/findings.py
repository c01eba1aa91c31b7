"""The shape of evidence: one row per condition (or item), institution and project.

``met`` is True or False where the data decides the condition and NA where it only informs
the expert (area, honours) or holds nothing to go on; ``evidence`` says why, in Chinese, naming
the people, sites, batches and numbers behind it. The panel or group still decides.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class SelectionEvidenceTable(pa.DataFrameModel):
    """Evidence beside each Attachment 1 condition (``sub_id`` of the selection rubric)."""

    institution_id: Series[int]
    sub_id: Series[str]
    rule_id: Series[str]
    project_code: Series[str]
    met: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    evidence: Series[str]

    class Config:
        strict = True
        coerce = True


class SuggestionTable(pa.DataFrameModel):
    """A suggested Attachment 4 verdict (or veto answer) with the evidence behind it."""

    filing_id: Series[int]
    item_id: Series[str]
    rule_id: Series[str]
    suggested: Series[str] = pa.Field(nullable=True)
    evidence: Series[str]

    class Config:
        strict = True
        coerce = True


SELECTION_COLUMNS = list(SelectionEvidenceTable.to_schema().columns)


def rows(
    frame: pd.DataFrame, sub_id: str, rule_id: str, met: pd.Series, evidence: pd.Series
) -> pd.DataFrame:
    """Selection evidence rows for ``frame`` (which holds ``institution_id``, ``project_code``)."""
    return pd.DataFrame(
        {
            "institution_id": frame["institution_id"].to_numpy(),
            "sub_id": sub_id,
            "rule_id": rule_id,
            "project_code": frame["project_code"].to_numpy() if "project_code" in frame else "",
            "met": pd.Series(met).astype("boolean").to_numpy(),
            "evidence": evidence.to_numpy(),
        }
    )


def stack(parts: Iterable[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    found = [p for p in parts if len(p)]
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(found, ignore_index=True)[columns]


def names(frame: pd.DataFrame, keys: list[str], label: pd.Series, limit: int = 12) -> pd.Series:
    """Per group of ``keys``: the labels joined with 、 (at most ``limit``, then 等N人)."""
    if frame.empty:
        return pd.Series(dtype="string")
    g = frame.assign(_label=label.astype(str)).groupby(keys, sort=False)["_label"]
    joined = g.agg(
        lambda s: "、".join(s.iloc[:limit]) + (f"等{len(s)}人" if len(s) > limit else "")
    )
    return joined.astype("string")
