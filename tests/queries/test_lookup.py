"""The read side's one "row or not found" idiom and its guard against widening reads."""

from __future__ import annotations

import pytest

from casework.errors import NotFound
from casework.queries.filings import filing_facts, notice_of_application
from casework.queries.lookup import one_or_none, one_or_not_found, rows_of
from casework.queries.panels import panel_roster
from casework.store.tables import filings, sheets
from tests.documents.world import World


def test_a_missing_key_is_refused_and_never_becomes_is_null(world: World) -> None:
    with world.store.read() as conn, pytest.raises(NotFound, match="panel_id"):
        rows_of(conn, sheets, "评估表", panel_id=None)


@pytest.mark.parametrize("read", [one_or_none, one_or_not_found], ids=lambda f: f.__name__)
def test_a_single_row_read_with_a_missing_key_is_refused(world: World, read: object) -> None:
    with world.store.read() as conn, pytest.raises(NotFound, match="未指定备案"):
        read(conn, filings, "备案", id=None)  # type: ignore[operator]


def test_an_unknown_id_is_not_found_naming_the_record_and_key(world: World) -> None:
    with world.store.read() as conn, pytest.raises(NotFound, match=r"未找到备案（id=424242）"):
        one_or_not_found(conn, filings, "备案", id=424242)


def test_a_filing_without_an_application_has_no_notice_rather_than_every_notice(
    world: World,
) -> None:
    found = notice_of_application(world.store, None)

    assert found.notice is None and found.objections == ()


def test_filing_facts_hold_only_that_filings_terms_and_scope(world: World) -> None:
    fid = world.ids["a"]["filing_id"]

    facts = filing_facts(world.store, fid)

    assert {t["filing_id"] for t in facts.terms} == {fid}
    assert {r["filing_id"] for r in facts.scope} == {fid}
    assert facts.institution["name"] == "济南鲁锦织造有限公司"


def test_the_panel_roster_names_each_member_with_the_leader_first_sel_03(world: World) -> None:
    roster = panel_roster(world.store, world.ids["a"]["panel_id"])

    assert len(roster) == 3
    assert bool(roster.is_leader.iloc[0]) and not roster.is_leader.iloc[1:].any()
    assert (roster.display_name != roster.username).all()
    assert set(roster.sheet_status) == {"已提交"}
    assert list(roster.columns) == [
        "username",
        "display_name",
        "unit",
        "is_leader",
        "coi_declared",
        "coi_declared_at",
        "sheet_status",
    ]
