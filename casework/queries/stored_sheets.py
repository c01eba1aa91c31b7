"""What a stored scoring sheet is: its kinds and states, its rubric, and its rows as the frames
:mod:`casework.domain.scoring` reads.

Shared by the read side and by the commands (:mod:`casework.registry.sheets` imports these),
so both turn a stored sheet into frames the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from casework.domain import rubrics

DRAFT, SUBMITTED = "草稿", "已提交"
SELF = "自评"
"""The institution head's Attachment 4 self-evaluation (REN-02): ``renewal_id`` set, no panel."""
SELECTION_SHEET, RENEWAL_SHEET = "遴选", "续期"
"""A panel member's Attachment 1 checklist (SEL-03) or Attachment 4 sheet (REN-04)."""


def rubric_by_id(rubric_id: str) -> Any:
    """The rubric a sheet was filled under, by its id (``renewal-2025.1``): prefer
    :func:`casework.domain.rubrics.by_id` (kept for the report collectors that import it)."""
    return rubrics.by_id(rubric_id)


def selection_frame(rows: Sequence[dict[str, Any]], member: str) -> pd.DataFrame:
    """A stored Attachment 1 checklist as the frame :func:`scoring.evaluate_selection` reads;
    a row of a per-project condition keeps its ``project_code`` (SEL-04; none in older sheets)."""
    frame = pd.DataFrame(list(rows), columns=["sub_id", "met", "note", "project_code"])
    frame.insert(0, "member", member)
    frame["note"] = frame["note"].fillna("").astype(str)
    return frame


def renewal_frames(
    rows: Sequence[dict[str, Any]], veto: Sequence[dict[str, Any]], member: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stored Attachment 4 sheet as (score frame, veto frame) for :mod:`scoring`."""
    sheet = pd.DataFrame(list(rows), columns=["item_id", "verdict", "points"])
    sheet.insert(0, "member", member)
    vetoes = pd.DataFrame(list(veto), columns=["veto_id", "found"])
    vetoes.insert(0, "member", member)
    return sheet, vetoes
