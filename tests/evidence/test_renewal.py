"""Renewal evidence (REN-03): ATT5-STATS, REN-05, ATT4-PLAN, ATT4-PUBLISH, ATT4-SIGN, ATT4-SCOPE,
EXIT-04 — each with records that meet it and records that fail it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from casework.domain.evidence import RenewalReview, prefill, review
from casework.registry.renewal import attachment5_stats

from . import builders as b

AS_OF = date(2027, 10, 1)


def run(
    batches: pd.DataFrame, results: pd.DataFrame | None = None, **kw: pd.DataFrame
) -> RenewalReview:
    frames = {
        "filings": b.filings(),
        "terms": b.terms(),
        "scope": b.scope(),
        "suspensions": b.suspensions(),
        "sites": b.sites(),
        "certificates": b.certificates(),
        **kw,
    }
    return review(
        frames["filings"],
        frames["terms"],
        frames["scope"],
        frames["suspensions"],
        frames["sites"],
        batches,
        b.results(1, 0) if results is None else results,
        frames["certificates"],
        as_of=AS_OF,
    )


@pytest.mark.parametrize(
    ("plan", "late"),
    [("2025-05-12", False), ("2025-05-13", True), ("2025-05-19", True)],
    ids=["5-working-days-before", "4-working-days-before", "on-the-exam-day"],
)
def test_a_plan_made_fewer_than_5_working_days_before_the_exam_is_flagged_att4_plan(
    plan: str, late: bool
) -> None:
    rv = run(b.batches({"plan_date": plan, "exam_date": "2025-05-19"}))

    assert (len(rv.plan_late) == 1) is late


@pytest.mark.parametrize(
    ("start", "end", "short"),
    [
        ("2025-05-19", "2025-05-23", False),
        ("2025-05-19", "2025-05-22", True),
        ("2025-04-29", "2025-05-07", True),
    ],
    ids=["mon-to-fri", "mon-to-thu", "across-the-may-day-holiday"],
)
def test_results_shown_for_fewer_than_5_working_days_are_flagged_att4_publish(
    start: str, end: str, short: bool
) -> None:
    rv = run(
        b.batches(
            {
                "exam_date": "2025-04-20",
                "plan_date": "2025-04-01",
                "publish_start": start,
                "publish_end": end,
            }
        )
    )

    assert (len(rv.publish_short) == 1) is short


def test_an_unpublished_batch_is_flagged_only_once_its_results_were_due_att4_publish() -> None:
    rv = run(
        b.batches(
            {"exam_date": "2025-05-19", "publish_start": None, "publish_end": None},
            {
                "exam_date": "2027-09-25",
                "plan_date": "2027-09-01",
                "publish_start": None,
                "publish_end": None,
            },
        )
    )

    assert list(rv.publish_short["batch_no"]) == ["B1"]


def test_a_candidate_without_three_distinct_evaluator_signatures_is_flagged_att4_sign() -> None:
    signed = b.results(1, 3)
    signed.loc[1, "evaluator_3"] = None
    signed.loc[2, "evaluator_3"] = signed.loc[2, "evaluator_1"]

    rv = run(b.batches({}), signed)

    assert list(rv.unsigned["signatures"]) == [2, 2]
    assert list(rv.unsigned["id_number"]) == list(signed["id_number"].iloc[1:])


def test_attachment_5_counts_candidates_certificates_and_the_pass_rate_att5_stats() -> None:
    certs = b.certificates(*({"id_number": b.person(100 + i)} for i in range(30)))

    rv = run(b.batches({}), b.results(1, 40, passed=32), certificates=certs)

    row = rv.stats.iloc[0]
    assert (
        row["project_code"],
        row["assessed"],
        row["passed"],
        row["certified"],
        row["pass_rate"],
    ) == ("P001", 40, 32, 30, 0.75)


def test_a_project_in_scope_with_no_assessment_in_the_term_is_not_renewed_ren_05() -> None:
    rv = run(b.batches({}), b.results(1, 5), scope=b.scope("P001", "P002"))

    assert list(rv.unassessed["project_code"]) == ["P002"]


def test_activity_before_the_term_does_not_count_for_the_term_ren_05() -> None:
    rv = run(b.batches({"exam_date": "2024-12-01", "plan_date": "2024-11-01"}), b.results(1, 5))

    assert list(rv.unassessed["project_code"]) == ["P001"]


@pytest.mark.parametrize(
    ("batch", "sites", "reason"),
    [
        ({"project_code": "P002"}, b.sites(), "项目不在备案考核范围内"),
        ({}, b.sites({"city_code": b.QINGDAO}), "考核场地不在备案所属市"),
    ],
    ids=["project-outside-scope", "site-in-another-city"],
)
def test_assessments_outside_the_filed_projects_or_city_are_flagged_att4_scope(
    batch: dict[str, object], sites: pd.DataFrame, reason: str
) -> None:
    rv = run(b.batches(batch), sites=sites)

    assert list(rv.out_of_scope["reason"]) == [reason]
    assert list(rv.out_of_scope["rule_id"]) == ["ATT4-SCOPE"]


def test_an_assessment_inside_the_scope_and_city_is_not_flagged_att4_scope() -> None:
    rv = run(b.batches({}))

    assert rv.out_of_scope.empty


@pytest.mark.parametrize(
    ("start", "end", "flagged"),
    [("2025-05-01", "2025-06-01", True), ("2025-05-01", "2025-05-19", False)],
)
def test_an_assessment_held_while_the_filing_was_suspended_is_flagged_exit_04(
    start: str, end: str, flagged: bool
) -> None:
    rv = run(b.batches({}), suspensions=b.suspensions({"start": start, "end": end}))

    assert (list(rv.out_of_scope["rule_id"]) == ["EXIT-04"]) is flagged


def test_certificates_issued_while_suspended_are_listed_exit_04() -> None:
    rv = run(
        b.batches({}),
        suspensions=b.suspensions({"start": "2025-06-01", "end": None}),
        certificates=b.certificates({}),
    )

    assert list(rv.suspended_certificates["cert_no"]) == ["C1"]


def test_the_prefilled_attachment_5_is_what_the_renewal_submission_accepts_att5_stats() -> None:
    rv = run(b.batches({}), b.results(1, 10), scope=b.scope("P001", "P002"))

    filled = prefill(rv, 1, 1, b.staff(b.evaluator(1)), b.sites(), b.banks(), ["P001", "P002"])

    table = attachment5_stats(filled["projects"])
    assert list(table["assessed"]) == [10, 0]
    assert filled["first_assessment_on"] == "2025-05-19"
    assert filled["staff"]["evaluators"] == 1
