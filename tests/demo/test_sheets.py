"""The demo's renewal sheets (casework.demo.sheets) store what ``save_sheet`` stores: the same
sheet row and the same audit entry, with REN-07 validation done in bulk; a sheet that would
fail REN-07 is refused the same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.demo.sheets import CHECKED, sheet_key, submit_renewal_sheet
from casework.domain import rubrics
from casework.errors import SheetInvalid
from casework.registry import scenario
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, sheets
from tests.backend import store_url

JINAN = "370100"


@pytest.fixture
def group(tmp_path: Path) -> Iterator[tuple[Store, int, list[str]]]:
    """A Jinan filing whose renewal group (three experts) is evaluating."""
    store = open_store(store_url(tmp_path / "casework.db"))
    scenario.seed_reference(store)
    out = scenario.renewing(store, city_code=JINAN, name="济南演示评估表培训学校", serial=7654321)
    experts = out["experts"]
    yield store, int(out["panel_id"]), experts[:3]
    store.dispose()


def stored(store: Store, panel_id: int, author: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The author's sheet row and the audit entry that wrote it, without what differs by
    author, id or clock."""
    with store.read() as conn:
        row = dict(
            conn.execute(
                select(sheets).where(sheets.c.author == author, sheets.c.panel_id == panel_id)
            )
            .mappings()
            .one()
        )
        entries = conn.execute(
            select(audit_log).where(audit_log.c.actor == author).order_by(audit_log.c.seq)
        ).mappings()
        entry = dict(list(entries)[-1])
    for key in ("id", "author", "updated_at", "submitted_at"):
        row.pop(key)
    changes = json.loads(entry["changes"])
    for change in changes:
        change.pop("key", None)
        for key in ("author", "updated_at", "submitted_at"):
            change["after"].pop(key, None)
    return row, {"command": entry["command"], "rules": entry["rule_ids"], "changes": changes}


def test_a_demo_sheet_stores_the_same_row_and_audit_entry_as_save_sheet_ren_07(
    group: tuple[Store, int, list[str]],
) -> None:
    store, panel_id, (real, demo, _) = group
    rows, veto = scenario.renewal_rows(84.5), scenario.veto_rows()
    rubric = rubrics.load(rubrics.RENEWAL)
    CHECKED.check_in_bulk(rubric, [(rows, veto), (rows, veto)])
    assert CHECKED.totals[sheet_key(rubric, rows, veto)] == 84.5  # validated once, in bulk
    for name in (real, demo):
        r.declare_conflict_of_interest(
            store, scenario.expert(name), panel_id=panel_id, no_conflict=True
        )

    r.save_sheet(store, scenario.expert(real), panel_id=panel_id, rows=rows, veto=veto, submit=True)
    submit_renewal_sheet(store, scenario.expert(demo), panel_id=panel_id, rows=rows, veto=veto)

    assert stored(store, panel_id, demo) == stored(store, panel_id, real)
    assert stored(store, panel_id, demo)[0]["total"] == 84.5
    assert stored(store, panel_id, demo)[0]["status"] == "已提交"


def test_a_demo_sheet_that_breaks_ren_07_is_refused_like_a_users_sheet(
    group: tuple[Store, int, list[str]],
) -> None:
    store, panel_id, (real, demo, _) = group
    rows = scenario.renewal_rows(100.0)[:-1]  # the last item not judged
    veto = scenario.veto_rows()
    assert CHECKED.check_in_bulk(rubrics.load(rubrics.RENEWAL), [(rows, veto)]) == 0
    for name in (real, demo):
        r.declare_conflict_of_interest(
            store, scenario.expert(name), panel_id=panel_id, no_conflict=True
        )

    with pytest.raises(SheetInvalid) as by_user:
        r.save_sheet(
            store, scenario.expert(real), panel_id=panel_id, rows=rows, veto=veto, submit=True
        )
    with pytest.raises(SheetInvalid) as by_demo:
        submit_renewal_sheet(store, scenario.expert(demo), panel_id=panel_id, rows=rows, veto=veto)

    assert by_demo.value.problems.drop(columns="成员").equals(
        by_user.value.problems.drop(columns="成员")
    )
    with store.read() as conn:
        assert conn.execute(select(sheets).where(sheets.c.panel_id == panel_id)).first() is None


def test_a_demo_sheet_needs_the_conflict_of_interest_declaration_first_sup_03(
    group: tuple[Store, int, list[str]],
) -> None:
    store, panel_id, (_, demo, _) = group
    rows, veto = scenario.renewal_rows(90.0), scenario.veto_rows()

    with pytest.raises(Exception, match="利益冲突声明"):
        submit_renewal_sheet(store, scenario.expert(demo), panel_id=panel_id, rows=rows, veto=veto)
