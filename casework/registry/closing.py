"""Closing work after a filing ended by its term, a failed renewal or extinction (EXIT-03,
EXIT-07, EXIT-08): the archives, the candidates' services and the certificates are still
looked after (收尾), part by part as after a voluntary withdrawal (EXIT-02), until the city
records the last part done."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.errors import RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER
from casework.registry.uow import Tx, command
from casework.store.tables import closing_work, filings

CITY = (CITY_OFFICER, CITY_MANAGER)
CLOSING_PARTS = ("收尾计划", "证书维护", "档案管理", "参评人员服务")
"""EXIT-02, EXIT-08: what closing work covers (as a wind-down plan does)."""
TRACKED_REASONS = ("到期未续", "续期不合格", "主体灭失")
"""End reasons whose closing work is tracked here (withdrawal and revocation track theirs in
their exit case)."""


def open_closing_work(tx: Tx, filing: Any, reason: str, on: date) -> None:
    """Start tracking the closing work of a filing that just ended (called by the end itself)."""
    if reason not in TRACKED_REASONS or tx.rows(closing_work, filing_id=filing["id"]):
        return
    tx.insert(closing_work, filing_id=filing["id"], reason=reason, opened_on=on, parts={})


@command("登记收尾工作", rules=("EXIT-03", "EXIT-07", "EXIT-08"), roles=CITY)
def record_closing_work(tx: Tx, *, filing_id: int, part: str, note: str, on: date) -> bool:
    """Record one part of the closing work done; returns whether all parts are now done."""
    filing = tx.get(filings, "备案", id=filing_id)
    tx.require_city(filing["city_code"])
    found = tx.rows(closing_work, filing_id=filing_id)
    work = found[0] if found else None
    if work is None:
        raise RuleViolation("该备案没有需要跟踪的收尾工作", rule_id="EXIT-08")
    if work["completed_on"] is not None:
        raise RuleViolation(f"收尾工作已于{work['completed_on']}完成", rule_id="EXIT-08")
    if part not in CLOSING_PARTS:
        raise RuleViolation(
            f"收尾事项“{part}”应为{'、'.join(CLOSING_PARTS)}之一", rule_id="EXIT-08"
        )
    if part in work["parts"]:
        raise RuleViolation(
            f"“{part}”已于{work['parts'][part]['done_on']}登记完成", rule_id="EXIT-08"
        )
    if not note.strip():
        raise RuleViolation(f"须写明“{part}”的完成情况", rule_id="EXIT-08")
    if on < work["opened_on"]:
        raise RuleViolation(f"登记日期{on}早于备案终止日期{work['opened_on']}", rule_id="EXIT-08")
    parts = {
        **work["parts"],
        part: {"done_on": on.isoformat(), "note": note.strip(), "by": tx.actor.username},
    }
    done = set(parts) == set(CLOSING_PARTS)
    tx.update(closing_work, {"id": work["id"]}, parts=parts, completed_on=on if done else None)
    return done
