"""term length: the months a term was granted and the city's reason for another length (SEL-11);
closing work after expiry and extinction (EXIT-03, EXIT-07, EXIT-08)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closing_work",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_closing_work_filing_id_filings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closing_work")),
        sa.UniqueConstraint("filing_id", name=op.f("uq_closing_work_filing_id")),
    )
    with op.batch_alter_table("filing_terms") as batch:
        batch.add_column(
            sa.Column("months", sa.Integer(), nullable=False, server_default=sa.text("36"))
        )
        batch.add_column(
            sa.Column("length_reason", sa.Text(), nullable=False, server_default=sa.text("''"))
        )


def downgrade() -> None:
    op.drop_table("closing_work")
    with op.batch_alter_table("filing_terms") as batch:
        batch.drop_column("length_reason")
        batch.drop_column("months")
