"""The dashboards as widgets in plain pytest: counts follow the filters, every tab draws, a
city's page holds nothing of another city (page and widget state), crafted values are
refused and logged."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances

from casework.dashboard import city, province
from casework.dashboard.board import Dashboard
from casework.dashboard.sections import Deadlines
from casework.registry import scenario
from casework.registry.catalog import actor_for
from casework.store.engine import open_store
from casework.ui.context import AppContext
from tests.backend import store_url

from .conftest import JINAN, QINGDAO, Demo, other_city_markers


def kpi(board: Dashboard, status: str) -> int:
    html = board.sections[0].widget.children[0].value
    marker = f'data-status="{status}" data-value="'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index('"', start)])


def every_tab(board: Dashboard) -> None:
    for i in range(len(board.sections)):
        board.tabs.selected_index = i
    board.tabs.selected_index = 0


@pytest.fixture(scope="module")
def city_board(demo: Demo) -> Iterator[tuple[Dashboard, str]]:
    """A Jinan manager's dashboard, every tab drawn, and the state of every widget it made."""
    before = set(_instances)
    board = Dashboard(demo.context("manager370100"), city.HEADING)
    every_tab(board)
    made = [widget for key, widget in _instances.items() if key not in before]
    state = json.dumps([widget.get_state() for widget in made], ensure_ascii=False, default=str)
    yield board, state


def test_the_province_counts_equal_the_store_and_follow_the_city_filter(demo: Demo) -> None:
    board = Dashboard(demo.context("province"), province.HEADING)
    everywhere = kpi(board, "有效")

    board.city.value = QINGDAO

    assert everywhere == demo.count("SELECT count(*) FROM filings WHERE status = '有效'")
    assert kpi(board, "有效") == demo.count(
        "SELECT count(*) FROM filings WHERE status = '有效' AND city_code = :c", c=QINGDAO
    )
    assert kpi(board, "有效") < everywhere


def test_the_status_filter_narrows_the_overview_to_that_status_exit_01(demo: Demo) -> None:
    board = Dashboard(demo.context("province"), province.HEADING)

    board.status.value = "终止备案"

    assert kpi(board, "有效") == 0
    assert kpi(board, "终止备案") == demo.count(
        "SELECT count(*) FROM filings WHERE status = '终止备案'"
    )


def test_every_tab_of_the_province_dashboard_draws_without_an_error(demo: Demo) -> None:
    board = Dashboard(demo.context("province"), province.HEADING)

    every_tab(board)

    assert board.messages.widget.value == ""
    assert all(not s.stale for s in board.sections)
    quota = board.sections[1].widget.children[0].value
    assert "cw-chart-quota" in quota and "<svg" in quota


def test_tabs_are_drawn_only_when_opened(demo: Demo) -> None:
    board = Dashboard(demo.context("province"), province.HEADING)

    drawn = [not s.stale for s in board.sections]

    assert drawn == [True] + [False] * (len(board.sections) - 1)


def test_a_city_dashboard_shows_no_other_citys_institution_sup_01(
    demo: Demo, city_board: tuple[Dashboard, str]
) -> None:
    board, _ = city_board
    markers = other_city_markers(demo, JINAN)

    html = " ".join(
        child.value
        for section in board.sections
        for child in section.widget.children
        if isinstance(child, w.HTML)
    )
    html += " ".join(
        t.body.value for s in board.sections for t in vars(s).values() if hasattr(t, "body")
    )

    assert len(markers) > 20
    assert [m for m in markers if m in html] == []
    assert "青岛" not in html and "济南" in html


def test_a_city_dashboards_widget_state_holds_no_other_city_sup_01(
    demo: Demo, city_board: tuple[Dashboard, str]
) -> None:
    board, state = city_board
    markers = other_city_markers(demo, JINAN)

    leaked = [m for m in markers if m in state]

    assert leaked == []
    assert board.city.options == (("济南", JINAN),)
    assert board.city.disabled
    assert "青岛" not in state


def test_a_crafted_city_value_is_refused_logged_and_shows_nothing_of_it(
    demo: Demo, city_board: tuple[Dashboard, str]
) -> None:
    board, _ = city_board
    before = demo.refusals()

    board.city.set_state({"index": 1})

    assert demo.refusals() == before + 1
    assert board.city.value == JINAN
    assert "青岛" not in board.sections[0].widget.children[0].value


