"""Opening a renewal sheet reads each fact once, and never keeps it past the open (issue #17)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pytest

from casework import registry
from casework.queries import panels
from casework.queries.panels import panel_roster, reads_once
from casework.ui import renewal_scoring

from .test_renewal_scoring_app import fill, signed
from .worlds import context


def count_roster_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    real = panels._read_roster

    def counted(conn: Any, panel_id: int) -> Any:
        reads.append(panel_id)
        return real(conn, panel_id)

    monkeypatch.setattr(panels, "_read_roster", counted)
    return reads


def test_one_open_of_the_leaders_sheet_reads_the_roster_once(
    renewal_panel: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader, _ = signed(renewal_panel, 0)  # the gate, the leader's view and the documents
    reads = count_roster_reads(monkeypatch)

    page = renewal_scoring.sheet_page(leader, renewal_panel["panel_id"])

    assert isinstance(page, w.VBox)
    assert reads == [renewal_panel["panel_id"]]


def test_a_read_after_the_open_sees_the_writes_made_since(renewal_panel: dict) -> None:
    ctx = context(renewal_panel["world"], renewal_panel["experts"][1])
    panel_id = renewal_panel["panel_id"]
    renewal_scoring.sheet_page(ctx, panel_id)  # the declaration, not yet signed
    ctx.run(registry.declare_conflict_of_interest, panel_id=panel_id, no_conflict=True)

    roster = panel_roster(ctx.store, panel_id).set_index("username")

    assert bool(roster.loc[renewal_panel["experts"][1], "coi_declared"])


def test_the_leaders_refresh_reads_the_group_afresh_ren_05(renewal_panel: dict) -> None:
    leader, mine = signed(renewal_panel, 0)
    page = renewal_scoring.sheet_page(leader, renewal_panel["panel_id"])
    view = page.children[1]
    for i, score in ((0, 82.0), (1, 75.5), (2, 79.0)):
        sheet = mine if i == 0 else signed(renewal_panel, i)[1]
        fill(sheet, score)
        sheet.submit_button.click()
    assert "尚未提交" in view.children[1].value

    view.children[3].children[1].click()  # 刷新

    assert "综合得分：78.83" in view.children[1].value


def test_each_reader_of_one_open_gets_its_own_copy_and_nothing_outlives_it(
    renewal_panel: dict,
) -> None:
    ctx = context(renewal_panel["world"], renewal_panel["experts"][1])
    panel_id = renewal_panel["panel_id"]
    with reads_once():
        before = panel_roster(ctx.store, panel_id)
        before.loc[:, "unit"] = "changed by a reader"
        again = panel_roster(ctx.store, panel_id)

    assert (again["unit"] != "changed by a reader").all()  # each reader gets its own copy
    assert panels._READS.get() is None  # nothing is kept past the block
