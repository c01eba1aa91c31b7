"""Catalog editions (SEL-09): what changed from one published edition of the catalog of
institutions to the next, and an edition's digest. Pure functions over the editions' entries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from casework.domain import lifecycle

NEW, SCOPE, RENEWED, RESTORED = "新增", "范围调整", "续期", "恢复"
ENDED, SUSPENDED = lifecycle.FILING_TERMINATED, lifecycle.FILING_SUSPENDED
"""An edition lists a filing that ended or was suspended under the state's own name."""
CHANGE_KINDS = (NEW, SCOPE, RENEWED, ENDED, SUSPENDED, RESTORED)
"""What a catalog edition lists as changed since the edition before (SEL-09)."""
RENEWAL_DROP_REASON = "备案期内未开展考核，不予续期"
"""REN-05: the removal reason a renewal records for a project with no assessment in the term
(``filing_projects.removal_reason``; the same text as ``casework.queries.filings.RENEWAL_DROP``)."""
RENEWAL_DROP_NOTE = "续期时删除（备案期内未开展考核）"
"""How an edition's 范围调整 row names a project dropped at renewal (REN-05, issue #14)."""


def _removed(names: Sequence[str], entry: Mapping[str, Any]) -> str:
    """``删除A、B``, a project dropped at renewal marked as such (REN-05). ``entry["removed"]``
    maps a removed project's name to its removal reason (absent in editions before #14)."""
    reasons = entry.get("removed") or {}
    return "、".join(
        f"{n}（{RENEWAL_DROP_NOTE}）" if reasons.get(n) == RENEWAL_DROP_REASON else n for n in names
    )


def edition_changes(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """SEL-09: what changed from one edition's entries to the next, one row per change."""
    old = {e["filing_id"]: e for e in before}
    changes: list[dict[str, Any]] = []

    def row(kind: str, e: Mapping[str, Any], detail: str) -> None:
        changes.append(
            {
                "change": kind,
                "filing_id": e["filing_id"],
                "code": e["code"],
                "institution": e["institution"],
                "city": e["city"],
                "detail": detail,
            }
        )

    for e in after:
        prev = old.get(e["filing_id"])
        if prev is None:
            row(NEW, e, "、".join(e["projects"]))
            if e["status"] == lifecycle.TERMINATED:
                row(ENDED, e, e["end_reason"])
            continue
        added = [p for p in e["projects"] if p not in prev["projects"]]
        removed = [p for p in prev["projects"] if p not in e["projects"]]
        if (added or removed) and e["status"] != lifecycle.TERMINATED:
            parts = ([f"新增{'、'.join(added)}"] if added else []) + (
                [f"删除{_removed(removed, e)}"] if removed else []
            )
            row(SCOPE, e, "；".join(parts))
        if e["term_end"] != prev["term_end"]:
            row(RENEWED, e, f"有效期至{e['term_end']}")
        if e["status"] != prev["status"]:
            if e["status"] == lifecycle.TERMINATED:
                row(ENDED, e, e["end_reason"])
            elif e["status"] == lifecycle.SUSPENDED:
                row(SUSPENDED, e, "立案调查期间暂停")
            elif prev["status"] == lifecycle.SUSPENDED:
                row(RESTORED, e, "调查结束恢复")
    return changes


def digest_of(entries: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of an edition's entries in canonical JSON."""
    text = json.dumps(list(entries), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
