"""Read the frames evidence needs from the store, and run the evidence on them.

The only module of :mod:`casework.domain.evidence` that touches storage (it is not imported by the
package's ``__init__``): each table is one SQL read, validated with its frame model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa
from sqlalchemy import Connection, Select, select

from casework.domain.evidence import anomalies, attachment5, frames, renewal, selection, suggestions
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    assessment_batches,
    candidate_results,
    certificates,
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    institutions,
    question_banks,
    sites,
    staff,
)

VIOLATION_CASE = "违规"


@dataclass(frozen=True)
class RegistryFrames:
    institutions: pd.DataFrame
    filings: pd.DataFrame
    terms: pd.DataFrame
    scope: pd.DataFrame
    suspensions: pd.DataFrame
    staff: pd.DataFrame
    sites: pd.DataFrame
    banks: pd.DataFrame
    batches: pd.DataFrame
    results: pd.DataFrame
    certificates: pd.DataFrame


def _read(conn: Connection, query: Select[Any], model: type[pa.DataFrameModel]) -> pd.DataFrame:
    frame = pd.read_sql(query, conn)
    if frame.empty:
        return frames.empty(model)
    return model.validate(frame)


def read_frames(conn: Connection, *, with_results: bool = True) -> RegistryFrames:
    """The whole registry's data as evidence frames (one read per table)."""
    t = staff.c
    return RegistryFrames(
        institutions=_read(
            conn,
            select(
                institutions.c.id.label("institution_id"),
                institutions.c.name,
                institutions.c.uscc,
                institutions.c.city_code,
            ),
            frames.InstitutionsFrame,
        ),
        filings=_read(
            conn,
            select(
                filings.c.id.label("filing_id"),
                filings.c.institution_id,
                filings.c.city_code,
                filings.c.status,
                filings.c.term_start,
                filings.c.term_end,
            ),
            frames.FilingsFrame,
        ),
        terms=_read(
            conn,
            select(filing_terms.c.filing_id, filing_terms.c.first_day, filing_terms.c.last_day),
            frames.TermsFrame,
        ),
        scope=_read(
            conn,
            select(
                filing_projects.c.filing_id,
                filing_projects.c.project_code,
                filing_projects.c.added_on,
                filing_projects.c.removed_on,
            ),
            frames.ScopeFrame,
        ),
        suspensions=_read(
            conn,
            select(
                exit_cases.c.filing_id,
                exit_cases.c.opened_on.label("start"),
                exit_cases.c.decided_on.label("end"),
            ).where(exit_cases.c.kind == VIOLATION_CASE),
            frames.SuspensionsFrame,
        ),
        staff=_read(
            conn,
            select(
                t.institution_id,
                t.id_number,
                t.name,
                t.role,
                t.project_code,
                t.employment,
                t.qualification,
                t.level,
                t.title,
                t.honours,
                t.trade_years,
                t.contract_months,
                t.insurance_months,
                t.other_units,
            ),
            frames.StaffFrame,
        ),
        sites=_read(
            conn,
            select(
                sites.c.institution_id,
                sites.c.site_code,
                sites.c.address,
                sites.c.city_code,
                sites.c.tenure,
                sites.c.lease_end,
                sites.c.area,
            ),
            frames.SitesFrame,
        ),
        banks=_read(
            conn,
            select(
                question_banks.c.institution_id,
                question_banks.c.project_code,
                question_banks.c.paper_sets,
                question_banks.c["items"],
            ),
            frames.BanksFrame,
        ),
        batches=_read(
            conn,
            select(
                assessment_batches.c.id.label("batch_id"),
                *(
                    assessment_batches.c[c]
                    for c in (
                        "institution_id",
                        "batch_no",
                        "project_code",
                        "site_code",
                        "plan_date",
                        "exam_date",
                        "publish_start",
                        "publish_end",
                    )
                ),
            ),
            frames.BatchesFrame,
        ),
        results=_read(
            conn,
            select(*(candidate_results.c[c] for c in frames.ResultsFrame.to_schema().columns)),
            frames.ResultsFrame,
        )
        if with_results
        else frames.empty(frames.ResultsFrame),
        certificates=_read(
            conn,
            select(*(certificates.c[c] for c in frames.CertificatesFrame.to_schema().columns)),
            frames.CertificatesFrame,
        ),
    )


