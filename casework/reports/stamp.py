"""The archive stamp of a report: who decided, who archived and when, the program and rubric
versions and the archive entry — the header of every archived report and its PDF footer.

The stamp is added when the report is exported, not when it is executed: re-executing an
archived report from its recorded parameters gives the same figures, whoever runs it.
Who made the decision is read from the audit log: the command that recorded it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

import casework
from casework.archive.manifest import head_of
from casework.domain import lifecycle
from casework.registry.actors import Actor
from casework.reports.content import MISSING, ReportData, local_time, shown
from casework.reports.procedures import PROCEDURES
from casework.store.engine import Store
from casework.store.tables import audit_log, filing_projects, users

PREVIEW = "未归档（预览）"
NO_RUBRIC = "本事项不评分，未使用评分细则"

Match = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Decision:
    """Who recorded a procedure's decision, and when (from the audit log)."""

    by: str
    at: datetime


@dataclass(frozen=True)
class Stamp:
    """What an archived report says about its own making."""

    procedure: str
    case: str
    decided_by: str
    decided_at: str
    archived_by: str
    archived_at: str
    version: str
    rubrics: str
    seq: int | None

    @property
    def entry(self) -> str:
        return f"第{self.seq}号" if self.seq is not None else PREVIEW

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("办理事项", self.procedure),
            ("案件", self.case),
            ("决定人", self.decided_by),
            ("决定登记时间", self.decided_at),
            ("归档人", self.archived_by),
            ("归档时间", self.archived_at),
            ("归档记录", self.entry),
            ("程序版本", f"casework {self.version}"),
            ("评分细则版本", self.rubrics),
        ]

    def header_html(self) -> str:
        """The header every archived report opens with."""
        cells = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in self.rows()
        )
        return (
            '<section class="cw-stamp" aria-label="归档信息">'
            '<table class="cw-table cw-stamp-table"><caption>归档信息</caption>'
            f"<tbody>{cells}</tbody></table></section>"
        )

    def footer_text(self, digest: str) -> str:
        """The PDF footer: case, archive entry and the SHA-256 of the archived HTML."""
        return f"{self.case} · 归档记录{self.entry}\n归档 HTML 文件 SHA-256：{digest}"

    def with_seq(self, seq: int) -> Stamp:
        return Stamp(**{**self.__dict__, "seq": seq})


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


def decision(conn: Connection, data: ReportData, params: dict[str, Any]) -> Decision | None:
    """Who recorded the decision the report archives: the selection result (SEL-04), the
    filing (SEL-05), the scope change (SEL-06), the renewal result (REN-05), the end of the
    filing (EXIT-01)."""
    case = int(data.case_id)
    found: Any = None
    if data.procedure == "selection":
        found = _last_change(conn, "applications", {case}, lambda a: "decided_on" in a)
    elif data.procedure == "filing":
        found = _last_change(conn, "filings", {case}, lambda a: "filed_on" in a)
    elif data.procedure == "renewal":
        found = _last_change(conn, "renewal_cases", {case}, lambda a: "grade" in a)
    elif data.procedure == "exit":
        found = _last_change(
            conn, "filings", {case}, lambda a: a.get("status") == lifecycle.TERMINATED
        )
    elif data.procedure == "scope":
        on = str(params.get("on") or data.figures.get("on"))
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


def stamp(
    store: Store,
    data: ReportData,
    params: dict[str, Any],
    archiver: Actor | None,
    now: datetime,
) -> Stamp:
    """The stamp of a report made now; ``archiver`` None for a preview (not archived)."""
    proc = PROCEDURES[data.procedure]
    with store.read() as conn:
        made = decision(conn, data, params)
        archived_by = PREVIEW
        if archiver is not None:
            archived_by = archiver.display_name or display_name(conn, archiver.username)
        seq = head_of(conn)[0] + 1 if archiver is not None else None
    return Stamp(
        procedure=proc.label,
        case=f"{proc.case.split('（')[0]}：{data.case_id}",
        decided_by=made.by if made else MISSING,
        decided_at=shown(made.at) if made else MISSING,
        archived_by=archived_by,
        archived_at=shown(local_time(now)),
        version=casework.__version__,
        rubrics=data.rubric_id or NO_RUBRIC,
        seq=seq,
    )
