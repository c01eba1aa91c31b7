"""Attachment 5 (备案续期申请表) pre-filled from the data (ATT5-STATS, REN-05).

The result is the ``application`` a renewal submission takes
(:func:`casework.registry.renewal.submit_renewal`): its ``projects`` list is exactly the
per-project table that command validates, and the other keys fill the form's 考核资源 part.
The institution checks and completes it; nothing here is submitted by itself.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from casework.domain.evidence import vocabulary as v
from casework.domain.evidence.renewal import RenewalReview


def prefill(
    rv: RenewalReview,
    filing_id: int,
    institution_id: int,
    staff: pd.DataFrame,
    sites: pd.DataFrame,
    banks: pd.DataFrame,
    scope_now: list[str],
) -> dict[str, Any]:
    """Attachment 5 for one filing from its review and its rosters, sites and banks."""
    stats = rv.stats[rv.stats["filing_id"] == filing_id].set_index("project_code")
    projects = [
        {
            "project_code": code,
            "assessed": int(stats["assessed"].get(code, 0)),
            "certified": int(stats["certified"].get(code, 0)),
        }
        for code in sorted(scope_now)
    ]
    batches = rv.batches[rv.batches["filing_id"] == filing_id]
    first = batches["exam_date"].min()
    own_staff = staff[staff["institution_id"] == institution_id]
    own_sites = sites[sites["institution_id"] == institution_id]
    own_banks = banks[
        (banks["institution_id"] == institution_id) & banks["project_code"].isin(scope_now)
    ]

    def people(role: str) -> int:
        return int(own_staff.loc[own_staff["role"] == role, "id_number"].nunique())

    return {
        "projects": projects,
        "assessed_in_term": bool(len(batches)),
        "first_assessment_on": None if pd.isna(first) else first.date().isoformat(),
        "site_tenure": sorted(set(own_sites["tenure"])),
        "site_addresses": list(own_sites["address"]),
        "staff": {
            "evaluators": people(v.EVALUATOR),
            "supervisors": people(v.SUPERVISOR),
            "question_experts": people(v.QUESTION_EXPERT),
            "staff": int(own_staff["id_number"].nunique()),
        },
        "question_banks": [
            {"project_code": str(code), "paper_sets": int(sets), "items": int(items)}
            for code, sets, items in own_banks.sort_values("project_code")[
                ["project_code", "paper_sets", "items"]
            ].to_numpy()
        ],
    }
