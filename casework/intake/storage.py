"""The intake's storage adapter: what rows refer to, and the idempotent bulk upsert.

Rows are matched on their natural key; a row's content digest (a vectorised 64-bit hash of its
canonical values) tells an unchanged row from a changed one. New rows are inserted and changed
rows updated with ``executemany`` in chunks — no statement per record from a Python loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, bindparam, insert, select, update

from casework.domain.evidence import frames as ef
from casework.intake.kinds import Kind
from casework.intake.resolve import Context
from casework.queries.evidence import VIOLATION_CASE
from casework.store.tables import (
    assessment_batches,
    candidate_results,
    certificates,
    exit_cases,
    filing_projects,
    filing_terms,
    filings,
    institutions,
    projects,
    question_banks,
    sites,
    staff,
)

CHUNK: Final = 5_000
"""Rows per executemany batch."""
IN_CHUNK: Final = 500
"""Values per ``IN (…)`` list (well under every dialect's limit on bound parameters)."""
TABLES: Final[dict[str, Table]] = {
    "institutions": institutions,
    "staff": staff,
    "sites": sites,
    "banks": question_banks,
    "batches": assessment_batches,
    "results": candidate_results,
    "certificates": certificates,
}
KEYS: Final = {
    "institutions": ("uscc",),
    "staff": ("institution_id", "id_number", "role", "project_code"),
    "sites": ("institution_id", "site_code"),
    "banks": ("institution_id", "project_code"),
    "batches": ("institution_id", "batch_no"),
    "results": ("batch_id", "id_number"),
    "certificates": ("cert_no",),
}
INSTITUTION_FIELDS: Final = ("name", "uscc", "city_code", "kind", "address", "contact", "phone")


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _read_in(
    conn: Connection, columns: Sequence[Any], column: Any, values: Sequence[Any]
) -> pd.DataFrame:
    names = [c.name for c in columns]
    parts = [
        pd.DataFrame(
            conn.execute(select(*columns).where(column.in_(list(chunk)))).all(), columns=names
        )
        for chunk in _chunks(values)
    ]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names)


def load_context(conn: Connection, kind: Kind, frame: pd.DataFrame) -> Context:
    """What the registry holds that ``frame``'s rows refer to."""
    i = institutions.c
    insts = _read_in(
        conn,
        [i.id, i.name, i.uscc, i.city_code, i.kind, i.address, i.contact, i.phone],
        i.uscc,
        sorted(set(frame["uscc"].dropna())),
    )
    insts = insts.rename(columns={"id": "institution_id"})
    ids = [int(x) for x in insts["institution_id"]]
    proj = pd.DataFrame(
        conn.execute(select(projects.c.project_code, projects.c.name)).all(),
        columns=["project_code", "name"],
    )
    s = sites.c
    site_rows = _read_in(conn, [s.institution_id, s.site_code, s.city_code], s.institution_id, ids)
    b = assessment_batches.c
    batch_rows = _read_in(
        conn,
        [b.id, b.institution_id, b.batch_no, b.project_code, b.exam_date],
        b.institution_id,
        ids,
    )
    batch_rows = batch_rows.rename(columns={"id": "batch_id"})
    batch_rows["exam_date"] = pd.to_datetime(batch_rows["exam_date"])
    f = filings.c
    filing_rows = _read_in(
        conn,
        [f.id, f.institution_id, f.city_code, f.status, f.term_start, f.term_end],
        f.institution_id,
        ids,
    )
    filing_rows = (
        ef.FilingsFrame.validate(filing_rows.rename(columns={"id": "filing_id"}))
        if len(filing_rows)
        else ef.empty(ef.FilingsFrame)
    )
    fids = [int(x) for x in filing_rows["filing_id"]]
    t = filing_terms.c
    terms = _read_in(conn, [t.filing_id, t.first_day, t.last_day], t.filing_id, fids)
    p = filing_projects.c
    scope = _read_in(
        conn, [p.filing_id, p.project_code, p.added_on, p.removed_on], p.filing_id, fids
    )
    e = exit_cases.c
    susp = _read_in(conn, [e.filing_id, e.opened_on, e.decided_on, e.kind], e.filing_id, fids)
    susp = (
        susp[susp["kind"] == VIOLATION_CASE]
        .rename(columns={"opened_on": "start", "decided_on": "end"})
        .drop(columns="kind")
    )
    cert_owner = pd.DataFrame(columns=["cert_no", "institution_id"])
    if kind.key == "certificates":
        c = certificates.c
        cert_owner = _read_in(
            conn, [c.cert_no, c.institution_id], c.cert_no, sorted(set(frame["cert_no"].dropna()))
        )
    return Context(
        institutions=insts,
        projects=proj,
        sites=site_rows,
        batches=batch_rows,
        filings=filing_rows,
        terms=ef.TermsFrame.validate(terms) if len(terms) else ef.empty(ef.TermsFrame),
        scope=ef.ScopeFrame.validate(scope) if len(scope) else ef.empty(ef.ScopeFrame),
        suspensions=ef.SuspensionsFrame.validate(susp)
        if len(susp)
        else ef.empty(ef.SuspensionsFrame),
        certificates=cert_owner,
    )


