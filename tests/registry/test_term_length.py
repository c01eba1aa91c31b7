"""SEL-11: the term is normally (一般为) 3 years; another length is an exception the city
decides and records — a city manager, with a reason — and the receipt prints the term granted."""

from __future__ import annotations

from datetime import date

import pytest

from casework import documents
from casework import registry as r
from casework.domain.terms import FilingTerm, filing_term
from casework.errors import PermissionDenied, RuleViolation
from casework.queries.cards import filing_card
from casework.registry import scenario

from .conftest import JINAN, World

OFFICER, MANAGER = scenario.city_officer(JINAN), scenario.city_manager(JINAN)
FILED_ON = date(2025, 5, 6)


def cleared(world: World) -> int:
    ids = world.filed("济南短期备案职业培训学校", stop_at="公示无异议")
    scenario.report_filing(world.store, JINAN, ids["application_id"], FILED_ON)
    return int(ids["application_id"])


def test_a_term_of_another_length_prints_the_length_granted_sel_11() -> None:
    term = filing_term(date(2025, 5, 6), 24)

    assert term.receipt_text == "有效期2年（自2025年5月至2027年4月）"
    assert (
        filing_term(date(2025, 5, 6), 18).receipt_text == "有效期18个月（自2025年5月至2026年10月）"
    )
    assert FilingTerm.spanning(term.first_day, term.last_day).text == term.text


def test_a_city_manager_grants_another_length_with_a_reason_and_the_receipt_shows_it_sel_11(
    world: World,
) -> None:
    app = cleared(world)

    filing = r.file_application(
        world.store,
        MANAGER,
        application_id=app,
        on=FILED_ON,
        term_months=24,
        term_reason="场地租期仅余两年，经局务会研究确定备案期2年",
    )

    assert filing_card(world.store, filing).term == "自2025年5月至2027年4月"
    text = documents.build(world.store, "receipt", filing).plain_text
    assert "有效期2年（自2025年5月至2027年4月）" in text


def test_an_officer_cannot_grant_another_length_sel_11(world: World) -> None:
    app = cleared(world)

    with pytest.raises(PermissionDenied) as err:
        r.file_application(
            world.store, OFFICER, application_id=app, on=FILED_ON, term_months=24, term_reason="x"
        )

    assert err.value.rule_id == "SEL-11"


def test_another_length_without_a_reason_is_refused_sel_11(world: World) -> None:
    app = cleared(world)

    with pytest.raises(RuleViolation) as err:
        r.file_application(world.store, MANAGER, application_id=app, on=FILED_ON, term_months=24)

    assert err.value.rule_id == "SEL-11"
