"""EXIT-09: when an investigation opens, the assessment data under way are recorded for
reference (对实施中的考核数据记录备查) as a frozen copy with its SHA-256 digest.

"Under way" (实施中) is read as: every batch of the institution whose exam is on or after the
day the investigation opens, and every earlier batch with passed candidates still lacking a
certificate — with the batches' candidate results and the certificates issued for them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from casework.registry.uow import Tx
from casework.store.tables import (
    assessment_batches,
    candidate_results,
    certificates,
    data_snapshots,
)

SKIPPED = {"digest", "import_id"}


def _plain(row: Any) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in dict(row).items()
        if k not in SKIPPED
    }


def batches_under_way(conn: Connection, institution_id: int, on: date) -> list[dict[str, Any]]:
    """The institution's batches under way on ``on`` (see the module docstring)."""
    passed = (
        select(candidate_results.c.batch_id, func.count().label("passed"))
        .where(candidate_results.c.passed.is_(True))
        .group_by(candidate_results.c.batch_id)
        .subquery()
    )
    issued = (
        select(certificates.c.batch_id, func.count().label("issued"))
        .where(certificates.c.batch_id.is_not(None))
        .group_by(certificates.c.batch_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            assessment_batches,
            func.coalesce(passed.c.passed, 0).label("passed"),
            func.coalesce(issued.c.issued, 0).label("issued"),
        )
        .outerjoin(passed, passed.c.batch_id == assessment_batches.c.id)
        .outerjoin(issued, issued.c.batch_id == assessment_batches.c.id)
        .where(assessment_batches.c.institution_id == institution_id)
        .order_by(assessment_batches.c.exam_date, assessment_batches.c.batch_no)
    ).mappings()
    return [_plain(r) for r in rows if r["exam_date"] >= on or int(r["issued"]) < int(r["passed"])]


def record_data_under_way(tx: Tx, *, exit_case_id: int, institution_id: int, on: date) -> int:
    """EXIT-09: freeze the assessment data under way; returns the snapshot's id."""
    batches = batches_under_way(tx.conn, institution_id, on)
    ids = [b["id"] for b in batches]
    results = [
        _plain(r)
        for r in tx.conn.execute(
            select(candidate_results)
            .where(candidate_results.c.batch_id.in_(ids))
            .order_by(candidate_results.c.batch_id, candidate_results.c.id_number)
        ).mappings()
    ]
    certs = [
        _plain(r)
        for r in tx.conn.execute(
            select(certificates)
            .where(certificates.c.batch_id.in_(ids))
            .order_by(certificates.c.cert_no)
        ).mappings()
    ]
    content = json.dumps(
        {
            "institution_id": institution_id,
            "taken_on": on.isoformat(),
            "batches": batches,
            "candidate_results": results,
            "certificates": certs,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    tx.cite("EXIT-09")
    return int(
        tx.insert(
            data_snapshots,
            exit_case_id=exit_case_id,
            institution_id=institution_id,
            taken_on=on,
            content=content,
            sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
            batches=len(batches),
            results=len(results),
        )
    )
