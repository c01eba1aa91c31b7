"""data intake: imports, staff, sites, question banks, batches, candidate results, certificates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_imports")),
    )
    op.create_table(
        "assessment_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("batch_no", sa.String(length=40), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("site_code", sa.String(length=40), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("exam_date", sa.Date(), nullable=False),
        sa.Column("publish_start", sa.Date(), nullable=True),
        sa.Column("publish_end", sa.Date(), nullable=True),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["intake_imports.id"],
            name=op.f("fk_assessment_batches_import_id_intake_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_assessment_batches_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_assessment_batches_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_batches")),
        sa.UniqueConstraint(
            "institution_id", "batch_no", name="uq_assessment_batches_institution_batch"
        ),
    )
    op.create_table(
        "question_banks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("paper_sets", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["intake_imports.id"],
            name=op.f("fk_question_banks_import_id_intake_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_question_banks_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_question_banks_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_banks")),
        sa.UniqueConstraint(
            "institution_id", "project_code", name="uq_question_banks_institution_project"
        ),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("site_code", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("tenure", sa.String(length=4), nullable=False),
        sa.Column("lease_end", sa.Date(), nullable=True),
        sa.Column("area", sa.Float(), nullable=False),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_sites_city_code_cities")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["intake_imports.id"], name=op.f("fk_sites_import_id_intake_imports")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_sites_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("institution_id", "site_code", name="uq_sites_institution_site"),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("employment", sa.String(length=4), nullable=False),
        sa.Column("qualification", sa.String(length=20), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("title", sa.String(length=4), nullable=True),
        sa.Column("honours", sa.String(length=200), nullable=True),
        sa.Column("trade_years", sa.Float(), nullable=True),
        sa.Column("contract_months", sa.Integer(), nullable=True),
        sa.Column("insurance_months", sa.Integer(), nullable=True),
        sa.Column("other_units", sa.Text(), nullable=True),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["intake_imports.id"], name=op.f("fk_staff_import_id_intake_imports")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_staff_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint(
            "institution_id", "id_number", "role", "project_code", name="uq_staff_person_role"
        ),
    )
    op.create_table(
        "candidate_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("evaluator_1", sa.String(length=18), nullable=True),
        sa.Column("evaluator_2", sa.String(length=18), nullable=True),
        sa.Column("evaluator_3", sa.String(length=18), nullable=True),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["assessment_batches.id"],
            name=op.f("fk_candidate_results_batch_id_assessment_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["intake_imports.id"],
            name=op.f("fk_candidate_results_import_id_intake_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_results")),
        sa.UniqueConstraint("batch_id", "id_number", name="uq_candidate_results_batch_candidate"),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("cert_no", sa.String(length=40), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["assessment_batches.id"],
            name=op.f("fk_certificates_batch_id_assessment_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["intake_imports.id"],
            name=op.f("fk_certificates_import_id_intake_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_certificates_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_certificates_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("cert_no", name=op.f("uq_certificates_cert_no")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_id_number"), ["id_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_id_number"))

    op.drop_table("certificates")
    op.drop_table("candidate_results")
    op.drop_table("staff")
    op.drop_table("sites")
    op.drop_table("question_banks")
    op.drop_table("assessment_batches")
    op.drop_table("intake_imports")
