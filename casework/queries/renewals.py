"""Renewal cases: an institution's cases (the 续期自评 page) and one case with its filing and
round as its letters and reports read it (REN-01 … REN-05).

Read-only: every function reads the store and returns plain values, DataFrames or frozen
dataclasses. The group's Attachment 6 outcome is :mod:`casework.queries.renewal_outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.queries.filings import FilingFacts, filing_facts
from casework.queries.lookup import one_or_none, one_or_not_found
from casework.queries.stored_sheets import SELF
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
    q = _case_query().where(renewal_cases.c.id == renewal_id)
    with store.read() as conn:
        return one_or_none(conn, q, "续期评估", renewal_id=renewal_id)


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
        return one_or_none(conn, q, "续期自评表", renewal_id=renewal_id, author=author)


@dataclass(frozen=True)
class RenewalFacts:
    """A renewal case with its round and its filing (institution, terms, scope)."""

    case: dict[str, Any]
    round: dict[str, Any]
    filing: FilingFacts

    @property
    def institution(self) -> dict[str, Any]:
        return self.filing.institution

    def new_terms(self) -> list[dict[str, Any]]:
        """The terms the renewal decision opened (REN-05): 续期 terms after the decision."""
        decided = self.case["decided_on"]
        if decided is None:
            return []
        return [t for t in self.filing.terms if t["source"] == "续期" and t["first_day"] > decided]


def renewal_facts(store: Store, renewal_id: int) -> RenewalFacts:
    """One renewal case with its round and filing (NotFound if unknown)."""
    with store.read() as conn:
        case = one_or_not_found(conn, renewal_cases, "续期评估", id=renewal_id)
        rnd = one_or_not_found(conn, renewal_rounds, "续期评估轮次", id=case["round_id"])
    return RenewalFacts(case=case, round=rnd, filing=filing_facts(store, int(case["filing_id"])))
