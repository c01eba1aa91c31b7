"""续期评估 app driven in plain pytest: what the browser would do, and what it must not."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pytest
from sqlalchemy import func, select

from casework.domain import rubrics, rules, scoring
from casework.queries.sheets import my_sheet
from casework.registry import scenario
from casework.store.tables import refusals
from casework.ui import attachment4_form, renewal_scoring
from casework.ui.attachment4_form import Attachment4Form
from casework.ui.renewal_scoring import RenewalScoringSheet

from .worlds import browser_sends, browser_sets, context


def signed(panel: dict, who: int = 0) -> tuple[Any, RenewalScoringSheet]:
    world = panel["world"]
    ctx = context(world, panel["experts"][who])
    from casework import registry

    ctx.run(registry.declare_conflict_of_interest, panel_id=panel["panel_id"], no_conflict=True)
    return ctx, RenewalScoringSheet(ctx, panel["panel_id"])


def fill(sheet: RenewalScoringSheet, score: float) -> None:
    with sheet.batch():
        for row in scenario.renewal_rows(score):
            sheet.verdicts[row["item_id"]].value = row["verdict"]
            sheet.points[row["item_id"]].value = row["points"]
        for toggle in sheet.vetoes.values():
            toggle.value = "否"


def refusal_count(panel: dict) -> int:
    with panel["world"].store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(refusals)).scalar() or 0)


def test_the_points_field_offers_only_what_the_verdict_allows_ren_07(renewal_panel: dict) -> None:
    _, sheet = signed(renewal_panel)
    item = "R26"

    sheet.verdicts[item].value = rules.VERDICT_PARTIAL

    full = sheet.rubric.item_points[item]
    offered = [v for _, v in sheet.points[item].options]
    assert offered == list(scoring.allowed_points(sheet.rubric, item, rules.VERDICT_PARTIAL))
    assert min(offered) > 0 and max(offered) < full
    sheet.verdicts[item].value = rules.VERDICT_FULL
    assert sheet.points[item].value == full


def test_the_running_total_always_equals_the_scoring_function(renewal_panel: dict) -> None:
    _, sheet = signed(renewal_panel)

    fill(sheet, 77.5)

    complete = scenario.renewal_rows(77.5)
    frame = scenario_frame(complete)
    assert sheet.running_total() == float(scoring.member_totals(sheet.rubric, frame).iloc[0])
    assert f"{sheet.running_total():g}" in sheet.total.value


def scenario_frame(rows: list[dict]) -> Any:
    from casework.registry.sheets import renewal_frames

    return renewal_frames(rows, [], "x")[0]


def test_a_draft_is_saved_as_typed_and_comes_back_in_a_new_session(renewal_panel: dict) -> None:
    ctx, sheet = signed(renewal_panel)
    sheet.verdicts["R01"].value = rules.VERDICT_FULL
    sheet.verdicts["R02"].value = rules.VERDICT_NONE

    again = RenewalScoringSheet(ctx, renewal_panel["panel_id"])

    assert again.verdicts["R01"].value == rules.VERDICT_FULL
    assert again.points["R02"].value == 0.0
    assert my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username)["status"] == "草稿"


def test_submitting_locks_the_sheet_and_a_reload_shows_it_read_only(renewal_panel: dict) -> None:
    ctx, sheet = signed(renewal_panel)
    fill(sheet, 88)

    sheet.submit_button.click()

    again = RenewalScoringSheet(ctx, renewal_panel["panel_id"])
    assert again.locked and all(v.disabled for v in again.verdicts.values())
    assert my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username)["total"] == 88


def test_a_crafted_click_on_the_disabled_submit_button_changes_nothing_and_is_logged(
    renewal_panel: dict,
) -> None:
    ctx, sheet = signed(renewal_panel)
    sheet.verdicts["R01"].value = rules.VERDICT_FULL
    before = refusal_count(renewal_panel)
    assert sheet.submit_button.disabled

    sheet.submit_button._handle_button_msg(None, {"event": "click"}, [])

    assert my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username)["status"] == "草稿"
    assert refusal_count(renewal_panel) == before + 1


def test_a_crafted_value_outside_the_options_changes_nothing_and_is_logged(
    renewal_panel: dict,
) -> None:
    _ctx, sheet = signed(renewal_panel)
    sheet.verdicts["R01"].value = rules.VERDICT_FULL
    before, before_rows = refusal_count(renewal_panel), sheet.rows()

    browser_sends(sheet.form.widget, {"id": "R01", "field": "points", "value": 7.25})
    browser_sends(sheet.form.widget, {"id": "R02", "field": "verdict", "value": "完全符合"})
    browser_sends(sheet.form.widget, {"id": "R99", "field": "verdict", "value": "符合"})
    browser_sends(sheet.form.widget, {"id": "R03", "field": "veto", "value": "是"})
    browser_sends(sheet.form.widget, "符合")
    browser_sends(sheet.form.widget, {"id": "R01", "field": "points", "value": True})

    assert sheet.points["R01"].value == sheet.rubric.item_points["R01"]
    assert sheet.verdicts["R02"].value is None
    assert sheet.rows() == before_rows
    assert refusal_count(renewal_panel) == before + 6


def test_clicking_the_chosen_verdict_again_keeps_the_points_chosen_for_it_ren_07(
    renewal_panel: dict,
) -> None:
    _, sheet = signed(renewal_panel)
    item = "R26"
    browser_sends(sheet.form.widget, {"id": item, "field": "verdict", "value": "基本符合"})
    chosen = [v for _, v in sheet.points[item].options][-1]
    browser_sends(sheet.form.widget, {"id": item, "field": "points", "value": chosen})

    browser_sends(sheet.form.widget, {"id": item, "field": "verdict", "value": "基本符合"})

    assert sheet.points[item].value == chosen
    assert sheet.form.widget.state[item]["p"] == chosen


def test_the_page_cannot_write_the_forms_state_directly_only_send_answers(
    renewal_panel: dict,
) -> None:
    ctx, sheet = signed(renewal_panel)
    before = refusal_count(renewal_panel)
    forged = {k: {"v": "不符合", "p": 0.0, "o": []} for k in sheet.verdicts}

    browser_sets(sheet.form.widget, {"state": forged, "locked": True})

    assert all(row["verdict"] is None for row in sheet.rows())
    assert sheet.form.widget.state["R01"]["v"] is None and not sheet.form.widget.locked
    assert refusal_count(renewal_panel) == before + 1
    assert my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username) is None


def test_an_answer_from_the_page_is_checked_saved_and_shown(renewal_panel: dict) -> None:
    ctx, sheet = signed(renewal_panel)

    browser_sends(sheet.form.widget, {"id": "R01", "field": "verdict", "value": "符合"})

    full = sheet.rubric.item_points["R01"]
    assert sheet.points["R01"].value == full  # the single points 符合 allows, taken at once
    assert sheet.form.widget.state["R01"] == {"v": "符合", "p": full, "o": [[f"{full:g} 分", full]]}
    assert f"合计：{full:g} 分" in sheet.total.value
    stored = my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username)
    assert stored is not None and stored["rows"][0]["verdict"] == "符合"


def test_a_crafted_re_enable_of_a_locked_sheet_cannot_change_it(renewal_panel: dict) -> None:
    ctx, sheet = signed(renewal_panel)
    fill(sheet, 90)
    sheet.submit_button.click()

    sheet.submit_button.set_state({"disabled": False})
    sheet.submit_button.click()
    stored = my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username)

    assert stored["status"] == "已提交" and stored["total"] == 90
    assert "锁定" in sheet.messages.widget.value


def test_a_crafted_answer_to_a_locked_sheet_changes_nothing_and_is_logged(
    renewal_panel: dict,
) -> None:
    ctx, sheet = signed(renewal_panel)
    fill(sheet, 90)
    sheet.submit_button.click()
    before = refusal_count(renewal_panel)

    browser_sends(sheet.form.widget, {"id": "R01", "field": "verdict", "value": "不符合"})

    assert sheet.verdicts["R01"].value != "不符合" and sheet.form.widget.locked
    stored = my_sheet(ctx.store, renewal_panel["panel_id"], ctx.actor.username)
    assert stored["status"] == "已提交" and stored["total"] == 90
    assert refusal_count(renewal_panel) == before + 1


def test_an_expert_who_is_not_on_the_group_sees_a_refusal(renewal_panel: dict) -> None:
    world = renewal_panel["world"]
    outsider = context(world, world.experts["370100"][4])

    page = renewal_scoring.build(outsider, renewal_panel["panel_id"])

    assert isinstance(page, w.VBox)
    assert "不是该评估组成员" in page.children[1].value


def test_the_leader_sees_attachment_6_once_every_member_has_submitted_ren_05(
    renewal_panel: dict,
) -> None:
    scores = (82.0, 75.5, 79.0)
    pages = []
    for i, score in enumerate(scores):
        _, sheet = signed(renewal_panel, i)
        fill(sheet, score)
        sheet.submit_button.click()
        pages.append(sheet)
    leader = context(renewal_panel["world"], renewal_panel["experts"][0])

    page = renewal_scoring.build(leader, renewal_panel["panel_id"])

    html = page.children[1].children[1].value
    assert "综合得分：78.83" in html and "合格" in html


def test_the_page_needs_the_conflict_of_interest_declaration_first_sup_03(
    renewal_panel: dict,
) -> None:
    ctx = context(renewal_panel["world"], renewal_panel["experts"][1])

    page = renewal_scoring.build(ctx, renewal_panel["panel_id"])

    assert "利益冲突声明" in page.children[0].children[0].value


def test_the_43_item_form_is_one_widget_model_whatever_the_number_of_items(
    renewal_panel: dict,
) -> None:
    from ipywidgets.widgets.widget import _instances

    ctx = context(renewal_panel["world"], renewal_panel["experts"][0])
    before = set(_instances)
    form = Attachment4Form(ctx, rubrics.load("renewal"), lambda: None, author="x")
    made = [widget for key, widget in _instances.items() if key not in before]

    assert len(form.verdicts) == 43
    assert [type(widget).__name__ for widget in made if type(widget).__name__ != "Layout"] == [
        "ScoreTable"
    ]


def test_work_waiting_for_the_sheet_to_be_shown_runs_once_when_the_page_says_so(
    renewal_panel: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Loop:  # a served kernel's loop: the fallback timer is noted, not run
        def __init__(self) -> None:
            self.timers: list[float] = []

        def call_later(self, delay: float, _fn: Any) -> None:
            self.timers.append(delay)

    loop = Loop()
    monkeypatch.setattr(attachment4_form, "kernel_loop", lambda: loop)
    _, sheet = signed(renewal_panel)
    ran: list[str] = []
    before = refusal_count(renewal_panel)

    timers = len(loop.timers)  # the sheet's own hints wait too
    sheet.form.when_shown(lambda: ran.append("hints"))
    assert ran == [] and loop.timers[timers:] == [attachment4_form.SHOWN_AT_LATEST]
    browser_sends(sheet.form.widget, {"shown": True})
    browser_sends(sheet.form.widget, {"shown": True})

    assert ran == ["hints"]
    assert refusal_count(renewal_panel) == before  # saying so is not a forged answer
