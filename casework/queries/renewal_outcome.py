"""A renewal case's sheets and its group's Attachment 6 outcome (REN-04 … REN-07).

The one place that rebuilds a renewal group's result from its stored sheets: the leader's view,
the city's decision page, the decision command (:func:`casework.registry.sheets.renewal_result`),
Attachment 6 and the archived renewal report all read :func:`renewal_outcome_of` (or its core
:func:`group_outcome_in` on an open connection). Every read is scoped by the renewal case:
the self-evaluation by ``renewal_id``, the group's sheets by the case's own panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from casework.clock import BUREAU_TZ
from casework.domain import rubrics, scoring
from casework.errors import NotFound
from casework.queries.lookup import display_names, one_or_none, one_or_not_found, require_keys
from casework.queries.panels import read_once, roster_in, submitted_sheets_in
from casework.queries.stored_sheets import (
    RENEWAL_SHEET,
    SELF,
    SUBMITTED,
    renewal_frames,
)
from casework.store.engine import Store
from casework.store.tables import (
    filings,
    institutions,
    panels,
    renewal_cases,
    renewal_rounds,
    sheets,
)


@dataclass(frozen=True, eq=False)
class GroupOutcome:
    """A renewal group's state and, once every member has submitted, its Attachment 6 outcome.

    Attributes:
        renewal_id / panel / rubric: the case, its group (the panel row: methods, rubric_id …)
            and the rubric the group scores by.
        roster: the group (:class:`~casework.queries.panels.RosterTable`), leader first.
        names: username → display name of every member.
        group_sheets: the members' submitted sheets, by author.
        self_sheet: the institution's submitted self-evaluation of this case, if any.
        waiting: members who have not yet submitted (user names, sorted).
        summary: :func:`scoring.renewal_outcome` of the group; None while anyone is waiting.
    """

    renewal_id: int
    panel: dict[str, Any]
    rubric: Any
    roster: pd.DataFrame
    names: dict[str, str]
    group_sheets: tuple[dict[str, Any], ...]
    self_sheet: dict[str, Any] | None
    waiting: tuple[str, ...]
    summary: scoring.Attachment6Summary | None

    @property
    def panel_id(self) -> int:
        return int(self.panel["id"])

    @property
    def complete(self) -> bool:
        """Every member has submitted (REN-04), so the outcome exists."""
        return self.summary is not None


def group_panel_in(conn: Connection, renewal_id: int) -> dict[str, Any] | None:
    """The renewal case's own group (its panel row), or None before it is constituted."""
    return one_or_none(conn, panels, "续期评估组", renewal_id=renewal_id)


def self_sheet_in(conn: Connection, renewal_id: int) -> dict[str, Any] | None:
    """The institution's submitted self-evaluation of exactly this renewal case (REN-02)."""
    require_keys("续期评估", renewal_id=renewal_id)
    q = select(sheets).where(
        sheets.c.renewal_id == renewal_id, sheets.c.kind == SELF, sheets.c.status == SUBMITTED
    )
    return one_or_none(conn, q, "续期自评表", renewal_id=renewal_id)


def group_outcome_in(conn: Connection, renewal_id: int, method: str | None = None) -> GroupOutcome:
    """The core of :func:`renewal_outcome_of` on an open connection (a command's transaction
    reads through it too).

    Raises:
        NotFound: no such renewal case, or it has no group yet (REN-04).
        SheetInvalid: a stored sheet does not validate against its rubric.
    """
    one_or_not_found(conn, renewal_cases, "续期评估", id=renewal_id)
    panel = group_panel_in(conn, renewal_id)
    if panel is None:
        raise NotFound(f"续期评估{renewal_id}尚未组建续期评估组", rule_id="REN-04")
    roster = roster_in(conn, int(panel["id"]))
    members = [str(u) for u in roster["username"]]
    done = submitted_sheets_in(conn, int(panel["id"]), members)
    own = self_sheet_in(conn, renewal_id)
    waiting = tuple(sorted(set(members) - {str(s["author"]) for s in done}))
    rubric: Any = rubrics.by_id(str(panel["rubric_id"]))
    summary = None
    if members and not waiting:
        pairs = [renewal_frames(s["rows"], s["veto"], s["author"]) for s in done]
        mine = None if own is None else renewal_frames(own["rows"], own["veto"], own["author"])[0]
        summary = scoring.renewal_outcome(
            rubric, [p[0] for p in pairs], [p[1] for p in pairs], self_sheet=mine, method=method
        )
    return GroupOutcome(
        renewal_id=renewal_id,
        panel=panel,
        rubric=rubric,
        roster=roster,
        names=dict(zip(members, (str(n) for n in roster["display_name"]), strict=True)),
        group_sheets=tuple(done),
        self_sheet=own,
        waiting=waiting,
        summary=summary,
    )


