"""The renewal read models: one case's Attachment 4 sheets and its group's Attachment 6
outcome (REN-02, REN-04 … REN-07; issue #13's Attachment 4 leak)."""

from __future__ import annotations

import pytest

from casework import documents
from casework.domain import rules, scoring
from casework.errors import NotFound
from casework.queries.renewal_outcome import attachment4_sheets, renewal_outcome_of
from tests.documents.world import World
from tests.queries.conftest import PENDING_NAME

OTHER_INSTITUTIONS = ("济南鲁锦织造有限公司", "济南泉城面塑工作室", "济南历下烹饪培训学校")


def test_attachment4_of_a_case_without_a_group_holds_only_its_own_self_evaluation_ren_02(
    world: World,
) -> None:
    found = attachment4_sheets(world.store, world.ids["e"]["renewal_id"])

    assert found.institution == PENDING_NAME
    assert [(s.author, s.expert) for s in found.sheets] == [(f"{PENDING_NAME}负责人", False)]


def test_attachment4_for_a_renewal_case_without_a_group_names_no_other_institution(
    world: World,
) -> None:
    """Issue #13: a missing panel id once became ``panel_id IS NULL`` and printed every
    self-evaluation in the province under this institution's name."""
    doc = documents.build(world.store, "att4", world.ids["e"]["renewal_id"])

    text = doc.plain_text
    assert PENDING_NAME in text
    assert [name for name in OTHER_INSTITUTIONS if name in text] == []
    assert text.count("机构负责人（自评）") == 1


def test_attachment4_of_a_grouped_case_is_its_self_evaluation_then_its_own_group_ren_04(
    world: World,
) -> None:
    found = attachment4_sheets(world.store, world.ids["a"]["renewal_id"])

    assert [s.expert for s in found.sheets] == [False, True, True, True]
    assert found.sheets[0].author == "济南鲁锦织造有限公司负责人"
    assert PENDING_NAME not in {s.author for s in found.sheets}


def test_the_group_outcome_is_the_domain_summary_of_its_members_sheets_ren_05(
    world: World,
) -> None:
    got = renewal_outcome_of(world.store, world.ids["a"]["renewal_id"])

    assert got.complete and got.waiting == ()
    assert isinstance(got.summary, scoring.Attachment6Summary)
    assert got.summary.composite == scoring.composite([85.0, 80.0, 82.0])
    assert got.summary.grade.label == rules.GRADE_PASS
    assert set(got.summary.members) == set(got.names)
    assert got.self_sheet is not None and got.self_sheet["renewal_id"] == got.renewal_id


def test_a_case_without_a_group_has_no_group_outcome_ren_04(world: World) -> None:
    with pytest.raises(NotFound, match="尚未组建续期评估组"):
        renewal_outcome_of(world.store, world.ids["e"]["renewal_id"])


def test_attachment6_of_a_case_without_a_group_is_refused_not_widened(world: World) -> None:
    with pytest.raises(documents.DocumentRefused, match="附件6"):
        documents.build(world.store, "att6", world.ids["e"]["renewal_id"])


def test_an_unknown_renewal_case_is_not_found_in_chinese(world: World) -> None:
    with pytest.raises(NotFound, match="未找到续期评估"):
        attachment4_sheets(world.store, 999_999)
