"""The read side's one idiom for "one row or not found", and the guard behind every keyed read.

A key that is ``None`` is refused here, before any SQL is built: ``column == None`` would
become ``IS NULL`` and widen a case's read to every case without that key (the Attachment 4
leak of issue #13). Every query in :mod:`casework.queries` reads single rows through
:func:`one_or_not_found` (or :func:`one_or_none` where a page shows "not found" itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Select, Table, select

from casework.errors import NotFound
from casework.store.tables import projects, users


def require_keys(label: str, **keys: Any) -> None:
    """Refuse a read whose key is missing (``None``): it must never widen the query."""
    missing = [k for k, v in keys.items() if v is None]
    if missing:
        raise NotFound(f"未指定{label}的{'、'.join(missing)}，不能读取（缺少案件编号）")


def _query(source: Table | Select[Any], keys: Mapping[str, Any]) -> Select[Any]:
    """A table is filtered by ``keys``; a select carries its own WHERE on the same keys (they
    are passed only to be checked and named in the message)."""
    if isinstance(source, Table):
        return select(source).filter_by(**keys)
    return source


def one_or_none(
    conn: Connection, source: Table | Select[Any], label: str, **keys: Any
) -> dict[str, Any] | None:
    """The first row of ``source`` with ``keys`` as a dict, or None; a ``None`` key is refused."""
    require_keys(label, **keys)
    row = conn.execute(_query(source, keys)).mappings().first()
    return dict(row) if row is not None else None


def one_or_not_found(
    conn: Connection, source: Table | Select[Any], label: str, **keys: Any
) -> dict[str, Any]:
    """The row of ``source`` with ``keys``; :class:`~casework.errors.NotFound` (in Chinese,
    naming the record and its key) if there is none or a key is ``None``."""
    row = one_or_none(conn, source, label, **keys)
    if row is None:
        shown = "，".join(f"{k}={v}" for k, v in keys.items())
        raise NotFound(f"未找到{label}（{shown}）")
    return row


def rows_of(
    conn: Connection, source: Table | Select[Any], label: str, **keys: Any
) -> list[dict[str, Any]]:
    """Every row of ``source`` with ``keys`` (each key required, never ``IS NULL``)."""
    require_keys(label, **keys)
    return [dict(r) for r in conn.execute(_query(source, keys)).mappings().all()]


def display_names(conn: Connection, usernames: Iterable[str]) -> dict[str, str]:
    """username → display name (the username itself for an unknown user): pages and documents
    show names, never user names."""
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    q = select(users.c.username, users.c.display_name).where(users.c.username.in_(wanted))
    found = {str(u): str(n) for u, n in conn.execute(q)}
    return {u: found.get(u) or u for u in wanted}


def project_name_map_in(conn: Connection) -> dict[str, str]:
    """project_code → name of every project in the reference catalog."""
    return {
        str(c): str(n) for c, n in conn.execute(select(projects.c.project_code, projects.c.name))
    }


def project_names_in(conn: Connection, codes: Iterable[str]) -> list[str]:
    """The names of ``codes``, in code order (a code without a name shows as itself)."""
    names = project_name_map_in(conn)
    return [names.get(c, c) for c in sorted(codes)]
