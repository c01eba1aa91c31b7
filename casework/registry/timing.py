"""The registry side of time as the source of truth: every command that moves or uses a
filing asks for its state on the command's date (EXIT-03), not the stored status alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from casework.domain import lifecycle
from casework.domain.timing import AFTER_TERM_ACTIONS, ended_by_date
from casework.errors import RuleViolation
from casework.queries.timing import latest_renewal_status


def filing_ended_on(conn: Connection, filing: Any, on: date) -> str | None:
    """The reason ``filing`` is ended by its dates on ``on`` (到期未续, 续期不合格), or None."""
    return ended_by_date(
        filing["status"], filing["term_end"], on, latest_renewal_status(conn, filing["id"])
    )


def filing_target(conn: Connection, filing: Any, action: str, on: date) -> str:
    """The filing's next state for ``action`` on ``on``; a filing whose term ended before
    ``on`` admits only the recording of its end (EXIT-03)."""
    ended = filing_ended_on(conn, filing, on)
    if ended is not None and action not in AFTER_TERM_ACTIONS:
        label = lifecycle.FILING.transition(action).label
        raise RuleViolation(
            f"备案有效期已于{filing['term_end']}届满（{ended}），{on}不能再{label}",
            rule_id="EXIT-03",
        )
    return lifecycle.FILING.target(action, filing["status"])
