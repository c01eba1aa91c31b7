"""Time as the source of truth (EXIT-03, REN-02, REN-05).

A filing whose term has ended is ended **on that day** for every read and every command,
whether or not the day-end job (``casework advance``) has run since: ``advance`` records what
time already decided, it never decides it. The one exception the notice implies: a filing whose
renewal application was submitted in time stays until the renewal is decided (REN-05).
"""

from __future__ import annotations

from datetime import date

from casework.domain import lifecycle

PENDING_RENEWAL = (lifecycle.RENEWAL_SUBMITTED, lifecycle.RENEWAL_EVALUATING)
"""Renewal case states in which a filing outlives its term until the decision (REN-05)."""
FAILED_RENEWAL = lifecycle.RENEWAL_FAILED
EXPIRED, RENEWAL_FAILED = "到期未续", "续期不合格"
AFTER_TERM_ACTIONS = ("expire", "fail_renewal", "extinguish")
"""What may still happen to a filing ended by its date: recording the end itself."""


def ended_by_date(
    status: str, term_end: date, on: date, latest_renewal: str | None = None
) -> str | None:
    """The end reason a filing has on ``on`` by its dates alone, or None while it lives.

    Args:
        status: the stored filing status.
        term_end: the last day of its current term.
        on: the day asked about.
        latest_renewal: the status of its latest renewal case, if any.
    """
    if status not in (lifecycle.ACTIVE, lifecycle.SUSPENDED) or on <= term_end:
        return None
    if latest_renewal in PENDING_RENEWAL:
        return None
    return RENEWAL_FAILED if latest_renewal == FAILED_RENEWAL else EXPIRED


def filing_state_on(
    status: str, term_end: date, on: date, latest_renewal: str | None = None
) -> str:
    """The filing's state on ``on``: 终止备案 from the day after its term ends (EXIT-03)."""
    if ended_by_date(status, term_end, on, latest_renewal) is not None:
        return lifecycle.TERMINATED
    return status
