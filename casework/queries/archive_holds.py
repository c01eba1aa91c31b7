"""The legal holds on archived records (EXIT-08), as the archive page lists them."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select

from casework.queries.lookup import display_names
from casework.queries.renewal_outcome import bureau_date
from casework.store.engine import Store
from casework.store.tables import archive_holds

HOLD_COLUMNS = ["id", "subject", "reason", "placed_by", "placed_at"]


def open_holds(store: Store, subjects: Iterable[str]) -> pd.DataFrame:
    """The holds in force on ``subjects``: id, subject, reason, placed_by (the person's name,
    never the user name) and placed_at (the date)."""
    wanted = set(subjects)
    q = (
        select(archive_holds)
        .where(archive_holds.c.released_at.is_(None))
        .order_by(archive_holds.c.id)
    )
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings() if r["subject"] in wanted]
        names = display_names(conn, [r["placed_by"] for r in rows])
    out = [
        {
            "id": int(r["id"]),
            "subject": r["subject"],
            "reason": r["reason"],
            "placed_by": names.get(r["placed_by"], r["placed_by"]),
            # stored as naive UTC: dated in Asia/Shanghai (issue #13)
            "placed_at": f"{bureau_date(r['placed_at']):%Y-%m-%d}",
        }
        for r in rows
    ]
    return pd.DataFrame(out, columns=HOLD_COLUMNS)


def hold_subject(store: Store, hold_id: int) -> str | None:
    """The subject of hold ``hold_id`` (None if there is no such hold)."""
    q = select(archive_holds.c.subject).where(archive_holds.c.id == int(hold_id))
    with store.read() as conn:
        found = conn.execute(q).scalar()
    return None if found is None else str(found)
