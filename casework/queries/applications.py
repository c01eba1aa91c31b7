"""One application as its selection decision (SEL-03, SEL-04, SEL-07) is reported: the
application, its call and applicant, its projects, its panel with the roster and every
member's submitted Attachment 1 checklist, and the quota overrides recorded for it.

Every read is scoped by ``application_id``; a missing id or panel is refused, never widened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from casework.queries.filings import quota_overrides_of
from casework.queries.lookup import (
    one_or_none,
    one_or_not_found,
    project_names_in,
    rows_of,
)
from casework.queries.panels import empty_roster, roster_in, submitted_sheets_in
from casework.queries.stored_sheets import SELECTION_SHEET
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    calls,
    filings,
    institutions,
    panels,
)


@dataclass(frozen=True, eq=False)
class SelectionFacts:
    """An application with what its selection decision was made on."""

    application: dict[str, Any]
    call: dict[str, Any]
    institution: dict[str, Any]
    projects: tuple[str, ...]  # names, by code
    panel: dict[str, Any] | None  # None before the panel is constituted
    roster: pd.DataFrame  # casework.queries.panels.RosterTable
    sheets: tuple[dict[str, Any], ...]  # submitted checklists, by author
    overrides: tuple[dict[str, Any], ...]
    subject: str  # filing:<id> once filed, else application:<id>

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.roster.username, self.roster.display_name, strict=True))

    @property
    def supplementary(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.call["supplementary"] or []), columns=["sub_id", "text"])


def selection_facts(store: Store, application_id: int) -> SelectionFacts:
    """The application ``application_id`` and its selection panel, if constituted (NotFound
    for an unknown application)."""
    with store.read() as conn:
        app = one_or_not_found(conn, applications, "备案申请", id=application_id)
        call = one_or_not_found(conn, calls, "征集公告", id=app["call_id"])
        inst = one_or_not_found(conn, institutions, "申报单位", id=app["institution_id"])
        linked = rows_of(conn, application_projects, "申请项目", application_id=application_id)
        names = project_names_in(conn, [r["project_code"] for r in linked])
        panel = one_or_none(conn, panels, "遴选评估组", application_id=application_id)
        roster = roster_in(conn, int(panel["id"])) if panel is not None else empty_roster()
        members = [str(u) for u in roster.username]
        done = submitted_sheets_in(conn, int(panel["id"]), members) if panel is not None else []
        filing_id = app["filing_id"]
        if filing_id is None:
            filed = one_or_none(conn, filings, "备案", application_id=application_id)
            filing_id = None if filed is None else filed["id"]
    subject = f"filing:{filing_id}" if filing_id else f"application:{application_id}"
    return SelectionFacts(
        application=app,
        call=call,
        institution=inst,
        projects=tuple(names),
        panel=panel,
        roster=roster,
        sheets=tuple(s for s in done if s["kind"] == SELECTION_SHEET),
        overrides=tuple(quota_overrides_of(store, [application_id])),
        subject=subject,
    )