# --- upsert ---------------------------------------------------------------------------------
def columns_of(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name not in ("id", "digest", "import_id")]


def digest(frame: pd.DataFrame) -> pd.Series:
    """A 64-bit content hash per row over canonical text (same content → same digest)."""
    canon = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(col):
            text = col.astype("boolean").map({True: "1", False: "0"})
        else:
            text = col.astype("string")
        canon[name] = text.fillna("\x00").astype(str)
    hashed = pd.util.hash_pandas_object(pd.DataFrame(canon), index=False, categorize=False)
    return pd.Series(hashed.to_numpy().view(np.int64), index=frame.index)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values for the driver (dates as ``date``, NA as None)."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            values = np.array(col.dt.date, dtype=object)
            values[col.isna().to_numpy()] = None
        else:
            values = np.array(col.astype(object), dtype=object)
            values[pd.isna(values)] = None
        out[name] = values
    rows: list[dict[str, Any]] = pd.DataFrame(out, index=range(len(frame))).to_dict("records")  # type: ignore[assignment]
    return rows


@dataclass(frozen=True)
class Counts:
    added: int
    updated: int
    unchanged: int
    changed: tuple[dict[str, Any], ...] = ()
    """Each updated row: its key, and the values it had and has in the columns that changed —
    kept in the import's audit entry (#16: import entries keep before/after values)."""


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if hasattr(value, "date") else value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _before_after(
    conn: Connection, table: Table, keys: list[str], cols: list[str], upd: pd.DataFrame
) -> tuple[dict[str, Any], ...]:
    """The changed columns of each updated row, before and after."""
    old = _read_in(conn, [table.c.id, *(table.c[c] for c in cols)], table.c.id, upd["id"].tolist())
    before = {int(r["id"]): r for r in old.to_dict("records")}
    out = []
    for new in upd.to_dict("records"):
        was = before.get(int(new["id"]), {})
        diff = [c for c in cols if c not in keys and _plain(was.get(c)) != _plain(new.get(c))]
        out.append(
            {
                "key": {k: _plain(new[k]) for k in keys},
                "before": {c: _plain(was.get(c)) for c in diff},
                "after": {c: _plain(new.get(c)) for c in diff},
            }
        )
    return tuple(out)


def upsert(conn: Connection, kind: Kind, frame: pd.DataFrame, import_id: int) -> Counts:
    """Insert new rows, update changed ones, leave identical ones; by the kind's natural key."""
    table = TABLES[kind.key]
    keys = list(KEYS[kind.key])
    cols = columns_of(table)
    rows = frame[cols].copy()
    rows["digest"] = digest(rows)
    existing = _existing(conn, kind.key, table, keys, rows)
    merged = rows.merge(existing, on=keys, how="left", suffixes=("", "_old"))
    new = merged["id"].isna()
    changed = ~new & (merged["digest"] != merged["digest_old"])
    add = merged.loc[new, [*cols, "digest"]].assign(import_id=import_id)
    for chunk in _chunks(records(add), CHUNK):
        conn.execute(insert(table), list(chunk))
    upd = merged.loc[changed, [*cols, "digest", "id"]].assign(import_id=import_id)
    before_after = _before_after(conn, table, keys, cols, upd) if len(upd) else ()
    if len(upd):
        setters: dict[str, Any] = {c: bindparam(f"v_{c}") for c in [*cols, "digest", "import_id"]}
        stmt = update(table).where(table.c.id == bindparam("v_id")).values(**setters)
        renamed = upd.rename(columns=lambda c: f"v_{c}")
        for chunk in _chunks(records(renamed), CHUNK):
            conn.execute(stmt, list(chunk))
    return Counts(int(new.sum()), int(changed.sum()), int((~new & ~changed).sum()), before_after)


def _existing(
    conn: Connection, key: str, table: Table, keys: list[str], rows: pd.DataFrame
) -> pd.DataFrame:
    scope_col = (
        "cert_no"
        if key == "certificates"
        else ("batch_id" if key == "results" else "institution_id")
    )
    values = sorted(
        {x.item() if hasattr(x, "item") else x for x in rows[scope_col].dropna().unique()}
    )
    found = _read_in(
        conn, [table.c.id, *(table.c[k] for k in keys), table.c.digest], table.c[scope_col], values
    )
    found = found.rename(columns={"digest": "digest_old"})
    for k in keys:
        found[k] = found[k].astype(rows[k].dtype) if len(found) else found[k]
    return found
