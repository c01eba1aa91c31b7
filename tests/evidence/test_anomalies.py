"""Patterns worth a question (SUP-02, ATT4-SIGN): each with records that show it and not."""

from __future__ import annotations

import pandas as pd
import pytest

from casework.domain.evidence import evaluator_clashes, high_pass_rate, multi_institution_candidates
from casework.domain.identifiers import make_uscc

from . import builders as b


@pytest.mark.parametrize(
    ("n", "passed", "flagged"),
    [(40, 40, True), (50, 49, True), (40, 36, False), (10, 10, False)],
    ids=["all-pass", "98-percent", "90-percent", "small-batch"],
)
def test_a_large_batch_passing_at_or_near_100_percent_is_flagged_sup_02(
    n: int, passed: int, flagged: bool
) -> None:
    found = high_pass_rate(b.batches({}), b.results(1, n, passed=passed))

    assert (len(found) == 1) is flagged


def test_a_candidate_certified_by_two_institutions_is_flagged_naming_them_sup_02() -> None:
    units = b.institutions(
        {"institution_id": 1, "name": "甲"},
        {"institution_id": 2, "name": "乙", "uscc": make_uscc("52370100MJ0000002")},
    )
    certs = b.certificates(
        {"id_number": b.person(100)},
        {"id_number": b.person(100), "institution_id": 2},
        {"id_number": b.person(101)},
    )

    found = multi_institution_candidates(certs, units)

    assert list(found["id_number"]) == [b.person(100)]
    assert found["institutions"].iloc[0] == "乙、甲"
    assert bool(found["same_project"].iloc[0])


def test_an_evaluator_signing_at_two_places_on_one_day_is_flagged_att4_sign() -> None:
    batches = b.batches({}, {"site_code": "S2"}, {"exam_date": "2025-05-20"})
    results = pd.concat(
        [b.results(1, 2), b.results(2, 2, start=200), b.results(3, 2, start=300)], ignore_index=True
    )

    found = evaluator_clashes(batches, results, b.institutions())

    assert set(found["evaluator"]) == {b.person(901), b.person(902), b.person(903)}
    assert set(found["exam_date"]) == {pd.Timestamp("2025-05-19")}
    assert found["places"].iloc[0] == "甲职业培训学校/S1、甲职业培训学校/S2"


def test_an_evaluator_signing_many_candidates_at_one_place_is_not_a_clash_att4_sign() -> None:
    found = evaluator_clashes(
        b.batches({}, {}),
        pd.concat([b.results(1, 3), b.results(2, 3, start=200)]),
        b.institutions(),
    )

    assert found.empty
