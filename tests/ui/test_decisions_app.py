"""研究确定 app driven in plain pytest (SEL-04, SEL-07, REN-05, REN-06, SUP-01): the city
decides on the panel verdict or the renewal group's Attachment 6 — and what it must refuse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry
from casework.domain import rules
from casework.registry import scenario
from casework.store.tables import (
    application_projects,
    applications,
    filing_projects,
    filings,
    incidents,
    quota_overrides,
    renewal_cases,
)
from casework.ui import decisions
from casework.ui.decisions import DecisionsHome
from casework.ui.decisions.renewal import RenewalDecisionPage
from casework.ui.decisions.selection import SelectionDecisionPage
from tests.registry.conftest import JINAN, QINGDAO, START, World
from tests.registry.test_per_project import rows_for

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

TODAY = date(2025, 3, 20)
OVERRIDE = "本机构考核资源充足，经局务会研究同意"


def submit_sheets(world: World, panel_id: int, experts: Sequence[str], **sheet: Any) -> None:
    for username in experts:
        who = scenario.expert(username)
        registry.declare_conflict_of_interest(world.store, who, panel_id=panel_id, no_conflict=True)
        registry.save_sheet(world.store, who, panel_id=panel_id, submit=True, **sheet)


def assessing(
    world: World, name: str, codes: tuple[str, ...], city: str = JINAN, **rows: Any
) -> dict[str, Any]:
    """An application in 评估中 whose members all submitted (``rows``: full_selection_rows)."""
    ids = scenario.select_and_file(
        world.store,
        city_code=city,
        institution_id=world.institution(name, city),
        project_codes=codes,
        on=START,
        experts=world.experts[city],
        stop_at="评估中",
    )
    sheet_rows = scenario.full_selection_rows(**rows)
    submit_sheets(world, ids["panel_id"], world.experts[city][:3], rows=sheet_rows)
    return ids


def build_cases(world: World) -> dict[str, Any]:
    ids: dict[str, Any] = {
        "eligible": assessing(world, "济南甲考核中心", ("P001",)),
        "ineligible": assessing(world, "济南乙考核中心", ("P002",), failing=("2.4",)),
        "six_projects": assessing(
            world, "济南丙考核中心", ("P001", "P002", "P003", "P004", "P005", "P006")
        ),
        "qingdao": assessing(world, "青岛丁考核中心", ("P001",), city=QINGDAO),
    }
    two = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=world.institution("济南己考核中心"),
        project_codes=("P001", "P002"),
        on=START,
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    per_project = rows_for(["P001", "P002"], unmet=[("5.1", "P002")])
    submit_sheets(world, two["panel_id"], world.experts[JINAN][:3], rows=per_project)
    ids["two_projects"] = two
    waiting = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=world.institution("济南戊考核中心"),
        project_codes=("P003",),
        on=START,
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    ids["waiting"] = waiting
    filed = world.filed("济南鲁锦织造有限公司", ("P001", "P002"))
    with world.store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == filed["filing_id"])
        ).scalar_one()
    case = scenario.renew(
        world.store,
        city_code=JINAN,
        filing_id=filed["filing_id"],
        term_end=term_end,
        experts=world.experts[JINAN],
        assessed={"P002": 0},
        stop_at="评估中",
    )
    for username, score in zip(world.experts[JINAN][:3], (85.0, 80.0, 82.0), strict=True):
        submit_sheets(
            world,
            case["panel_id"],
            [username],
            rows=scenario.renewal_rows(score),
            veto=scenario.veto_rows(),
        )
    ids["renewal"] = {**case, "filing_id": filed["filing_id"], "term_end": term_end}
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("decisions"), build_cases)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


@pytest.fixture
def ids(template: Template) -> dict[str, Any]:
    return template.ids


def application(world: World, application_id: int) -> dict[str, Any]:
    with world.store.read() as conn:
        row = conn.execute(select(applications).where(applications.c.id == application_id))
        return dict(row.mappings().one())


def selection_page(world: World, ids: dict[str, Any], case: str, user: str = OFFICER) -> Any:
    return SelectionDecisionPage(context(world, user, TODAY), ids[case]["application_id"])


def test_the_home_page_lists_only_applications_whose_panel_has_all_submitted_sel_04(
    world: World, ids: dict[str, Any]
) -> None:
    home = DecisionsHome(context(world, OFFICER, TODAY), JINAN)

    offered = {value for _label, value in home.application.options}

    assert ids["eligible"]["application_id"] in offered
    assert ids["waiting"]["application_id"] not in offered
    assert ids["qingdao"]["application_id"] not in offered
    assert [v for _l, v in home.renewal.options] == [ids["renewal"]["renewal_id"]]


def test_approving_an_eligible_applicant_writes_拟备案_with_the_note_sel_04(
    world: World, ids: dict[str, Any]
) -> None:
    page = selection_page(world, ids, "eligible")
    page.note.value = "经研究，同意拟备案"

    page.approve_button.click()

    row = application(world, ids["eligible"]["application_id"])
    assert (row["status"], row["eligible"], row["decided_on"]) == ("拟备案", True, TODAY)
    assert row["decision_note"] == "经研究，同意拟备案"
    assert "已研究确定：拟备案" in page.messages.widget.value
    assert page.approve_button.disabled and page.reject_button.disabled


def test_approving_an_ineligible_applicant_is_refused_naming_the_unmet_condition_sel_04(
    world: World, ids: dict[str, Any]
) -> None:
    page = selection_page(world, ids, "ineligible")
    shown = texts(page.widget)

    page.approve_button.click()

    assert "不能拟备案" in shown and "2.4" in shown
    message = page.messages.widget.value
    assert "SEL-04" in message and "2.4" in message
    assert application(world, ids["ineligible"]["application_id"])["status"] == "评估中"


def test_rejecting_an_ineligible_applicant_records_未通过_sel_04(
    world: World, ids: dict[str, Any]
) -> None:
    page = selection_page(world, ids, "ineligible")
    page.note.value = "不满足场地监控条件"

    page.reject_button.click()

    row = application(world, ids["ineligible"]["application_id"])
    assert (row["status"], row["eligible"], row["decision_note"]) == (
        "未通过",
        False,
        "不满足场地监控条件",
    )


def test_a_sixth_project_without_an_override_reason_is_refused_sel_07(
    world: World, ids: dict[str, Any]
) -> None:
    page = selection_page(world, ids, "six_projects", MANAGER)

    page.approve_button.click()

    assert "SEL-07" in page.messages.widget.value and "须由市级负责人录入理由" in (
        page.messages.widget.value
    )
    assert application(world, ids["six_projects"]["application_id"])["status"] == "评估中"


def test_a_quota_override_by_an_officer_is_refused_and_by_the_manager_recorded_sel_07(
    world: World, ids: dict[str, Any]
) -> None:
    app_id = ids["six_projects"]["application_id"]
    officer_page = selection_page(world, ids, "six_projects", OFFICER)
    officer_page.override_reason.value = OVERRIDE
    officer_page.approve_button.click()
    refused = officer_page.messages.widget.value
    status_after_officer = application(world, app_id)["status"]
    manager_page = selection_page(world, ids, "six_projects", MANAGER)
    manager_page.override_reason.value = OVERRIDE

    manager_page.approve_button.click()

    assert "突破数量限制须由市级负责人决定" in refused and "SEL-07" in refused
    assert status_after_officer == "评估中"
    assert application(world, app_id)["status"] == "拟备案"
    with world.store.read() as conn:
        recorded = conn.execute(
            select(quota_overrides.c.reason, quota_overrides.c.officer).where(
                quota_overrides.c.application_id == app_id
            )
        ).all()
    assert [tuple(r) for r in recorded] == [(OVERRIDE, MANAGER)]


def test_the_city_ticks_the_projects_it_approves_and_gives_a_reason_for_each_declined_sel_04(
    world: World, ids: dict[str, Any]
) -> None:
    """Only the project the panel found qualified (P001) is ticked to begin with."""
    page = selection_page(world, ids, "two_projects")
    seeded = {c: t.value for c, t in page.project_ticks.items()}
    page.decline_reasons["P002"].value = "题库未建立"

    page.approve_button.click()

    assert seeded == {"P001": True, "P002": False}
    with world.store.read() as conn:
        rows = conn.execute(
            select(application_projects).where(
                application_projects.c.application_id == ids["two_projects"]["application_id"]
            )
        ).mappings()
        found = {r["project_code"]: (r["decision"], r["decision_reason"]) for r in rows}
    assert found == {"P001": ("拟备案", None), "P002": ("不予备案", "题库未建立")}
    shown = texts(page.widget)
    assert "不予备案</b>（题库未建立）" in shown and "不予备案项目：P002" in shown


@pytest.mark.parametrize(
    ("tick_p002", "reason", "message"),
    [(True, "", "P002（未满足：5.1）"), (False, "", "P002不予备案的理由")],
    ids=["unqualified-ticked", "no-reason"],
)
def test_a_project_the_panel_did_not_qualify_or_a_missing_reason_is_refused_sel_04(
    world: World, ids: dict[str, Any], tick_p002: bool, reason: str, message: str
) -> None:
    page = selection_page(world, ids, "two_projects")
    page.project_ticks["P002"].value = tick_p002
    page.decline_reasons["P002"].value = reason

    page.approve_button.click()

    assert message in page.messages.widget.value and "SEL-04" in page.messages.widget.value
    assert application(world, ids["two_projects"]["application_id"])["status"] == "评估中"


def test_the_typed_note_survives_reopening_the_page(world: World, ids: dict[str, Any]) -> None:
    page = selection_page(world, ids, "eligible")
    page.note.value = "待局务会研究"

    again = selection_page(world, ids, "eligible")

    assert again.note.value == "待局务会研究"


def renewal_page(world: World, ids: dict[str, Any], user: str = OFFICER) -> RenewalDecisionPage:
    today = ids["renewal"]["term_end"] - timedelta(days=60)
    return RenewalDecisionPage(context(world, user, today), ids["renewal"]["renewal_id"])


def test_the_renewal_page_shows_attachment_6_and_the_projects_to_be_dropped_ren_05(
    world: World, ids: dict[str, Any]
) -> None:
    page = renewal_page(world, ids)

    summary, dropped = page.summary.value, page.dropped.value

    assert page.outcome is not None and page.outcome.grade.label == rules.GRADE_PASS
    assert f"综合得分：{page.outcome.composite:g}" in summary and "不合格项：无" in summary
    assert "P002" in dropped and "P001" not in dropped
    assert not page.decide_button.disabled


def test_a_renewal_decision_passes_with_a_new_term_and_drops_unassessed_projects_ren_05(
    world: World, ids: dict[str, Any]
) -> None:
    page = renewal_page(world, ids)
    old_end = ids["renewal"]["term_end"]
    page.opinion.value = "同意续期"

    page.decide_button.click()

    filing_id = ids["renewal"]["filing_id"]
    with world.store.read() as conn:
        case = (
            conn.execute(
                select(renewal_cases).where(renewal_cases.c.id == ids["renewal"]["renewal_id"])
            )
            .mappings()
            .one()
        )
        filing = conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().one()
        live = set(
            conn.execute(
                select(filing_projects.c.project_code).where(
                    filing_projects.c.filing_id == filing_id,
                    filing_projects.c.removed_on.is_(None),
                )
            ).scalars()
        )
    # the city's text is its decision (REN-05), kept apart from the group's opinion (issue #13)
    assert (case["status"], case["decision_note"], case["dropped_projects"]) == (
        "合格",
        "同意续期",
        ["P002"],
    )
    assert filing["term_start"] == old_end + timedelta(days=1)
    assert live == {"P001"}
    assert "新有效期" in page.result.value and "P002" in page.result.value
    assert "已研究确定续期评估结果：合格" in page.messages.widget.value
    assert page.decide_button.disabled
    assert count(world, incidents) == 0


def test_another_citys_case_cannot_be_opened_and_the_refusal_is_logged_sup_01(
    world: World, ids: dict[str, Any]
) -> None:
    ctx = context(world, OTHER_CITY, TODAY)

    selection = decisions.build(ctx, f"selection:{ids['eligible']['application_id']}")
    renewal = decisions.build(ctx, f"renewal:{ids['renewal']['renewal_id']}")

    for page in (selection, renewal):
        assert "SUP-01" in texts(page) and "属于其他城市" in texts(page)
    assert len([r for r in refusal_reasons(world) if "SUP-01" in r or "其他城市" in r]) == 2


def test_a_crafted_click_on_a_disabled_button_writes_nothing_and_is_logged(
    world: World, ids: dict[str, Any]
) -> None:
    page = selection_page(world, ids, "waiting")
    before = audit_count(world)

    page.approve_button._handle_button_msg(None, {"event": "click"}, [])

    assert page.approve_button.disabled
    assert application(world, ids["waiting"]["application_id"])["status"] == "评估中"
    assert audit_count(world) == before
    assert any("已禁用的按钮" in r for r in refusal_reasons(world))
    assert "该操作当前不可用" in page.messages.widget.value


def test_a_picker_value_outside_its_options_is_refused_and_logged(
    world: World, ids: dict[str, Any]
) -> None:
    home = DecisionsHome(context(world, OFFICER, TODAY), JINAN)

    home.application.set_state({"index": 99})
    home.open_application.click()

    assert any("申报单位" in r for r in refusal_reasons(world))
    assert home.application.value == ids["eligible"]["application_id"]
