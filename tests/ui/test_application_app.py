"""申请 app driven in plain pytest (SEL-02, SEL-03, SEL-06, SEL-07): an institution head applies,
the city officer checks completeness (受理 / 退回补正), the applicant corrects and resubmits, and
what the page must refuse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry
from casework.domain import lifecycle
from casework.domain.identifiers import make_uscc
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.store.tables import applications, institutions, refusals
from casework.ui import application
from casework.ui.application import ApplicantWorkspace, OfficerPage
from casework.ui.application.review import ApplicationReview
from tests.registry.conftest import JINAN, World

from .worlds import (
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
HEAD = "head_jinan_school"


def build_world(world: World) -> dict[str, Any]:
    officer = scenario.city_officer(JINAN)
    inst = world.institution("济南申请技能学校", serial=21)
    other = world.institution("济南已申请培训中心", serial=22)
    scenario.ensure_user(world.store, Actor(HEAD, INSTITUTION, institution_id=inst))
    call = registry.publish_call(
        world.store,
        officer,
        city_code=JINAN,
        year=2025,
        title="2025年济南市征集公告",
        project_codes=["P001", "P002", "P003"],
        opens_on=date(2025, 3, 3),
        closes_on=date(2025, 4, 3),
        published_on=date(2025, 3, 3),
        supplementary=[{"sub_id": "S1", "text": "具备线上考务系统"}],
    )
    received = registry.submit_application(
        world.store,
        officer,
        call_id=call,
        institution_id=other,
        project_codes=["P002"],
        on=date(2025, 3, 5),
    )
    return {"institution_id": inst, "call_id": call, "received": received}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("application"), build_world)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> World:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


@pytest.fixture
def page(world: World, template: Template) -> ApplicantWorkspace:
    return ApplicantWorkspace(context(world, HEAD, TODAY), template["institution_id"])


def fill(page: ApplicantWorkspace, **changes: Any) -> None:
    form = page.form
    form.kind.value = "院校"
    form.address.value = "济南市历下区经十路1号"
    form.contact.value = "李明"
    form.phone.value = "0531-88886666"
    form.projects.value = ("P001", "P003")
    form.statements.areas["S1"].value = "已建成线上考务系统"
    form.integrity.value = True
    for name, value in changes.items():
        getattr(form, name).value = value


def stored(world: World, **where: Any) -> list[dict[str, Any]]:
    q = select(applications).filter_by(**where).order_by(applications.c.id)
    with world.store.read() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def test_an_institution_head_submits_an_application_with_its_declarations_sel_02(
    world: World, template: Template, page: ApplicantWorkspace
) -> None:
    fill(page)

    page.form.submit_button.click()

    (app,) = stored(world, institution_id=template["institution_id"])
    assert app["status"] == lifecycle.APPLICATION_SUBMITTED
    assert (app["entered_by"], app["on_behalf"]) == (HEAD, False)
    assert app["declared_at"] is not None and app["applicant"]["contact"] == "李明"
    assert app["supplementary"][0]["statement"] == "已建成线上考务系统"
    assert "已提交申请" in page.form.messages.widget.value
    assert "等待市级人社部门受理" in page.form.messages.widget.value
    assert lifecycle.APPLICATION_SUBMITTED in page.listing.value


def test_the_project_count_against_the_limit_of_five_is_shown_sel_07(
    page: ApplicantWorkspace,
) -> None:
    fill(page)

    shown = page.form.count.value

    assert "本次申报 2 个" in shown and "合计 2 个" in shown and "SEL-07" in shown


def test_without_the_integrity_declaration_the_button_is_disabled_and_a_crafted_click_is_logged(
    world: World, page: ApplicantWorkspace
) -> None:
    fill(page, integrity=False)
    assert page.form.submit_button.disabled
    before, refused = len(stored(world)), count(world, refusals)

    page.form.submit_button._handle_button_msg(None, {"event": "click"}, [])

    assert len(stored(world)) == before
    assert count(world, refusals) == refused + 1


def test_a_crafted_re_enable_without_the_declaration_is_refused_by_the_registry_sel_02(
    world: World, page: ApplicantWorkspace
) -> None:
    fill(page, integrity=False)
    page.form.submit_button.set_state({"disabled": False})
    before, entries = len(stored(world)), audit_count(world)

    page.form.submit_button._handle_button_msg(None, {"event": "click"}, [])

    assert len(stored(world)) == before and audit_count(world) == entries
    assert "诚信承诺" in page.form.messages.widget.value


def test_a_bad_phone_is_refused_in_chinese_naming_the_field(
    world: World, page: ApplicantWorkspace
) -> None:
    fill(page, phone="请致电")
    before = len(stored(world))

    page.form.submit_button.click()

    message = page.form.messages.widget.value
    assert "cw-error" in message and "联系电话" in message and "SEL-02" in message
    assert len(stored(world)) == before


def test_a_crafted_call_or_project_outside_the_options_is_refused_and_logged(
    world: World, template: Template, page: ApplicantWorkspace
) -> None:
    fill(page)
    before = count(world, refusals)

    page.form.call.set_state({"index": 7})
    page.form.projects.set_state({"index": [0, 42]})

    assert page.form.call.value == template["call_id"]
    assert page.form.projects.value == ("P001", "P003")
    assert count(world, refusals) == before + 2


def test_what_was_typed_comes_back_after_a_reload(
    world: World, template: Template, page: ApplicantWorkspace
) -> None:
    fill(page)

    again = ApplicantWorkspace(context(world, HEAD, TODAY), template["institution_id"]).form

    assert again.projects.value == ("P001", "P003") and again.contact.value == "李明"
    assert again.statements.areas["S1"].value == "已建成线上考务系统"
    assert again.integrity.value is True and not again.submit_button.disabled


def test_the_officer_accepts_a_complete_application_sel_02(
    world: World, template: Template
) -> None:
    page = OfficerPage(context(world, OFFICER, TODAY), JINAN)
    page.app_picker.value = template["received"]
    page.app_button.click()
    assert "办理事项" in texts(page.review) and "未作出" in texts(page.review)

    detail = ApplicationReview(context(world, OFFICER, TODAY), template["received"])
    detail.panel.choice.value = "accept"
    detail.panel.buttons["accept"].click()

    (app,) = stored(world, id=template["received"])
    assert app["status"] == lifecycle.APPLICATION_ACCEPTED and app["accepted_on"] == TODAY
    assert "已受理" in detail.messages.widget.value


def test_a_returned_application_is_corrected_and_resubmitted_by_the_institution_sel_02(
    world: World, template: Template, page: ApplicantWorkspace
) -> None:
    fill(page)
    page.form.submit_button.click()
    (app,) = stored(world, institution_id=template["institution_id"])
    officer = ApplicationReview(context(world, OFFICER, TODAY), app["id"])
    officer.panel.choice.value = "return"
    officer.missing.value = ("人员花名册", "场地")
    officer.panel.buttons["return"].click()

    head = ApplicationReview(context(world, HEAD, TODAY), app["id"])
    shown = texts(head.widget)
    assert head.correction is not None
    head.correction.projects.value = ("P001",)
    head.correction.integrity.value = True
    head.correction.submit_button.click()

    (after,) = stored(world, id=app["id"])
    assert "人员花名册、场地" in shown
    assert after["status"] == lifecycle.APPLICATION_SUBMITTED
    assert after["resubmitted_on"] == TODAY
    assert "已补正并重新提交" in head.messages.widget.value and head.correction is None


def test_an_institution_head_cannot_accept_its_own_application(
    world: World, template: Template, page: ApplicantWorkspace
) -> None:
    fill(page)
    page.form.submit_button.click()
    (app,) = stored(world, institution_id=template["institution_id"])

    review = ApplicationReview(context(world, HEAD, TODAY), app["id"])

    assert review.panel.offered == ("withdraw",)


def test_a_crafted_action_outside_the_offered_ones_changes_nothing(
    world: World, template: Template, page: ApplicantWorkspace
) -> None:
    fill(page)
    page.form.submit_button.click()
    (app,) = stored(world, institution_id=template["institution_id"])
    review = ApplicationReview(context(world, HEAD, TODAY), app["id"])
    before = count(world, refusals)

    review.panel.choice.set_state({"index": 3})

    assert review.panel.choice.value == "withdraw"
    assert stored(world, id=app["id"])[0]["status"] == lifecycle.APPLICATION_SUBMITTED
    assert count(world, refusals) == before + 1


def test_a_paper_application_entered_by_the_officer_is_recorded_as_on_behalf(
    world: World, template: Template
) -> None:
    page = OfficerPage(context(world, OFFICER, TODAY), JINAN)
    page.unit_picker.value = template["institution_id"]
    page.unit_button.click()
    entry = ApplicantWorkspace(context(world, OFFICER, TODAY), template["institution_id"])
    fill(entry)

    entry.form.submit_button.click()

    assert "提交新申请" in texts(page.workspace)
    (app,) = stored(world, institution_id=template["institution_id"])
    assert (app["entered_by"], app["on_behalf"]) == (OFFICER, True)
    assert "代为录入纸质申请" in entry.listing.value


def test_registering_a_new_applicant_with_a_bad_uscc_is_refused_naming_the_field(
    world: World,
) -> None:
    page = OfficerPage(context(world, OFFICER, TODAY), JINAN)
    page.register.name.value = "济南新申报学校"
    page.register.uscc.value = "12345"
    before = count(world, institutions)

    page.register.button.click()

    assert "统一社会信用代码" in page.register.messages.widget.value
    assert count(world, institutions) == before


def test_a_new_applicant_is_registered_and_offered_for_a_paper_application(
    world: World,
) -> None:
    page = OfficerPage(context(world, OFFICER, TODAY), JINAN)
    page.register.name.value = "济南新申报学校"
    page.register.uscc.value = make_uscc(f"52{JINAN}MJ9999999")

    page.register.button.click()

    assert "已登记申报单位" in page.register.messages.widget.value
    assert "济南新申报学校" in [label.split("（")[0] for label, _ in page.unit_picker.options]


def test_another_citys_officer_cannot_open_the_application_sup_01(
    world: World, template: Template
) -> None:
    before = count(world, refusals)

    page = application.build(context(world, OTHER_CITY, TODAY), template["received"])

    assert "SUP-01" in texts(page) and "其他城市" in texts(page)
    assert count(world, refusals) == before + 1


def test_another_institutions_head_cannot_open_the_application(
    world: World, template: Template
) -> None:
    page = application.build(context(world, HEAD, TODAY), template["received"])

    assert "只能查看和办理本机构的事项" in texts(page)
    assert "本机构" in refusal_reasons(world)[-1]


def test_a_user_without_an_applicant_or_city_role_sees_a_refusal(world: World) -> None:
    page = application.build(context(world, world.experts[JINAN][0], TODAY))

    assert "无权使用本页面" in texts(page)
    assert "无权使用本页面" in refusal_reasons(world)[-1]


def test_the_notebook_entry_opens_the_page_of_the_signed_in_head(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.setenv("CASEWORK_USER", HEAD)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    page = application.app()

    assert "提交新申请" in texts(page) and 'class="cw-error"' not in texts(page)
