"""The 报送与收尾 tab (issue #14): on the 全省看板 the cities' reports waiting for the province's
acknowledgement and the latest catalog edition (SEL-08, REN-08, SEL-09); on the 本市看板 the
cleared applications not yet reported (SEL-08) and the filings whose closing work is open
(EXIT-08) — each scoped on the server to what the user may see (SUP-01)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from casework import registry as r
from casework.dashboard import city, province
from casework.dashboard.board import Dashboard
from casework.dashboard.sections_pending import Pending
from casework.queries.province import applications_to_report
from casework.registry import scenario

from .conftest import JINAN, QINGDAO, Demo, other_city_markers


def pending(board: Dashboard) -> tuple[Pending, str]:
    """The tab drawn, and its text (notes and every table's visible page)."""
    index = next(i for i, s in enumerate(board.sections) if isinstance(s, Pending))
    board.tabs.selected_index = index
    section = board.sections[index]
    assert isinstance(section, Pending)
    html = " ".join(str(getattr(c, "value", "")) for c in section.widget.children)
    html += " ".join(t.body.value for t in vars(section).values() if hasattr(t, "body"))
    return section, html


def value(html: str, css: str) -> int:
    found = re.search(rf'class="cw-note {css}" data-value="(\d+)"', html)
    assert found, css
    return int(found[1])


def active_filing(demo: Demo, city_code: str) -> int:
    return demo.count(
        "SELECT min(id) FROM filings WHERE city_code = :c AND status = '有效'", c=city_code
    )


@pytest.fixture(scope="module")
def arranged(demo: Demo) -> dict[str, int]:
    """A report of Qingdao waiting for acknowledgement, and one Jinan and one Qingdao filing
    ended by extinction, so that each list has an entry of its own to find."""
    ids: dict[str, int] = {}
    for code in (JINAN, QINGDAO):
        fid = active_filing(demo, code)
        r.record_extinction(
            demo.store,
            scenario.city_officer(code),
            filing_id=fid,
            extinct_on=date(2026, 10, 1),
            evidence="注销登记通知书",
            on=date(2026, 10, 10),
        )
        ids[code] = fid
    renewed = demo.sql(
        "SELECT rc.id FROM renewal_cases rc JOIN filings f ON f.id = rc.filing_id"
        " WHERE f.city_code = :c AND rc.status IN ('合格', '不合格')",
        c=QINGDAO,
    )
    if len(renewed):
        ids["report"] = int(
            r.report_to_province(
                demo.store,
                scenario.city_officer(QINGDAO),
                city_code=QINGDAO,
                kind="续期结果",
                case_ids=[int(renewed["id"].iloc[0])],
                on=date(2026, 10, 12),
            )
        )
    return ids


def test_the_province_sees_every_report_waiting_for_acknowledgement_sel_08_ren_08(
    demo: Demo, arranged: dict[str, int]
) -> None:
    board = Dashboard(demo.context("province"), province.HEADING)

    _, html = pending(board)

    waiting = demo.count("SELECT count(*) FROM province_reports WHERE acknowledged_on IS NULL")
    assert waiting >= 1
    assert value(html, "cw-reports-waiting") == waiting
    assert "待确认的市级报送" in html and "青岛" in html


def test_an_acknowledged_report_leaves_the_list_and_the_city_filter_applies(
    demo: Demo, arranged: dict[str, int]
) -> None:
    board = Dashboard(demo.context("province"), province.HEADING)
    board.city.value = JINAN
    _, jinan = pending(board)
    board.city.value = QINGDAO
    _, before = pending(board)
    report = demo.count(
        "SELECT max(id) FROM province_reports WHERE acknowledged_on IS NULL AND city_code = :c",
        c=QINGDAO,
    )

    r.acknowledge_province_report(
        demo.store, scenario.PROVINCE_ACTOR, report_id=report, on=date(2026, 10, 14)
    )
    board.city.value = ""
    board.city.value = QINGDAO
    _, after = pending(board)

    assert value(jinan, "cw-reports-waiting") == demo.count(
        "SELECT count(*) FROM province_reports WHERE acknowledged_on IS NULL AND city_code = :c",
        c=JINAN,
    )
    assert value(after, "cw-reports-waiting") == value(before, "cw-reports-waiting") - 1


def test_the_province_sees_the_latest_catalog_edition_number_date_and_changes_sel_09(
    demo: Demo,
) -> None:
    r.publish_catalog_edition(demo.store, scenario.PROVINCE_ACTOR, on=date(2026, 10, 14))
    latest = demo.sql(
        "SELECT id, published_on, changes FROM catalog_editions ORDER BY id DESC LIMIT 1"
    )
    board = Dashboard(demo.context("province"), province.HEADING)

    _, html = pending(board)

    number = int(latest["id"].iloc[0])
    assert value(html, "cw-edition") == number
    assert f"第{number}期" in html and "2026-10-14发布" in html
    assert re.search(r"较上期变化 \d+ 项", html)


def test_the_city_sees_its_cleared_applications_not_yet_reported_sel_08(
    demo: Demo, arranged: dict[str, int]
) -> None:
    board = Dashboard(demo.context("manager370100"), city.HEADING)

    _, html = pending(board)

    due = applications_to_report(demo.store, JINAN)
    assert value(html, "cw-to-report") == len(due)
    assert all(name in html for name in due["institution"].head(25))


def test_the_city_sees_its_own_open_closing_work_and_no_other_citys_exit_08_sup_01(
    demo: Demo, arranged: dict[str, int]
) -> None:
    board = Dashboard(demo.context("manager370100"), city.HEADING)

    _, html = pending(board)

    jinan_name = demo.sql(
        "SELECT i.name FROM institutions i JOIN filings f ON f.institution_id = i.id"
        " WHERE f.id = :f",
        f=arranged[JINAN],
    )["name"].iloc[0]
    open_work = demo.count(
        "SELECT count(*) FROM closing_work w JOIN filings f ON f.id = w.filing_id"
        " WHERE f.city_code = :c AND w.completed_on IS NULL",
        c=JINAN,
    )
    assert value(html, "cw-closing-open") == open_work >= 1
    assert jinan_name in html and "主体灭失" in html
    assert [m for m in other_city_markers(demo, JINAN) if m in html] == []
    assert "待确认的市级报送" not in html


def test_recording_the_last_closing_part_takes_the_filing_off_the_city_list_exit_08(
    demo: Demo, arranged: dict[str, int]
) -> None:
    fid = arranged[JINAN]
    for part in ("收尾计划", "证书维护", "档案管理", "参评人员服务"):
        r.record_closing_work(
            demo.store,
            scenario.city_officer(JINAN),
            filing_id=fid,
            part=part,
            note="已完成",
            on=date(2026, 10, 14),
        )
    board = Dashboard(demo.context("manager370100"), city.HEADING)

    _, html = pending(board)

    code = demo.sql("SELECT code FROM filings WHERE id = :f", f=fid)["code"].iloc[0]
    assert code not in html
