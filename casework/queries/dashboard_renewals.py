"""Dashboard read models of renewals: the pipeline by month of expiry, missed deadlines,
outcomes and the inter-rater spread (REN-01…REN-07); aggregated in SQL, pandera-validated.

Re-exported by :mod:`casework.queries.dashboard`, the dashboards' one import.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series
from sqlalchemy import Case, ColumnElement, Join, and_, case, extract, func, or_, select

from casework.domain import lifecycle
from casework.queries.dashboard_filters import Filters, filing_conditions
from casework.queries.stored_sheets import RENEWAL_SHEET, SUBMITTED
from casework.store.engine import Store
from casework.store.tables import (
    cities,
    filing_terms,
    filings,
    institutions,
    panels,
    renewal_cases,
    renewal_rounds,
    sheets,
    users,
)

# The renewal pipeline (REN-01, REN-02): where each term that ends in a month stands.
NOT_OPENED, AWAITING, SCORING, DECIDED, MISSED, CANCELLED = (
    "未启动",
    lifecycle.RENEWAL_AWAITING_SELF,
    lifecycle.RENEWAL_EVALUATING,
    "已决定",
    "逾期未提交",
    lifecycle.RENEWAL_CANCELLED,
)
STAGES = (NOT_OPENED, AWAITING, SCORING, DECIDED, MISSED, CANCELLED)

SPREAD_POINTS = 10.0
"""Inter-rater spread: a member whose total lies this many points or more from the mean of
their renewal group is flagged for review (a reading aid of the dashboard, not a rule of the
notice; REN-04, REN-07)."""


def _frame(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(model.to_schema().columns)]


def _read(query: object, store: Store) -> pd.DataFrame:
    with store.read() as conn:
        return pd.read_sql(query, conn)  # type: ignore[call-overload]


# --- the renewal pipeline (REN-01, REN-02) ---------------------------------------------------
def _terms_with_cases() -> Join:
    """Each filing term with the latest renewal case whose round covers its last day."""
    matched = (
        select(
            filing_terms.c.filing_id,
            filing_terms.c.seq,
            func.max(renewal_cases.c.id).label("case_id"),
        )
        .join(renewal_cases, renewal_cases.c.filing_id == filing_terms.c.filing_id)
        .join(renewal_rounds, renewal_rounds.c.id == renewal_cases.c.round_id)
        .where(
            filing_terms.c.last_day >= renewal_rounds.c.expiring_from,
            filing_terms.c.last_day <= renewal_rounds.c.expiring_to,
        )
        .group_by(filing_terms.c.filing_id, filing_terms.c.seq)
        .subquery()
    )
    return (
        filing_terms.join(filings, filings.c.id == filing_terms.c.filing_id)
        .outerjoin(
            matched,
            and_(
                matched.c.filing_id == filing_terms.c.filing_id,
                matched.c.seq == filing_terms.c.seq,
            ),
        )
        .outerjoin(renewal_cases, renewal_cases.c.id == matched.c.case_id)
        .outerjoin(renewal_rounds, renewal_rounds.c.id == renewal_cases.c.round_id)
    )


def _stage() -> Case[str]:
    status = renewal_cases.c.status
    return case(
        (renewal_cases.c.id.is_(None), NOT_OPENED),
        (status == lifecycle.RENEWAL_AWAITING_SELF, AWAITING),
        (status.in_((lifecycle.RENEWAL_SUBMITTED, lifecycle.RENEWAL_EVALUATING)), SCORING),
        (status.in_((lifecycle.RENEWAL_PASSED, lifecycle.RENEWAL_FAILED)), DECIDED),
        (status == lifecycle.RENEWAL_LAPSED, MISSED),
        else_=CANCELLED,
    )


def _pipeline_conditions(f: Filters) -> list[ColumnElement[bool]]:
    # a term counts if the filing lived to its end, or a renewal case was opened for it
    conditions: list[ColumnElement[bool]] = [
        or_(
            filings.c.ended_on.is_(None),
            filings.c.ended_on >= filing_terms.c.last_day,
            renewal_cases.c.id.is_not(None),
        ),
        *filing_conditions(f),
    ]
    if f.year:
        conditions.append(extract("year", filing_terms.c.last_day) == f.year)
    return conditions


class PipelineTable(pa.DataFrameModel):
    """Terms ending per month, by where their renewal stands (REN-01, REN-02)."""

    year: Series[int]
    month: Series[int] = pa.Field(ge=1, le=12)
    stage: Series[str] = pa.Field(isin=STAGES)
    filings: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


@pa.check_types
def pipeline(store: Store, f: Filters) -> DataFrame[PipelineTable]:
    year = extract("year", filing_terms.c.last_day)
    month = extract("month", filing_terms.c.last_day)
    stage = _stage()
    q = (
        select(
            year.label("year"),
            month.label("month"),
            stage.label("stage"),
            func.count().label("filings"),
        )
        .select_from(_terms_with_cases())
        .where(*_pipeline_conditions(f))
        .group_by(year, month, stage)
        .order_by(year, month)
    )
    return DataFrame[PipelineTable](_read(q, store))


class MissedTable(pa.DataFrameModel):
    """REN-02: renewal cases whose self-evaluation deadline passed without a submission."""

    renewal_id: Series[int]
    institution: Series[str]
    city: Series[str]
    code: Series[str]
    term_end: Series[pd.Timestamp]
    deadline: Series[pd.Timestamp]
    status: Series[str] = pa.Field(isin=(lifecycle.RENEWAL_AWAITING_SELF, lifecycle.RENEWAL_LAPSED))
    days_overdue: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


@pa.check_types
def missed_deadlines(store: Store, f: Filters, today: date) -> DataFrame[MissedTable]:
    q = (
        select(
            renewal_cases.c.id.label("renewal_id"),
            institutions.c.name.label("institution"),
            cities.c.name.label("city"),
            filings.c.code,
            filing_terms.c.last_day.label("term_end"),
            renewal_rounds.c.deadline,
            renewal_cases.c.status,
        )
        .select_from(_terms_with_cases())
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .where(
            *_pipeline_conditions(f),
            or_(
                renewal_cases.c.status == lifecycle.RENEWAL_LAPSED,
                and_(
                    renewal_cases.c.status == lifecycle.RENEWAL_AWAITING_SELF,
                    renewal_rounds.c.deadline < today,
                ),
            ),
        )
        .order_by(renewal_rounds.c.deadline)
    )
    frame = _read(q, store)
    for col in ("term_end", "deadline"):
        frame[col] = pd.to_datetime(frame[col])
    frame["days_overdue"] = (pd.Timestamp(today) - frame["deadline"]).dt.days.clip(lower=0)
    return DataFrame[MissedTable](_frame(MissedTable, frame))


# --- renewal outcomes and inter-rater spread (REN-04…REN-07) ---------------------------------
class OutcomeTable(pa.DataFrameModel):
    """Decided renewal cases: composite score, grade and veto finding (REN-05, REN-06)."""

    renewal_id: Series[int]
    institution: Series[str]
    city: Series[str]
    code: Series[str]
    decided_on: Series[pd.Timestamp]
    composite: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    grade: Series[str]
    veto_found: Series[bool]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def outcomes(store: Store, f: Filters) -> DataFrame[OutcomeTable]:
    q = (
        select(
            renewal_cases.c.id.label("renewal_id"),
            institutions.c.name.label("institution"),
            cities.c.name.label("city"),
            filings.c.code,
            renewal_cases.c.decided_on,
            renewal_cases.c.composite,
            func.coalesce(renewal_cases.c.grade, renewal_cases.c.status).label("grade"),
            func.coalesce(renewal_cases.c.veto_found, False).label("veto_found"),
        )
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .where(
            renewal_cases.c.status.in_((lifecycle.RENEWAL_PASSED, lifecycle.RENEWAL_FAILED)),
            *filing_conditions(f),
        )
        .order_by(renewal_cases.c.decided_on.desc())
    )
    if f.year:
        q = q.where(extract("year", renewal_cases.c.decided_on) == f.year)
    frame = _read(q, store)
    frame["decided_on"] = pd.to_datetime(frame["decided_on"])
    frame["veto_found"] = frame["veto_found"].astype(bool)
    return DataFrame[OutcomeTable](frame)


class SpreadTable(pa.DataFrameModel):
    """Each submitted renewal sheet against its group's mean (REN-04, REN-07)."""

    panel_id: Series[int]
    institution: Series[str]
    city: Series[str]
    member: Series[str]
    member_name: Series[str]
    total: Series[float]
    group_mean: Series[float]
    deviation: Series[float]
    members: Series[int] = pa.Field(ge=1)
    flagged: Series[bool]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def rater_spread(store: Store, f: Filters) -> DataFrame[SpreadTable]:
    """Members' totals beside their group's mean; ``flagged`` where ``|deviation| ≥``
    :data:`SPREAD_POINTS`. Only groups of two or more submitted sheets are compared."""
    submitted = and_(sheets.c.kind == RENEWAL_SHEET, sheets.c.status == SUBMITTED)
    groups = (
        select(
            sheets.c.panel_id,
            func.avg(sheets.c.total).label("group_mean"),
            func.count().label("members"),
        )
        .where(submitted)
        .group_by(sheets.c.panel_id)
        .having(func.count() >= 2)
        .subquery()
    )
    deviation = sheets.c.total - groups.c.group_mean
    q = (
        select(
            sheets.c.panel_id,
            institutions.c.name.label("institution"),
            cities.c.name.label("city"),
            sheets.c.author.label("member"),
            func.coalesce(users.c.display_name, sheets.c.author).label("member_name"),
            sheets.c.total,
            groups.c.group_mean,
            deviation.label("deviation"),
            groups.c.members,
            (func.abs(deviation) >= SPREAD_POINTS).label("flagged"),
        )
        .join(groups, groups.c.panel_id == sheets.c.panel_id)
        .join(panels, panels.c.id == sheets.c.panel_id)
        .join(renewal_cases, renewal_cases.c.id == panels.c.renewal_id)
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .outerjoin(users, users.c.username == sheets.c.author)
        .where(submitted, *filing_conditions(f))
        .order_by(func.abs(deviation).desc(), sheets.c.panel_id, sheets.c.author)
    )
    if f.year:
        q = q.where(extract("year", panels.c.constituted_on) == f.year)
    frame = _read(q, store)
    frame["flagged"] = frame["flagged"].astype(bool)
    return DataFrame[SpreadTable](frame)
