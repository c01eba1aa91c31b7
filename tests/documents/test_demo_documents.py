"""Every document kind for every demo case: each is made or refused with a reason, and none
that is made states None, nan or NaT, a user name instead of a name, or another case's
institution (issue #13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import documents
from casework.documents.model import PLACEHOLDERS, DocumentRefused
from casework.errors import NotFound
from casework.store.engine import Store, open_store
from casework.store.tables import (
    calls,
    exit_cases,
    filings,
    notices,
    province_reports,
    renewal_cases,
    renewal_rounds,
    users,
)
from tests.demo_store import shared_demo

pytestmark = pytest.mark.slow

TABLE = {
    "receipt": filings,
    "scope": filings,
    "revocation": filings,
    "renewal": renewal_cases,
    "att4": renewal_cases,
    "att5": renewal_cases,
    "att6": renewal_cases,
    "suspension": exit_cases,
    "findings": exit_cases,
    "province-report": province_reports,
    "call": calls,
    "notice": notices,
    "renewal-notice": renewal_rounds,
    "renewal-results": renewal_rounds,
    "att4-blank": renewal_rounds,
    "att5-blank": renewal_rounds,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("demo-docs"))
    store = open_store(url, migrate=False)
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every city with a (test) contact address and telephone, so 公示 and 征集公告 are made."""
    from casework.documents.config import load_settings

    path = tmp_path_factory.mktemp("bureaus") / "bureaus.yaml"
    codes = load_settings().bureaus
    lines = [f'  "{c}": {{address: 测试地址{c}, phone: "0531-1234567"}}' for c in codes]
    path.write_text("cities:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEWORK_BUREAUS", str(path))
        yield


def test_every_kind_has_a_table_of_cases() -> None:
    assert set(TABLE) == set(documents.KINDS)


def made_documents(store: Store) -> Iterator[tuple[str, int, documents.Document | str]]:
    for kind, table in TABLE.items():
        with store.read() as conn:
            ids = list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())
        for case_id in ids:
            try:
                yield kind, case_id, documents.build(store, kind, case_id, issued_on=None)
            except (DocumentRefused, NotFound) as refused:
                yield kind, case_id, str(refused)


def test_no_demo_document_states_a_missing_value_or_a_user_name(
    demo: Store, contacts: None, tmp_path: Path
) -> None:
    with demo.read() as conn:
        usernames = {u for u in conn.execute(select(users.c.username)).scalars() if u}

    results = list(made_documents(demo))

    made = [(k, i, d) for k, i, d in results if not isinstance(d, str)]
    refused = [(k, i, d) for k, i, d in results if isinstance(d, str)]
    assert len(made) > 50, refused[:5]
    for kind, case_id, doc in made:
        text = doc.plain_text
        assert not PLACEHOLDERS.search(text), f"{kind} {case_id}: {PLACEHOLDERS.search(text)}"
        named = {u for u in usernames if u in text}
        assert not named, f"{kind} {case_id} names user {named}"
    assert all(msg.strip() for _, _, msg in refused)
    assert {k for k, _, _ in made} >= {"receipt", "att4", "att5", "call", "notice"}
