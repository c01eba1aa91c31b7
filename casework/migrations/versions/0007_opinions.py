"""a renewal case keeps the group's Attachment 6 opinion and the city's decision apart (REN-04,
REN-05): ``renewal_cases.decision_note`` holds the city's text; ``opinion`` is the group's again

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-11

Before this revision ``研究确定续期评估结果`` overwrote ``opinion`` (the group's text) with the
city's. The audit log kept both: the group's text is the ``after`` of the newest
``提交评估组意见`` change of the case (or, failing that, the ``before`` of the decision's change)
and the city's text is the ``after`` of the decision's change. The upgrade restores them from
there; the audit log itself is only read.
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SUBMIT = "提交评估组意见"
DECIDE = "研究确定续期评估结果"

renewal_cases = sa.table(
    "renewal_cases",
    sa.column("id", sa.Integer()),
    sa.column("opinion", sa.Text()),
    sa.column("decision_note", sa.Text()),
    sa.column("decided_on", sa.Date()),
)
audit_log = sa.table(
    "audit_log",
    sa.column("seq", sa.Integer()),
    sa.column("command", sa.String()),
    sa.column("changes", sa.Text()),
)


def _case_id(key: Any) -> int | None:
    if isinstance(key, dict) and set(key) == {"id"}:
        key = key["id"]
    return int(key) if isinstance(key, int) and not isinstance(key, bool) else None


def opinions_from_audit(
    entries: list[tuple[str, str]],
) -> tuple[dict[int, str], dict[int, str]]:
    """(group's opinion, city's decision text) per renewal case, from ``(command, changes)``
    audit entries oldest first: the newest of each wins."""
    submitted: dict[int, str] = {}
    seen_by_decision: dict[int, str] = {}
    decided: dict[int, str] = {}
    for command, changes in entries:
        for change in json.loads(changes or "[]"):
            after = change.get("after") or {}
            if change.get("table") != "renewal_cases" or "opinion" not in after:
                continue
            case = _case_id(change.get("key"))
            if case is None:
                continue
            if command == SUBMIT:
                submitted[case] = str(after["opinion"] or "")
            elif command == DECIDE:
                seen_by_decision[case] = str((change.get("before") or {}).get("opinion") or "")
                decided[case] = str(after["opinion"] or "")
    group = {**seen_by_decision, **submitted}
    return group, decided


def upgrade() -> None:
    op.add_column(
        "renewal_cases",
        sa.Column("decision_note", sa.Text(), nullable=False, server_default=""),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(audit_log.c.command, audit_log.c.changes)
        .where(audit_log.c.command.in_((SUBMIT, DECIDE)))
        .order_by(audit_log.c.seq)
    ).all()
    group, decided = opinions_from_audit([(str(r[0]), str(r[1])) for r in rows])
    for case, note in decided.items():
        conn.execute(
            sa.update(renewal_cases)
            .where(renewal_cases.c.id == case)
            .values(opinion=group.get(case, ""), decision_note=note)
        )


def downgrade() -> None:
    # the old behaviour: a decided case's opinion is the city's text
    conn = op.get_bind()
    conn.execute(
        sa.update(renewal_cases)
        .where(renewal_cases.c.decided_on.is_not(None))
        .values(opinion=renewal_cases.c.decision_note)
    )
    with op.batch_alter_table("renewal_cases") as batch:
        batch.drop_column("decision_note")
