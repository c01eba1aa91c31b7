"""遴选评估 app driven in plain pytest: what the browser would do, and what it must not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from sqlalchemy import func, select

from casework import registry
from casework.queries.sheets import my_sheet
from casework.registry import scenario
from casework.store.tables import audit_log, refusals
from casework.ui import selection_panel
from casework.ui.selection_panel import MET, NOT_MET, SelectionChecklist
from tests.registry.conftest import JINAN, World

from .worlds import Template, clone, context, make_template, seed_jinan

START = date(2025, 3, 3)
SUPPLEMENTARY = [{"sub_id": "S1", "text": "考核场地位于本市行政区域内。"}]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """One selection panel in 评估中 on a call with a city supplementary condition, built once;
    every test gets its own copy of the store."""

    def build(world: World) -> dict[str, Any]:
        call_id = registry.publish_call(
            world.store,
            scenario.city_officer(JINAN),
            city_code=JINAN,
            year=START.year,
            title="2025年济南市专项职业能力考核机构征集公告",
            project_codes=["P001", "P002"],
            opens_on=START,
            closes_on=date(2025, 4, 3),
            published_on=START,
            supplementary=SUPPLEMENTARY,
        )
        inst = scenario.new_institution(world.store, JINAN, "济南鲁锦织造有限公司", 1234567)
        return scenario.select_and_file(
            world.store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=("P001",),
            on=START,
            experts=world.experts[JINAN],
            call_id=call_id,
            stop_at="评估中",
        )

    seed = seed_jinan(("P001", "P002"), START.year)
    return make_template(tmp_path_factory.mktemp("selection"), build, seed)


@pytest.fixture
def panel(template: Template, tmp_path: Path) -> Iterator[dict[str, Any]]:
    world = clone(template, tmp_path)
    experts = template.experts[JINAN]
    yield {**template.ids, "experts": experts, "world": world, "members": experts[:3]}
    world.store.dispose()


def signed(panel: dict[str, Any], who: int = 0) -> tuple[Any, SelectionChecklist]:
    ctx = context(panel["world"], panel["members"][who])
    ctx.run(registry.declare_conflict_of_interest, panel_id=panel["panel_id"], no_conflict=True)
    return ctx, SelectionChecklist(ctx, panel["panel_id"])


def judge(sheet: SelectionChecklist, failing: tuple[str, ...] = ()) -> None:
    with sheet.batch():
        for sub_id, toggle in sheet.toggles.items():
            toggle.value = NOT_MET if sub_id in failing else MET


def count(panel: dict[str, Any], table: Any) -> int:
    with panel["world"].store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def html_of(widget: Any) -> str:
    """Every HTML text shown inside ``widget``."""
    own = widget.value if isinstance(widget, w.HTML) else ""
    return own + "".join(html_of(c) for c in getattr(widget, "children", ()))


def stored(ctx: Any, panel: dict[str, Any]) -> dict[str, Any] | None:
    return my_sheet(ctx.store, panel["panel_id"], ctx.actor.username)


def test_the_checklist_offers_every_attachment_1_condition_and_the_citys_own_sel_03(
    panel: dict[str, Any],
) -> None:
    _, sheet = signed(panel)

    html = html_of(sheet.widget)

    assert list(sheet.toggles) == [*sheet.rubric.conditions.sub_id, "S1"]
    assert all(t.options == (MET, NOT_MET) for t in sheet.toggles.values())
    for text in ("一、必备条件", "二、优先条件", "三、本市补充条件", "机构主体", "必备", "优先"):
        assert text in html
    assert sheet.rubric.conditions.set_index("sub_id").text["4.3"] in html
    assert SUPPLEMENTARY[0]["text"] in html


def test_each_change_saves_the_draft_once_and_it_comes_back_in_a_new_session(
    panel: dict[str, Any],
) -> None:
    ctx, sheet = signed(panel)
    before = count(panel, audit_log)

    sheet.toggles["1.1"].value = MET
    sheet.toggles["2.1"].value = NOT_MET
    sheet.notes["2.1"].value = "租赁协议剩余期限不足3年"

    assert count(panel, audit_log) == before + 3
    again = SelectionChecklist(ctx, panel["panel_id"])
    assert again.toggles["1.1"].value == MET and again.toggles["2.1"].value == NOT_MET
    assert again.toggles["3.1"].value is None
    assert again.notes["2.1"].value == "租赁协议剩余期限不足3年"
    assert stored(ctx, panel)["status"] == "草稿"


def test_submitting_a_complete_checklist_stores_every_judgement_and_locks_it_sel_04(
    panel: dict[str, Any],
) -> None:
    ctx, sheet = signed(panel)
    judge(sheet, failing=("8.1",))
    assert not sheet.submit_button.disabled

    sheet.submit_button.click()

    row = stored(ctx, panel)
    assert row["status"] == "已提交"
    met = {r["sub_id"]: r["met"] for r in row["rows"]}
    assert len(met) == len(sheet.rubric.conditions) + 1
    assert met["8.1"] is False and met["S1"] is True
    again = SelectionChecklist(ctx, panel["panel_id"])
    assert again.locked and all(t.disabled for t in again.toggles.values())
    assert all(n.disabled for n in again.notes.values()) and again.submit_button.disabled


def test_an_incomplete_checklist_cannot_be_submitted_and_every_gap_is_named_sel_04(
    panel: dict[str, Any],
) -> None:
    ctx, sheet = signed(panel)
    judge(sheet)
    with sheet.batch():
        sheet.toggles["2.3"].value = None
        sheet.toggles["S1"].value = None
    assert sheet.submit_button.disabled

    sheet.submit_button.set_state({"disabled": False})  # a crafted re-enable
    sheet.submit_button.click()

    assert stored(ctx, panel)["status"] == "草稿"
    message = sheet.messages.widget.value
    assert "2.3" in message and "S1" in message and "SEL-04" in message


def test_a_crafted_click_on_the_disabled_submit_button_writes_nothing_and_is_logged(
    panel: dict[str, Any],
) -> None:
    ctx, sheet = signed(panel)
    sheet.toggles["1.1"].value = MET
    audit, refused = count(panel, audit_log), count(panel, refusals)

    sheet.submit_button._handle_button_msg(None, {"event": "click"}, [])

    assert stored(ctx, panel)["status"] == "草稿"
    assert count(panel, audit_log) == audit
    assert count(panel, refusals) == refused + 1


def test_a_crafted_value_outside_the_options_writes_nothing_and_is_logged(
    panel: dict[str, Any],
) -> None:
    ctx, sheet = signed(panel)
    sheet.toggles["1.1"].value = MET
    audit, refused = count(panel, audit_log), count(panel, refusals)

    sheet.toggles["1.2"].set_state({"index": 5})
    sheet.notes["1.2"].set_state({"value": ["not", "text"]})

    assert sheet.toggles["1.2"].value is None and sheet.notes["1.2"].value == ""
    assert count(panel, audit_log) == audit
    assert count(panel, refusals) == refused + 2
    assert {r["sub_id"]: r["met"] for r in stored(ctx, panel)["rows"]}["1.2"] is None


def test_a_crafted_re_enable_of_a_submitted_checklist_cannot_change_it(
    panel: dict[str, Any],
) -> None:
    ctx, sheet = signed(panel)
    judge(sheet)
    sheet.submit_button.click()

    sheet.toggles["1.1"].set_state({"disabled": False})
    sheet.toggles["1.1"].value = NOT_MET
    sheet.submit_button.set_state({"disabled": False})
    sheet.submit_button.click()

    met = {r["sub_id"]: r["met"] for r in stored(ctx, panel)["rows"]}
    assert met["1.1"] is True
    assert "锁定" in sheet.messages.widget.value


def test_the_page_needs_the_conflict_of_interest_declaration_first_sup_03(
    panel: dict[str, Any],
) -> None:
    ctx = context(panel["world"], panel["members"][1])

    page = selection_panel.build(ctx, panel["panel_id"])

    assert "利益冲突声明" in page.children[0].children[0].value
    assert stored(ctx, panel) is None


@pytest.mark.parametrize("who", ["outsider", "officer"])
def test_someone_not_on_the_panel_sees_a_refusal(panel: dict[str, Any], who: str) -> None:
    username = panel["experts"][4] if who == "outsider" else f"officer{JINAN}"
    ctx = context(panel["world"], username)

    page = selection_panel.build(ctx, panel["panel_id"])

    assert "不是该评估组成员" in page.children[1].value


def test_the_picker_lists_only_the_users_own_selection_panels(panel: dict[str, Any]) -> None:
    ctx = context(panel["world"], panel["members"][2])
    refused = count(panel, refusals)

    page = selection_panel.build(ctx)
    dropdown = page.children[1].children[0]
    dropdown.set_state({"index": 3})

    assert [v for _, v in dropdown.options] == [panel["panel_id"]]
    assert "济南鲁锦织造有限公司" in dropdown.options[0][0]
    assert dropdown.value == panel["panel_id"]
    assert count(panel, refusals) == refused + 1


def test_the_leader_sees_who_has_not_submitted_then_the_panel_verdict_sel_04(
    panel: dict[str, Any],
) -> None:
    failing = {0: (), 1: ("2.1", "S1"), 2: ("S1", "9.1")}
    for who, fails in failing.items():
        _, sheet = signed(panel, who)
        judge(sheet, fails)
        if who < 2:
            sheet.submit_button.click()
    leader = context(panel["world"], panel["members"][0])
    waiting = selection_panel.build(leader, panel["panel_id"]).children[1].children[1].value

    sheet.submit_button.click()
    page = selection_panel.build(leader, panel["panel_id"])

    assert "尚未提交" in waiting and "专家370100-3" in waiting
    html = page.children[1].children[1].value
    assert "不符合</b>（不能拟备案）" in html
    assert "未满足的必备/补充条件：S1" in html
    assert "<td>S1</td>" in html and "<td>1/3</td>" in html
    assert "专家370100-2、专家370100-3" in html
    assert "优先备案：<b>否</b>" in html


def test_the_leader_sees_an_eligible_applicant_with_priority_sel_04(
    panel: dict[str, Any],
) -> None:
    failing = {0: ("10.1",), 1: ("2.1", "10.1"), 2: ()}
    for who, fails in failing.items():
        _, sheet = signed(panel, who)
        judge(sheet, fails)
        sheet.submit_button.click()
    leader = context(panel["world"], panel["members"][0])

    page = selection_panel.build(leader, panel["panel_id"])

    html = page.children[1].children[1].value
    assert "<b>符合</b>" in html and "未满足的必备/补充条件：无" in html
    assert "优先条件（第8—10项）：8.1、9.1" in html and "优先备案：<b>是</b>" in html


def test_a_member_who_is_not_the_leader_does_not_see_the_panel_verdict(
    panel: dict[str, Any],
) -> None:
    member, _ = signed(panel, 1)
    leader, _ = signed(panel, 0)

    pages = [selection_panel.build(c, panel["panel_id"]) for c in (member, leader)]

    member_html, leader_html = map(html_of, pages)
    assert "1.1" in member_html and "评估组意见（组长查看）" not in member_html
    assert "评估组意见（组长查看）" in leader_html


def two_project_panel(panel: dict[str, Any]) -> int:
    """A second application on the same call, for P001 and P002, with its panel in 评估中."""
    world = panel["world"]
    inst = scenario.new_institution(world.store, JINAN, "济南两项目考核中心", 7654321)
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=("P001", "P002"),
        on=START,
        experts=panel["experts"],
        call_id=panel["call_id"],
        stop_at="评估中",
    )
    return int(ids["panel_id"])


def test_per_project_conditions_are_shown_once_per_project_applied_for_sel_04(
    panel: dict[str, Any],
) -> None:
    panel = {**panel, "panel_id": two_project_panel(panel)}
    ctx, sheet = signed(panel)

    judge(sheet, failing=("5.1@P002",))
    sheet.submit_button.click()

    per_project = sheet.rubric.per_project
    assert [k for k in sheet.toggles if "@" in k] == [
        f"{s}@{c}" for s in per_project for c in ("P001", "P002")
    ]
    assert "1.1" in sheet.toggles and "1.1@P001" not in sheet.toggles
    rows = {(r["sub_id"], r.get("project_code")): r["met"] for r in stored(ctx, panel)["rows"]}
    assert rows[("5.1", "P002")] is False and rows[("5.1", "P001")] is True
    assert stored(ctx, panel)["status"] == "已提交"
    assert "5.1（P002）" in sheet.messages.widget.value


def test_a_crafted_value_on_a_per_project_condition_writes_nothing_and_is_logged(
    panel: dict[str, Any],
) -> None:
    panel = {**panel, "panel_id": two_project_panel(panel)}
    ctx, sheet = signed(panel)
    sheet.toggles["4.3@P001"].value = MET
    refused = count(panel, refusals)

    sheet.toggles["4.3@P002"].set_state({"index": 7})

    assert sheet.toggles["4.3@P002"].value is None
    assert count(panel, refusals) == refused + 1
    rows = {(r["sub_id"], r.get("project_code")): r["met"] for r in stored(ctx, panel)["rows"]}
    assert rows[("4.3", "P001")] is True and rows[("4.3", "P002")] is None


def test_the_checklist_shares_its_layouts_and_styles_so_it_opens_on_few_models(
    panel: dict[str, Any],
) -> None:
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    _, sheet = signed(panel)
    made = [widget for key, widget in _instances.items() if key not in before]

    per_condition = 4  # its row, text, 符合/不符合 buttons and note; layouts and styles shared
    assert len(made) <= per_condition * len(sheet.toggles) + 80, len(made)
