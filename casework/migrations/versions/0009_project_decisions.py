"""per-project decisions: the city's decision on each project applied for and the reason for a
declined one (SEL-04, issue #14)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application_projects") as batch:
        batch.add_column(sa.Column("decision", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application_projects") as batch:
        batch.drop_column("decision_reason")
        batch.drop_column("decision")
