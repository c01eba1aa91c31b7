"""One filing as its letters and reports read it: the filing, its institution, its dated terms
(ATT2-TERM) and the dated history of its scope (SEL-06), plus the exit cases that ended it.

Every read is scoped by ``filing_id`` and refuses a missing id (:mod:`casework.queries.lookup`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from casework.domain import lifecycle
from casework.domain.terms import FilingTerm
from casework.queries.lookup import (
    one_or_none,
    one_or_not_found,
    project_name_map_in,
    require_keys,
    rows_of,
)
from casework.store.engine import Store
from casework.store.tables import (
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    institutions,
    notice_items,
    notices,
    objections,
    quota_overrides,
)

RENEWAL_DROP = "备案期内未开展考核，不予续期"
"""The removal reason :func:`casework.registry.decide_renewal` records (REN-05)."""
SCOPE_ADDED_BY = "范围新增"
FILED_BY = ("遴选备案", "存量备案")
REVOKED = (lifecycle.VIOLATION_REVOKED, lifecycle.WITHDRAWAL_DONE)
"""EXIT-02, EXIT-06: an exit case that ended with the filing revoked."""


def stored_term(row: dict[str, Any]) -> FilingTerm:
    """A stored term, checked: its last month must be the ``months``-th — 36 unless the city
    recorded another length (ATT2-TERM, SEL-11)."""
    return FilingTerm.from_months(row["first_day"], row["last_day"], length=row.get("months", 36))


@dataclass(frozen=True)
class FilingFacts:
    """A filing with its institution, its terms (by ``seq``) and its scope rows (by project)."""

    filing: dict[str, Any]
    institution: dict[str, Any]
    terms: tuple[dict[str, Any], ...]
    scope: tuple[dict[str, Any], ...]
    project_names: dict[str, str]

    @property
    def filing_id(self) -> int:
        return int(self.filing["id"])

    def name(self, code: str) -> str:
        return self.project_names.get(code, code)

    def codes_on(self, on: date) -> list[str]:
        """The project codes in scope on ``on`` (added by then, not yet removed)."""
        return [
            r["project_code"]
            for r in self.scope
            if r["added_on"] <= on and (r["removed_on"] is None or r["removed_on"] > on)
        ]

    def scope_on(self, on: date) -> tuple[str, ...]:
        """The names of the projects in scope on ``on``, in code order."""
        return tuple(self.name(c) for c in self.codes_on(on))

    def added_on(self, on: date) -> list[str]:
        """Codes added to the scope by a scope addition on ``on`` (SEL-06)."""
        return [
            r["project_code"]
            for r in self.scope
            if r["added_by"] == SCOPE_ADDED_BY and r["added_on"] == on
        ]

    def removed_on(self, on: date) -> list[str]:
        """Codes removed on ``on`` by a scope change (not the renewal's drop, REN-05)."""
        return [
            r["project_code"]
            for r in self.scope
            if r["removed_on"] == on and r["removal_reason"] != RENEWAL_DROP
        ]

    def scope_dates(self) -> list[date]:
        """The dates on which the scope was adjusted (SEL-06), oldest first."""
        found = {r["added_on"] for r in self.scope if r["added_by"] == SCOPE_ADDED_BY}
        found |= {
            r["removed_on"]
            for r in self.scope
            if r["removed_on"] is not None and r["removal_reason"] != RENEWAL_DROP
        }
        return sorted(found)

    def term_of(self, seq: int) -> dict[str, Any] | None:
        return next((t for t in self.terms if t["seq"] == seq), None)

    def terms_from(self, on: date) -> list[dict[str, Any]]:
        """The terms that had begun by ``on``, oldest first."""
        return [t for t in self.terms if t["first_day"] <= on]


def filing_facts(store: Store, filing_id: int) -> FilingFacts:
    """The filing ``filing_id`` with its institution, terms and scope (NotFound if unknown)."""
    with store.read() as conn:
        filing = one_or_not_found(conn, filings, "备案", id=filing_id)
        inst = one_or_not_found(conn, institutions, "考核机构", id=filing["institution_id"])
        terms = rows_of(conn, filing_terms, "备案有效期", filing_id=filing_id)
        scope = rows_of(conn, filing_projects, "考核范围", filing_id=filing_id)
        names = project_name_map_in(conn)
    return FilingFacts(
        filing=filing,
        institution=inst,
        terms=tuple(sorted(terms, key=lambda t: t["seq"])),
        scope=tuple(sorted(scope, key=lambda r: (r["project_code"], r["added_on"]))),
        project_names=names,
    )


def exit_case_rows(store: Store, filing_id: int) -> list[dict[str, Any]]:
    """Every exit case of the filing, oldest first (EXIT-01 … EXIT-07)."""
    with store.read() as conn:
        rows = rows_of(conn, exit_cases, "退出案件", filing_id=filing_id)
    return sorted(rows, key=lambda r: r["id"])


def revoking_exit_case(store: Store, filing_id: int) -> dict[str, Any] | None:
    """The latest exit case of the filing that ended with the filing revoked (EXIT-02, EXIT-06)."""
    done = [r for r in exit_case_rows(store, filing_id) if r["status"] in REVOKED]
    return done[-1] if done else None


def quota_overrides_of(store: Store, application_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The SEL-07 override reasons recorded for these applications (none for no application)."""
    wanted = sorted({int(a) for a in application_ids if a is not None})
    if not wanted:
        return []
    q = (
        select(quota_overrides)
        .where(quota_overrides.c.application_id.in_(wanted))
        .order_by(quota_overrides.c.id)
    )
    with store.read() as conn:
        return [dict(r) for r in conn.execute(q).mappings().all()]


@dataclass(frozen=True)
class NoticeOfFiling:
    """The 公示 a filed application went through and the objections to it (SEL-05)."""

    notice: dict[str, Any] | None
    objections: tuple[dict[str, Any], ...]


def notice_of_application(store: Store, application_id: int | None) -> NoticeOfFiling:
    """The latest notice listing the application and its objections; an empty record for a
    filing without an application (存量备案), never every notice."""
    if application_id is None:
        return NoticeOfFiling(None, ())
    with store.read() as conn:
        require_keys("备案申请", application_id=application_id)
        nid = conn.execute(
            select(notice_items.c.notice_id)
            .where(notice_items.c.application_id == application_id)
            .order_by(notice_items.c.notice_id.desc())
        ).scalar()
        notice = one_or_none(conn, notices, "公示", id=nid) if nid is not None else None
        objs = rows_of(conn, objections, "公示异议", application_id=application_id)
    return NoticeOfFiling(notice, tuple(sorted(objs, key=lambda o: o["id"])))
