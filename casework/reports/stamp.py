"""The archive stamp of a report: who decided, who archived and when, the program and rubric
versions and the archive entry — the header of every archived report and its PDF footer.

The stamp is added when the report is exported, not when it is executed: re-executing an
archived report from its recorded parameters gives the same figures, whoever runs it.
Who made the decision is read from the audit log: the command that recorded it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import casework
from casework.archive.manifest import head_of
from casework.queries.decided_by import Decision, decision_of, display_name
from casework.queries.keys import KIND_OF_LABEL, case_number_of
from casework.registry.actors import Actor
from casework.reports.content import MISSING, ReportData, local_time, shown
from casework.reports.procedures import PROCEDURES
from casework.store.engine import Store

if TYPE_CHECKING:
    from sqlalchemy import Connection

PREVIEW = "未归档（预览）"
NO_RUBRIC = "本事项不评分，未使用评分细则"


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


def decision(conn: Connection, data: ReportData, params: dict[str, Any]) -> Decision | None:
    """Who recorded the decision the report archives (:func:`casework.queries.decided_by`)."""
    on = str(params.get("on") or data.figures.get("on")) if data.procedure == "scope" else None
    return decision_of(conn, data.procedure, int(data.case_id), on)


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
    label = proc.case.split("（")[0]
    kind = KIND_OF_LABEL.get(label)
    number = case_number_of(store, kind, int(data.case_id)) if kind else str(data.case_id)
    return Stamp(
        procedure=proc.label,
        case=f"{label}：{number}",
        decided_by=made.by if made else MISSING,
        decided_at=shown(made.at) if made else MISSING,
        archived_by=archived_by,
        archived_at=shown(local_time(now)),
        version=casework.__version__,
        rubrics=data.rubric_id or NO_RUBRIC,
        seq=seq,
    )
