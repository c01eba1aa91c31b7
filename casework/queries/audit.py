"""The state of the audit log's hash chain, as the read side reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from casework.store import audit
from casework.store.engine import Store
from casework.store.tables import audit_log


@dataclass(frozen=True)
class AuditCheck:
    """How many entries the log holds and every break found (none: the chain verifies)."""

    entries: int
    problems: tuple[Any, ...]  # casework.store.audit.AuditProblem

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_check(store: Store) -> AuditCheck:
    """Walk the audit log's hash chain."""
    with store.read() as conn:
        problems = audit.verify(conn)
        count = conn.execute(select(func.count()).select_from(audit_log)).scalar() or 0
    return AuditCheck(entries=int(count), problems=tuple(problems))