def test_a_city_the_input_should_never_hold_is_refused_again_by_the_query_scope(
    demo: Demo, city_board: tuple[Dashboard, str]
) -> None:
    board, _ = city_board
    shown = board.sections[0].widget.children[0].value
    board.city = w.Dropdown(options=[("青岛", QINGDAO)])  # as if the input had been bypassed
    before = demo.refusals()

    board.refresh()

    assert demo.refusals() == before + 1
    assert "只能查看本市" in board.messages.widget.value
    assert board.sections[0].widget.children[0].value == shown


def test_a_crafted_tab_index_is_refused_and_logged(
    demo: Demo, city_board: tuple[Dashboard, str]
) -> None:
    board, _ = city_board
    before = demo.refusals()

    board.tabs.set_state({"selected_index": 99})

    assert demo.refusals() == before + 1
    assert board.tabs.selected_index == 0


def test_overdue_deadlines_are_shown_in_red(demo: Demo) -> None:
    ctx = replace(demo.context("province"), today=date(2026, 10, 26))
    board = Dashboard(ctx, province.HEADING)
    index = next(i for i, s in enumerate(board.sections) if isinstance(s, Deadlines))

    board.tabs.selected_index = index

    section = board.sections[index]
    assert isinstance(section, Deadlines)
    frame = section.table.frame
    assert frame["overdue"].any() and (~frame["overdue"]).any()
    assert section.table.body.value.count('class="cw-overdue-row"') == min(
        int(frame["overdue"].sum()), section.table.page_size
    )


@pytest.mark.parametrize(
    ("page", "username", "refusal"),
    [
        (province, "expert370100_1", "无权查看管理看板"),
        (province, "inst0001", "无权查看管理看板"),
        (province, "manager370100", "本市看板"),
        (city, "province", "全省看板"),
        (city, "expert370100_1", "无权查看管理看板"),
    ],
    ids=[
        "expert-province",
        "institution-province",
        "city-on-province",
        "province-on-city",
        "expert-city",
    ],
)
def test_roles_without_the_page_get_a_refusal_page(
    demo: Demo, page: Any, username: str, refusal: str
) -> None:
    widget = page.build(demo.context(username))

    text = " ".join(getattr(c, "value", "") for c in widget.children)

    assert refusal in text
    assert not any(isinstance(c, w.Tab) for c in widget.children)


def test_catalog_names_link_to_their_institution_page(demo: Demo) -> None:
    board = Dashboard(demo.context("manager370100"), city.HEADING)
    index = next(i for i, s in enumerate(board.sections) if s.title == "机构目录")

    board.tabs.selected_index = index

    html = board.sections[index].table.body.value  # type: ignore[attr-defined]
    ids = set(
        demo.sql("SELECT institution_id FROM filings WHERE city_code = :c", c=JINAN)[
            "institution_id"
        ]
    )
    linked = {int(i) for i in re.findall(r"institution_history\.ipynb\?institution_id=(\d+)", html)}
    assert linked == ids


def test_an_empty_province_draws_every_tab_without_an_error(tmp_path: Path) -> None:
    store = open_store(store_url(tmp_path / "empty.db"))
    scenario.seed_reference(store)  # the cities and the province's user, nothing else
    with store.read() as conn:
        ctx = AppContext(
            store, actor_for(conn, scenario.PROVINCE_ACTOR.username), date(2026, 10, 15)
        )

    board = Dashboard(ctx, province.HEADING)
    every_tab(board)

    assert board.messages.widget.value == ""
    assert kpi(board, "合计") == 0
    assert "暂无数据" in board.sections[1].widget.children[0].value
    store.dispose()


def test_a_city_managers_catalog_download_holds_only_that_city_exit_01(demo: Demo) -> None:
    board = Dashboard(demo.context("manager370100"), city.HEADING)
    index = next(i for i, s in enumerate(board.sections) if s.title == "机构目录")
    board.tabs.selected_index = index
    section: Any = board.sections[index]
    section.format.value = "csv"

    section.export.click()

    found = re.search(r'href="data:text/csv;base64,([^"]+)"', section.link.value)
    assert found is not None
    frame = pd.read_csv(io.BytesIO(base64.b64decode(found.group(1))), encoding="utf-8-sig")
    assert set(frame["备案城市"]) == {"济南"}
    assert len(frame) == demo.count("SELECT count(*) FROM filings WHERE city_code = :c", c=JINAN)
