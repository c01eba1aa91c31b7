"""The completed procedures a batch of archived reports covers (``casework report --all``).

Candidates only: each one is read again by its report's collector, which refuses what is not
complete (SEL-04, SEL-05, SEL-06, REN-05, EXIT-01). What is already archived (the same
procedure, case and scope date in the manifest) is left out, so a batch archives a case once.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import or_, select

from casework.domain import lifecycle, rules
from casework.queries.filings import RENEWAL_DROP, SCOPE_ADDED_BY
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    archive_entries,
    filing_projects,
    filings,
    institutions,
    renewal_cases,
)

SELECTION_DECIDED = ("拟备案", "公示中", "公示无异议", "已备案", "未通过")
"""An application whose selection was decided (SEL-04), as ``collect_selection`` reads it."""
RENEWAL_DECIDED = (rules.GRADE_PASS, rules.GRADE_FAIL)
"""A renewal case the city decided (REN-05)."""

Candidate = tuple[str, int, str | None]
"""(procedure, case id, the scope change's date as ISO text or None)."""


def archived(store: Store) -> set[Candidate]:
    """Every (procedure, case, date) the manifest already holds."""
    q = select(archive_entries.c.procedure, archive_entries.c.case_id, archive_entries.c.parameters)
    with store.read() as conn:
        rows = conn.execute(q).all()
    out: set[Candidate] = set()
    for procedure, case_id, params in rows:
        recorded = json.loads(params) if isinstance(params, str) else (params or {})
        out.add((str(procedure), int(case_id), recorded.get("on")))
    return out


def archivable(
    store: Store, procedures: tuple[str, ...], city_code: str | None = None
) -> list[Candidate]:
    """The completed procedures of ``procedures`` not archived yet, in case order
    (``city_code`` limits them to one city)."""
    out: list[Candidate] = []
    with store.read() as conn:
        in_city = (filings.c.city_code == city_code) if city_code else None
        if "selection" in procedures:
            q = (
                select(applications.c.id)
                .join(institutions, institutions.c.id == applications.c.institution_id)
                .where(applications.c.status.in_(SELECTION_DECIDED))
                .where(applications.c.decided_on.is_not(None))
                .order_by(applications.c.id)
            )
            if city_code:
                q = q.where(institutions.c.city_code == city_code)
            out += [("selection", int(i), None) for i in conn.execute(q).scalars()]
        if "filing" in procedures:
            q = select(filings.c.id).order_by(filings.c.id)
            if in_city is not None:
                q = q.where(in_city)
            out += [("filing", int(i), None) for i in conn.execute(q).scalars()]
        if "scope" in procedures:
            q = (
                select(filing_projects.c.filing_id, filing_projects.c.added_on)
                .join(filings, filings.c.id == filing_projects.c.filing_id)
                .where(filing_projects.c.added_by == SCOPE_ADDED_BY)
            )
            r = (
                select(filing_projects.c.filing_id, filing_projects.c.removed_on)
                .join(filings, filings.c.id == filing_projects.c.filing_id)
                .where(filing_projects.c.removed_on.is_not(None))
                .where(
                    or_(
                        filing_projects.c.removal_reason.is_(None),
                        filing_projects.c.removal_reason != RENEWAL_DROP,
                    )
                )
            )
            if in_city is not None:
                q, r = q.where(in_city), r.where(in_city)
            changes: set[tuple[int, date]] = {
                (int(f), d) for f, d in [*conn.execute(q).all(), *conn.execute(r).all()]
            }
            out += [("scope", f, d.isoformat()) for f, d in sorted(changes)]
        if "renewal" in procedures:
            q = (
                select(renewal_cases.c.id)
                .join(filings, filings.c.id == renewal_cases.c.filing_id)
                .where(renewal_cases.c.status.in_(RENEWAL_DECIDED))
                .order_by(renewal_cases.c.id)
            )
            if in_city is not None:
                q = q.where(in_city)
            out += [("renewal", int(i), None) for i in conn.execute(q).scalars()]
        if "exit" in procedures:
            q = (
                select(filings.c.id)
                .where(filings.c.status == lifecycle.TERMINATED)
                .order_by(filings.c.id)
            )
            if in_city is not None:
                q = q.where(in_city)
            out += [("exit", int(i), None) for i in conn.execute(q).scalars()]
    done = archived(store)
    return [c for c in out if c not in done]
