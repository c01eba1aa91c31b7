"""Form drafts: what a user typed into an app's form comes back after a reload or a new kernel.

A draft belongs to its author (the acting user, from the server) and to one page and case; a
user can neither read nor write another user's drafts. Saving is a command like any other: one
transaction plus one audit entry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from casework.errors import RuleViolation
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    EXPERT,
    INSTITUTION,
    PROVINCE,
    Actor,
)
from casework.registry.uow import Tx, command
from casework.store.engine import Store
from casework.store.tables import form_drafts

HUMAN_ROLES = (EXPERT, CITY_OFFICER, CITY_MANAGER, PROVINCE, INSTITUTION)
MAX_DRAFT_BYTES = 200_000


def _row(tx_or_conn: Any, username: str, page: str, case_key: str) -> Any:
    conn = getattr(tx_or_conn, "conn", tx_or_conn)
    q = select(form_drafts).where(
        form_drafts.c.username == username,
        form_drafts.c.page == page,
        form_drafts.c.case_key == case_key,
    )
    return conn.execute(q).mappings().first()


@command("保存表单草稿", roles=HUMAN_ROLES)
def save_form_draft(tx: Tx, *, page: str, case_key: str, payload: dict[str, Any]) -> None:
    """Save the acting user's draft of one page's form for one case."""
    text = json.dumps(payload, ensure_ascii=False, default=str)
    if (
        len(text.encode("utf-8")) > MAX_DRAFT_BYTES
        or not page
        or len(page) > 40
        or len(case_key) > 80
    ):
        raise RuleViolation("草稿内容过长或页面标识无效，未保存")
    now = datetime.now(UTC).replace(tzinfo=None)
    current = _row(tx, tx.actor.username, page, case_key)
    if current is None:
        tx.insert(
            form_drafts,
            username=tx.actor.username,
            page=page,
            case_key=case_key,
            payload=json.loads(text),
            updated_at=now,
        )
    else:
        tx.update(form_drafts, {"id": current["id"]}, payload=json.loads(text), updated_at=now)


@command("清除表单草稿", roles=HUMAN_ROLES)
def discard_form_draft(tx: Tx, *, page: str, case_key: str) -> None:
    """Forget the acting user's draft once the form was submitted."""
    current = _row(tx, tx.actor.username, page, case_key)
    if current is not None:
        tx.update(form_drafts, {"id": current["id"]}, payload={})


def load_form_draft(store: Store, actor: Actor, page: str, case_key: str) -> dict[str, Any]:
    """The acting user's draft for the page and case ({} when there is none)."""
    with store.read() as conn:
        row = _row(conn, actor.username, page, case_key)
    return dict(row["payload"]) if row is not None else {}