def load_frames(store: Store, *, with_results: bool = True) -> RegistryFrames:
    with store.read() as conn:
        return read_frames(conn, with_results=with_results)


@dataclass(frozen=True)
class RenewalEvidence:
    """Everything the renewal group sees for one filing."""

    review: renewal.RenewalReview
    suggestions: pd.DataFrame
    attachment5: dict[str, Any]
    high_pass_rate: pd.DataFrame
    multi_certified: pd.DataFrame
    clashes: pd.DataFrame


def renewal_evidence(store: Store, filing_id: int, *, as_of: date | None = None) -> RenewalEvidence:
    """REN-03 evidence for one filing, with the registry-wide anomalies that concern it."""
    f = load_frames(store)
    mine = f.filings[f.filings["filing_id"] == filing_id]
    inst = int(mine["institution_id"].iloc[0])
    rv = renewal.review(
        mine,
        f.terms,
        f.scope,
        f.suspensions,
        f.sites,
        f.batches,
        f.results,
        f.certificates,
        as_of=as_of,
    )
    clashes = anomalies.evaluator_clashes(f.batches, f.results, f.institutions)
    multi = anomalies.multi_institution_candidates(f.certificates, f.institutions)
    sugg = suggestions.suggest(
        rv, mine, f.scope, f.staff, f.banks, clashes=clashes, multi_certified=multi
    )
    scope_now = f.scope[(f.scope["filing_id"] == filing_id) & f.scope["removed_on"].isna()][
        "project_code"
    ].tolist()
    high = anomalies.high_pass_rate(f.batches[f.batches["institution_id"] == inst], f.results)
    return RenewalEvidence(
        review=rv,
        suggestions=sugg,
        attachment5=attachment5.prefill(rv, filing_id, inst, f.staff, f.sites, f.banks, scope_now),
        high_pass_rate=high,
        multi_certified=multi[multi["institution_ids"].map(lambda ids: inst in ids)]
        if len(multi)
        else multi,
        clashes=clashes[clashes["institution_ids"].map(lambda ids: inst in ids)]
        if len(clashes)
        else clashes,
    )


def attachment5_prefill(store: Store, filing_id: int) -> dict[str, Any]:
    """Attachment 5 pre-filled from the assessment data on record (ATT5-STATS, REN-03)."""
    return renewal_evidence(store, filing_id).attachment5


def selection_evidence_for(
    store: Store, application_id: int, *, start: date | None = None
) -> pd.DataFrame:
    """Attachment 1 evidence for an application: its institution and projects applied for."""
    with store.read() as conn:
        app = (
            conn.execute(select(applications).where(applications.c.id == application_id))
            .mappings()
            .one()
        )
        codes = list(
            conn.execute(
                select(application_projects.c.project_code).where(
                    application_projects.c.application_id == application_id
                )
            ).scalars()
        )
        f = read_frames(conn, with_results=False)
    return selection_for(f, [int(app["institution_id"])], codes, start=start or app["submitted_on"])


def selection_for(
    f: RegistryFrames, institution_ids: Sequence[int], project_codes: Sequence[str], *, start: date
) -> pd.DataFrame:
    """Attachment 1 evidence for some institutions applying for the same projects."""
    ids = set(institution_ids)

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["institution_id"].isin(ids)]

    applied = pd.DataFrame(
        [(i, c) for i in sorted(ids) for c in project_codes],
        columns=["institution_id", "project_code"],
    )
    return selection.selection_evidence(
        own(f.institutions),
        own(f.staff),
        own(f.sites),
        own(f.banks),
        own(f.batches),
        applied,
        start=start,
        registry_staff=f.staff,
        registry_institutions=f.institutions,
    )
