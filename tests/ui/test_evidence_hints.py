"""Evidence computed from the institutions' data is shown beside the condition or item it
supports (ATT1-STAFF, REN-03); the expert still decides."""

from __future__ import annotations

from datetime import date

from casework import registry
from casework.registry import scenario
from casework.ui.evidence import renewal_hints, selection_hints
from casework.ui.selection_panel import SelectionChecklist

from .conftest import JINAN
from .worlds import context


def test_the_selection_checklist_shows_staff_evidence_beside_condition_4_att1_staff(world) -> None:  # type: ignore[no-untyped-def]
    inst = world.institution("济南面塑工作室")
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=["P001"],
        on=date(2025, 3, 3),
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    ctx = context(world, world.experts[JINAN][0])
    ctx.run(registry.declare_conflict_of_interest, panel_id=ids["panel_id"], no_conflict=True)

    hints = selection_hints(world.store, ids["application_id"])
    page = SelectionChecklist(ctx, ids["panel_id"])

    assert "4.1" in hints and "数据显示不符合" in hints["4.1"] and "ATT1-STAFF" in hints["4.1"]
    row = page.toggles["4.1"]
    texts = [
        str(child.value)
        for box in page.widget.children
        for r in getattr(box, "children", ())
        if row in getattr(r, "children", ())
        for child in r.children
        if isinstance(getattr(child, "value", None), str)
    ]
    assert any(hints["4.1"] in t for t in texts)


def test_renewal_items_carry_a_suggested_verdict_with_its_evidence_ren_03(renewal_panel) -> None:  # type: ignore[no-untyped-def]
    hints = renewal_hints(renewal_panel["world"].store, renewal_panel["renewal_id"])

    assert hints, "the renewal group sees data hints"
    assert all(h.startswith('<div class="cw-evidence"') and "数据提示" in h for h in hints.values())


def test_an_item_without_a_suggestion_shows_its_evidence_and_no_empty_suggestion_ren_03(
    renewal_panel,
) -> None:  # type: ignore[no-untyped-def]
    hints = renewal_hints(renewal_panel["world"].store, renewal_panel["renewal_id"])

    assert not [item for item, h in hints.items() if "建议“”" in h]
    assert any("建议“" not in h for h in hints.values()), "some items have evidence only"
