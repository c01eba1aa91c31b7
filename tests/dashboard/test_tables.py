"""Sortable tables: sorted and paged on the server, one page sent; a crafted sort column is
refused and logged."""

from __future__ import annotations

import pandas as pd
import pytest

from casework.dashboard.tables import SortableTable, formatted

from .conftest import Demo

COLUMNS = {"name": "名称", "n": "数量", "on": "日期"}


@pytest.fixture
def table(demo: Demo) -> SortableTable:
    t = SortableTable(demo.context("province"), "t", COLUMNS, sort_by="n", page_size=2)
    t.set_frame(
        pd.DataFrame(
            {
                "name": ["甲", "乙", "丙"],
                "n": [3, 1, 2],
                "on": pd.to_datetime(["2026-01-02", "2026-03-04", None]),
            }
        )
    )
    return t


def test_rows_are_sorted_on_the_server_by_the_chosen_column_and_order(
    table: SortableTable,
) -> None:
    ascending = list(table.visible()["name"])

    table.order.value = True
    descending = list(table.visible()["name"])
    table.sort.value = "name"
    by_name = list(table.visible()["name"])

    assert ascending == ["乙", "丙"]
    assert descending == ["甲", "丙"]
    assert by_name == ["甲", "乙"]  # descending code points
    assert table.body.value.index("甲") < table.body.value.index("乙")
    assert "丙" not in table.body.value


def test_only_one_page_of_rows_is_rendered_and_the_pages_turn(table: SortableTable) -> None:
    first = table.body.value

    table.next.click()

    assert first.count("<tr") == 3  # header and two rows
    assert table.body.value.count("<tr") == 2
    assert "甲" in table.body.value and table.next.disabled and not table.prev.disabled
    assert "第 2／2 页，共 3 条" in table.info.value


def test_a_crafted_sort_column_is_refused_and_logged(table: SortableTable, demo: Demo) -> None:
    before = demo.refusals()

    table.sort.set_state({"index": 9})

    assert demo.refusals() == before + 1
    assert table.sort.value == "n"


def test_cells_show_dates_booleans_and_numbers_as_a_reader_expects() -> None:
    frame = pd.DataFrame(
        {"d": pd.to_datetime(["2026-05-01", None]), "b": [True, False], "f": [82.5, None]}
    )

    texts = formatted(frame)

    assert texts.to_dict("list") == {
        "d": ["2026-05-01", ""],
        "b": ["是", "否"],
        "f": ["82.5", ""],
    }
