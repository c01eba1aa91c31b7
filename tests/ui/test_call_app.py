"""征集公告 app driven in plain pytest (SEL-01, SEL-02): what an officer does, and what the
page must refuse."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ipywidgets as w
import pytest
from sqlalchemy import select

from casework import registry
from casework.registry import scenario
from casework.registry.catalog import city_project_codes
from casework.store.tables import call_projects, calls, refusals
from casework.ui import call
from casework.ui.call import CallPage
from casework.ui.call.detail import CallDetail
from casework.ui.call.form import DEFAULT_PERIOD_DAYS
from tests.registry.conftest import JINAN, QINGDAO, World

from .worlds import (
    MANAGER,
    OFFICER,
    OTHER_CITY,
    Template,
    audit_count,
    clone,
    context,
    count,
    make_template,
    refusal_reasons,
    texts,
)

TODAY = date(2025, 3, 10)
NOT_CHOSEN = "P008"


def build_calls(world: World) -> dict[str, Any]:
    # the 2025 catalog holds a project Jinan did not choose: the form must not offer it
    registry.publish_catalog(
        world.store,
        scenario.PROVINCE_ACTOR,
        year=2025,
        entries=[{"project_code": NOT_CHOSEN, "name": "未选项目"}],
    )
    inst = world.institution("济南甲培训学校", JINAN, serial=1)
    jinan = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=("P001", "P002"),
        on=date(2025, 3, 3),
        experts=world.experts[JINAN],
        stop_at="已提交",
    )
    qingdao = registry.publish_call(
        world.store,
        scenario.city_officer(QINGDAO),
        city_code=QINGDAO,
        year=2025,
        title="青岛市征集公告",
        project_codes=["P001"],
        opens_on=date(2025, 3, 1),
        closes_on=date(2025, 4, 1),
        published_on=date(2025, 3, 1),
    )
    return {"jinan_call": jinan["call_id"], "qingdao_call": qingdao}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("call"), build_calls)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> World:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


@pytest.fixture
def page(world: World) -> CallPage:
    return CallPage(context(world, OFFICER, TODAY), JINAN)


def fill(page: CallPage, **changes: Any) -> None:
    form = page.form
    form.year.value = 2025
    form.projects.value = ("P001", "P003")
    form.title.value = "2025年第二批专项职业能力考核机构征集公告"
    form.conditions.value = "符合附件1必备条件"
    form.requirements.value = "按要求提交申报材料"
    form.opens_on.value = TODAY
    form.closes_on.value = TODAY + timedelta(days=20)
    for name, value in changes.items():
        getattr(form, name).value = value


def stored_calls(world: World) -> list[dict[str, Any]]:
    with world.store.read() as conn:
        return [dict(r) for r in conn.execute(select(calls).order_by(calls.c.id)).mappings()]


def test_publishing_a_call_stores_its_scope_period_and_supplementary_conditions_sel_02(
    world: World, page: CallPage
) -> None:
    fill(page)
    page.form.supplementary.add(text="近两年无不良记录")
    page.form.supplementary.add("S9", "具备线上考务系统")

    page.form.publish_button.click()

    new = stored_calls(world)[-1]
    with world.store.read() as conn:
        scope = set(
            conn.execute(
                select(call_projects.c.project_code).where(call_projects.c.call_id == new["id"])
            ).scalars()
        )
    assert new["city_code"] == JINAN and new["status"] == "已发布"
    assert new["published_on"] == TODAY and new["closes_on"] == TODAY + timedelta(days=20)
    assert scope == {"P001", "P003"}
    assert new["supplementary"] == [
        {"sub_id": "S1", "text": "近两年无不良记录"},
        {"sub_id": "S9", "text": "具备线上考务系统"},
    ]
    assert f"已发布征集公告（编号{new['id']}）" in page.form.messages.widget.value
    assert "2025年第二批" in page.listing.value


def test_the_scope_offered_is_exactly_the_citys_chosen_projects_for_the_year_sel_01(
    world: World, page: CallPage
) -> None:
    page.form.year.value = 2025

    offered = {value for _, value in page.form.projects.options}

    with world.store.read() as conn:
        chosen = city_project_codes(SimpleNamespace(conn=conn), JINAN, 2025)
    assert offered == chosen
    assert NOT_CHOSEN not in offered


def test_a_crafted_project_outside_the_citys_list_is_refused_and_logged_sel_01(
    world: World, page: CallPage
) -> None:
    fill(page)
    before = count(world, refusals)
    length = len(page.form.projects.options)

    page.form.projects.set_state({"index": [0, length + 3]})

    assert page.form.projects.value == ("P001", "P003")
    assert count(world, refusals) == before + 1
    assert "征集项目" in refusal_reasons(world)[-1]


@pytest.mark.parametrize(
    ("changes", "supplementary", "expected"),
    [
        ({"closes_on": TODAY - timedelta(days=1)}, [], "SEL-02"),
        ({}, [("S1", "条件一"), ("S1", "条件二")], "SEL-03"),
        ({"title": "   "}, [], "SEL-02"),
    ],
    ids=["closes-before-it-opens", "duplicate-supplementary-ids", "blank-title"],
)
def test_a_call_breaking_a_rule_is_refused_with_the_rule_id_and_nothing_is_written(
    world: World, page: CallPage, changes: dict[str, Any], supplementary: list, expected: str
) -> None:
    fill(page, **changes)
    for sub_id, text in supplementary:
        page.form.supplementary.add(sub_id, text)
    page.form.publish_button.set_state({"disabled": False})  # a crafted re-enable, too
    before, entries = len(stored_calls(world)), audit_count(world)

    page.form.publish_button._handle_button_msg(None, {"event": "click"}, [])

    message = page.form.messages.widget.value
    assert len(stored_calls(world)) == before and audit_count(world) == entries
    assert "cw-error" in message and expected in message


def test_a_scope_outside_the_city_list_is_refused_by_the_registry_with_sel_01(
    world: World, page: CallPage
) -> None:
    fill(page)
    page.form.projects.options = [*page.form.projects.options, ("P008 未选项目", NOT_CHOSEN)]
    page.form.projects.value = (NOT_CHOSEN,)
    before = len(stored_calls(world))

    page.form.publish_button.click()

    assert "SEL-01" in page.form.messages.widget.value
    assert "P008" in page.form.messages.widget.value
    assert len(stored_calls(world)) == before


def test_a_crafted_click_on_the_disabled_publish_button_writes_nothing_and_is_logged(
    world: World, page: CallPage
) -> None:
    fill(page, title="")
    assert page.form.publish_button.disabled
    before, refused = len(stored_calls(world)), count(world, refusals)

    page.form.publish_button._handle_button_msg(None, {"event": "click"}, [])

    assert len(stored_calls(world)) == before
    assert count(world, refusals) == refused + 1


def test_the_call_list_shows_status_and_applications_received(
    template: Template, page: CallPage
) -> None:
    page.picker.value = template.ids["jinan_call"]

    page.open_button.click()

    shown = texts(page.holder)
    assert "济南甲培训学校" in shown and "已收申请" in shown and "1 份" in shown
    assert "青岛市征集公告" not in page.listing.value


def test_closing_a_call_stops_it_and_disables_the_button_sel_02(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER, TODAY)
    detail = CallDetail(ctx, template.ids["jinan_call"])

    detail.close_button.click()

    assert stored_calls(world)[0]["status"] == "已截止"
    assert detail.close_button.disabled
    assert "已截止征集" in detail.messages.widget.value


def test_a_crafted_click_on_the_disabled_close_button_of_a_closed_call_writes_nothing(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER, TODAY)
    detail = CallDetail(ctx, template.ids["jinan_call"])
    detail.close_button.click()
    entries, refused = audit_count(world), count(world, refusals)

    detail.close_button._handle_button_msg(None, {"event": "click"}, [])

    assert audit_count(world) == entries
    assert count(world, refusals) == refused + 1


def test_another_citys_officer_cannot_open_the_call_and_the_refusal_is_logged_sup_01(
    world: World, template: Template
) -> None:
    qingdao = context(world, OTHER_CITY, TODAY)
    before = count(world, refusals)

    page = call.build(qingdao, template.ids["jinan_call"])

    assert isinstance(page, w.VBox)
    assert "SUP-01" in page.children[1].value and "其他城市" in page.children[1].value
    assert count(world, refusals) == before + 1


def test_another_citys_officer_cannot_pick_the_call_by_a_crafted_value(
    world: World, template: Template
) -> None:
    qingdao = CallPage(context(world, OTHER_CITY, TODAY), QINGDAO)
    offered = [v for _, v in qingdao.picker.options]
    before = count(world, refusals)

    qingdao.picker.set_state({"index": len(offered) + 1})
    qingdao.open_button.click()

    assert template.ids["jinan_call"] not in offered
    assert qingdao.picker.value == template.ids["qingdao_call"]
    assert count(world, refusals) == before + 1
    assert "青岛市征集公告" in texts(qingdao.holder)


def test_a_user_without_a_city_role_sees_a_refusal(world: World) -> None:
    expert = context(world, world.experts[JINAN][0], TODAY)

    page = call.build(expert)

    assert "仅限市级经办、市级负责人" in page.children[1].value
    assert "无权使用本页面" in refusal_reasons(world)[-1]


def test_the_notebook_entry_opens_the_page_of_the_signed_in_officer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.setenv("CASEWORK_USER", OFFICER)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    page = call.app()

    assert "发布征集公告" in texts(page) and 'class="cw-error"' not in texts(page)


def test_what_was_typed_comes_back_after_a_reload_for_the_same_officer_only(
    world: World, page: CallPage
) -> None:
    fill(page, year=2026)
    page.form.supplementary.add("S9", "具备线上考务系统")
    page.form.supplementary.add(text="近两年无不良记录")

    again = CallPage(context(world, OFFICER, TODAY), JINAN).form
    manager = CallPage(context(world, MANAGER, TODAY), JINAN).form

    assert (again.year.value, again.projects.value) == (2026, ("P001", "P003"))
    assert again.title.value == "2025年第二批专项职业能力考核机构征集公告"
    assert again.conditions.value == "符合附件1必备条件"
    assert again.requirements.value == "按要求提交申报材料"
    assert (again.opens_on.value, again.closes_on.value) == (TODAY, TODAY + timedelta(days=20))
    assert again.supplementary.value() == [
        {"sub_id": "S9", "text": "具备线上考务系统"},
        {"sub_id": "S2", "text": "近两年无不良记录"},
    ]
    assert not again.publish_button.disabled
    assert manager.title.value == "" and manager.projects.value == ()
    assert manager.conditions.value == "" and manager.supplementary.value() == []


def test_after_publishing_the_form_comes_back_empty_in_the_page_and_after_a_reload(
    world: World, page: CallPage
) -> None:
    fill(page)
    page.form.supplementary.add("S9", "具备线上考务系统")

    page.form.publish_button.click()

    again = CallPage(context(world, OFFICER, TODAY), JINAN).form
    for form in (page.form, again):
        assert form.title.value == "" and form.projects.value == ()
        assert form.conditions.value == "" and form.requirements.value == ""
        assert form.closes_on.value == TODAY + timedelta(days=DEFAULT_PERIOD_DAYS)
        assert form.supplementary.value() == [] and form.publish_button.disabled
    assert stored_calls(world)[-1]["supplementary"] == [
        {"sub_id": "S9", "text": "具备线上考务系统"}
    ]
