"""The append-only, hash-chained audit log.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON
(sequence number, time, actor, command, rule IDs, changes). ``verify`` walks the chain and
names every entry that was changed, removed, inserted or reordered; the head row catches the
removal of the newest entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from casework.store.tables import audit_head, audit_log

GENESIS = "0" * 64


def canonical_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, dates as ISO strings."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    fields = {k: entry[k] for k in ("seq", "at", "actor", "command", "rule_ids", "changes")}
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    *,
    actor: str,
    command: str,
    rule_ids: tuple[str, ...] | list[str],
    changes: list[dict[str, Any]],
    at: datetime | None = None,
) -> dict[str, Any]:
    """Append one entry inside the caller's write transaction and move the head."""
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
    prev_seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    entry: dict[str, Any] = {
        "seq": prev_seq + 1,
        "at": (at or datetime.now(UTC)).isoformat(timespec="microseconds"),
        "actor": actor,
        "command": command,
        "rule_ids": ",".join(dict.fromkeys(rule_ids)),
        "changes": canonical_json(changes),
        "prev_hash": prev_hash,
    }
    entry["hash"] = entry_hash(prev_hash, entry)
    conn.execute(insert(audit_log).values(**entry))
    if head:
        conn.execute(update(audit_head).values(seq=entry["seq"], hash=entry["hash"]))
    else:
        conn.execute(insert(audit_head).values(id=1, seq=entry["seq"], hash=entry["hash"]))
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """One break in the chain."""

    seq: int
    kind: str  # 篡改 | 删除 | 插入或重排 | 截断
    message: str


def verify(conn: Connection) -> list[AuditProblem]:
    """Every break in the chain; an empty list means the log is intact."""
    problems: list[AuditProblem] = []
    rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings().all()
    prev_seq, prev_hash = 0, GENESIS
    for row in rows:
        seq = row["seq"]
        if seq != prev_seq + 1:
            first, last = prev_seq + 1, seq - 1
            gone = f"第{first}条" if first == last else f"第{first}至{last}条"
            problems.append(AuditProblem(seq, "删除", f"{gone}审计记录缺失（被删除）"))
        if row["prev_hash"] != prev_hash:
            problems.append(
                AuditProblem(
                    seq, "插入或重排", f"第{seq}条审计记录与前一条不衔接（被插入、删除或重排）"
                )
            )
        if entry_hash(row["prev_hash"], dict(row)) != row["hash"]:
            problems.append(
                AuditProblem(seq, "篡改", f"第{seq}条审计记录内容与其哈希不符（被篡改）")
            )
        prev_seq, prev_hash = seq, row["hash"]
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
    if head is None and rows:
        missing_head = f"审计链头记录缺失（日志止于第{prev_seq}条）"
        problems.append(AuditProblem(prev_seq, "截断", missing_head))
    elif head is not None and (head.seq != prev_seq or head.hash != prev_hash):
        problems.append(
            AuditProblem(
                prev_seq,
                "截断",
                f"审计链头指向第{head.seq}条，但日志止于第{prev_seq}条（末尾记录被删除、替换或追加）",
            )
        )
    return problems
