"""The append-only, hash-chained audit log.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON
(sequence number, time, actor, command, rule IDs, changes). ``verify`` walks the chain and
names every entry that was changed, removed, inserted or reordered; the head row catches the
removal of the newest entries. Someone who can write the database can still cut the log and move
the head, or edit an entry and recompute every hash after it; heads pinned outside the database
(``casework audit anchor``, see ``casework.ops.anchor``) catch both: ``verify(conn, pins)``
requires the chain to pass through every pinned (sequence number, hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class Pin:
    """A chain head recorded outside the database: the chain must still pass through it."""

    seq: int
    hash: str
    label: str  # which anchor recorded it, e.g. "第2号锚定（2026-12-06 02:00）"


ANCHOR_CUT, ANCHOR_RECHAINED = "截断（锚定）", "重算（锚定）"


def against_pins(
    hashes: Mapping[int, str],
    pins: Sequence[Pin],
    name: Callable[[int, int], str],
    unit: str = "条",
) -> list[tuple[str, int, str]]:
    """Where a chain (``seq -> hash``) no longer passes through the pinned heads.

    ``name(first, last)`` names a run of entries ("第3至5条审计记录"). An anchored entry that is
    gone means the newest entries were removed (the entries are named); a different hash at an
    anchored number means an entry at or before it, after the last anchor that still holds, was
    changed and the chain recomputed (the narrowest such run is named).

    Returns:
        (kind, seq, message) for each broken pin.
    """
    found: list[tuple[str, int, str]] = []
    last = max(hashes, default=0)
    held = 0  # the newest anchored entry that still matches
    for pin in sorted(pins, key=lambda p: p.seq):
        if pin.seq <= 0:
            continue
        got = hashes.get(pin.seq)
        if got is None:
            gone = name(last + 1, pin.seq) if pin.seq > last else name(pin.seq, pin.seq)
            found.append(
                (
                    ANCHOR_CUT,
                    pin.seq,
                    f"{gone}缺失：{pin.label}的链头为第{pin.seq}{unit}，现止于第{last}{unit}"
                    "（末尾记录被删除、链头被移动）",
                )
            )
        elif got != pin.hash:
            where = name(held + 1, pin.seq)
            found.append(
                (
                    ANCHOR_RECHAINED,
                    pin.seq,
                    f"{where}中有记录被改动后重新计算了哈希链：第{pin.seq}{unit}的哈希与{pin.label}不符",
                )
            )
        else:
            held = max(held, pin.seq)
    return found


def _entries(first: int, last: int) -> str:
    span = f"第{first}条" if first == last else f"第{first}至{last}条"
    return f"{span}审计记录"


def verify(conn: Connection, pins: Sequence[Pin] = ()) -> list[AuditProblem]:
    """Every break in the chain, and every pinned head it no longer passes through.

    An empty list means the log is intact.
    """
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
    hashes = {int(r["seq"]): str(r["hash"]) for r in rows}
    for kind, seq, message in against_pins(hashes, pins, _entries):
        problems.append(AuditProblem(seq, kind, message))
    return problems
