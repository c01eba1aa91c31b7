"""Scoring of the selection panel's checklists and the renewal group's sheets.

One import for the whole scoring API; the code lives in four small modules:

* :mod:`casework.domain.scoring.selection` — Attachment 1 checklists (SEL-03, SEL-04);
* :mod:`casework.domain.scoring.renewal` — Attachment 4 sheets, totals, veto findings
  (REN-06, REN-07);
* :mod:`casework.domain.scoring.outcome` — composite, grade, Attachment 6 summary (REN-04 … REN-06);
* :mod:`casework.domain.scoring.sheets` — reading human-typed sheets, listing every problem at once.

Every function takes the rubric the sheets were filled under
(``casework.domain.rubrics.load(...)``),
so a score stays tied to the rubric version it was made with.
"""

from __future__ import annotations

from casework.domain.scoring.outcome import (
    COMPOSITE_METHODS,
    MEAN,
    TRIMMED,
    Attachment6Summary,
    Grade,
    GroupDeltaTable,
    ItemDeltaTable,
    SelfGroupDelta,
    composite,
    grade,
    renewal_outcome,
    round_half_up,
    self_vs_group_delta,
)
from casework.domain.scoring.renewal import (
    GroupTotalsTable,
    RenewalSheetTable,
    VetoSheetTable,
    VetoSummary,
    VetoSummaryTable,
    allowed_points,
    group_totals_of,
    member_totals,
    running_total,
    sheet_totals,
    totals_of,
    validate_renewal_sheet,
    veto_summary,
)
from casework.domain.scoring.selection import (
    MAJORITY,
    PANEL_RULES,
    SUPPLEMENTARY,
    UNANIMOUS,
    ConditionVerdictTable,
    SelectionSheetTable,
    SelectionVerdict,
    SupplementaryConditionsTable,
    evaluate_selection,
)
from casework.domain.scoring.sheets import PROBLEM_COLUMNS

__all__ = [
    "COMPOSITE_METHODS",
    "MAJORITY",
    "MEAN",
    "PANEL_RULES",
    "PROBLEM_COLUMNS",
    "SUPPLEMENTARY",
    "TRIMMED",
    "UNANIMOUS",
    "Attachment6Summary",
    "ConditionVerdictTable",
    "Grade",
    "GroupDeltaTable",
    "GroupTotalsTable",
    "ItemDeltaTable",
    "RenewalSheetTable",
    "SelectionSheetTable",
    "SelectionVerdict",
    "SelfGroupDelta",
    "SupplementaryConditionsTable",
    "VetoSheetTable",
    "VetoSummary",
    "VetoSummaryTable",
    "allowed_points",
    "composite",
    "evaluate_selection",
    "grade",
    "group_totals_of",
    "member_totals",
    "renewal_outcome",
    "round_half_up",
    "running_total",
    "self_vs_group_delta",
    "sheet_totals",
    "totals_of",
    "validate_renewal_sheet",
    "veto_summary",
]
