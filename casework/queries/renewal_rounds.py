"""A renewal round as its notice (续期评估通知, REN-01) and its published results (REN-05) read
it: the round and, for each of its cases, the filing's code, institution and terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from casework.queries.lookup import one_or_not_found, project_name_map_in, require_keys
from casework.store.engine import Store
from casework.store.tables import filing_terms, filings, institutions, renewal_cases, renewal_rounds


@dataclass(frozen=True)
class RoundCase:
    """One renewal case of a round with its filing's code, city, institution and terms."""

    case: dict[str, Any]
    code: str
    institution: str
    terms: tuple[dict[str, Any], ...]  # the filing's terms by seq


@dataclass(frozen=True)
class RoundFacts:
    """A renewal round and its cases, by filing code."""

    round: dict[str, Any]
    cases: tuple[RoundCase, ...]
    project_names: dict[str, str]


def round_facts(store: Store, round_id: int) -> RoundFacts:
    """The round ``round_id`` and only its own cases (NotFound if unknown)."""
    require_keys("续期评估轮次", round_id=round_id)
    q = (
        select(renewal_cases, filings.c.code, institutions.c.name.label("institution"))
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(renewal_cases.c.round_id == round_id)
        .order_by(filings.c.code)
    )
    with store.read() as conn:
        rnd = one_or_not_found(conn, renewal_rounds, "续期评估轮次", id=round_id)
        rows = [dict(r) for r in conn.execute(q).mappings().all()]
        ids = [r["filing_id"] for r in rows]
        terms = (
            [
                dict(t)
                for t in conn.execute(
                    select(filing_terms)
                    .where(filing_terms.c.filing_id.in_(ids))
                    .order_by(filing_terms.c.seq)
                ).mappings()
            ]
            if ids
            else []
        )
        names = project_name_map_in(conn)
    cases = tuple(
        RoundCase(
            case=r,
            code=str(r["code"]),
            institution=str(r["institution"]),
            terms=tuple(t for t in terms if t["filing_id"] == r["filing_id"]),
        )
        for r in rows
    )
    return RoundFacts(round=rnd, cases=cases, project_names=names)
