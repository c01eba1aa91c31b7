"""The demo's renewal sheets: the experts' own command, the sheets validated in bulk.

``casework demo`` submits about 200 Attachment 4 sheets, 75 of them distinct, and
:func:`casework.registry.save_sheet` validates each submitted sheet twice (REN-07: the sheet,
then its total) on frames of 43 rows — a third of the demo build. :func:`submit_renewal_sheet`
is the same command for the demo's own sheets: the same name, rules, roles and checks (member
of the group, conflict-of-interest declaration, case state, every value among its options), the
same stored row and audit entry; its REN-07 validation is looked up in :class:`CheckedSheets`,
filled by one :func:`casework.domain.scoring.validate_renewal_sheet` call over every distinct
sheet the demo plans. A sheet that was not checked in bulk (another rubric, or a bulk call that
failed) is validated on its own, exactly as ``save_sheet`` does, and refused the same way.

Users' sheets never come here: the apps and the command line call ``save_sheet``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from casework.domain import rubrics, scoring
from casework.errors import RuleViolation, SheetInvalid
from casework.queries.stored_sheets import RENEWAL_SHEET, renewal_frames
from casework.registry.actors import EXPERT
from casework.registry.sheets import check_draft_values, writable_sheet, write_sheet
from casework.registry.uow import Tx, command

Rows = Sequence[dict[str, Any]]


def sheet_key(rubric: Any, rows: Rows, veto: Rows) -> tuple[str, str, str]:
    """What a sheet's REN-07 validation depends on: the rubric file and the sheet's values."""
    content = json.dumps([list(rows), list(veto)], sort_keys=True, ensure_ascii=False)
    return rubric.id, rubric.digest, content


class CheckedSheets:
    """Totals of sheets that passed :func:`scoring.validate_renewal_sheet`, by :func:`sheet_key`."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, str, str], float] = {}

    def check_in_bulk(self, rubric: Any, sheets: Iterable[tuple[Rows, Rows]]) -> int:
        """Validate every distinct (rows, veto) under ``rubric`` in one call (one member per
        sheet); keep their totals. Nothing is kept if any sheet fails: each is then validated
        on its own when submitted, and refused there. Returns how many were kept."""
        distinct = {sheet_key(rubric, rows, veto): (rows, veto) for rows, veto in sheets}
        distinct = {k: v for k, v in distinct.items() if k not in self.totals}
        if not distinct:
            return 0
        members = [f"sheet{i}" for i in range(len(distinct))]
        frames = [
            renewal_frames(rows, veto, member)
            for member, (rows, veto) in zip(members, distinct.values(), strict=True)
        ]
        try:
            checked = scoring.validate_renewal_sheet(
                rubric, [f[0] for f in frames], [f[1] for f in frames]
            )
        except SheetInvalid:
            return 0
        totals = scoring.totals_of(checked)
        for member, key in zip(members, distinct, strict=True):
            self.totals[key] = float(totals[member])
        return len(distinct)

    def total(self, rubric: Any, rows: Rows, veto: Rows, author: str) -> float:
        """REN-07: the sheet's total, validated in bulk before or on its own now (raises
        :class:`~casework.errors.SheetInvalid` as ``save_sheet`` does)."""
        found = self.totals.get(sheet_key(rubric, rows, veto))
        if found is not None:
            return found
        sheet, vetoes = renewal_frames(rows, veto, author)
        # REN-06, REN-07: validated once; the total read from the validated sheet (as save_sheet)
        return float(
            scoring.totals_of(scoring.validate_renewal_sheet(rubric, sheet, vetoes)).iloc[0]
        )


CHECKED = CheckedSheets()
"""The sheets of the demo being built (a process builds one demo at a time)."""


@command("保存评估表", rules=("SEL-03", "REN-04", "REN-07"), roles=(EXPERT,))
def submit_renewal_sheet(
    tx: Tx, *, panel_id: int, rows: Rows, veto: Rows = (), submit: bool = True
) -> int:
    """``save_sheet(..., submit=True)`` for a renewal group's sheet the demo made (REN-04,
    REN-07), its validation taken from :data:`CHECKED`. Keep in step with ``save_sheet``:
    ``tests/demo/test_sheets.py`` compares what both store."""
    if not submit:
        raise RuleViolation("演示数据只提交评估表", rule_id="REN-04")
    panel, rubric = writable_sheet(tx, panel_id)
    if rubric.kind != rubrics.RENEWAL or panel["renewal_id"] is None:
        raise RuleViolation("演示数据的快速提交只用于续期评估表", rule_id="REN-04")
    check_draft_values(rubric, rows, veto)
    total = CHECKED.total(rubric, rows, veto, tx.actor.username)
    return write_sheet(
        tx,
        keys={"panel_id": panel_id, "renewal_id": None, "author": tx.actor.username},
        kind=RENEWAL_SHEET,
        rubric_id=rubric.id,
        rows=rows,
        veto=veto,
        submit=True,
        total=total,
    )
