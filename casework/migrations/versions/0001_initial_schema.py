"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("command", sa.String(length=60), nullable=False),
        sa.Column("rule_ids", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "cities",
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=40), nullable=False),
        sa.Column("bureau", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("city_code", name=op.f("pk_cities")),
        sa.UniqueConstraint("name", name=op.f("uq_cities_name")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_table(
        "institution_codes",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_institution_codes")),
        sa.UniqueConstraint("city_code", "year", "seq", name="uq_institution_codes_city_year_seq"),
    )
    op.create_table(
        "projects",
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("project_code", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
    )
    op.create_table(
        "refusals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("command", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refusals")),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("supplementary", sa.JSON(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_calls_city_code_cities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_table(
        "catalog_entries",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_catalog_entries_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("year", "project_code", name=op.f("pk_catalog_entries")),
    )
    op.create_table(
        "city_projects",
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_city_projects_city_code_cities")
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_city_projects_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("city_code", "year", "project_code", name=op.f("pk_city_projects")),
    )
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("extinct_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_institutions_city_code_cities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("uscc", name=op.f("uq_institutions_uscc")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_notices_city_code_cities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_table(
        "renewal_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("expiring_from", sa.Date(), nullable=False),
        sa.Column("expiring_to", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("rubric_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_renewal_rounds_city_code_cities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_rounds")),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_users_city_code_cities")
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("rubric_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_applications_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_applications_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_table(
        "call_projects",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_projects_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_call_projects_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("call_id", "project_code", name=op.f("pk_call_projects")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("follow_ups", sa.JSON(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_incidents_city_code_cities")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_incidents_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_table(
        "application_projects",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_projects_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_application_projects_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "project_code", name=op.f("pk_application_projects")
        ),
    )
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("end_reason", sa.String(length=10), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_filings_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["city_code"], ["cities.city_code"], name=op.f("fk_filings_city_code_cities")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_filings_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
        sa.UniqueConstraint("code", name=op.f("uq_filings_code")),
    )
    op.create_table(
        "notice_items",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_notice_items_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_items_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("notice_id", "application_id", name=op.f("pk_notice_items")),
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("objector", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_objections_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_objections_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    op.create_table(
        "quota_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("count_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=80), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_quota_overrides_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_overrides")),
    )
    op.create_table(
        "exit_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("findings_received_on", sa.Date(), nullable=True),
        sa.Column("statement_due", sa.Date(), nullable=True),
        sa.Column("statement_received_on", sa.Date(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("circumstance", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("closing_work", sa.Text(), nullable=False),
        sa.Column("closing_done_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("source_incident_id", sa.Integer(), nullable=True),
        sa.Column("source_renewal_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_exit_cases_filing_id_filings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exit_cases")),
    )
    op.create_table(
        "filing_projects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=20), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("added_by", sa.String(length=20), nullable=False),
        sa.Column("removal_reason", sa.String(length=40), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_filing_projects_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_filing_projects_filing_id_filings")
        ),
        sa.ForeignKeyConstraint(
            ["project_code"],
            ["projects.project_code"],
            name=op.f("fk_filing_projects_project_code_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_projects")),
    )
    op.create_table(
        "filing_terms",
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_filing_terms_filing_id_filings")
        ),
        sa.PrimaryKeyConstraint("filing_id", "seq", name=op.f("pk_filing_terms")),
    )
    op.create_table(
        "renewal_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("application", sa.JSON(), nullable=True),
        sa.Column("composite", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("veto_found", sa.Boolean(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("dropped_projects", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_renewal_cases_filing_id_filings")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["renewal_rounds.id"],
            name=op.f("fk_renewal_cases_round_id_renewal_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_cases")),
        sa.UniqueConstraint("round_id", "filing_id", name="uq_renewal_cases_round_filing"),
    )
    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("renewal_id", sa.Integer(), nullable=True),
        sa.Column("rubric_id", sa.String(length=40), nullable=False),
        sa.Column("constituted_on", sa.Date(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_panels_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["renewal_id"], ["renewal_cases.id"], name=op.f("fk_panels_renewal_id_renewal_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
    )
    op.create_table(
        "panel_members",
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("is_leader", sa.Boolean(), nullable=False),
        sa.Column("expertise", sa.String(length=40), nullable=False),
        sa.Column("coi_declared_at", sa.DateTime(), nullable=True),
        sa.Column("coi_statement", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_panel_members_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_panel_members_username_users")
        ),
        sa.PrimaryKeyConstraint("panel_id", "username", name=op.f("pk_panel_members")),
    )
    op.create_table(
        "sheets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=True),
        sa.Column("renewal_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("rubric_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("veto", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_sheets_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["renewal_id"], ["renewal_cases.id"], name=op.f("fk_sheets_renewal_id_renewal_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheets")),
        sa.UniqueConstraint(
            "panel_id", "renewal_id", "author", "kind", name="uq_sheets_case_author"
        ),
    )


def downgrade() -> None:
    op.drop_table("sheets")
    op.drop_table("panel_members")
    op.drop_table("panels")
    op.drop_table("renewal_cases")
    op.drop_table("filing_terms")
    op.drop_table("filing_projects")
    op.drop_table("exit_cases")
    op.drop_table("quota_overrides")
    op.drop_table("objections")
    op.drop_table("notice_items")
    op.drop_table("filings")
    op.drop_table("application_projects")
    op.drop_table("incidents")
    op.drop_table("call_projects")
    op.drop_table("applications")
    op.drop_table("users")
    op.drop_table("renewal_rounds")
    op.drop_table("notices")
    op.drop_table("institutions")
    op.drop_table("city_projects")
    op.drop_table("catalog_entries")
    op.drop_table("calls")
    op.drop_table("refusals")
    op.drop_table("projects")
    op.drop_table("institution_codes")
    op.drop_table("documents")
    op.drop_table("cities")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
