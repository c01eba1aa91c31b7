"""Which filings a renewal round would take in (REN-01), shown before it is opened, and the
city's rounds. Read-only; scoped to one city. ``registry.open_round`` decides the same on the
server: a live filing whose term ends in the window, not ended by its dates, with no renewal
under way."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select

from casework.domain import lifecycle
from casework.domain.timing import ended_by_date
from casework.store.engine import Store
from casework.store.tables import filings, institutions, renewal_cases, renewal_rounds

INCLUDED = "纳入本轮"
DUE_COLUMNS = ["filing_id", "code", "institution", "term_end", "status", "included", "note"]
RUNNING = (
    lifecycle.RENEWAL_AWAITING_SELF,
    lifecycle.RENEWAL_SUBMITTED,
    lifecycle.RENEWAL_EVALUATING,
)


def due_filings(store: Store, city_code: str, first: date, last: date, on: date) -> pd.DataFrame:
    """The city's live filings whose term ends between ``first`` and ``last``, by term end,
    each with whether a round opened on ``on`` takes it in and, if not, why."""
    q = (
        select(
            filings.c.id.label("filing_id"),
            filings.c.code,
            institutions.c.name.label("institution"),
            filings.c.term_end,
            filings.c.status,
        )
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(
            filings.c.city_code == city_code,
            filings.c.status.in_((lifecycle.FILING_VALID, lifecycle.FILING_SUSPENDED)),
            filings.c.term_end >= first,
            filings.c.term_end <= last,
        )
        .order_by(filings.c.term_end, filings.c.code)
    )
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        ids = [r["filing_id"] for r in rows]
        cases = (
            conn.execute(
                select(renewal_cases.c.filing_id, renewal_cases.c.status)
                .where(renewal_cases.c.filing_id.in_(ids))
                .order_by(renewal_cases.c.id)
            ).all()
            if ids
            else []
        )
    latest = {f: s for f, s in cases}
    for r in rows:
        status = latest.get(r["filing_id"])
        ended = ended_by_date(r["status"], r["term_end"], on, status)
        if ended is not None:
            r["included"], r["note"] = False, f"备案有效期已届满（{ended}）"
        elif status in RUNNING:
            r["included"], r["note"] = False, f"已有在办续期评估（{status}）"
        else:
            r["included"], r["note"] = True, INCLUDED
    return pd.DataFrame(rows, columns=DUE_COLUMNS)


def city_rounds(store: Store, city_code: str) -> pd.DataFrame:
    """The city's renewal rounds, newest first: round_id, title, opened_on, deadline, window
    and how many cases each holds."""
    counted = (
        select(renewal_cases.c.round_id, func.count().label("cases"))
        .group_by(renewal_cases.c.round_id)
        .subquery()
    )
    q = (
        select(
            renewal_rounds.c.id.label("round_id"),
            renewal_rounds.c.title,
            renewal_rounds.c.opened_on,
            renewal_rounds.c.deadline,
            renewal_rounds.c.expiring_from,
            renewal_rounds.c.expiring_to,
            func.coalesce(counted.c.cases, 0).label("cases"),
        )
        .outerjoin(counted, counted.c.round_id == renewal_rounds.c.id)
        .where(renewal_rounds.c.city_code == city_code)
        .order_by(renewal_rounds.c.id.desc())
    )
    with store.read() as conn:
        frame = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()])
    columns = ["round_id", "title", "opened_on", "deadline", "expiring_from", "expiring_to"]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "cases", "window"])
    frame["window"] = frame["expiring_from"].astype(str) + " 至 " + frame["expiring_to"].astype(str)
    return frame
