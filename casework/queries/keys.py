"""What a user types (a city's name, a credit code, a filing code) resolved to the key the
other reads take. Each returns None when nothing matches; a blank input matches nothing."""

from __future__ import annotations

from sqlalchemy import or_, select

from casework.store.engine import Store
from casework.store.tables import cities, filings, institutions


def city_code_of(store: Store, text: str) -> str | None:
    """A city by code (370100), name (济南) or full name (济南市)."""
    text = text.strip()
    if not text:
        return None
    c = cities.c
    q = select(c.city_code).where(or_(c.city_code == text, c.name == text, c.full_name == text))
    with store.read() as conn:
        code = conn.execute(q).scalar()
    return None if code is None else str(code)


def institution_id_by_uscc(store: Store, uscc: str) -> int | None:
    """The institution with this 统一社会信用代码 (case-insensitive)."""
    uscc = uscc.strip().upper()
    if not uscc:
        return None
    with store.read() as conn:
        found = conn.execute(select(institutions.c.id).where(institutions.c.uscc == uscc)).scalar()
    return None if found is None else int(found)


def filing_id_by_code(store: Store, code: str) -> int | None:
    """The filing with this 机构代码."""
    code = code.strip()
    if not code:
        return None
    with store.read() as conn:
        found = conn.execute(select(filings.c.id).where(filings.c.code == code)).scalar()
    return None if found is None else int(found)
