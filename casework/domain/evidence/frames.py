"""The tables evidence is computed from, as the registry holds them (one model per table).

These are the domain's view of the institutions' data: ids instead of codes typed by people,
dates as timestamps, missing values as NA. The store loader
(:mod:`casework.queries.evidence`) produces them; tests and the benchmark build them directly.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from casework.domain.evidence import vocabulary as v


class _Frame(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class InstitutionsFrame(_Frame):
    institution_id: Series[int] = pa.Field(unique=True)
    name: Series[str]
    uscc: Series[str]
    city_code: Series[str]


class FilingsFrame(_Frame):
    """Filings with their current term and status (生效/暂停/终止备案 …)."""

    filing_id: Series[int] = pa.Field(unique=True)
    institution_id: Series[int]
    city_code: Series[str]
    status: Series[str]
    term_start: Series[pd.Timestamp]
    term_end: Series[pd.Timestamp]


class TermsFrame(_Frame):
    """Every term a filing has had (the first, then one per renewal)."""

    filing_id: Series[int]
    first_day: Series[pd.Timestamp]
    last_day: Series[pd.Timestamp]


class ScopeFrame(_Frame):
    """SEL-06: a project in a filing's scope from ``added_on`` until ``removed_on`` (exclusive)."""

    filing_id: Series[int]
    project_code: Series[str]
    added_on: Series[pd.Timestamp]
    removed_on: Series[pd.Timestamp] = pa.Field(nullable=True)


class SuspensionsFrame(_Frame):
    """EXIT-04: a filing suspended from ``start`` until ``end`` (exclusive; NA while open)."""

    filing_id: Series[int]
    start: Series[pd.Timestamp]
    end: Series[pd.Timestamp] = pa.Field(nullable=True)


class StaffFrame(_Frame):
    institution_id: Series[int]
    id_number: Series[str]
    name: Series[str]
    role: Series[str] = pa.Field(isin=v.ROLES)
    project_code: Series[str]
    """"" for roles not held per project."""
    employment: Series[str] = pa.Field(isin=v.EMPLOYMENT)
    qualification: Series[str] = pa.Field(nullable=True)
    level: Series[str] = pa.Field(nullable=True)
    title: Series[str] = pa.Field(nullable=True)
    honours: Series[str] = pa.Field(nullable=True)
    trade_years: Series[float] = pa.Field(nullable=True)
    contract_months: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    insurance_months: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    other_units: Series[str] = pa.Field(nullable=True)


class SitesFrame(_Frame):
    institution_id: Series[int]
    site_code: Series[str]
    address: Series[str]
    city_code: Series[str]
    tenure: Series[str] = pa.Field(isin=v.TENURES)
    lease_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    area: Series[float]


class BanksFrame(_Frame):
    institution_id: Series[int]
    project_code: Series[str]
    paper_sets: Series[int]
    items: Series[int]


class BatchesFrame(_Frame):
    batch_id: Series[int] = pa.Field(unique=True)
    institution_id: Series[int]
    batch_no: Series[str]
    project_code: Series[str]
    site_code: Series[str]
    plan_date: Series[pd.Timestamp]
    exam_date: Series[pd.Timestamp]
    publish_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    publish_end: Series[pd.Timestamp] = pa.Field(nullable=True)


class ResultsFrame(_Frame):
    batch_id: Series[int]
    id_number: Series[str]
    gender: Series[str]
    age: Series[int]
    score: Series[float]
    passed: Series[bool]
    evaluator_1: Series[str] = pa.Field(nullable=True)
    evaluator_2: Series[str] = pa.Field(nullable=True)
    evaluator_3: Series[str] = pa.Field(nullable=True)


class CertificatesFrame(_Frame):
    institution_id: Series[int]
    cert_no: Series[str]
    id_number: Series[str]
    project_code: Series[str]
    issued_on: Series[pd.Timestamp]
    batch_id: Series[pd.Int64Dtype] = pa.Field(nullable=True)


EVALUATOR_COLUMNS = ("evaluator_1", "evaluator_2", "evaluator_3")


def empty(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A frame of ``model`` with no rows (every column with its dtype)."""
    schema = model.to_schema()
    return schema.coerce_dtype(pd.DataFrame({c: pd.Series(dtype=object) for c in schema.columns}))
