"""日常监管 app driven in plain pytest: incidents of the city's institutions (SUP-01, SUP-02)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casework import registry
from casework.registry import scenario
from casework.store.tables import exit_cases, filings, incidents, refusals
from casework.ui import supervision
from casework.ui.context import AppContext
from casework.ui.supervision import SupervisionPage
from tests.registry.conftest import JINAN, QINGDAO, World

from .worlds import Template, clone, context, two_filings

TODAY = date(2025, 8, 1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("supervision"))


@pytest.fixture
def case(template: Template, tmp_path: Path) -> Iterator[dict[str, Any]]:
    world = clone(template, tmp_path)
    yield {"world": world, **template["jinan"], "qingdao": template["qingdao"]}
    world.store.dispose()


def officer(world: World, city: str = JINAN) -> AppContext:
    return replace(context(world, scenario.city_officer(city).username), today=TODAY)


def page_of(case: dict[str, Any], institution_id: int | None = None) -> SupervisionPage:
    return SupervisionPage(officer(case["world"]), institution_id or case["institution_id"])


def stored_incidents(world: World) -> list[dict[str, Any]]:
    with world.store.read() as conn:
        return [dict(r) for r in conn.execute(select(incidents)).mappings()]


def refusal_count(world: World) -> int:
    with world.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(refusals)).scalar() or 0)


def open_one(page: SupervisionPage, category: str = "投诉举报", text: str = "群众举报代考") -> None:
    page.category.value = category
    page.description.value = text
    page.open_button.click()


def act(page: SupervisionPage, action: str, **values: Any) -> None:
    page.panel.choice.value = action
    for name, value in values.items():
        page.panel.fields[action][name].value = value
    page.panel.buttons[action].click()


def test_an_incident_is_opened_with_a_category_from_the_notice_s_list_sup_02(
    case: dict[str, Any],
) -> None:
    page = page_of(case)

    open_one(page, "伪造试卷", "抽查发现试卷雷同")

    [stored] = stored_incidents(case["world"])
    assert (stored["category"], stored["description"], stored["status"]) == (
        "伪造试卷",
        "抽查发现试卷雷同",
        "处理中",
    )
    assert stored["city_code"] == JINAN and stored["opened_on"] == TODAY
    assert "伪造试卷" in page.table.value
    assert page.incident.value == stored["id"]
    assert page.panel.offered == ("follow_up", "close", "escalate")


def test_follow_ups_accumulate_and_closing_needs_a_conclusion_sup_01(
    case: dict[str, Any],
) -> None:
    page = page_of(case)
    open_one(page)

    act(page, "follow_up", text="约谈机构负责人")
    act(page, "follow_up", text="调取考核录像")
    act(page, "close", conclusion="  ")

    [stored] = stored_incidents(case["world"])
    assert [f["text"] for f in stored["follow_ups"]] == ["约谈机构负责人", "调取考核录像"]
    assert stored["status"] == "处理中"
    assert "SUP-01" in page.messages.widget.value and "办结意见" in page.messages.widget.value
    assert "调取考核录像" in page.detail.value


def test_a_closed_incident_offers_no_further_action_sup_01(case: dict[str, Any]) -> None:
    page = page_of(case)
    open_one(page)

    act(page, "close", conclusion="经核查举报不实")

    [stored] = stored_incidents(case["world"])
    assert (stored["status"], stored["conclusion"]) == ("已办结", "经核查举报不实")
    assert page.panel.offered == ()


def test_escalating_opens_an_investigation_and_suspends_the_filing_sup_02_exit_04(
    case: dict[str, Any],
) -> None:
    page = page_of(case)
    open_one(page, "不考试就发证", "举报未考试即发证")

    act(page, "escalate", grounds="不考试就发证")

    [stored] = stored_incidents(case["world"])
    with case["world"].store.read() as conn:
        status = conn.execute(
            select(filings.c.status).where(filings.c.id == case["filing_id"])
        ).scalar_one()
        opened = conn.execute(select(exit_cases)).mappings().one()
    assert stored["status"] == "已立案调查" and status == "暂停"
    assert opened["source_incident_id"] == stored["id"] and opened["grounds"] == "不考试就发证"
    assert "考核活动和证书数据审核上网已暂停（EXIT-04）" in page.card.value


def test_an_incident_without_a_description_is_refused_and_nothing_is_written_sup_01(
    case: dict[str, Any],
) -> None:
    page = page_of(case)

    open_one(page, "日常检查", "   ")

    assert "SUP-01" in page.messages.widget.value
    assert stored_incidents(case["world"]) == []
    assert page.category.value == "日常检查"


def test_a_crafted_category_outside_the_options_is_refused_logged_and_never_stored(
    case: dict[str, Any],
) -> None:
    page = page_of(case)
    before = refusal_count(case["world"])

    page.category.set_state({"index": 99})
    page.description.value = "情况说明"
    page.open_button.click()

    assert page.category.value is None
    assert stored_incidents(case["world"]) == []
    assert "SUP-02" in page.messages.widget.value
    assert refusal_count(case["world"]) == before + 2  # the crafted value, then the command


def test_escalation_is_disabled_without_an_active_filing_and_a_crafted_click_is_logged(
    case: dict[str, Any],
) -> None:
    world = case["world"]
    unfiled = scenario.new_institution(world.store, JINAN, "济南未备案培训学校", 4242)
    page = page_of(case, unfiled)
    open_one(page)
    page.panel.choice.value = "escalate"
    before = refusal_count(world)

    page.panel.buttons["escalate"]._handle_button_msg(None, {"event": "click"}, [])

    assert page.panel.buttons["escalate"].disabled
    assert stored_incidents(world)[0]["status"] == "处理中"
    assert refusal_count(world) == before + 1


def test_an_institution_of_another_city_is_refused_and_logged_sup_01(
    case: dict[str, Any],
) -> None:
    world = case["world"]
    before = refusal_count(world)

    page = supervision.build(officer(world), case["qingdao"]["institution_id"])

    assert "其他城市" in page.children[1].value and "SUP-01" in page.children[1].value
    assert refusal_count(world) == before + 1
    assert stored_incidents(world) == []


def test_the_picker_lists_only_the_city_s_institutions_and_refuses_a_crafted_one(
    case: dict[str, Any],
) -> None:
    world = case["world"]
    page = supervision.build(officer(world, QINGDAO))
    dropdown, open_button = page.children[1].children
    before = refusal_count(world)

    dropdown.set_state({"index": 3})
    open_button.click()

    assert [v for _, v in dropdown.options] == [case["qingdao"]["institution_id"]]
    assert refusal_count(world) == before + 1
    assert "青岛贝雕工作室" in page.children[3].children[0].children[1].value


def test_an_expert_cannot_open_the_supervision_page(case: dict[str, Any]) -> None:
    world = case["world"]

    page = supervision.build(context(world, world.experts[JINAN][0]), case["institution_id"])

    assert "仅限市级经办、市级负责人" in page.children[1].value


# --- drafts ---------------------------------------------------------------------------------
def test_what_was_typed_comes_back_after_a_reload_for_the_same_officer_only(
    case: dict[str, Any],
) -> None:
    world = case["world"]
    incident_id = registry.open_incident(
        world.store,
        scenario.city_officer(JINAN),
        institution_id=case["institution_id"],
        category="投诉举报",
        description="群众举报代考",
        on=TODAY,
    )
    page = page_of(case)
    page.category.value = "日常检查"
    page.description.value = "现场检查发现考场无监控"
    page.incident.value = incident_id
    typed = {
        "follow_up": {"text": "约谈机构负责人"},
        "close": {"conclusion": "经核查举报不实"},
        "escalate": {"grounds": "代考属实"},
    }
    for action, values in typed.items():
        page.panel.choice.value = action
        for name, value in values.items():
            page.panel.fields[action][name].value = value

    again = page_of(case)
    manager = SupervisionPage(
        replace(context(world, f"manager{JINAN}"), today=TODAY), case["institution_id"]
    )
    for shown in (again, manager):
        shown.incident.value = incident_id

    assert (again.category.value, again.description.value) == ("日常检查", "现场检查发现考场无监控")
    assert {
        action: {name: again.panel.fields[action][name].value for name in values}
        for action, values in typed.items()
    } == typed
    assert manager.category.value is None and manager.description.value == ""
    assert manager.panel.fields["follow_up"]["text"].value == ""
    assert manager.panel.fields["escalate"]["grounds"].value == "投诉举报：群众举报代考"


def test_after_opening_and_following_up_the_forms_come_back_empty_after_a_reload(
    case: dict[str, Any],
) -> None:
    page = page_of(case)
    open_one(page, "伪造试卷", "抽查发现试卷雷同")
    act(page, "follow_up", text="约谈机构负责人")

    again = page_of(case)
    again.incident.value = page.incident.value

    [stored] = stored_incidents(case["world"])
    assert [f["text"] for f in stored["follow_ups"]] == ["约谈机构负责人"]
    for shown in (page, again):
        assert shown.category.value is None and shown.description.value == ""
        assert shown.panel.fields["follow_up"]["text"].value == ""
