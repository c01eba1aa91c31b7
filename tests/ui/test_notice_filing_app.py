"""公示与备案 app driven in plain pytest (SEL-05, ATT2-TERM, SEL-06): the notice, objections,
closing, filing and the receipt data — and what the page must refuse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.registry import scenario
from casework.store.tables import applications, filings, notices, objections, refusals
from casework.ui import notice_filing
from casework.ui.notice_filing import NoticeFilingPage
from casework.ui.notice_filing.notice import NOT_UPHELD, UPHELD, NoticePanel
from casework.ui.province_reports import CityReportsPage
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
    texts,
)

START = date(2025, 9, 29)  # the notice spans the National Day holiday and its 调休 Saturday
END = date(2025, 10, 11)
AFTER_END = date(2025, 10, 13)


def build_cases(world: World) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    for key, name, serial in (("a", "济南甲职业培训学校", 11), ("b", "济南乙技能评价中心", 12)):
        inst = world.institution(name, JINAN, serial=serial)
        ids[key] = scenario.select_and_file(
            world.store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=("P001", "P002"),
            on=date(2025, 8, 1),
            experts=world.experts[JINAN],
            stop_at="拟备案",
        )["application_id"]
    inst = world.institution("青岛丙培训学校", QINGDAO, serial=13)
    ids["qingdao"] = scenario.select_and_file(
        world.store,
        city_code=QINGDAO,
        institution_id=inst,
        project_codes=("P001",),
        on=date(2025, 8, 1),
        experts=world.experts[QINGDAO],
        stop_at="拟备案",
    )["application_id"]
    filed = world.filed("济南丁考核中心", ("P001",), on=date(2025, 3, 3))
    ids["filed"] = filed
    ids["addition"] = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=filed["institution_id"],
        project_codes=("P003",),
        on=date(2025, 6, 2),
        experts=world.experts[JINAN],
    )["application_id"]
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("notice"), build_cases)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> World:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


@pytest.fixture
def ids(template: Template) -> dict[str, Any]:
    return template.ids


@pytest.fixture
def page(world: World) -> NoticeFilingPage:
    return NoticeFilingPage(context(world, OFFICER, START), JINAN, None)


def status(world: World, application_id: int) -> str:
    with world.store.read() as conn:
        return str(
            conn.execute(
                select(applications.c.status).where(applications.c.id == application_id)
            ).scalar_one()
        )


def noticed(page: NoticeFilingPage, *app_ids: int) -> None:
    page.form.apps.value = app_ids
    page.form.start.value = START
    page.form.publish_button.click()


def test_the_end_shown_for_a_notice_starting_2025_09_29_is_2025_10_11_sel_05(
    page: NoticeFilingPage,
) -> None:
    page.form.start.value = START

    shown = page.form.period.value

    assert f"至 <b>{END}</b>" in shown
    assert "至少5个工作日" in shown and "含 5 个工作日" in shown


def test_opening_a_notice_puts_the_chosen_applications_on_it_sel_05(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"], ids["b"])

    with world.store.read() as conn:
        notice = conn.execute(select(notices).order_by(notices.c.id.desc())).mappings().first()
    assert (notice["opens_on"], notice["ends_on"], notice["city_code"]) == (START, END, JINAN)
    assert status(world, ids["a"]) == status(world, ids["b"]) == "公示中"
    assert page.panel is not None and "济南乙技能评价中心" in page.panel.summary.value


def test_a_custom_end_shorter_than_5_working_days_is_refused_with_sel_05_and_nothing_written(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    page.form.apps.value = (ids["a"],)
    page.form.start.value = START
    page.form.custom_end.value = date(2025, 10, 10)
    entries, before = audit_count(world), count(world, notices)

    page.form.publish_button.click()

    assert "不足5个工作日" in page.form.period.value
    assert "SEL-05" in page.form.messages.widget.value
    assert "2025-10-11" in page.form.messages.widget.value
    assert count(world, notices) == before and audit_count(world) == entries
    assert status(world, ids["a"]) == "拟备案"


def test_closing_the_notice_on_its_last_day_is_refused_and_the_message_shown_sel_05(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"])
    assert page.panel is not None
    page.ctx.today = END

    page.panel.close_button.click()

    message = page.panel.messages.widget.value
    assert "SEL-05" in message and "不能提前" in message
    assert status(world, ids["a"]) == "公示中"


def report_cleared(page: NoticeFilingPage) -> None:
    """SEL-08: report every cleared new filing on the 报送省厅 page, then look again."""
    reports = CityReportsPage(page.ctx)
    reports.cases.value = tuple(v for _, v in reports.cases.options)
    reports.send.click()
    page.filing.refresh()


def test_a_cleared_application_is_offered_for_its_receipt_only_once_reported_sel_08(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"])
    page.ctx.today = AFTER_END
    assert page.panel is not None
    page.panel.close_button.click()
    offered_before = [v for _, v in page.filing.apps.options]
    listed_before = page.filing.listing.value

    report_cleared(page)

    assert offered_before == [] and "尚未报省厅" in listed_before
    assert [v for _, v in page.filing.apps.options] == [ids["a"]]
    assert "已报省厅" in page.filing.listing.value


def test_an_upheld_objection_keeps_its_application_from_filing_and_the_other_is_filed_sel_05(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"], ids["b"])
    panel = page.panel
    assert panel is not None
    panel.objection_app.value = ids["b"]
    panel.received_on.value = date(2025, 10, 9)
    panel.objection_text.value = "考评人员资质存疑"
    panel.record_button.click()
    panel.verdict.value = UPHELD
    panel.resolution.value = "经核查，异议属实"
    panel.resolve_button.click()
    page.ctx.today = AFTER_END
    panel.close_button.click()
    report_cleared(page)

    page.filing.apps.value = tuple(v for _, v in page.filing.apps.options)
    page.filing.file_button.click()

    assert status(world, ids["a"]) == "已备案" and status(world, ids["b"]) == "未通过"
    with world.store.read() as conn:
        objection = (
            conn.execute(select(objections).where(objections.c.application_id == ids["b"]))
            .mappings()
            .one()
        )
    assert objection["upheld"] is True and objection["resolution"] == "经核查，异议属实"
    assert "异议成立" in panel.summary.value


def test_the_receipt_shows_institution_code_and_the_3_year_term_att2_term(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"])
    page.ctx.today = AFTER_END
    assert page.panel is not None
    page.panel.close_button.click()
    report_cleared(page)
    page.filing.apps.value = (ids["a"],)

    page.filing.file_button.click()

    with world.store.read() as conn:
        code = conn.execute(
            select(filings.c.code).where(filings.c.application_id == ids["a"])
        ).scalar_one()
    shown = page.filing.receipt.value
    assert "济南甲职业培训学校" in shown and code in shown and "机构代码" in shown
    assert "有效期3年（自2025年10月至2028年9月）" in shown
    assert "附件2-1" in shown and "项目P001" in shown and "项目P002" in shown


def test_a_scope_addition_receipt_keeps_code_and_term_unchanged_sel_06(
    world: World, ids: dict[str, Any]
) -> None:
    ctx = context(world, OFFICER, START)

    page = notice_filing.build(ctx, ids["addition"])

    shown = texts(page)
    with world.store.read() as conn:
        code = conn.execute(
            select(filings.c.code).where(filings.c.id == ids["filed"]["filing_id"])
        ).scalar_one()
    assert "附件3" in shown and f"机构代码（{code}）" in shown
    assert "（自2025年3月至2028年2月）不变" in shown and "新增项目" in shown


@pytest.mark.parametrize(
    ("resolution", "received_on", "expected"),
    [("", date(2025, 10, 9), "须写明异议核查处理意见"), ("x", date(2025, 10, 20), "不在公示期")],
    ids=["resolution-missing", "objection-after-the-notice"],
)
def test_objection_steps_breaking_sel_05_are_refused_and_write_nothing(
    world: World,
    page: NoticeFilingPage,
    ids: dict[str, Any],
    resolution: str,
    received_on: date,
    expected: str,
) -> None:
    noticed(page, ids["a"])
    panel = page.panel
    assert panel is not None
    panel.received_on.value = received_on
    panel.objection_text.value = "异议"
    entries = audit_count(world)

    panel.record_button.click()
    if panel.objection.options:
        panel.verdict.value = UPHELD
        panel.resolution.value = resolution
        entries = audit_count(world)
        panel.resolve_button.click()

    message = panel.messages.widget.value
    assert "SEL-05" in message and expected in message
    assert audit_count(world) == entries


def test_another_citys_officer_cannot_open_the_application_and_it_is_logged_sup_01(
    world: World, ids: dict[str, Any]
) -> None:
    qingdao = context(world, OTHER_CITY, START)
    before = count(world, refusals)

    page = notice_filing.build(qingdao, ids["a"])

    assert "SUP-01" in page.children[1].value
    assert count(world, refusals) == before + 1


def test_a_crafted_application_outside_the_citys_list_is_refused_and_logged(
    world: World, ids: dict[str, Any]
) -> None:
    page = NoticeFilingPage(context(world, OTHER_CITY, START), QINGDAO, None)
    offered = [v for _, v in page.form.apps.options]
    before = count(world, refusals)

    page.form.apps.set_state({"index": [len(offered) + 2]})

    assert offered == [ids["qingdao"]] and page.form.apps.value == ()
    assert count(world, refusals) == before + 1


@pytest.mark.parametrize("button", ["publish", "file"])
def test_a_crafted_click_on_a_disabled_button_writes_nothing_and_is_logged(
    world: World, page: NoticeFilingPage, button: str
) -> None:
    widget = page.form.publish_button if button == "publish" else page.filing.file_button
    assert widget.disabled
    entries, before = audit_count(world), count(world, refusals)

    widget._handle_button_msg(None, {"event": "click"}, [])

    assert audit_count(world) == entries and count(world, refusals) == before + 1


def test_a_crafted_close_of_an_ended_notice_writes_nothing(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"])
    page.ctx.today = AFTER_END
    assert page.panel is not None
    page.panel.close_button.click()
    entries = audit_count(world)

    page.panel.close_button._handle_button_msg(None, {"event": "click"}, [])

    assert page.panel.close_button.disabled and audit_count(world) == entries


def test_a_page_opened_for_a_proposed_application_preselects_it(
    world: World, ids: dict[str, Any]
) -> None:
    ctx = context(world, OFFICER, START)

    page = notice_filing.build(ctx, ids["b"])

    assert "济南乙技能评价中心（拟备案）" in texts(page)
    form_select = page.children[1].children[2]
    assert form_select.value == (ids["b"],)


def test_a_start_in_a_year_without_a_holiday_schedule_shows_a_provisional_end(
    page: NoticeFilingPage,
) -> None:
    page.form.start.value = date(2027, 3, 1)

    shown = page.form.period.value

    assert "至 <b>2027-03-05</b>" in shown and "2027年节假日安排尚未配置" in shown


def test_the_notebook_entry_refuses_a_session_without_a_signed_in_user(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.delenv("CASEWORK_USER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    page = notice_filing.app()

    assert "未识别登录用户" in texts(page)


def test_what_was_typed_into_the_notice_form_comes_back_after_a_reload_for_that_officer_only(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    page.form.apps.value = (ids["a"], ids["b"])
    page.form.start.value = START
    page.form.custom_end.value = date(2025, 10, 17)
    page.form.notice_title.value = "2025年第三批拟备案名单公示"

    again = NoticeFilingPage(context(world, OFFICER, START), JINAN, None).form
    manager = NoticeFilingPage(context(world, MANAGER, START), JINAN, None).form

    assert again.apps.value == (ids["a"], ids["b"])
    assert (again.start.value, again.custom_end.value) == (START, date(2025, 10, 17))
    assert again.notice_title.value == "2025年第三批拟备案名单公示"
    assert "至 <b>2025-10-17</b>" in again.period.value
    assert manager.apps.value == () and manager.custom_end.value is None
    assert manager.notice_title.value == ""


def test_what_was_typed_into_an_objection_and_its_resolution_comes_back_after_a_reload(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    noticed(page, ids["a"], ids["b"])
    panel = page.panel
    assert panel is not None
    panel.objection_text.value = "评估材料不实"
    panel.record_button.click()  # a pending objection to resolve
    panel.objection_app.value = ids["b"]
    panel.received_on.value = date(2025, 10, 9)
    panel.objector.value = "某培训学校"
    panel.objection_text.value = "考评人员资质存疑"
    panel.verdict.value = NOT_UPHELD
    panel.resolution.value = "经核查，考评人员资质齐全"

    again = NoticePanel(context(world, OFFICER, START), panel.notice_id)
    manager = NoticePanel(context(world, MANAGER, START), panel.notice_id)

    assert (again.objection_app.value, again.received_on.value) == (ids["b"], date(2025, 10, 9))
    assert (again.objector.value, again.objection_text.value) == ("某培训学校", "考评人员资质存疑")
    assert (again.verdict.value, again.resolution.value) == (NOT_UPHELD, "经核查，考评人员资质齐全")
    assert not again.resolve_button.disabled
    assert manager.objection_text.value == manager.objector.value == ""
    assert manager.verdict.value is None and manager.resolution.value == ""


def test_after_publishing_recording_and_resolving_the_forms_come_back_empty_after_a_reload(
    world: World, page: NoticeFilingPage, ids: dict[str, Any]
) -> None:
    page.form.notice_title.value = "2025年第三批拟备案名单公示"
    noticed(page, ids["a"])
    panel = page.panel
    assert panel is not None
    panel.objector.value = "某培训学校"
    panel.objection_text.value = "考评人员资质存疑"
    panel.record_button.click()
    panel.verdict.value = UPHELD
    panel.resolution.value = "经核查，异议属实"

    panel.resolve_button.click()

    form = NoticeFilingPage(context(world, OFFICER, START), JINAN, None).form
    again = NoticePanel(context(world, OFFICER, START), panel.notice_id)
    with world.store.read() as conn:
        stored = conn.execute(select(objections)).mappings().one()
    assert (stored["text"], stored["resolution"]) == ("考评人员资质存疑", "经核查，异议属实")
    assert form.apps.value == () and form.notice_title.value == ""
    assert (form.start.value, form.custom_end.value) == (START, None)
    for shown in (panel, again):
        assert shown.objector.value == shown.objection_text.value == ""
        assert shown.verdict.value is None and shown.resolution.value == ""
