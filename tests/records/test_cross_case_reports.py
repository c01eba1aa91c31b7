"""An archived report made for case X names no other institution, code or person outside its
case (issue #13): the data every archived report prints (``casework.reports.procedures.collect``,
what the executed notebook shows) for every completed procedure of the demo in the SQLite run; in
the PostgreSQL run, every procedure for a sample of its cases (``per_kind``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from casework.errors import CaseworkError
from casework.reports.procedures import PROCEDURES, collect, parameters
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    exit_cases,
    filing_projects,
    filings,
    institutions,
    panel_members,
    panels,
    renewal_cases,
)

from .test_cross_case import Everyone, Scope, demo, everyone, per_kind, strangers

pytestmark = pytest.mark.slow
__all__ = ["demo"]


def texts(value: Any) -> Iterator[str]:
    """Every string inside a report's data (dataclasses, lists, dicts, tuples)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from texts(getattr(value, f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from texts(k)
            yield from texts(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from texts(v)


def cases(store: Store) -> Iterator[tuple[dict[str, Any], Scope]]:
    """(report parameters, scope) of every completed procedure of the demo."""
    with store.read() as conn:
        filing = {int(f.id): f for f in conn.execute(select(filings))}
        members: dict[tuple[str, int], set[str]] = {}
        for app, ren, user in conn.execute(
            select(panels.c.application_id, panels.c.renewal_id, panel_members.c.username).join(
                panel_members, panel_members.c.panel_id == panels.c.id
            )
        ):
            key = ("app", int(app)) if app is not None else ("ren", int(ren))
            members.setdefault(key, set()).add(str(user))
        apps = list(
            conn.execute(
                select(
                    applications.c.id, applications.c.institution_id, institutions.c.city_code
                ).join(institutions, institutions.c.id == applications.c.institution_id)
            )
        )
        renewals = list(conn.execute(select(renewal_cases.c.id, renewal_cases.c.filing_id)))
        exited = set(conn.execute(select(exit_cases.c.filing_id)).scalars())
        scoped = {
            (int(f), d)
            for f, d in conn.execute(
                select(filing_projects.c.filing_id, filing_projects.c.added_on).where(
                    filing_projects.c.added_by == "范围新增"
                )
            )
        }

    def by_filing(fid: int, group: set[str] | None = None) -> Scope:
        f = filing[fid]
        return Scope(int(f.institution_id), str(f.code), str(f.city_code), frozenset(group or ()))

    code_of = {int(f.institution_id): str(f.code) for f in filing.values()}
    for app_id, inst, city in apps:
        group = frozenset(members.get(("app", int(app_id)), set()))
        scope = Scope(int(inst), code_of.get(int(inst), "—"), str(city), group)
        yield parameters("selection", app_id), scope
    for fid in filing:
        yield parameters("filing", fid), by_filing(fid)
    for fid, on in scoped:
        yield parameters("scope", fid, on), by_filing(fid)
    for rid, fid in renewals:
        yield parameters("renewal", rid), by_filing(int(fid), members.get(("ren", int(rid))))
    for fid in exited:
        yield parameters("exit", int(fid)), by_filing(int(fid))


def test_every_procedure_kind_is_checked() -> None:
    assert set(PROCEDURES) == {"selection", "filing", "scope", "renewal", "exit"}


def test_no_archived_report_of_a_demo_case_names_another_cases_institution_code_or_person(
    demo: Store,
) -> None:
    world: Everyone = everyone(demo)
    made: dict[str, int] = {}
    leaks = []

    limit = per_kind()
    for params, scope in cases(demo):
        if limit is not None and made.get(params["procedure"], 0) >= limit:
            continue
        try:
            data = collect(demo, params)
        except CaseworkError:  # not completed (yet): nothing is archived for it
            continue
        made[params["procedure"]] = made.get(params["procedure"], 0) + 1
        found = strangers("\n".join(texts(data)), scope, world)
        if found:
            leaks.append(f"{params}: {'、'.join(found[:3])}")

    assert set(made) == set(PROCEDURES), made
    assert leaks == []
