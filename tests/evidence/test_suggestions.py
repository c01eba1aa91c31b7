"""Suggested Attachment 4 verdicts: graded from the evidence, empty where the data says nothing."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from casework.domain import rubrics, rules
from casework.domain.evidence import review, suggest
from casework.domain.evidence.suggestions import ITEMS, graded, unknown_items

from . import builders as b


def suggestions(
    batches: pd.DataFrame, results: pd.DataFrame, staff: pd.DataFrame | None = None
) -> pd.DataFrame:
    rv = review(
        b.filings(),
        b.terms(),
        b.scope(),
        b.suspensions(),
        b.sites(),
        batches,
        results,
        b.certificates(),
        as_of=date(2027, 10, 1),
    )
    table = suggest(rv, b.filings(), b.scope(), b.staff() if staff is None else staff, b.banks())
    return table.set_index("item_id")


@pytest.mark.parametrize(
    ("failing", "total", "verdict"),
    [(0, 20, rules.VERDICT_FULL), (2, 20, rules.VERDICT_PARTIAL), (5, 20, rules.VERDICT_NONE)],
)
def test_a_share_of_failures_grades_the_suggestion(failing: int, total: int, verdict: str) -> None:
    assert graded(pd.Series([failing]), pd.Series([total])).iloc[0] == verdict


def test_nothing_to_judge_gives_no_suggestion() -> None:
    assert pd.isna(graded(pd.Series([0]), pd.Series([0])).iloc[0])


def test_every_batch_planned_in_time_suggests_符合_for_the_planning_item_att4_plan() -> None:
    table = suggestions(b.batches({}, {}), b.results(1, 5))

    assert table.loc["R16", "suggested"] == rules.VERDICT_FULL


def test_late_plans_in_most_batches_suggest_不符合_and_name_the_batches_att4_plan() -> None:
    table = suggestions(b.batches({"plan_date": "2025-05-16"}, {}), b.results(1, 5))

    assert table.loc["R16", "suggested"] == rules.VERDICT_NONE
    assert "B1" in table.loc["R16", "evidence"]


def test_unsigned_candidates_grade_the_signature_item_att4_sign() -> None:
    results = b.results(1, 20)
    results.loc[0, "evaluator_3"] = None

    table = suggestions(b.batches({}), results)

    assert table.loc["R26", "suggested"] == rules.VERDICT_PARTIAL


def test_a_term_without_any_assessment_suggests_veto_item_9_ren_05() -> None:
    table = suggestions(b.batches(), b.results(1, 0))

    assert table.loc["V09", "suggested"] == "是"
    assert table.loc["R39", "suggested"] == rules.VERDICT_NONE


def test_full_time_supervisors_without_insurance_suggest_基本符合_att1_staff() -> None:
    staff = b.staff(
        *({"id_number": b.person(i), "role": "质量督导", "insurance_months": 6} for i in (1, 2))
    )

    table = suggestions(b.batches({}), b.results(1, 5), staff)

    assert table.loc["R11", "suggested"] == rules.VERDICT_PARTIAL


def test_each_suggested_item_is_the_one_its_words_name_in_the_rubric_in_force() -> None:
    rubric = rubrics.load("renewal")

    assert unknown_items(rubric.items, rubric.veto_items) == []
    assert set(ITEMS) <= set(rubric.items["item_id"]) | set(rubric.veto_items["veto_id"])


def test_the_evidence_package_imports_no_storage_or_widget_library() -> None:
    code = (
        "import sys, casework.domain.evidence; "
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert "sqlalchemy" not in loaded and "ipywidgets" not in loaded
