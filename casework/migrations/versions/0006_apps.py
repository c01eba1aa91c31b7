"""the apps' own records: the cities' expert pools (SEL-03, REN-04); applications entered
in the apps (SEL-02)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10

Several engineers add their blocks here; each block creates and drops its own tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


APPLICATION_COLUMNS = (
    ("entered_by", sa.String(length=80)),
    ("on_behalf", sa.Boolean()),
    ("applicant", sa.JSON()),
    ("supplementary", sa.JSON()),
    ("declared_at", sa.DateTime()),
    ("declaration", sa.Text()),
    ("accepted_on", sa.Date()),
    ("returned_on", sa.Date()),
    ("correction_items", sa.JSON()),
    ("correction_note", sa.Text()),
    ("resubmitted_on", sa.Date()),
    ("withdrawn_on", sa.Date()),
    ("withdrawal_reason", sa.Text()),
)
"""SEL-02: the columns the 申请 page adds to ``applications`` (all nullable)."""


def upgrade() -> None:
    # --- applications entered in the apps (SEL-02): entry, declaration, completeness check
    for name, kind in APPLICATION_COLUMNS:
        op.add_column("applications", sa.Column(name, kind, nullable=True))
    # --- expert pools (SEL-03, REN-04) ----------------------------------------------------
    op.create_table(
        "expert_pool",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("specialty", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_expert_pool_city_code_cities")
        ),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_expert_pool_username_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_pool")),
        sa.UniqueConstraint("city_code", "username", name="uq_expert_pool_city_user"),
    )


def downgrade() -> None:
    # --- applications entered in the apps (SEL-02)
    with op.batch_alter_table("applications") as batch:
        for name, _ in reversed(APPLICATION_COLUMNS):
            batch.drop_column(name)
    op.drop_table("expert_pool")
