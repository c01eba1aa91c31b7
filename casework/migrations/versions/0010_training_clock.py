"""training clock: the one-row table that marks a store made by ``casework demo`` and holds its
simulated date (training sessions only; a production store has no row)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_clock",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("simulated_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_clock")),
    )


def downgrade() -> None:
    op.drop_table("training_clock")
