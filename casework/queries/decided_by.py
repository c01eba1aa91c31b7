"""Who recorded a procedure's decision, and when: read from the audit log (the command that
recorded it), for the stamp of an archived report. Names, never user names."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from casework.domain import lifecycle
from casework.queries.lookup import require_keys
from casework.store.tables import audit_log, filing_projects, users

Match = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Decision:
    """Who recorded a procedure's decision (display name), and when (from the audit log)."""

    by: str
    at: datetime


def display_name(conn: Connection, username: str) -> str:
    """A user's name as pages show it (never the user name, unless no name is recorded)."""
    name = conn.execute(select(users.c.display_name).filter_by(username=username)).scalar()
    return str(name or username)


def _keys(key: Any) -> set[int]:
    """The row ids an audit change's key names (``1``, ``{"id": 1}``; composite keys: none)."""
    if isinstance(key, dict) and set(key) == {"id"}:
        key = key["id"]
    return {int(key)} if isinstance(key, int) and not isinstance(key, bool) else set()


def _last_change(conn: Connection, table: str, ids: set[int], match: Match) -> Any:
    """The newest audit entry changing a row of ``table`` in ``ids`` as ``match`` says."""
    if not ids:
        return None
    rows = conn.execute(
        select(audit_log.c.actor, audit_log.c.at, audit_log.c.changes)
        .where(audit_log.c.changes.like(f'%"table":"{table}"%'))
        .order_by(audit_log.c.seq.desc())
    )
    for row in rows:
        for change in json.loads(row.changes):
            if (
                change.get("table") == table
                and _keys(change.get("key")) & ids
                and match(change.get("after") or {})
            ):
                return row
    return None


def decision_of(
    conn: Connection, procedure: str, case_id: int, on: str | None = None
) -> Decision | None:
    """Who recorded the decision of ``procedure`` for ``case_id``: the selection result
    (SEL-04), the filing (SEL-05), the scope change of day ``on`` (SEL-06), the renewal result
    (REN-05), the end of the filing (EXIT-01); None if the log holds none."""
    require_keys("办理事项", case_id=case_id)
    case = int(case_id)
    found: Any = None
    if procedure == "selection":
        found = _last_change(conn, "applications", {case}, lambda a: "decided_on" in a)
    elif procedure == "filing":
        found = _last_change(conn, "filings", {case}, lambda a: "filed_on" in a)
    elif procedure == "renewal":
        found = _last_change(conn, "renewal_cases", {case}, lambda a: "grade" in a)
    elif procedure == "exit":
        found = _last_change(
            conn, "filings", {case}, lambda a: a.get("status") == lifecycle.TERMINATED
        )
    elif procedure == "scope":
        ids = set(
            conn.execute(
                select(filing_projects.c.id).where(filing_projects.c.filing_id == case)
            ).scalars()
        )
        found = _last_change(
            conn,
            "filing_projects",
            ids,
            lambda a: a.get("added_on") == on or a.get("removed_on") == on,
        )
    if found is None:
        return None
    return Decision(display_name(conn, found.actor), datetime.fromisoformat(found.at))
