"""``%load_ext casework`` in a real IPython shell: rich displays and the case-officer magics."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from sqlalchemy import select, update

from casework import registry as r
from casework.domain import rubrics, scoring
from casework.queries.cards import FilingTimeline, InstitutionCard
from casework.registry import scenario
from casework.registry.sheets import renewal_frames, selection_frame
from casework.store.tables import audit_log
from tests.registry.conftest import JINAN, World
from tests.ui.worlds import Template, clone, two_filings

OFFICER = scenario.city_officer(JINAN)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("extension"))


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    copy = clone(template, tmp_path)
    yield copy
    copy.store.dispose()


@pytest.fixture
def shell(world: World) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "casework")
    ip.run_line_magic("casework_db", world.url)
    yield ip
    ip.run_line_magic("unload_ext", "casework")


def html_of(ip: InteractiveShell, obj: Any) -> str:
    data, _ = ip.display_formatter.format(obj)
    return str(data.get("text/html", ""))


def revoked_with_history(world: World, template: dict[str, Any]) -> int:
    """The Jinan filing: an incident with a follow-up, escalated, then the due process to
    revocation (EXIT-04…EXIT-06); returns the filing id."""
    store, ids = world.store, template["jinan"]
    incident = r.open_incident(
        store,
        OFFICER,
        institution_id=ids["institution_id"],
        category="投诉举报",
        description="举报代考",
        on=date(2025, 4, 10),
    )
    r.follow_up_incident(
        store, OFFICER, incident_id=incident, text="约谈负责人", on=date(2025, 4, 15)
    )
    case = r.escalate_incident(
        store, OFFICER, incident_id=incident, grounds="代考", on=date(2025, 4, 20)
    )
    r.serve_findings(
        store, OFFICER, case_id=case, findings="经查属实", received_on=date(2025, 4, 30)
    )
    r.record_statement(
        store, OFFICER, case_id=case, statement="无异议", received_on=date(2025, 5, 6)
    )
    r.confirm_violation(
        store,
        OFFICER,
        case_id=case,
        circumstance="组织代考",
        basis="鲁人社函〔2025〕23号 三（二）",
        on=date(2025, 5, 7),
    )
    r.revoke_filing(store, OFFICER, case_id=case, closing_work="证书已发放", on=date(2025, 6, 2))
    return int(ids["filing_id"])


def test_importing_casework_loads_no_storage_or_table_library() -> None:
    heavy = "{'pandas', 'sqlalchemy', 'ipywidgets'}"
    code = f"import sys, casework; print(sorted({heavy} & set(sys.modules)))"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


def test_the_institution_magic_shows_the_card_with_its_chinese_fields(
    shell: InteractiveShell, template: dict[str, Any]
) -> None:
    ids = template["jinan"]

    card = shell.run_line_magic("institution", str(ids["institution_id"]))

    html = html_of(shell, card)
    assert isinstance(card, InstitutionCard) and card.filing_id == ids["filing_id"]
    for text in (
        "考核机构",
        "统一社会信用代码",
        card.uscc,
        "济南",
        card.code,
        "有效期",
        "自2025年",
    ):
        assert text in html
    assert "备案状态" in html and "有效" in html and "项目P001" in html


def test_the_institution_magic_finds_an_institution_by_its_uscc(
    shell: InteractiveShell, template: dict[str, Any]
) -> None:
    first = shell.run_line_magic("institution", str(template["qingdao"]["institution_id"]))

    again = shell.run_line_magic("institution", first.uscc)

    assert again == first and again.city == "青岛"


def test_an_unknown_institution_is_a_chinese_usage_error(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="未找到考核机构"):
        shell.run_line_magic("institution", "99999")


def test_the_timeline_lists_the_filing_s_dated_events_with_who_recorded_them_exit_04_exit_06(
    shell: InteractiveShell, world: World, template: dict[str, Any]
) -> None:
    filing_id = revoked_with_history(world, template)

    timeline = shell.run_line_magic("timeline", str(filing_id))

    assert isinstance(timeline, FilingTimeline)
    frame = timeline.frame
    assert frame["date"].is_monotonic_increasing
    events = list(frame["event"])
    expected = ["备案", "登记监管事项", "监管跟进", "转立案调查", "立案调查（备案暂停）"]
    expected += ["送达书面核查意见", "收到陈述申辩", "收尾完成、撤销备案", "终止备案"]
    assert [e for e in events if e in expected] == expected
    assert frame["detail"].iloc[events.index("终止备案")] == "违规撤销"
    follow = frame[frame["event"] == "监管跟进"].iloc[0]
    assert (follow["recorded_by"], follow["command"]) == (OFFICER.username, "登记监管跟进")
    # the registry keeps no date for a confirmation: the audit log's time of recording is used
    confirm = frame[frame["event"] == "认定违规、指导收尾"].iloc[0]
    with world.store.read() as conn:
        at = conn.execute(select(audit_log.c.at).where(audit_log.c.command == "认定违规")).scalar()
    assert confirm["date"] == pd.Timestamp(str(at)[:10]) and confirm["command"] == "认定违规"
    html = html_of(shell, timeline)
    assert "备案时间线" in html and "立案调查（备案暂停）" in html and "EXIT-04" in html


def test_the_timeline_magic_accepts_the_filing_code(
    shell: InteractiveShell, template: dict[str, Any]
) -> None:
    by_id = shell.run_line_magic("timeline", str(template["jinan"]["filing_id"]))

    by_code = shell.run_line_magic("timeline", by_id.code)

    assert by_code.filing_id == by_id.filing_id
    assert list(by_code.frame["event"]) == ["备案", "备案考核项目"]


def test_the_catalog_magic_filters_by_city_name_or_code(
    shell: InteractiveShell, template: dict[str, Any]
) -> None:
    by_name = shell.run_line_magic("catalog", "济南")
    by_code = shell.run_line_magic("catalog", JINAN)
    everything = shell.run_line_magic("catalog", "")

    assert list(by_name["备案编号"]) == [template["jinan"]["filing_id"]]
    assert by_name.equals(by_code) and len(everything) == 2
    assert "考核机构名称" in by_name.columns and "备案状态" in by_name.columns
    with pytest.raises(UsageError, match="未知城市"):
        shell.run_line_magic("catalog", "火星")


def test_the_deadlines_magic_lists_a_statement_period_exit_05(
    shell: InteractiveShell, world: World, template: dict[str, Any]
) -> None:
    case = r.open_investigation(
        world.store,
        OFFICER,
        filing_id=template["jinan"]["filing_id"],
        grounds="代考",
        on=date(2025, 4, 20),
    )
    r.serve_findings(
        world.store, OFFICER, case_id=case, findings="经查", received_on=date(2025, 4, 30)
    )

    frame = shell.run_line_magic("deadlines", "济南")

    assert list(frame["期限"]) == ["陈述申辩截止"]
    assert (
        frame["截止日期"].iloc[0] == pd.Timestamp(2025, 5, 26)
        and frame["规则"].iloc[0] == "EXIT-05"
    )


def test_audit_verify_passes_an_intact_log_and_names_a_tampered_entry(
    shell: InteractiveShell, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shell.run_line_magic("audit_verify", "") is None
    assert "哈希链校验通过" in capsys.readouterr().out
    with world.store.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(actor="someone"))

    problems = shell.run_line_magic("audit_verify", "")

    assert "校验未通过" in capsys.readouterr().out
    assert list(problems["问题"]) == ["篡改"] and list(problems["序号"]) == [3]


def test_casework_db_shows_and_switches_the_store(
    shell: InteractiveShell, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other" / "empty.db"

    shell.run_line_magic("casework_db", str(other))
    shell.run_line_magic("casework_db", "")

    out = capsys.readouterr().out
    assert "已切换到数据库" in out and "当前数据库" in out and str(other) in out
    assert shell.run_line_magic("catalog", "").empty


def test_attachment_6_renders_as_a_chinese_table_ren_05(shell: InteractiveShell) -> None:
    rubric = rubrics.load("renewal")
    pairs = [
        renewal_frames(scenario.renewal_rows(s), scenario.veto_rows(), f"专家{i}")
        for i, s in enumerate((82.0, 75.5, 79.0))
    ]
    summary = scoring.renewal_outcome(rubric, [p[0] for p in pairs], [p[1] for p in pairs])

    html = html_of(shell, summary)

    assert "续期评估组意见反馈表（附件6）" in html and f"{summary.composite:g}" in html
    assert "合格" in html and "专家评分" in html and "一级指标得分" in html and "专家2" in html


def test_a_selection_verdict_renders_each_condition_and_the_conclusion_sel_04(
    shell: InteractiveShell,
) -> None:
    rubric = rubrics.load("selection")
    first = rubric.conditions.sub_id.iloc[0]
    sheets = [
        selection_frame(scenario.full_selection_rows(failing=(first,) if m < 2 else ()), f"专家{m}")
        for m in range(3)
    ]
    verdict = scoring.evaluate_selection(rubric, sheets)

    html = html_of(shell, verdict)

    assert "遴选评估组意见（附件1）" in html and "不符合备案条件" in html
    assert f"<td>{first}</td>" in html and "1/3" in html


def test_unloading_removes_the_magics_and_the_displays(
    world: World, template: dict[str, Any]
) -> None:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "casework")
    ip.run_line_magic("casework_db", world.url)
    card = ip.run_line_magic("institution", str(template["jinan"]["institution_id"]))

    ip.run_line_magic("unload_ext", "casework")

    assert "timeline" not in ip.magics_manager.magics["line"]
    assert "text/html" not in ip.display_formatter.format(card)[0]
