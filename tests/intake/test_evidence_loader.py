"""Evidence read from the store: imported data reaches the renewal group and the panel."""

from __future__ import annotations

from datetime import date

from casework.intake import import_file
from casework.queries.evidence import load_frames, renewal_evidence, selection_for

from .conftest import OFFICER, World
from .make_corpus import PEOPLE, RESULTS_HEADER, STAFF_HEADER, USCC, _result_row


def test_imported_results_reach_attachment_5_and_the_suggestions_att5_stats(world: World) -> None:
    rows = "\n".join([RESULTS_HEADER, *(_result_row(i) for i in range(4))]) + "\n"
    import_file(world.store, OFFICER, "results", rows.encode(), "r.csv")

    found = renewal_evidence(world.store, world.ids["jia_filing"], as_of=date(2027, 10, 1))

    assert found.attachment5["projects"] == [
        {"project_code": "P001", "assessed": 4, "certified": 0}
    ]
    assert set(found.suggestions["item_id"]) >= {"R16", "R26", "R36", "R38", "R39", "V09"}
    assert found.suggestions.set_index("item_id").loc["V09", "suggested"] == "否"


def test_imported_rosters_reach_the_selection_panel_att1_staff(world: World) -> None:
    roster = (
        "\n".join(
            [
                STAFF_HEADER,
                *(f"{USCC},考务{i},{PEOPLE[i]},考务管理,,专职,,,,,24,24," for i in (0, 1)),
            ]
        )
        + "\n"
    )
    import_file(world.store, OFFICER, "staff", roster.encode(), "s.csv")

    table = selection_for(
        load_frames(world.store, with_results=False),
        [world.ids["jia"]],
        ["P001"],
        start=date(2025, 3, 1),
    )

    row = table[table["sub_id"] == "4.1"].iloc[0]
    assert bool(row["met"]) and "考务0" in row["evidence"]
