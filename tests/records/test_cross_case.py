"""A document made for case X names no other institution, code or person outside its case
(issue #13, the class of the Attachment 4 leak): every case-scoped document kind
(``casework.documents.KINDS``) for every demo case in the SQLite run; in the PostgreSQL run, every
kind for a sample of its cases (:func:`per_kind`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from casework import documents
from casework.documents.model import DocumentRefused
from casework.errors import NotFound
from casework.store.engine import Store, open_store
from casework.store.tables import (
    exit_cases,
    filings,
    institutions,
    panel_members,
    panels,
    renewal_cases,
    users,
)
from tests.backend import on_postgres
from tests.demo_store import shared_demo

pytestmark = pytest.mark.slow

FILING_KINDS = ("receipt", "scope", "revocation")
RENEWAL_KINDS = ("renewal", "att4", "att5", "att6")
EXIT_KINDS = ("suspension", "findings")
PUBLISHED = ("province-report", "call", "notice", "renewal-notice", "renewal-results")
"""Texts that list many institutions by design (a city's 公示, its results, a report to the
province): each is scoped to its city and checked by the documents' own tests."""
BLANK_FORMS = ("att4-blank", "att5-blank")
"""Forms sent out blank with a renewal notice (REN-01): no case data at all, checked by
``tests/documents/test_attachments_match_notice.py``."""


SAMPLE_ON_POSTGRES = 3


def per_kind() -> int | None:
    """How many cases of each kind are checked: all of them in the SQLite run; the first
    :data:`SAMPLE_ON_POSTGRES` made of each kind in the PostgreSQL run. What a document may name
    does not depend on the engine, how its case is read does: a sample of every kind shows that
    reading, and the SQLite run checks every case (``make test`` runs both)."""
    return SAMPLE_ON_POSTGRES if on_postgres() else None


@dataclass(frozen=True)
class Scope:
    """What a case may name: its institution, its filing code, its city's people, its panel."""

    institution_id: int
    code: str
    city_code: str
    panel_users: frozenset[str]


@dataclass(frozen=True)
class Everyone:
    institutions: dict[int, str]
    codes: dict[str, int]  # code → institution
    people: dict[str, tuple[str, str, str | None]]  # username → (display name, role, city)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("records-demo"))
    store = open_store(url, migrate=False)
    yield store
    store.dispose()


def everyone(store: Store) -> Everyone:
    with store.read() as conn:
        insts = {
            int(i): str(n) for i, n in conn.execute(select(institutions.c.id, institutions.c.name))
        }
        codes = {
            str(c): int(i)
            for c, i in conn.execute(select(filings.c.code, filings.c.institution_id))
        }
        people = {
            str(u): (str(n), str(r), c)
            for u, n, r, c in conn.execute(
                select(
                    users.c.username, users.c.display_name, users.c.role, users.c.city_code
                ).where(users.c.role.in_(("专家", "市级经办", "市级负责人")))
            )
        }
    return Everyone(insts, codes, people)


def scopes(store: Store) -> Iterator[tuple[str, int, Scope]]:
    """(kind, case id, scope) of every case-scoped document of the demo."""
    with store.read() as conn:
        filing = {
            int(f.id): f
            for f in conn.execute(
                select(filings.c.id, filings.c.institution_id, filings.c.code, filings.c.city_code)
            )
        }
        renewal = {
            int(i): int(f)
            for i, f in conn.execute(select(renewal_cases.c.id, renewal_cases.c.filing_id))
        }
        exits = {
            int(i): int(f) for i, f in conn.execute(select(exit_cases.c.id, exit_cases.c.filing_id))
        }
        group = {}
        for rid, user in conn.execute(
            select(panels.c.renewal_id, panel_members.c.username)
            .join(panel_members, panel_members.c.panel_id == panels.c.id)
            .where(panels.c.renewal_id.is_not(None))
        ):
            group.setdefault(int(rid), set()).add(str(user))

    def scope(fid: int, members: set[str] | None = None) -> Scope:
        f = filing[fid]
        return Scope(int(f.institution_id), str(f.code), str(f.city_code), frozenset(members or ()))

    for fid in filing:
        for kind in FILING_KINDS:
            yield kind, fid, scope(fid)
    for rid, fid in renewal.items():
        for kind in RENEWAL_KINDS:
            yield kind, rid, scope(fid, group.get(rid))
    for eid, fid in exits.items():
        for kind in EXIT_KINDS:
            yield kind, eid, scope(fid)


def strangers(text: str, scope: Scope, world: Everyone) -> list[str]:
    """Every institution, code or person ``text`` names from outside ``scope``."""
    own = world.institutions[scope.institution_id]
    found = [
        f"机构“{name}”"
        for i, name in world.institutions.items()
        if i != scope.institution_id and name in text and name not in own
    ]
    found += [
        f"机构代码{code}"
        for code, inst in world.codes.items()
        if inst != scope.institution_id and code in text
    ]
    holders: dict[str, list[tuple[str, str, str | None]]] = {}
    for username, (name, role, city) in world.people.items():
        holders.setdefault(name, []).append((username, role, city))
    # longest names first, each blanked once read: "周刚" is not found inside "周刚燕"; a name
    # two people share is a stranger's only if no one of that name belongs to the case
    for name in sorted(holders, key=len, reverse=True):
        if name not in text or name in own:
            continue
        inside = [
            u
            for u, role, city in holders[name]
            if (u in scope.panel_users if role == "专家" else city == scope.city_code)
        ]
        if not inside:  # an expert of another group, an officer of another city
            at = text.index(name)
            who = ",".join(u for u, _, _ in holders[name])
            found.append(f"人员“{name}”（{who}）：…{text[max(0, at - 12) : at + 12]}…")
        text = text.replace(name, "□")
    return found


def test_every_kind_is_either_case_scoped_or_published() -> None:
    kinds = FILING_KINDS + RENEWAL_KINDS + EXIT_KINDS + PUBLISHED + BLANK_FORMS
    assert set(kinds) == set(documents.KINDS)


def test_no_document_of_a_demo_case_names_another_cases_institution_code_or_person(
    demo: Store,
) -> None:
    world = everyone(demo)
    made, leaks = 0, []
    limit, by_kind = per_kind(), dict.fromkeys(FILING_KINDS + RENEWAL_KINDS + EXIT_KINDS, 0)

    for kind, case_id, scope in scopes(demo):
        if limit is not None and by_kind[kind] >= limit:
            continue
        try:
            doc = documents.build(demo, kind, case_id)
        except (DocumentRefused, NotFound):
            continue
        made += 1
        by_kind[kind] += 1
        found = strangers(doc.plain_text, scope, world)
        if found:
            members = ",".join(sorted(scope.panel_users))
            leaks.append(
                f"{kind} {case_id}（{scope.city_code}，组{members}）: {'、'.join(found[:3])}"
            )

    if limit is None:
        assert made > 40
    assert all(by_kind.values()), by_kind  # every case-scoped kind was made and read
    assert leaks == []
