"""退出 app driven in plain pytest: the exit procedures, and what the page must refuse."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from sqlalchemy import func, select

from casework import registry as r
from casework.domain import calendar
from casework.registry import scenario
from casework.registry.drafts import load_form_draft
from casework.store.tables import exit_cases, filings, refusals
from casework.ui import exits
from casework.ui.context import AppContext
from casework.ui.exits import ExitsPage
from tests.registry.conftest import JINAN, QINGDAO, World

from .worlds import Template, clone, context, two_filings

OFFICER = scenario.city_officer(JINAN)
MANAGER = f"manager{JINAN}"
PLAN = {
    "收尾计划": "2025年底前完成在考批次",
    "证书维护": "持续维护已发证书数据",
    "档案管理": "纸质档案保存3年、电子档案5年",
    "参评人员服务": "设专人答复查询",
}
RECEIVED = date(2025, 4, 30)
DUE = date(2025, 5, 26)  # 15 working days after 2025-04-30 (May Day holidays)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("exits"))


@pytest.fixture
def filing(template: Template, tmp_path: Path) -> Iterator[dict[str, Any]]:
    world = clone(template, tmp_path)
    yield {"world": world, **template["jinan"]}
    world.store.dispose()


def officer(world: World, today: date) -> AppContext:
    return replace(context(world, OFFICER.username), today=today)


def page_at(filing: dict[str, Any], today: date) -> ExitsPage:
    return ExitsPage(officer(filing["world"], today), filing["filing_id"])


def stored_filing(filing: dict[str, Any]) -> dict[str, Any]:
    with filing["world"].store.read() as conn:
        q = select(filings).where(filings.c.id == filing["filing_id"])
        return dict(conn.execute(q).mappings().one())


def stored_cases(filing: dict[str, Any]) -> list[dict[str, Any]]:
    with filing["world"].store.read() as conn:
        q = select(exit_cases).where(exit_cases.c.filing_id == filing["filing_id"])
        return [dict(row) for row in conn.execute(q).mappings()]


def refusal_count(world: World) -> int:
    with world.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(refusals)).scalar() or 0)


def investigate(filing: dict[str, Any], stop_at: str) -> int:
    """Drive a violation case to ``stop_at`` through the registry."""
    store, fid = filing["world"].store, filing["filing_id"]
    case = r.open_investigation(
        store, OFFICER, filing_id=fid, grounds="举报不考试就发证", on=date(2025, 4, 20)
    )
    if stop_at == "调查中":
        return int(case)
    r.serve_findings(store, OFFICER, case_id=case, findings="经查……", received_on=RECEIVED)
    if stop_at == "已告知":
        return int(case)
    r.record_statement(
        store, OFFICER, case_id=case, statement="无异议", received_on=date(2025, 5, 6)
    )
    if stop_at == "已申辩":
        return int(case)
    r.confirm_violation(
        store,
        OFFICER,
        case_id=case,
        circumstance="不考试就发证",
        basis="鲁人社函〔2025〕23号 三（二）",
        on=date(2025, 5, 7),
    )
    return int(case)


def withdraw(filing: dict[str, Any], stop_at: str) -> int:
    store = filing["world"].store
    case = r.apply_withdrawal(
        store, OFFICER, filing_id=filing["filing_id"], plan=PLAN, on=date(2025, 8, 1)
    )
    if stop_at == "收尾中":
        r.accept_withdrawal_plan(store, OFFICER, case_id=case, on=date(2025, 8, 5))
    return int(case)


def choose(page: ExitsPage, action: str, **values: Any) -> None:
    page.panel.choice.value = action
    for name, value in values.items():
        page.panel.fields[action][name].value = value


def act(page: ExitsPage, action: str, **values: Any) -> None:
    choose(page, action, **values)
    page.panel.buttons[action].click()


# --- what is offered ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("procedure", "state", "offered"),
    [
        (None, "有效", ("apply_withdrawal", "open_investigation", "record_extinction")),
        ("违规", "调查中", ("serve_findings", "restore", "record_extinction")),
        ("违规", "已告知", ("record_statement", "confirm", "restore", "record_extinction")),
        ("违规", "已申辩", ("confirm", "restore", "record_extinction")),
        ("违规", "收尾中", ("revoke", "record_extinction")),
        (
            "自愿撤销",
            "已申请",
            ("accept_plan", "cancel", "open_investigation", "record_extinction"),
        ),
        ("自愿撤销", "收尾中", ("complete", "open_investigation", "record_extinction")),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_only_the_actions_the_lifecycle_allows_in_the_state_are_offered_exit_01(
    filing: dict[str, Any], procedure: str | None, state: str, offered: tuple[str, ...]
) -> None:
    if procedure == "违规":
        investigate(filing, state)
    elif procedure == "自愿撤销":
        withdraw(filing, state)

    page = page_at(filing, date(2025, 9, 1))

    assert page.panel.offered == offered
    assert [v for _, v in page.panel.choice.options] == list(offered)


def test_a_terminated_filing_offers_no_action_and_says_why_exit_01(filing: dict[str, Any]) -> None:
    case = investigate(filing, "收尾中")
    r.revoke_filing(
        filing["world"].store, OFFICER, case_id=case, closing_work="已完成", on=date(2025, 6, 1)
    )

    page = page_at(filing, date(2025, 9, 1))

    assert page.panel.offered == ()
    assert "当前状态下没有可办理的事项" in page.panel.widget.value
    assert "违规撤销" in page.status.value and "终止备案" in page.status.value


# --- the violation due process --------------------------------------------------------------
def test_opening_an_investigation_suspends_the_filing_and_says_so_prominently_exit_04(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 8, 1))

    act(page, "open_investigation", grounds="举报伪造试卷")

    assert stored_filing(filing)["status"] == "暂停"
    assert stored_cases(filing)[0]["grounds"] == "举报伪造试卷"
    assert "考核活动和证书数据审核上网已暂停（EXIT-04）" in page.status.value
    assert "cw-suspended" in page.status.value


def test_an_investigation_without_grounds_is_refused_and_nothing_is_written_exit_04(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 8, 1))

    act(page, "open_investigation", grounds="  ")

    assert "EXIT-04" in page.messages.widget.value and "事由" in page.messages.widget.value
    assert stored_filing(filing)["status"] == "有效" and stored_cases(filing) == []


def test_serving_findings_sets_the_statement_due_fifteen_working_days_after_receipt_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "调查中")
    page = page_at(filing, date(2025, 5, 6))
    choose(page, "serve_findings", findings="经查，存在不考试就发证的情形", received_on=RECEIVED)
    assert str(DUE) in page.panel.fields["serve_findings"]["due"].value

    page.panel.buttons["serve_findings"].click()

    assert stored_cases(filing)[0]["statement_due"] == DUE
    assert str(DUE) in page.messages.widget.value
    left = calendar.workdays_left(date(2025, 5, 6), DUE)
    assert f"剩余 <b>{left}</b> 个工作日" in page.countdown.value
    assert "cw-overdue" not in page.countdown.value


def test_findings_received_in_the_future_are_refused_and_nothing_is_written_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "调查中")
    page = page_at(filing, date(2025, 5, 6))

    act(page, "serve_findings", findings="经查……", received_on=date(2025, 5, 7))

    assert "EXIT-05" in page.messages.widget.value and "将来" in page.messages.widget.value
    assert stored_cases(filing)[0]["status"] == "调查中"


def test_the_countdown_turns_red_once_the_statement_period_has_lapsed_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已告知")

    page = page_at(filing, DUE + timedelta(days=1))

    assert (
        "cw-overdue" in page.countdown.value and "已逾期 <b>1</b> 个工作日" in page.countdown.value
    )


def test_a_statement_received_after_the_due_date_is_refused_and_logged_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已告知")
    page = page_at(filing, date(2025, 6, 3))
    before = refusal_count(filing["world"])

    act(page, "record_statement", statement="迟到的申辩", received_on=date(2025, 5, 27))

    assert "EXIT-05" in page.messages.widget.value and "逾期" in page.messages.widget.value
    case = stored_cases(filing)[0]
    assert (case["status"], case["statement"]) == ("已告知", "")
    assert refusal_count(filing["world"]) == before + 1


def test_confirmation_is_disabled_during_the_statement_period_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已告知")

    page = page_at(filing, DUE)

    assert page.panel.buttons["confirm"].disabled
    assert "期满前不能认定（EXIT-05）" in page.panel.forms["confirm"].children[0].value


def test_a_crafted_click_on_the_disabled_confirm_button_writes_nothing_and_is_logged(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已告知")
    page = page_at(filing, DUE)
    choose(page, "confirm", circumstance="V-06", basis="")
    before = refusal_count(filing["world"])

    page.panel.buttons["confirm"]._handle_button_msg(None, {"event": "click"}, [])

    assert stored_cases(filing)[0]["status"] == "已告知"
    assert refusal_count(filing["world"]) == before + 1


def test_a_crafted_re_enable_of_confirm_is_refused_by_the_registry_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已告知")
    page = page_at(filing, DUE)
    choose(page, "confirm", circumstance="V-06", basis="")
    before = refusal_count(filing["world"])

    page.panel.buttons["confirm"].set_state({"disabled": False})
    page.panel.buttons["confirm"].click()

    assert stored_cases(filing)[0]["status"] == "已告知"
    assert "EXIT-05" in page.messages.widget.value
    assert refusal_count(filing["world"]) == before + 1


def test_after_a_recorded_statement_the_violation_is_confirmed_and_revoked_exit_06(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已告知")
    page = page_at(filing, date(2025, 5, 8))
    act(page, "record_statement", statement="对事实无异议", received_on=date(2025, 5, 8))
    assert not page.panel.buttons["confirm"].disabled

    act(page, "confirm", circumstance="V-06", basis="鲁人社函〔2025〕23号 三（二）")
    act(page, "revoke", closing_work="合规数据已上报，证书已发放")

    row = stored_filing(filing)
    assert (row["status"], row["end_reason"], row["ended_on"]) == (
        "终止备案",
        "违规撤销",
        date(2025, 5, 8),
    )
    assert stored_cases(filing)[0]["basis"] == "鲁人社函〔2025〕23号 三（二）"
    assert page.panel.offered == ()


def test_revocation_without_closing_work_is_refused_exit_06(filing: dict[str, Any]) -> None:
    investigate(filing, "收尾中")
    page = page_at(filing, date(2025, 6, 1))

    act(page, "revoke", closing_work="")

    assert "EXIT-06" in page.messages.widget.value
    assert stored_filing(filing)["status"] == "暂停"


def test_restoring_makes_the_filing_active_again_exit_06(filing: dict[str, Any]) -> None:
    investigate(filing, "调查中")
    page = page_at(filing, date(2025, 5, 6))

    act(page, "restore", reason="经查举报不实")

    assert stored_filing(filing)["status"] == "有效"
    assert stored_cases(filing)[0]["status"] == "已恢复"
    assert "暂停" not in page.status.value


# --- voluntary withdrawal and extinction ----------------------------------------------------
def test_a_wind_down_plan_missing_a_part_is_refused_and_nothing_is_written_exit_02(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 8, 1))

    act(page, "apply_withdrawal", 收尾计划="年底前完成在考批次", 证书维护="持续维护")

    assert "EXIT-02" in page.messages.widget.value
    assert "档案管理" in page.messages.widget.value and "参评人员服务" in page.messages.widget.value
    assert stored_cases(filing) == []
    assert page.panel.fields["apply_withdrawal"]["收尾计划"].value == "年底前完成在考批次"


def test_a_voluntary_withdrawal_ends_the_filing_after_the_closing_work_exit_02(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 8, 1))
    act(page, "apply_withdrawal", **PLAN)
    assert stored_cases(filing)[0]["status"] == "已申请"

    act(page, "accept_plan")
    act(page, "complete", closing_work="数据已上报、证书已发放")

    row = stored_filing(filing)
    assert (row["status"], row["end_reason"]) == ("终止备案", "自愿撤销")
    assert stored_cases(filing)[0]["status"] == "已撤销"


def test_extinction_revokes_the_filing_from_the_date_of_extinction_exit_07(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 9, 1))

    act(page, "record_extinction", extinct_on=date(2025, 8, 15), evidence="注销登记通知书")

    row = stored_filing(filing)
    assert (row["status"], row["end_reason"], row["ended_on"]) == (
        "终止备案",
        "主体灭失",
        date(2025, 8, 15),
    )


def test_an_extinction_date_in_the_future_is_refused_exit_07(filing: dict[str, Any]) -> None:
    page = page_at(filing, date(2025, 9, 1))

    act(page, "record_extinction", extinct_on=date(2025, 9, 2), evidence="注销登记通知书")

    assert "EXIT-07" in page.messages.widget.value
    assert stored_filing(filing)["status"] == "有效"


# --- who may open what ----------------------------------------------------------------------
def test_a_filing_of_another_city_is_refused_and_logged_sup_01(filing: dict[str, Any]) -> None:
    world = filing["world"]
    qingdao = context(world, scenario.city_officer(QINGDAO).username)
    before = refusal_count(world)

    page = exits.build(qingdao, filing["filing_id"])

    assert "其他城市" in page.children[1].value and "SUP-01" in page.children[1].value
    assert refusal_count(world) == before + 1


def test_an_expert_cannot_open_the_exit_page(filing: dict[str, Any]) -> None:
    world = filing["world"]

    page = exits.build(context(world, world.experts[JINAN][0]), filing["filing_id"])

    assert "仅限市级经办、市级负责人" in page.children[1].value


def test_a_crafted_action_outside_the_options_is_refused_and_logged(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 8, 1))
    before = refusal_count(filing["world"])

    page.panel.choice.set_state({"index": 9})

    assert page.panel.choice.value is None and page.panel.body.children == ()
    assert refusal_count(filing["world"]) == before + 1
    assert stored_cases(filing) == []


def test_the_picker_lists_only_the_city_s_filings_and_refuses_a_crafted_one(
    filing: dict[str, Any],
) -> None:
    world = filing["world"]
    ctx = officer(world, date(2025, 8, 1))
    page = exits.build(ctx)
    dropdown = page.children[1].children[0]
    before = refusal_count(world)

    dropdown.set_state({"index": 5})

    assert [v for _, v in dropdown.options] == [filing["filing_id"]]
    assert refusal_count(world) == before + 1
    page.children[1].children[1].click()
    assert isinstance(page.children[3].children[0], w.VBox)
    assert "济南鲁锦织造有限公司" in page.children[3].children[0].children[1].children[0].value


# --- drafts ---------------------------------------------------------------------------------
def _violation(state: str) -> Any:
    return lambda filing: investigate(filing, state)


TYPED = [
    (None, "apply_withdrawal", {**PLAN, "on": date(2025, 7, 30)}),
    (None, "open_investigation", {"grounds": "举报伪造试卷"}),
    (None, "record_extinction", {"extinct_on": date(2025, 4, 2), "evidence": "注销登记通知书"}),
    (_violation("调查中"), "serve_findings", {"findings": "经查……", "received_on": RECEIVED}),
    (_violation("调查中"), "restore", {"reason": "经查举报不实"}),
    (_violation("已告知"), "record_statement", {"statement": "无异议", "received_on": DUE}),
    (
        _violation("已申辩"),
        "confirm",
        {
            "circumstance": "V-01",
            "detail": "组织考生代考",
            "basis": "鲁人社函〔2025〕23号 三（二）",
        },
    ),
    (_violation("收尾中"), "revoke", {"closing_work": "合规数据已上报"}),
    (lambda filing: withdraw(filing, "收尾中"), "complete", {"closing_work": "证书已发放"}),
]


@pytest.mark.parametrize(("arrange", "action", "values"), TYPED, ids=[t[1] for t in TYPED])
def test_what_was_typed_comes_back_after_a_reload_for_the_same_officer_only(
    filing: dict[str, Any], arrange: Any, action: str, values: dict[str, Any]
) -> None:
    if arrange is not None:
        arrange(filing)
    today = date(2025, 8, 1)
    choose(page_at(filing, today), action, **values)

    again = page_at(filing, today)
    manager = ExitsPage(
        replace(context(filing["world"], MANAGER), today=today), filing["filing_id"]
    )

    typed = again.panel.fields[action]
    assert {name: typed[name].value for name in values} == values
    blank = manager.panel.fields[action]
    assert all(blank[name].value != value for name, value in values.items())


def test_serving_findings_restored_from_a_draft_shows_the_statement_due_exit_05(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "调查中")
    choose(page_at(filing, date(2025, 5, 6)), "serve_findings", received_on=RECEIVED)

    again = page_at(filing, date(2025, 5, 6))

    assert str(DUE) in again.panel.fields["serve_findings"]["due"].value


def test_after_an_action_succeeds_its_form_comes_back_empty_after_a_reload(
    filing: dict[str, Any],
) -> None:
    page = page_at(filing, date(2025, 8, 1))
    act(page, "open_investigation", grounds="举报伪造试卷")
    act(page, "restore", reason="经查举报不实")

    again = page_at(filing, date(2025, 8, 1))

    store, key = filing["world"].store, str(filing["filing_id"])
    assert load_form_draft(store, OFFICER, "exits:open_investigation", key) == {}
    assert load_form_draft(store, OFFICER, "exits:restore", key) == {}
    assert [c["status"] for c in stored_cases(filing)] == ["已恢复"]
    assert again.panel.fields["open_investigation"]["grounds"].value == ""


def test_a_completed_exit_is_archived_on_submission_exit_08(
    filing: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import threading

    from casework.store.tables import archive_entries

    monkeypatch.setenv("CASEWORK_ARCHIVE_ON_SUBMIT", "1")
    monkeypatch.setenv("CASEWORK_ARCHIVE", str(tmp_path / "archive"))
    page = page_at(filing, date(2025, 9, 1))

    act(page, "record_extinction", extinct_on=date(2025, 8, 15), evidence="注销登记通知书")
    for thread in [t for t in threading.enumerate() if t.name.startswith("archive-exit-")]:
        thread.join(timeout=300)

    with filing["world"].store.read() as conn:
        archived = conn.execute(
            select(archive_entries.c.procedure, archive_entries.c.case_id)
        ).all()
    assert ("exit", filing["filing_id"]) in [tuple(a) for a in archived]
    assert "归档报告已生成" in page.messages.widget.value


# --- Attachment 8 composed from structured fields (EXIT-06) -----------------------------------
def test_the_circumstance_is_chosen_from_the_notices_list_exit_06(filing: dict[str, Any]) -> None:
    investigate(filing, "已申辩")

    page = page_at(filing, date(2025, 5, 8))

    options = [v for _, v in page.panel.fields["confirm"]["circumstance"].options]
    assert "V-06" in options and "W-01" not in options


def test_the_preview_shows_attachment_8_as_it_will_be_issued_exit_06(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已申辩")
    page = page_at(filing, date(2025, 5, 8))

    choose(page, "confirm", circumstance="V-06")

    preview = page.panel.fields["confirm"]["preview"].value
    assert "因你单位出现不考试就发证情形" in preview
    assert "2025年4月20日对你单位立案调查" in preview
    assert "情形。情形" not in preview and "经复核，" not in preview


def test_a_general_circumstance_without_the_concrete_act_is_refused_exit_06(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已申辩")
    page = page_at(filing, date(2025, 5, 8))

    act(page, "confirm", circumstance="V-01", detail="")

    assert "EXIT-06" in page.messages.widget.value
    assert stored_cases(filing)[0]["status"] == "已申辩"


def test_a_pasted_sentence_as_the_concrete_act_is_refused_exit_06(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已申辩")
    page = page_at(filing, date(2025, 5, 8))

    act(page, "confirm", circumstance="V-01", detail="经复核，存在违规情形。")

    assert "具体行为" in page.messages.widget.value
    assert stored_cases(filing)[0]["status"] == "已申辩"


def test_the_recorded_circumstance_gives_the_letter_the_preview_showed_exit_06(
    filing: dict[str, Any],
) -> None:
    from casework.documents import build

    investigate(filing, "已申辩")
    page = page_at(filing, date(2025, 5, 8))
    choose(page, "confirm", circumstance="V-01", detail="组织考生代考")
    shown = page.panel.fields["confirm"]["preview"].value

    page.panel.buttons["confirm"].click()
    act(page, "revoke", closing_work="合规数据已上报")

    case = stored_cases(filing)[0]
    assert case["circumstance"] == "违反法律法规、职业技能评价工作有关规定（组织考生代考）"
    letter = build(filing["world"].store, "revocation", filing["filing_id"]).plain_text
    assert "因你单位出现违反法律法规、职业技能评价工作有关规定（组织考生代考）情形" in letter
    assert "组织考生代考" in shown


def test_a_crafted_circumstance_outside_the_list_is_refused_and_logged(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "已申辩")
    page = page_at(filing, date(2025, 5, 8))
    before = refusal_count(filing["world"])

    page.panel.fields["confirm"]["circumstance"].set_state({"index": 999})

    assert page.panel.fields["confirm"]["circumstance"].value is None
    assert refusal_count(filing["world"]) == before + 1


def test_the_exit_page_offers_the_suspension_findings_and_revocation_letters(
    filing: dict[str, Any],
) -> None:
    investigate(filing, "收尾中")
    page = page_at(filing, date(2025, 6, 1))
    act(page, "revoke", closing_work="合规数据已上报")

    section = page.body.children[-1]
    offered = [v for child in section.children for _, v in getattr(child, "options", ())]

    assert any(v.startswith("revocation:") for v in offered)
    assert any(v.startswith("suspension:") for v in offered)
    assert any(v.startswith("findings:") for v in offered)


# --- closing work after expiry, a failed renewal or extinction (EXIT-08) ---------------------
def extinct(filing: dict[str, Any]) -> None:
    """The filing ended by extinction (EXIT-07): its closing work is tracked (EXIT-08)."""
    r.record_extinction(
        filing["world"].store,
        OFFICER,
        filing_id=filing["filing_id"],
        extinct_on=date(2025, 8, 15),
        evidence="注销登记通知书",
        on=date(2025, 8, 20),
    )


def stored_closing(filing: dict[str, Any]) -> dict[str, Any]:
    from casework.queries.closing import closing_work_of

    work = closing_work_of(filing["world"].store, filing["filing_id"])
    assert work is not None
    return work


def test_an_ended_filing_shows_its_four_closing_parts_and_offers_to_record_one_exit_08(
    filing: dict[str, Any],
) -> None:
    extinct(filing)

    page = page_at(filing, date(2025, 9, 1))

    shown = page.closing.value
    assert "收尾工作（主体灭失" in shown and "0/4项已完成" in shown
    for part in ("收尾计划", "证书维护", "档案管理", "参评人员服务"):
        assert part in shown
    assert shown.count("未完成") == 4
    assert "record_closing_work" in page.panel.offered


def test_recording_a_part_done_shows_its_date_note_and_the_officers_name_exit_08(
    filing: dict[str, Any],
) -> None:
    extinct(filing)
    page = page_at(filing, date(2025, 9, 1))

    act(page, "record_closing_work", part="档案管理", note="档案已移交市局档案室")

    work = stored_closing(filing)
    assert work["parts"]["档案管理"]["note"] == "档案已移交市局档案室"
    shown = page.closing.value
    assert "档案已移交市局档案室" in shown and "2025-09-01" in shown
    assert OFFICER.username not in shown and "370100经办人" in shown
    assert "1/4项已完成" in shown
    assert "档案管理" not in page.panel.fields["record_closing_work"]["part"].options


def test_the_last_part_completes_the_closing_work_and_the_action_is_gone_exit_08(
    filing: dict[str, Any],
) -> None:
    extinct(filing)
    page = page_at(filing, date(2025, 9, 1))

    for part in ("收尾计划", "证书维护", "档案管理", "参评人员服务"):
        act(page, "record_closing_work", part=part, note=f"{part}已完成")

    assert stored_closing(filing)["completed_on"] == date(2025, 9, 1)
    assert "全部完成" in page.closing.value
    assert "record_closing_work" not in page.panel.offered


def test_a_crafted_part_is_refused_as_forged_and_nothing_is_written_exit_08(
    filing: dict[str, Any],
) -> None:
    extinct(filing)
    page = page_at(filing, date(2025, 9, 1))
    choose(page, "record_closing_work", note="已完成")
    field = page.panel.fields["record_closing_work"]["part"]
    before = refusal_count(filing["world"])

    field.set_state({"index": 9})

    assert refusal_count(filing["world"]) == before + 1
    assert field.value == "收尾计划"  # the field keeps an offered part
    assert stored_closing(filing)["parts"] == {}


def test_an_empty_note_or_another_citys_request_is_refused_on_the_server_exit_08(
    filing: dict[str, Any],
) -> None:
    extinct(filing)
    page = page_at(filing, date(2025, 9, 1))
    before = refusal_count(filing["world"])

    act(page, "record_closing_work", part="证书维护", note="  ")
    qingdao = context(filing["world"], scenario.city_officer(QINGDAO).username)
    with pytest.raises(Exception, match="其他城市"):
        qingdao.run(
            r.record_closing_work,
            filing_id=filing["filing_id"],
            part="证书维护",
            note="已完成",
            on=date(2025, 9, 1),
        )

    assert "须写明" in page.messages.widget.value
    assert stored_closing(filing)["parts"] == {}
    assert refusal_count(filing["world"]) == before + 2


def test_a_filing_without_closing_work_shows_none(filing: dict[str, Any]) -> None:
    page = page_at(filing, date(2025, 9, 1))

    assert page.closing.value == "" and "record_closing_work" not in page.panel.offered
