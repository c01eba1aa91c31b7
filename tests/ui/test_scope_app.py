"""考核范围调整 app driven in plain pytest (SEL-06, SEL-07): deleting projects, adding them
through an application in an open call, quota use — and what the page must refuse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry
from casework.registry import scenario
from casework.store.tables import applications, filing_projects, filings, refusals
from casework.ui import scope
from casework.ui.scope import FilingPicker, ScopePage
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

FILED_ON = date(2025, 3, 3)
TODAY = date(2025, 9, 15)
OVERRIDE = "本市该项目考核需求量大，经局务会研究同意"


def build_filings(world: World) -> dict[str, Any]:
    ids: dict[str, Any] = {"main": world.filed("济南甲考核中心", ("P001", "P002", "P003"))}
    for i in range(4):
        world.filed(f"济南同业机构{i}", ("P001",))
    world.filed("济南第六家机构", ("P001",), override_reason=OVERRIDE)
    ids["qingdao"] = world.filed("青岛乙考核中心", ("P001",), city=QINGDAO)
    officer = scenario.city_officer(JINAN)
    common = {"city_code": JINAN, "year": 2025, "published_on": date(2025, 9, 1)}
    ids["open_call"] = registry.publish_call(
        world.store,
        officer,
        title="2025年秋季征集公告",
        project_codes=["P003", "P004", "P005"],
        opens_on=date(2025, 9, 1),
        closes_on=date(2025, 10, 31),
        **common,
    )
    ids["held_only_call"] = registry.publish_call(
        world.store,
        officer,
        title="只含已备案项目的征集公告",
        project_codes=["P001"],
        opens_on=date(2025, 9, 1),
        closes_on=date(2025, 10, 31),
        **common,
    )
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("scope"), build_filings)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> World:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


@pytest.fixture
def ids(template: Template) -> dict[str, Any]:
    return template.ids


@pytest.fixture
def page(world: World, ids: dict[str, Any]) -> ScopePage:
    return ScopePage(context(world, OFFICER, TODAY), ids["main"]["filing_id"])


def scope_now(world: World, filing_id: int) -> set[str]:
    with world.store.read() as conn:
        return set(
            conn.execute(
                select(filing_projects.c.project_code).where(
                    filing_projects.c.filing_id == filing_id,
                    filing_projects.c.removed_on.is_(None),
                )
            ).scalars()
        )


def filing_row(world: World, filing_id: int) -> dict[str, Any]:
    with world.store.read() as conn:
        return dict(conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().one())


def test_the_page_shows_code_and_term_as_unchanged_and_the_scope_history_sel_06(
    world: World, page: ScopePage, ids: dict[str, Any]
) -> None:
    code = filing_row(world, ids["main"]["filing_id"])["code"]

    header, history = page.header.value, page.history.value

    assert f"机构代码：{code}" in header and "机构代码和有效期不变" in header
    assert "有效期3年（自2025年3月至2028年2月）" in header
    assert history.count("新增项目") == 3 and "遴选备案" in history


def test_deleting_a_project_records_date_and_reason_and_keeps_code_and_term_sel_06(
    world: World, page: ScopePage, ids: dict[str, Any]
) -> None:
    filing_id = ids["main"]["filing_id"]
    before = filing_row(world, filing_id)
    page.remove.value = ("P002",)
    page.reason.value = "考评人员不足，机构申请删除"

    page.remove_button.click()

    with world.store.read() as conn:
        removed = (
            conn.execute(
                select(filing_projects).where(
                    filing_projects.c.filing_id == filing_id,
                    filing_projects.c.project_code == "P002",
                )
            )
            .mappings()
            .one()
        )
    after = filing_row(world, filing_id)
    assert (
        removed["removed_on"] == TODAY and removed["removal_reason"] == "考评人员不足，机构申请删除"
    )
    assert scope_now(world, filing_id) == {"P001", "P003"}
    assert (after["code"], after["term_start"], after["term_end"]) == (
        before["code"],
        before["term_start"],
        before["term_end"],
    )
    assert "删除项目" in page.history.value and "考评人员不足" in page.history.value
    assert "机构代码和有效期不变" in page.messages.widget.value


@pytest.mark.parametrize(
    ("codes", "reason", "rule", "text"),
    [
        (("P001", "P002", "P003"), "不再开展", "EXIT-02", "不能删除全部考核项目"),
        (("P002",), "  ", "SEL-06", "须写明删除项目的原因"),
    ],
    ids=["every-project", "no-reason"],
)
def test_a_deletion_breaking_a_rule_is_refused_with_the_rule_id_and_nothing_is_written(
    world: World,
    page: ScopePage,
    ids: dict[str, Any],
    codes: tuple[str, ...],
    reason: str,
    rule: str,
    text: str,
) -> None:
    page.remove.value = codes
    page.reason.value = reason
    entries = audit_count(world)

    page.remove_button.click()

    message = page.messages.widget.value
    assert rule in message and text in message
    assert audit_count(world) == entries
    assert scope_now(world, ids["main"]["filing_id"]) == {"P001", "P002", "P003"}


def test_additions_list_only_open_calls_with_projects_the_institution_lacks_sel_06(
    page: ScopePage, ids: dict[str, Any]
) -> None:
    offered_calls = [v for _, v in page.call.options]

    page.call.value = ids["open_call"]

    assert offered_calls == [ids["open_call"]]
    assert [v for _, v in page.add.options] == ["P004", "P005"]
    assert "同条件、同材料、同程序" in texts(page.widget)


def test_submitting_an_addition_creates_a_scope_addition_application_for_the_filing_sel_06(
    world: World, page: ScopePage, ids: dict[str, Any]
) -> None:
    page.add.value = ("P004",)

    page.add_button.click()

    with world.store.read() as conn:
        app = (
            conn.execute(select(applications).order_by(applications.c.id.desc())).mappings().first()
        )
    assert app is not None
    assert (app["kind"], app["filing_id"], app["status"]) == (
        "范围新增",
        ids["main"]["filing_id"],
        "已提交",
    )
    assert app["institution_id"] == ids["main"]["institution_id"] and app["submitted_on"] == TODAY
    assert "项目P004" in page.pending.value
    assert scope_now(world, ids["main"]["filing_id"]) == {"P001", "P002", "P003"}


def test_a_crafted_project_outside_the_addable_list_is_refused_and_logged(
    world: World, page: ScopePage
) -> None:
    before = count(world, refusals)

    page.add.set_state({"index": [0, 7]})

    assert page.add.value == () and page.add_button.disabled
    assert count(world, refusals) == before + 1
    assert "新增项目" in refusal_reasons(world)[-1]


@pytest.mark.parametrize("button", ["remove", "add"])
def test_a_crafted_click_on_a_disabled_button_writes_nothing_and_is_logged(
    world: World, page: ScopePage, button: str
) -> None:
    widget = page.remove_button if button == "remove" else page.add_button
    assert widget.disabled
    entries, before = audit_count(world), count(world, refusals)

    widget._handle_button_msg(None, {"event": "click"}, [])

    assert audit_count(world) == entries and count(world, refusals) == before + 1


def test_quota_use_highlights_the_limit_of_5_and_shows_the_override_reason_sel_07(
    page: ScopePage,
) -> None:
    shown = page.quota.body.value

    assert "原则上不超过<b>5</b>" in shown
    assert "<tr class='cw-overdue'><td>P001</td><td>项目P001</td><td>6</td>" in shown
    assert "超出上限" in shown and OVERRIDE in shown
    assert "本机构备案考核项目 <b>3</b> 个" in shown


def test_another_citys_officer_cannot_open_the_filing_and_it_is_logged_sup_01(
    world: World, ids: dict[str, Any]
) -> None:
    qingdao = context(world, OTHER_CITY, TODAY)
    before = count(world, refusals)

    page = scope.build(qingdao, ids["main"]["filing_id"])

    assert "SUP-01" in page.children[1].value and "其他城市" in page.children[1].value
    assert count(world, refusals) == before + 1
    assert "SUP-01" in refusal_reasons(world)[-1]


def test_another_citys_picker_offers_only_its_filings_and_refuses_a_crafted_one(
    world: World, ids: dict[str, Any]
) -> None:
    picker = FilingPicker(context(world, OTHER_CITY, TODAY), QINGDAO)
    before = count(world, refusals)

    picker.picker.set_state({"index": 3})
    picker.open_button.click()

    assert [v for _, v in picker.picker.options] == [ids["qingdao"]["filing_id"]]
    assert count(world, refusals) == before + 1
    assert "青岛乙考核中心" in texts(picker.holder)


def test_the_city_picker_opens_a_filing_of_the_city(world: World, ids: dict[str, Any]) -> None:
    page = scope.build(context(world, OFFICER, TODAY))
    picker_row = page.children[1].children[2]
    dropdown, button = picker_row.children

    dropdown.value = ids["main"]["filing_id"]
    button.click()

    assert "济南甲考核中心" in texts(page.children[3])
    assert "济南同业机构0" in texts(page.children[1])


def test_the_notebook_entry_opens_the_filing_for_the_signed_in_officer(
    world: World, ids: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.setenv("CASEWORK_USER", OFFICER)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    page = scope.app(ids["main"]["filing_id"])

    assert "济南甲考核中心" in texts(page) and 'class="cw-error"' not in texts(page)


def test_what_was_typed_comes_back_after_a_reload_for_the_same_officer_only(
    world: World, page: ScopePage, ids: dict[str, Any]
) -> None:
    filing_id = ids["main"]["filing_id"]
    page.remove.value = ("P002", "P003")
    page.reason.value = "考评人员不足，机构申请删除"
    page.add.value = ("P004", "P005")

    again = ScopePage(context(world, OFFICER, TODAY), filing_id)
    manager = ScopePage(context(world, MANAGER, TODAY), filing_id)

    assert again.remove.value == ("P002", "P003")
    assert again.reason.value == "考评人员不足，机构申请删除"
    assert (again.call.value, again.add.value) == (ids["open_call"], ("P004", "P005"))
    assert not again.remove_button.disabled and not again.add_button.disabled
    assert manager.remove.value == () and manager.reason.value == ""
    assert manager.add.value == ()


def test_after_deleting_and_applying_the_forms_come_back_empty_after_a_reload(
    world: World, page: ScopePage, ids: dict[str, Any]
) -> None:
    filing_id = ids["main"]["filing_id"]
    page.remove.value = ("P002",)
    page.reason.value = "考评人员不足，机构申请删除"
    page.add.value = ("P004",)

    page.remove_button.click()
    page.add_button.click()

    again = ScopePage(context(world, OFFICER, TODAY), filing_id)
    assert scope_now(world, filing_id) == {"P001", "P003"} and "项目P004" in again.pending.value
    for shown in (page, again):
        assert shown.remove.value == () and shown.reason.value == ""
        assert shown.add.value == () and shown.add_button.disabled


def test_a_refresh_keeps_what_was_chosen_and_writes_no_draft(world: World, page: ScopePage) -> None:
    page.remove.value = ("P002",)
    page.add.value = ("P004", "P005")
    entries = audit_count(world)

    page.refresh()

    assert (page.remove.value, page.add.value) == (("P002",), ("P004", "P005"))
    assert audit_count(world) == entries
