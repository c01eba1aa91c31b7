"""term length: the months a term was granted and the city's reason for another length (SEL-11)

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
    with op.batch_alter_table("filing_terms") as batch:
        batch.add_column(
            sa.Column("months", sa.Integer(), nullable=False, server_default=sa.text("36"))
        )
        batch.add_column(
            sa.Column("length_reason", sa.Text(), nullable=False, server_default=sa.text("''"))
        )


def downgrade() -> None:
    with op.batch_alter_table("filing_terms") as batch:
        batch.drop_column("length_reason")
        batch.drop_column("months")
