"""续期轮次 app driven in plain pytest (REN-01, REN-02): the filings a round takes in, shown
before it is opened, the deadline in working days, the notice, and what the page refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry
from casework.domain import calendar
from casework.errors import PermissionDenied
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.store.tables import refusals, renewal_cases, renewal_rounds
from casework.ui import index, renewal_round
from casework.ui.renewal_round import RoundPage
from tests.registry.conftest import JINAN, QINGDAO, World

from .worlds import OFFICER, OTHER_CITY, Template, audit_count, clone, context, count, make_template

TODAY = date(2025, 11, 3)
HEAD = "inst_head_jinan"


def legacy(world: World, city: str, name: str, code: str, start: date) -> int:
    inst = world.institution(name, city)
    registry.register_existing_filing(
        world.store,
        scenario.city_officer(city),
        institution_id=inst,
        code=code,
        term_start=start,
        project_codes=["P001"],
        filed_on=start,
        source="试点备案",
    )
    return inst


def build(world: World) -> dict[str, Any]:
    due = legacy(world, JINAN, "济南到期培训学校", "3701LEGACY101", date(2022, 12, 1))
    legacy(world, JINAN, "济南未到期培训学校", "3701LEGACY102", date(2024, 6, 1))
    legacy(world, QINGDAO, "青岛到期培训学校", "3702LEGACY201", date(2022, 12, 1))
    scenario.ensure_user(world.store, Actor(HEAD, INSTITUTION, institution_id=due))
    return {"due": due}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("renewal-round"), build)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    copy = clone(template, tmp_path)
    yield copy
    copy.store.dispose()


@pytest.fixture
def page(world: World) -> RoundPage:
    return RoundPage(context(world, OFFICER, TODAY), JINAN)


def window(page: RoundPage, first: date = date(2025, 11, 1), last: date = date(2025, 12, 31)):
    page.first.value, page.last.value = first, last


def stored_rounds(world: World) -> list[dict[str, Any]]:
    with world.store.read() as conn:
        return [dict(r) for r in conn.execute(select(renewal_rounds)).mappings()]


def test_the_filings_of_the_window_are_shown_before_the_round_is_opened_ren_01(
    page: RoundPage,
) -> None:
    window(page)

    shown = page.preview.value

    assert "济南到期培训学校" in shown and "纳入本轮" in shown
    assert "济南未到期培训学校" not in shown and "青岛到期培训学校" not in shown
    assert str(calendar.deadline_after(TODAY, 20)) in page.deadline_note.value
    assert not page.open_button.disabled


def test_opening_the_round_sets_the_working_day_deadline_offers_the_notice_and_tells_the_head(
    world: World, page: RoundPage
) -> None:
    window(page)
    page.workdays.value = 15
    page.plan.value = "重点核查考核实施和质量控制"

    page.open_button.click()

    rnd = stored_rounds(world)[-1]
    with world.store.read() as conn:
        cases = conn.execute(select(renewal_cases.c.status)).scalars().all()
    assert rnd["deadline"] == calendar.deadline_after(TODAY, 15) and rnd["opened_on"] == TODAY
    assert rnd["plan"] == "重点核查考核实施和质量控制" and cases == ["待自评"]
    assert "已发布续期评估通知" in page.messages.widget.value
    assert "续期评估通知" in page.download.value and "data:application/vnd" in page.download.value
    head = index.build(context(world, HEAD, TODAY))
    assert "./self_evaluation.ipynb" in head.children[2].value
    assert str(rnd["deadline"]) in head.children[2].value


def test_a_crafted_click_when_no_filing_is_due_writes_nothing_and_is_logged(
    world: World, page: RoundPage
) -> None:
    window(page, date(2030, 1, 1), date(2030, 2, 1))
    assert page.open_button.disabled
    entries, refused = audit_count(world), count(world, refusals)

    page.open_button._handle_button_msg(None, {"event": "click"}, [])

    assert audit_count(world) == entries and not stored_rounds(world)
    assert count(world, refusals) == refused + 1


def test_a_window_ending_before_it_starts_is_refused_in_chinese_ren_01(page: RoundPage) -> None:
    window(page, date(2025, 12, 31), date(2025, 11, 1))

    assert "cw-error" in page.preview.value and "有效期届满范围有误" in page.preview.value
    assert page.open_button.disabled


def test_the_form_comes_back_after_a_reload(world: World, page: RoundPage) -> None:
    window(page)
    page.workdays.value = 12
    page.title.value = "2025年第四季度续期评估"

    again = RoundPage(context(world, OFFICER, TODAY), JINAN)

    assert (again.first.value, again.last.value) == (date(2025, 11, 1), date(2025, 12, 31))
    assert again.workdays.value == 12 and again.title.value == "2025年第四季度续期评估"


def test_another_city_sees_only_its_own_filings_and_an_expert_is_refused(
    world: World, template: Template
) -> None:
    qingdao = RoundPage(context(world, OTHER_CITY, TODAY), QINGDAO)
    window(qingdao)
    expert = renewal_round.build(context(world, template.experts[JINAN][0], TODAY))

    assert "青岛到期培训学校" in qingdao.preview.value
    assert "济南到期培训学校" not in qingdao.preview.value
    assert "仅限市级经办、市级负责人" in expert.children[1].value


def test_the_notice_goes_out_with_the_blank_attachments_4_and_5_ren_01(
    world: World, page: RoundPage
) -> None:
    """Issue #13: the blank Attachments 4 and 5 are downloaded next to the renewal notice."""
    window(page)
    page.open_button.click()

    links = page.download.value

    assert links.count('class="cw-download"') == 3
    assert "附件4（空白）" in links and "附件5（空白）" in links
    assert "续期评估明细表（空白）" in links and "备案续期申请表（空白）" in links


def test_another_citys_round_notice_and_blanks_are_refused_on_the_server_sup_01(
    world: World, page: RoundPage
) -> None:
    window(page)
    page.open_button.click()
    round_id = int(stored_rounds(world)[-1]["id"])
    refused = count(world, refusals)

    with pytest.raises(PermissionDenied, match="其他城市"):
        renewal_round.notice_link(context(world, OTHER_CITY, TODAY), round_id)

    assert count(world, refusals) == refused + 1
