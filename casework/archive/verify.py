"""Check the whole archive: the manifest's chain and every file against its digests.

Reports every file changed (SHA-256 or SM3 no longer match), removed (missing) or added (under
``objects/`` but in no entry), every entry changed, removed, inserted or reordered, a manifest
cut short at its end, and files of destroyed entries still present, and, against every anchor in
the anchor file (``casework audit anchor``, ``casework.ops.anchor``), a manifest cut and its head
moved, or edited and re-chained. An empty list means intact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from casework.archive.manifest import GENESIS, entry_hash, head_of
from casework.archive.objects import Digests, ObjectStore
from casework.archive.retention import _destroyed
from casework.store.audit import Pin, against_pins
from casework.store.engine import Store
from casework.store.tables import archive_entries

CHANGED, REMOVED, ADDED = "篡改", "缺失", "多出"
REORDERED, TRUNCATED, LEFTOVER = "插入或重排", "截断", "未销毁"
ANCHOR = "锚定"


@dataclass(frozen=True)
class ArchiveProblem:
    """One thing wrong with the archive."""

    kind: str
    seq: int | None
    message: str


def _chain(rows: list[dict]) -> list[ArchiveProblem]:
    problems = []
    prev_seq, prev_hash = 0, GENESIS
    for row in rows:
        seq = row["seq"]
        if seq != prev_seq + 1:
            first, last = prev_seq + 1, seq - 1
            gone = f"第{first}号" if first == last else f"第{first}至{last}号"
            problems.append(ArchiveProblem(REMOVED, seq, f"{gone}归档记录缺失（被删除）"))
        if row["prev_hash"] != prev_hash:
            problems.append(
                ArchiveProblem(
                    REORDERED, seq, f"第{seq}号归档记录与前一条不衔接（被插入、删除或重排）"
                )
            )
        if entry_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(
                ArchiveProblem(CHANGED, seq, f"第{seq}号归档记录内容与其哈希不符（被篡改）")
            )
        prev_seq, prev_hash = seq, row["hash"]
    return problems


def _entries(first: int, last: int) -> str:
    span = f"第{first}号" if first == last else f"第{first}至{last}号"
    return f"{span}归档记录"


def _anchored(
    rows: list[dict],
    anchors: Path | str | None,
    key: Path | str | None,
    db_url: str,
    until: str | None,
) -> list[ArchiveProblem]:
    from casework.ops.anchor import read_anchors

    read = read_anchors(anchors, key, db_url=db_url).until(until)
    problems = [ArchiveProblem(ANCHOR, None, p) for p in read.problems]
    pins: list[Pin] = read.archive_pins()
    hashes = {int(r["seq"]): str(r["hash"]) for r in rows}
    for kind, seq, message in against_pins(hashes, pins, _entries, unit="号"):
        problems.append(ArchiveProblem(kind, seq, message))
    return problems


def verify(
    store: Store,
    root: Path | str | None = None,
    anchors: Path | str | None = None,
    *,
    key: Path | str | None = None,
    anchored_until: str | None = None,
) -> list[ArchiveProblem]:
    """Re-hash every archived file and re-walk the manifest chain (see the module docstring).

    ``anchors`` is the anchor file (default ``CASEWORK_ANCHORS``), ``key`` the key that signed it
    (default ``CASEWORK_ANCHOR_KEY``); a missing anchor file anchors nothing.
    ``anchored_until`` (ISO time) ignores later anchors: a backup is checked against the anchors
    made before it was taken.
    """
    objects = ObjectStore(root, db_url=store.url)
    with store.read() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                select(archive_entries).order_by(archive_entries.c.seq)
            ).mappings()
        ]
        head_seq, head_hash = head_of(conn)
        destroyed = _destroyed(conn)
    problems = _chain(rows)
    last_seq, last_hash = (rows[-1]["seq"], rows[-1]["hash"]) if rows else (0, GENESIS)
    if (head_seq, head_hash) != (last_seq, last_hash):
        problems.append(
            ArchiveProblem(
                TRUNCATED,
                last_seq,
                f"清单链头指向第{head_seq}号，但清单止于第{last_seq}号（末尾记录被删除、替换或追加）",
            )
        )
    problems.extend(_anchored(rows, anchors, key, store.url, anchored_until))
    known: dict[str, bool] = {}  # digest -> needed by a live entry
    for row in rows:
        live = row["seq"] not in destroyed
        try:
            files = json.loads(row["files"])
        except ValueError:
            continue  # the chain check already reports the entry as changed
        for f in files:
            known[f["sha256"]] = known.get(f["sha256"], False) or live
            if not live:
                continue
            path = objects.path(f["sha256"])
            if not path.is_file():
                problems.append(
                    ArchiveProblem(
                        REMOVED, row["seq"], f"第{row['seq']}号归档文件{f['name']}缺失（{path}）"
                    )
                )
                continue
            got = Digests.of(path.read_bytes())
            if (got.sha256, got.sm3, got.size) != (f["sha256"], f["sm3"], f["size"]):
                problems.append(
                    ArchiveProblem(
                        CHANGED,
                        row["seq"],
                        f"第{row['seq']}号归档文件{f['name']}内容已改变（SHA-256/SM3 不符）",
                    )
                )
    for path in objects.files():
        digest = path.name
        if digest not in known:
            problems.append(
                ArchiveProblem(ADDED, None, f"归档目录中多出不属于任何归档记录的文件：{path}")
            )
        elif not known[digest]:
            problems.append(ArchiveProblem(LEFTOVER, None, f"已决定销毁的文件仍然存在：{path}"))
    return problems
