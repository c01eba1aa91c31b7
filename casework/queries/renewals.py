"""Read models of the 续期自评 page: an institution's renewal cases and what the page shows.

Read-only: every function reads the store and returns plain values or DataFrames.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.registry.sheets import SELF
from casework.store.engine import Store
from casework.store.tables import (
    filing_projects,
    filings,
    institutions,
    projects,
    renewal_cases,
    renewal_rounds,
    sheets,
)


def _case_query() -> Any:
    return (
        select(
            renewal_cases.c.id.label("renewal_id"),
            renewal_cases.c.status,
            renewal_cases.c.submitted_on,
            renewal_cases.c.application,
            renewal_rounds.c.title.label("round_title"),
            renewal_rounds.c.opened_on,
            renewal_rounds.c.deadline,
            renewal_rounds.c.rubric_id,
            filings.c.id.label("filing_id"),
            filings.c.code.label("filing_code"),
            filings.c.term_start,
            filings.c.term_end,
            filings.c.city_code,
            institutions.c.id.label("institution_id"),
            institutions.c.name.label("institution"),
            institutions.c.uscc,
            institutions.c.address,
            institutions.c.contact,
            institutions.c.phone,
        )
        .join(renewal_rounds, renewal_rounds.c.id == renewal_cases.c.round_id)
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
    )


def institution_renewals(store: Store, institution_id: int) -> pd.DataFrame:
    """The institution's renewal cases, newest first: renewal_id, status, round_title,
    deadline, filing_code, submitted_on."""
    q = (
        _case_query()
        .where(institutions.c.id == institution_id)
        .order_by(renewal_rounds.c.deadline.desc(), renewal_cases.c.id.desc())
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    return frame[["renewal_id", "status", "round_title", "deadline", "filing_code", "submitted_on"]]


def renewal_case(store: Store, renewal_id: int) -> dict[str, Any] | None:
    """One renewal case with its round, filing and institution (None if it does not exist)."""
    with store.read() as conn:
        row = conn.execute(_case_query().where(renewal_cases.c.id == renewal_id)).mappings().first()
    return dict(row) if row else None


def scope_projects(store: Store, filing_id: int) -> pd.DataFrame:
    """The filing's current projects (ATT5-STATS: every one is reported): project_code, name."""
    q = (
        select(filing_projects.c.project_code, projects.c.name)
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .where(filing_projects.c.filing_id == filing_id, filing_projects.c.removed_on.is_(None))
        .order_by(filing_projects.c.project_code)
    )
    with store.read() as conn:
        return pd.read_sql(q, conn)


def self_sheet(store: Store, renewal_id: int, author: str) -> dict[str, Any] | None:
    """The self-evaluation (Attachment 4) ``author`` keeps for a renewal case, if any."""
    q = select(sheets).where(
        sheets.c.renewal_id == renewal_id, sheets.c.kind == SELF, sheets.c.author == author
    )
    with store.read() as conn:
        row = conn.execute(q).mappings().first()
    return dict(row) if row else None
