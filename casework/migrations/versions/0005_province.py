"""the province's part: reports to the province, catalog editions, local project list changes,
certificate corrections and revocations, investigation data snapshots

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "province_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.String(length=80), nullable=False),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_province_reports_city_code_cities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_reports")),
    )
    op.create_table(
        "catalog_editions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("chain_heads", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_editions")),
    )
    op.create_table(
        "city_project_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("change", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"],
            ["cities.city_code"],
            name=op.f("fk_city_project_changes_city_code_cities"),
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_city_project_changes_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_project_changes")),
    )
    op.create_table(
        "certificate_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=6), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=6), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=80), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_actions_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_actions")),
    )
    op.create_table(
        "data_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exit_case_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exit_case_id"],
            ["exit_cases.id"],
            name=op.f("fk_data_snapshots_exit_case_id_exit_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_data_snapshots_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_snapshots")),
        sa.UniqueConstraint("exit_case_id", name=op.f("uq_data_snapshots_exit_case_id")),
    )


def downgrade() -> None:
    op.drop_table("data_snapshots")
    op.drop_table("certificate_actions")
    op.drop_table("city_project_changes")
    op.drop_table("catalog_editions")
    op.drop_table("province_reports")
