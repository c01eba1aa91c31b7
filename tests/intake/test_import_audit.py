"""An import's audit entry keeps the values it changed, before and after (#16 item 5)."""

from __future__ import annotations

import json

from sqlalchemy import select

from casework.intake import import_file
from casework.store.tables import audit_log

from .conftest import OFFICER, World
from .make_corpus import RESULTS_HEADER, _result_row


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def last_changes(world: World) -> list[dict]:
    with world.store.read() as conn:
        raw = conn.execute(select(audit_log.c.changes).order_by(audit_log.c.seq.desc())).first()
    assert raw is not None
    value = raw[0]
    return json.loads(value) if isinstance(value, str) else value


def test_a_reimport_that_changes_a_score_keeps_the_old_and_the_new_score_in_its_audit_entry(
    world: World,
) -> None:
    import_file(world.store, OFFICER, "results", csv(RESULTS_HEADER, _result_row(0)), "r.csv")
    changed = _result_row(0).replace(",85,", ",72,")

    import_file(world.store, OFFICER, "results", csv(RESULTS_HEADER, changed), "r2.csv")

    (entry,) = [c for c in last_changes(world) if c.get("op") == "import"]
    (row,) = entry["updated_rows"]
    assert entry["updated"] == 1
    assert row["before"] == {"score": 85.0} and row["after"] == {"score": 72.0}
    assert row["key"]["id_number"]
