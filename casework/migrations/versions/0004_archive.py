"""evidence archive: manifest entries, head, legal holds, destruction decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("procedure", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("medium", sa.String(length=4), nullable=False),
        sa.Column("rubric_id", sa.String(length=40), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("package_version", sa.String(length=20), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_archive_entries")),
    )
    op.create_table(
        "archive_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_head")),
    )
    op.create_table(
        "archive_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=80), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("released_by", sa.String(length=80), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_holds")),
    )
    op.create_table(
        "archive_disposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_seq", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["archive_entries.seq"],
            name=op.f("fk_archive_disposals_entry_seq_archive_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_disposals")),
    )


def downgrade() -> None:
    op.drop_table("archive_disposals")
    op.drop_table("archive_holds")
    op.drop_table("archive_head")
    op.drop_table("archive_entries")
