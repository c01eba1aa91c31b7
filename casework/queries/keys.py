"""What a user types (a city's name, a credit code, a filing code, a case number) resolved to
the key the other reads take, and the one public numbering of cases (:func:`case_number`,
docs/case-numbers.md). The look-ups return None when nothing matches; a blank input matches
nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, literal, or_, select

from casework.errors import CaseworkError, NotFound
from casework.store.engine import Store
from casework.store.tables import (
    applications,
    calls,
    cities,
    exit_cases,
    filings,
    institutions,
    renewal_cases,
    renewal_rounds,
)


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


# --- public case numbers ---------------------------------------------------------------------
APPLICATION, FILING, RENEWAL, EXIT = "备案申请", "备案", "续期评估", "退出"
"""The kinds of case with a public number (docs/case-numbers.md)."""
CASE_KINDS = (APPLICATION, FILING, RENEWAL, EXIT)
PREFIXES = {APPLICATION: "SQ", RENEWAL: "XQ", EXIT: "TC"}
_KIND_OF_PREFIX = {p: k for k, p in PREFIXES.items()}
EXAMPLES = {
    APPLICATION: "SQ-370100-2025-0012",
    FILING: "3701ZK2025001",
    RENEWAL: "XQ-370100-2026-0003",
    EXIT: "TC-370100-2026-0001",
}
KIND_OF_LABEL = {
    "备案申请编号": APPLICATION,
    "备案编号": FILING,
    "续期评估案件编号": RENEWAL,
    "退出案件编号": EXIT,
}
"""A document's or report's case label (``documents.KINDS[k].case``, ``PROCEDURES[k].case``,
before any "（…）") → the kind of public number it takes; other labels (征集公告编号, 公示编号,
续期评估轮次编号, 报省厅记录编号) name records that have no public case number."""
_NUMBERED = re.compile(r"^(SQ|XQ|TC)-(\d{6})-(\d{4})-(\d{4,})$")


def case_number(kind: str, case_id: int, city_code: str, year: int, code: str = "") -> str:
    """The public number of a case, the one every page, document, report and command uses.

    备案 is known by its 机构代码 (``code``, SEL-05); the other kinds by
    ``<prefix>-<city code>-<year>-<serial>``: 申请 ``SQ`` (the call's city and year), 续期
    ``XQ`` (the round's city and the year it opened), 退出 ``TC`` (the filing's city and the
    year the case opened). The serial is the case's own record number, so a number never
    changes and never names another city's case.
    """
    if kind == FILING:
        return code
    if kind not in PREFIXES:
        raise ValueError(f"unknown case kind {kind!r}")
    return f"{PREFIXES[kind]}-{city_code}-{int(year):04d}-{int(case_id):04d}"


def _number_query(kind: str) -> Select[Any]:
    """(id, city_code, year, code) of every case of ``kind``."""
    if kind == APPLICATION:
        return select(
            applications.c.id, calls.c.city_code, calls.c.year, literal("").label("code")
        ).join(calls, calls.c.id == applications.c.call_id)
    if kind == FILING:
        return select(filings.c.id, filings.c.city_code, literal(0).label("year"), filings.c.code)
    if kind == RENEWAL:
        return select(
            renewal_cases.c.id,
            renewal_rounds.c.city_code,
            renewal_rounds.c.opened_on.label("year"),
            literal("").label("code"),
        ).join(renewal_rounds, renewal_rounds.c.id == renewal_cases.c.round_id)
    if kind == EXIT:
        return select(
            exit_cases.c.id,
            filings.c.city_code,
            exit_cases.c.opened_on.label("year"),
            literal("").label("code"),
        ).join(filings, filings.c.id == exit_cases.c.filing_id)
    raise ValueError(f"unknown case kind {kind!r}")


def _year(value: Any) -> int:
    return int(value.year) if isinstance(value, date) else int(value or 0)


def case_numbers_in(conn: Connection, kind: str, ids: Iterable[int]) -> dict[int, str]:
    """case id → public number for these cases of ``kind`` (unknown ids are left out)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    q = _number_query(kind)
    id_column = q.selected_columns[0]
    rows = conn.execute(q.where(id_column.in_(wanted)))
    return {
        int(i): case_number(kind, int(i), str(c), _year(y), str(code)) for i, c, y, code in rows
    }


def case_numbers(store: Store, kind: str, ids: Iterable[int]) -> dict[int, str]:
    """case id → public number (see :func:`case_number`), for a page's table of cases."""
    with store.read() as conn:
        return case_numbers_in(conn, kind, ids)


def case_number_of(store: Store, kind: str, case_id: int) -> str:
    """The public number of one case (NotFound if there is no such case)."""
    found = case_numbers(store, kind, [case_id]).get(int(case_id))
    if found is None:
        raise NotFound(f"未找到{kind}案件（记录{case_id}）")
    return found


def kind_of_number(text: str) -> str | None:
    """The kind a typed number is of: SQ/XQ/TC by prefix, a 机构代码 for 备案, None for a bare
    record number (which no page shows)."""
    text = text.strip().upper()
    match = _NUMBERED.match(text)
    if match:
        return _KIND_OF_PREFIX[match.group(1)]
    if not text or text.isdigit():
        return None
    return FILING


def resolve_case(store: Store, expected: str, text: str) -> int:
    """The record of the case whose public number is ``text``, which must be of kind ``expected``.

    Raises:
        CaseworkError: a bare record number, or a number of another kind (both kinds named).
        NotFound: no case of that kind has this number.
    """
    typed = text.strip().upper()
    given = kind_of_number(typed)
    example = EXAMPLES[expected]
    if given is None:
        raise CaseworkError(
            f"案件编号“{text}”不是页面显示的编号：此处需要{expected}案件编号（如 {example}）"
        )
    if given != expected:
        raise CaseworkError(
            f"案件编号“{text}”是{given}案件的编号，此处需要{expected}案件编号（如 {example}）"
        )
    q = _number_query(expected)
    if expected == FILING:
        q = q.where(filings.c.code.in_({text.strip(), typed}))
    else:
        match = _NUMBERED.match(typed)
        assert match is not None
        q = q.where(q.selected_columns[0] == int(match.group(4)))
    with store.read() as conn:
        row = conn.execute(q).first()
    if row is not None:
        case_id, city, year, code = row
        # the city and year must be the case's own: a number never reaches another city's case
        number = case_number(expected, int(case_id), str(city), _year(year), str(code))
        if number in (typed, text.strip()):
            return int(case_id)
    raise NotFound(f"未找到{expected}案件“{text}”")
