"""Dashboard read models, aggregated in the store (GROUP BY), pandera-validated.

Every function takes :class:`~casework.queries.dashboard_filters.Filters` that have been through
:func:`~casework.dashboard.filters.scope_filters`, so a city role's city is part of the SQL.
The renewal read models live in :mod:`casework.queries.dashboard_renewals` and are re-exported
here; the quota map, the deadlines and the catalog come from :mod:`casework.queries.catalog`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series
from sqlalchemy import extract, func, select

from casework.domain import lifecycle
from casework.queries.dashboard_filters import Filters, filing_conditions, in_scope
from casework.queries.dashboard_renewals import (
    AWAITING,
    CANCELLED,
    DECIDED,
    MISSED,
    NOT_OPENED,
    SCORING,
    SPREAD_POINTS,
    STAGES,
    MissedTable,
    OutcomeTable,
    PipelineTable,
    SpreadTable,
    missed_deadlines,
    outcomes,
    pipeline,
    rater_spread,
)
from casework.queries.exits import FINAL_EXIT_STATES
from casework.store.engine import Store
from casework.store.tables import (
    cities,
    exit_cases,
    filing_projects,
    filings,
    institutions,
    projects,
)

__all__ = [
    "AWAITING",
    "CANCELLED",
    "DECIDED",
    "MISSED",
    "NOT_OPENED",
    "SCORING",
    "SPREAD_POINTS",
    "STAGES",
    "STATUSES",
    "ExitReasonTable",
    "InvestigationTable",
    "MissedTable",
    "OutcomeTable",
    "PipelineTable",
    "ProjectCountTable",
    "SpreadTable",
    "StatusCountTable",
    "exits_by_reason",
    "filing_owners",
    "missed_deadlines",
    "open_investigations",
    "outcomes",
    "pipeline",
    "project_counts",
    "rater_spread",
    "status_counts",
]

STATUSES = (lifecycle.ACTIVE, lifecycle.SUSPENDED, lifecycle.TERMINATED)


def _read(query: object, store: Store) -> pd.DataFrame:
    with store.read() as conn:
        return pd.read_sql(query, conn)  # type: ignore[call-overload]


# --- institutions by city, project and status ------------------------------------------------
class StatusCountTable(pa.DataFrameModel):
    """Filings and institutions per city and status (EXIT-01 statuses)."""

    city_code: Series[str]
    city: Series[str]
    status: Series[str] = pa.Field(isin=STATUSES)
    filings: Series[int] = pa.Field(ge=0)
    institutions: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


@pa.check_types
def status_counts(store: Store, f: Filters) -> DataFrame[StatusCountTable]:
    q = (
        select(
            filings.c.city_code,
            cities.c.name.label("city"),
            filings.c.status,
            func.count(filings.c.id).label("filings"),
            func.count(func.distinct(filings.c.institution_id)).label("institutions"),
        )
        .join(cities, cities.c.city_code == filings.c.city_code)
        .where(*filing_conditions(f))
        .group_by(filings.c.city_code, cities.c.name, filings.c.status)
        .order_by(filings.c.city_code, filings.c.status)
    )
    return DataFrame[StatusCountTable](_read(q, store))


class ProjectCountTable(pa.DataFrameModel):
    """Institutions per project and filing status (the filing's current or final scope)."""

    project_code: Series[str]
    project: Series[str]
    status: Series[str] = pa.Field(isin=STATUSES)
    institutions: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


@pa.check_types
def project_counts(store: Store, f: Filters) -> DataFrame[ProjectCountTable]:
    q = (
        select(
            filing_projects.c.project_code,
            projects.c.name.label("project"),
            filings.c.status,
            func.count(func.distinct(filings.c.institution_id)).label("institutions"),
        )
        .join(filings, filings.c.id == filing_projects.c.filing_id)
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .where(in_scope(), *filing_conditions(f))
        .group_by(filing_projects.c.project_code, projects.c.name, filings.c.status)
        .order_by(filing_projects.c.project_code)
    )
    if f.project_code:
        q = q.where(filing_projects.c.project_code == f.project_code)
    return DataFrame[ProjectCountTable](_read(q, store))


def filing_owners(store: Store, f: Filters) -> pd.DataFrame:
    """filing_id → institution_id of the filings the filters select (city, status, project)."""
    q = select(filings.c.id.label("filing_id"), filings.c.institution_id).where(
        *filing_conditions(f)
    )
    return _read(q, store)


# --- exits and investigations (EXIT-01…EXIT-07) ----------------------------------------------
class ExitReasonTable(pa.DataFrameModel):
    """Filings ended, by reason (EXIT-01); every reason listed, zero where none."""

    reason: Series[str] = pa.Field(isin=lifecycle.END_REASONS)
    filings: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


@pa.check_types
def exits_by_reason(store: Store, f: Filters) -> DataFrame[ExitReasonTable]:
    q = (
        select(filings.c.end_reason.label("reason"), func.count().label("filings"))
        .where(filings.c.status == lifecycle.TERMINATED, *filing_conditions(f))
        .group_by(filings.c.end_reason)
    )
    if f.year:
        q = q.where(extract("year", filings.c.ended_on) == f.year)
    counts = _read(q, store).set_index("reason")["filings"]
    frame = pd.DataFrame({"reason": list(lifecycle.END_REASONS)})
    frame["filings"] = frame["reason"].map(counts).fillna(0).astype(int)
    return DataFrame[ExitReasonTable](frame)


class InvestigationTable(pa.DataFrameModel):
    """Open exit cases: investigations (the filing suspended, EXIT-04) and withdrawals."""

    case_id: Series[int]
    institution: Series[str]
    city: Series[str]
    code: Series[str]
    filing_status: Series[str] = pa.Field(isin=STATUSES)
    kind: Series[str] = pa.Field(isin=("违规", "自愿撤销"))
    status: Series[str]
    opened_on: Series[pd.Timestamp]
    statement_due: Series[pd.Timestamp] = pa.Field(nullable=True)
    grounds: Series[str]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def open_investigations(store: Store, f: Filters) -> DataFrame[InvestigationTable]:
    q = (
        select(
            exit_cases.c.id.label("case_id"),
            institutions.c.name.label("institution"),
            cities.c.name.label("city"),
            filings.c.code,
            filings.c.status.label("filing_status"),
            exit_cases.c.kind,
            exit_cases.c.status,
            exit_cases.c.opened_on,
            exit_cases.c.statement_due,
            func.coalesce(exit_cases.c.grounds, "").label("grounds"),
        )
        .join(filings, filings.c.id == exit_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .where(exit_cases.c.status.not_in(FINAL_EXIT_STATES), *filing_conditions(f))
        .order_by(exit_cases.c.kind.desc(), exit_cases.c.opened_on)
    )
    frame = _read(q, store)
    for col in ("opened_on", "statement_due"):
        frame[col] = pd.to_datetime(frame[col])
    return DataFrame[InvestigationTable](frame)
