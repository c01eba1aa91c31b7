"""The read side of time as the source of truth (EXIT-03): what a filing's dates decide."""

from __future__ import annotations

from sqlalchemy import Connection, select

from casework.store.tables import renewal_cases


def latest_renewal_status(conn: Connection, filing_id: int) -> str | None:
    return (
        conn.execute(
            select(renewal_cases.c.status)
            .where(renewal_cases.c.filing_id == filing_id)
            .order_by(renewal_cases.c.id.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )
