"""Read side of closing work after expiry, a failed renewal or extinction (EXIT-08)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.store.engine import Store
from casework.store.tables import closing_work, filings, institutions


def closing_work_of(store: Store, filing_id: int) -> dict[str, Any] | None:
    """The closing work of one filing (reason, opened_on, parts done, completed_on), if any."""
    with store.read() as conn:
        row = (
            conn.execute(select(closing_work).where(closing_work.c.filing_id == filing_id))
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


def open_closing_work(store: Store, city_code: str) -> pd.DataFrame:
    """The city's filings whose closing work is not complete: filing_id, institution, code,
    reason, opened_on, parts_done."""
    q = (
        select(
            closing_work.c.filing_id,
            institutions.c.name.label("institution"),
            filings.c.code,
            closing_work.c.reason,
            closing_work.c.opened_on,
            closing_work.c.parts,
        )
        .join(filings, filings.c.id == closing_work.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(filings.c.city_code == city_code, closing_work.c.completed_on.is_(None))
        .order_by(closing_work.c.opened_on)
    )
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["parts_done"] = "、".join(r.pop("parts")) or "—"
    columns = ["filing_id", "institution", "code", "reason", "opened_on", "parts_done"]
    return pd.DataFrame(rows, columns=columns)
