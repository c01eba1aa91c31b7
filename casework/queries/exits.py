"""Read models of the exit and supervision pages (EXIT-02…EXIT-07, SUP-01, SUP-02).

Plain reads for the apps: the filings and institutions of a city, the exit cases of a filing
and the incidents of an institution. Nothing here writes; every write is a registry command.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.domain import lifecycle
from casework.queries.keys import EXIT, case_numbers_in
from casework.queries.lookup import one_or_none, require_keys
from casework.store.engine import Store
from casework.store.tables import cities, exit_cases, filings, incidents, institutions

OPEN_EXIT = ("违规", "自愿撤销")
FINAL_EXIT_STATES = tuple(lifecycle.VIOLATION.finals | lifecycle.WITHDRAWAL.finals)
LIVE = (lifecycle.ACTIVE, lifecycle.SUSPENDED)


def filing_row(store: Store, filing_id: int) -> dict[str, Any] | None:
    """One filing with its institution's name and USCC and its city's name, or None."""
    q = (
        select(
            filings,
            institutions.c.name.label("institution"),
            institutions.c.uscc,
            institutions.c.extinct_on,
            cities.c.name.label("city"),
        )
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .where(filings.c.id == filing_id)
    )
    with store.read() as conn:
        return one_or_none(conn, q, "备案", filing_id=filing_id)


def exit_case_row(store: Store, case_id: int) -> dict[str, Any] | None:
    """One exit case (退出案件) by its record, or None; a missing key is refused."""
    with store.read() as conn:
        return one_or_none(conn, exit_cases, "退出案件", id=case_id)


def exit_cases_of(store: Store, filing_id: int) -> pd.DataFrame:
    """Every exit case of a filing, newest first, with its public ``number`` (TC-…,
    docs/case-numbers.md) and an ``open`` flag (not in a final state)."""
    require_keys("备案", filing_id=filing_id)
    q = (
        select(exit_cases)
        .where(exit_cases.c.filing_id == filing_id)
        .order_by(exit_cases.c.id.desc())
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        numbers = case_numbers_in(conn, EXIT, frame["id"].tolist())
    frame["number"] = frame["id"].map(numbers).astype(object)
    frame["open"] = ~frame["status"].isin(FINAL_EXIT_STATES)
    return frame


def institution_row(store: Store, institution_id: int) -> dict[str, Any] | None:
    """One institution with its city's name, or None."""
    q = (
        select(institutions, cities.c.name.label("city"))
        .join(cities, cities.c.city_code == institutions.c.city_code)
        .where(institutions.c.id == institution_id)
    )
    with store.read() as conn:
        return one_or_none(conn, q, "考核机构", institution_id=institution_id)


def city_institutions(store: Store, city_code: str) -> pd.DataFrame:
    """The institutions of a city: institution_id, name, uscc, code and status of the latest
    filing (``未备案`` when none)."""
    iq = (
        select(institutions.c.id.label("institution_id"), institutions.c.name, institutions.c.uscc)
        .where(institutions.c.city_code == city_code)
        .order_by(institutions.c.name)
    )
    fq = (
        select(filings.c.institution_id, filings.c.code, filings.c.status)
        .where(filings.c.city_code == city_code)
        .order_by(filings.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(iq, conn)
        latest = pd.read_sql(fq, conn).drop_duplicates("institution_id", keep="last")
    latest = latest.set_index("institution_id")
    frame["code"] = frame["institution_id"].map(latest["code"]).fillna("")
    frame["status"] = frame["institution_id"].map(latest["status"]).fillna("未备案")
    return frame


def live_filing_of(store: Store, institution_id: int) -> dict[str, Any] | None:
    """The institution's filing in 有效 or 暂停, or None."""
    q = select(filings).where(
        filings.c.institution_id == institution_id, filings.c.status.in_(LIVE)
    )
    with store.read() as conn:
        return one_or_none(conn, q, "备案", institution_id=institution_id)


def incidents_of(store: Store, institution_id: int) -> pd.DataFrame:
    """The supervision incidents of an institution, newest first (SUP-01)."""
    q = (
        select(incidents)
        .where(incidents.c.institution_id == institution_id)
        .order_by(incidents.c.id.desc())
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    frame["follow_up_count"] = [len(f or []) for f in frame["follow_ups"]]
    return frame