def renewal_outcome_of(store: Store, renewal_id: int, method: str | None = None) -> GroupOutcome:
    """The renewal group's Attachment 6 outcome of one case (REN-04 … REN-07), via
    :func:`casework.domain.scoring.renewal_outcome`; ``summary`` is None while a member's
    sheet is missing (``waiting`` names them). The composite method is the rubric's
    (``composite_method``) unless ``method`` overrides it for a what-if view.

    Read once per page open inside :func:`casework.queries.panels.reads_once` (the leader's
    view and the documents section share it).

    Raises:
        NotFound: no such renewal case, or it has no group yet.
    """

    def read() -> GroupOutcome:
        with store.read() as conn:
            return group_outcome_in(conn, renewal_id, method)

    return read_once(("renewal_outcome", int(renewal_id), method), read)


@dataclass(frozen=True)
class CaseSheet:
    """One submitted Attachment 4 sheet of a renewal case, with who filled it in."""

    author: str  # display name (the institution's head for the self-evaluation)
    expert: bool
    submitted_on: date | None
    rows: tuple[dict[str, Any], ...]
    veto: tuple[dict[str, Any], ...]
    total: float | None


@dataclass(frozen=True)
class Attachment4Sheets:
    """Every submitted Attachment 4 sheet of one renewal case: its self-evaluation, then the
    sheets of its own group's members (REN-02, REN-04). Nothing of any other case."""

    renewal_id: int
    institution: str
    rubric: Any
    sheets: tuple[CaseSheet, ...]


def attachment4_sheets(store: Store, renewal_id: int) -> Attachment4Sheets:
    """The sheets Attachment 4 prints for a renewal case (issue #13: a case without a group
    prints its own self-evaluation only, never another institution's sheets).

    Raises:
        NotFound: no such renewal case.
    """
    with store.read() as conn:
        case = one_or_not_found(conn, renewal_cases, "续期评估", id=renewal_id)
        filing = one_or_not_found(conn, filings, "备案", id=case["filing_id"])
        inst = one_or_not_found(conn, institutions, "考核机构", id=filing["institution_id"])
        rnd = one_or_not_found(conn, renewal_rounds, "续期评估轮次", id=case["round_id"])
        own = self_sheet_in(conn, renewal_id)
        panel = group_panel_in(conn, renewal_id)
        group: list[dict[str, Any]] = []
        if panel is not None:
            members = [str(u) for u in roster_in(conn, int(panel["id"]))["username"]]
            group = [
                s
                for s in submitted_sheets_in(conn, int(panel["id"]), members)
                if s["kind"] == RENEWAL_SHEET
            ]
            group.sort(key=lambda s: s["id"])
        names = display_names(conn, [s["author"] for s in group])
    listed = [] if own is None else [_sheet(own, f"{inst['name']}负责人", case["submitted_on"])]
    listed += [_sheet(s, names[s["author"]], bureau_date(s["submitted_at"])) for s in group]
    return Attachment4Sheets(
        renewal_id=renewal_id,
        institution=str(inst["name"]),
        rubric=rubrics.by_id(str(rnd["rubric_id"])),
        sheets=tuple(listed),
    )


def bureau_date(value: datetime | date | None) -> date | None:
    """The Asia/Shanghai date of a stored timestamp (stored as naive UTC): a sheet submitted at
    01:00 in Jinan is dated that day, not the UTC day before."""
    if value is None or not isinstance(value, datetime):
        return value
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(BUREAU_TZ).date()


def _sheet(row: dict[str, Any], author: str, on: date | None) -> CaseSheet:
    return CaseSheet(
        author=author,
        expert=row["kind"] != SELF,
        submitted_on=on,
        rows=tuple(row["rows"] or ()),
        veto=tuple(row["veto"] or ()),
        total=None if row["total"] is None else float(row["total"]),
    )
