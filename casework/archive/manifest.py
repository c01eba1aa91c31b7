"""The archive's manifest: one hash-chained entry per archived record.

Each entry records the case, the procedure, who archived it and when, the rubric version, the
parameters it was made from, the package version, and every file with its SHA-256 and SM3. Its
hash is SHA-256 over the previous entry's hash and the entry's canonical JSON, so a changed,
removed, inserted or reordered entry breaks the chain (see ``verify.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from casework.errors import NotFound, RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, PROVINCE
from casework.registry.uow import Tx, command
from casework.store.audit import canonical_json
from casework.store.engine import Store
from casework.store.tables import archive_entries, archive_head

GENESIS = "0" * 64
ELECTRONIC, PAPER = "电子", "纸质"
MEDIA = (ELECTRONIC, PAPER)
ENTRY_FIELDS = (
    "seq",
    "at",
    "actor",
    "procedure",
    "case_id",
    "city_code",
    "subject",
    "medium",
    "rubric_id",
    "parameters",
    "package_version",
    "files",
    "figures",
)
ARCHIVERS = (CITY_OFFICER, CITY_MANAGER, PROVINCE)


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    fields = {k: entry[k] for k in ENTRY_FIELDS}
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ArchivedFile:
    """One file of an entry: its role (html, pdf, scan…), name and digests."""

    role: str
    name: str
    sha256: str
    sm3: str
    size: int


@dataclass(frozen=True)
class Entry:
    """A manifest entry as stored (``parameters``, ``files`` and ``figures`` decoded)."""

    seq: int
    at: str
    actor: str
    procedure: str
    case_id: int
    city_code: str
    subject: str
    medium: str
    rubric_id: str
    parameters: dict[str, Any]
    package_version: str
    files: tuple[ArchivedFile, ...]
    figures: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | Any) -> Entry:
        values = dict(row)
        values["parameters"] = json.loads(row["parameters"])
        values["files"] = tuple(ArchivedFile(**f) for f in json.loads(row["files"]))
        values["figures"] = json.loads(row["figures"])
        return cls(**values)


def head_of(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(archive_head.c.seq, archive_head.c.hash)).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)


@command("归档", rules=("EXIT-08",), roles=ARCHIVERS)
def record_entry(
    tx: Tx,
    *,
    procedure: str,
    case_id: int,
    city_code: str,
    subject: str,
    rubric_id: str,
    parameters: Mapping[str, Any],
    package_version: str,
    files: Sequence[ArchivedFile],
    figures: Mapping[str, Any],
    medium: str = ELECTRONIC,
) -> int:
    """Append one entry to the manifest and move its head; returns the entry's number."""
    tx.require_city(city_code)
    if medium not in MEDIA:
        raise RuleViolation(f"档案载体“{medium}”无效，应为电子或纸质", rule_id="EXIT-08")
    if medium == ELECTRONIC and not files:
        raise RuleViolation("电子档案至少应有一个文件", rule_id="EXIT-08")
    prev_seq, prev_hash = head_of(tx.conn)
    entry: dict[str, Any] = {
        "seq": prev_seq + 1,
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "actor": tx.actor.username,
        "procedure": procedure,
        "case_id": int(case_id),
        "city_code": city_code,
        "subject": subject,
        "medium": medium,
        "rubric_id": rubric_id,
        "parameters": canonical_json(dict(parameters)),
        "package_version": package_version,
        "files": canonical_json([f.__dict__ for f in files]),
        "figures": canonical_json(dict(figures)),
        "prev_hash": prev_hash,
    }
    entry["hash"] = entry_hash(prev_hash, entry)
    tx.insert(archive_entries, **entry)
    if prev_seq:
        tx.conn.execute(update(archive_head).values(seq=entry["seq"], hash=entry["hash"]))
    else:
        tx.conn.execute(insert(archive_head).values(id=1, seq=entry["seq"], hash=entry["hash"]))
    return int(entry["seq"])


def entries(store: Store) -> list[Entry]:
    """Every manifest entry, in order."""
    with store.read() as conn:
        rows = conn.execute(select(archive_entries).order_by(archive_entries.c.seq)).mappings()
        return [Entry.from_row(r) for r in rows]


def entry(store: Store, seq: int) -> Entry:
    with store.read() as conn:
        row = conn.execute(select(archive_entries).where(archive_entries.c.seq == seq))
        found = row.mappings().first()
    if found is None:
        raise NotFound(f"未找到第{seq}号归档记录")
    return Entry.from_row(found)
