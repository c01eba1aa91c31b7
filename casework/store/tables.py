"""The tables of the casework store (SQLAlchemy Core).

A change here needs a new migration in ``casework/migrations/versions``; a test checks that
the migrations produce exactly these tables. The lengths of the text fields people type are
declared in :mod:`casework.domain.limits` (free text: ``limits.LONG_TEXT``) and enforced by every
command, import and input alike.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from casework.domain import lifecycle, limits

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


cities = Table(
    "cities",
    metadata,
    Column("city_code", String(6), primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("full_name", String(40), nullable=False),
    Column("bureau", String(80), nullable=False),
)

projects = Table(
    "projects",
    metadata,
    Column("project_code", String(limits.PROJECT_CODE), primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("category", String(40), nullable=False, default=""),
)

# SEL-01: the provincial catalog of projects, by year.
catalog_entries = Table(
    "catalog_entries",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("project_code", ForeignKey("projects.project_code"), primary_key=True),
)

# SEL-01: the projects a city chooses, inside that year's catalog.
city_projects = Table(
    "city_projects",
    metadata,
    Column("city_code", ForeignKey("cities.city_code"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("project_code", ForeignKey("projects.project_code"), primary_key=True),
)

users = Table(
    "users",
    metadata,
    Column("username", String(limits.USERNAME), primary_key=True),
    Column("display_name", String(limits.DISPLAY_NAME), nullable=False),
    Column("role", String(20), nullable=False),
    Column("city_code", ForeignKey("cities.city_code"), nullable=True),
    Column("institution_id", Integer, nullable=True),
    Column("unit", String(limits.UNIT_NAME), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
)

institutions = Table(
    "institutions",
    metadata,
    _id(),
    Column("name", String(limits.UNIT_NAME), nullable=False),
    Column("uscc", String(18), nullable=False, unique=True),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("kind", String(20), nullable=False, default="企业"),
    Column("address", String(limits.ADDRESS), nullable=False, default=""),
    Column("contact", String(limits.CONTACT), nullable=False, default=""),
    Column("phone", String(limits.PHONE), nullable=False, default=""),
    Column("extinct_on", Date, nullable=True),
)

calls = Table(
    "calls",
    metadata,
    _id(),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("title", String(limits.TITLE), nullable=False),
    Column("conditions", Text, nullable=False, default=""),
    Column("requirements", Text, nullable=False, default=""),
    Column("supplementary", JSON, nullable=False, default=list),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("published_on", Date, nullable=False),
    Column("status", String(10), nullable=False),
)

call_projects = Table(
    "call_projects",
    metadata,
    Column("call_id", ForeignKey("calls.id"), primary_key=True),
    Column("project_code", ForeignKey("projects.project_code"), primary_key=True),
)

applications = Table(
    "applications",
    metadata,
    _id(),
    Column("call_id", ForeignKey("calls.id"), nullable=False),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # 新申请 | 范围新增
    Column("filing_id", Integer, nullable=True),  # the filing a scope addition extends
    Column("submitted_on", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Column("eligible", Boolean, nullable=True),
    Column("priority", Boolean, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decision_note", Text, nullable=False, default=""),
    Column("rubric_id", String(40), nullable=True),
    # SEL-02: who entered it (the institution head, or a city officer entering a paper
    # application on the institution's behalf), what the applicant declared, and the city's
    # completeness check (受理 / 退回补正 with the missing items) and any withdrawal.
    Column("entered_by", String(80), nullable=True),
    Column("on_behalf", Boolean, nullable=True),
    Column("applicant", JSON, nullable=True),
    Column("supplementary", JSON, nullable=True),
    Column("declared_at", DateTime, nullable=True),
    Column("declaration", Text, nullable=True),
    Column("accepted_on", Date, nullable=True),
    Column("returned_on", Date, nullable=True),
    Column("correction_items", JSON, nullable=True),
    Column("correction_note", Text, nullable=True),
    Column("resubmitted_on", Date, nullable=True),
    Column("withdrawn_on", Date, nullable=True),
    Column("withdrawal_reason", Text, nullable=True),
)

PROJECT_APPROVED, PROJECT_DECLINED = lifecycle.APPLICATION_PROPOSED, "不予备案"
"""SEL-04: the city's decision on one project applied for (``application_projects.decision``)."""

application_projects = Table(
    "application_projects",
    metadata,
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
    Column("project_code", ForeignKey("projects.project_code"), primary_key=True),
    # SEL-04: the city's decision on this project (None until decided) and, for a project it
    # declines, the reason; only approved projects are noticed and filed (issue #14).
    Column("decision", String(10), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

# SEL-03 / REN-04: a selection panel or a renewal group.
panels = Table(
    "panels",
    metadata,
    _id(),
    Column("purpose", String(10), nullable=False),  # 遴选 | 续期
    Column("application_id", ForeignKey("applications.id"), nullable=True),
    Column("renewal_id", ForeignKey("renewal_cases.id"), nullable=True),
    Column("rubric_id", String(40), nullable=False),
    Column("constituted_on", Date, nullable=False),
    Column("methods", JSON, nullable=False, default=list),
)

panel_members = Table(
    "panel_members",
    metadata,
    Column("panel_id", ForeignKey("panels.id"), primary_key=True),
    Column("username", ForeignKey("users.username"), primary_key=True),
    Column("is_leader", Boolean, nullable=False, default=False),
    Column("expertise", String(40), nullable=False, default=""),
    Column("coi_declared_at", DateTime, nullable=True),
    Column("coi_statement", Text, nullable=True),
)

# A member's sheet (Attachment 1 checklist, Attachment 4 scores) or an institution's
# self-evaluation; drafts and submitted sheets alike.
sheets = Table(
    "sheets",
    metadata,
    _id(),
    Column("panel_id", ForeignKey("panels.id"), nullable=True),
    Column("renewal_id", ForeignKey("renewal_cases.id"), nullable=True),
    Column("author", String(80), nullable=False),
    Column("kind", String(10), nullable=False),  # 遴选 | 续期 | 自评
    Column("rubric_id", String(40), nullable=False),
    Column("status", String(10), nullable=False),  # 草稿 | 已提交
    Column("rows", JSON, nullable=False),
    Column("veto", JSON, nullable=False, default=list),
    Column("total", Float, nullable=True),
    Column("updated_at", DateTime, nullable=False),
    Column("submitted_at", DateTime, nullable=True),
    UniqueConstraint("panel_id", "renewal_id", "author", "kind", name="uq_sheets_case_author"),
)

notices = Table(
    "notices",
    metadata,
    _id(),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("title", String(limits.TITLE), nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("status", String(10), nullable=False),
)

notice_items = Table(
    "notice_items",
    metadata,
    Column("notice_id", ForeignKey("notices.id"), primary_key=True),
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
)

objections = Table(
    "objections",
    metadata,
    _id(),
    Column("notice_id", ForeignKey("notices.id"), nullable=False),
    Column("application_id", ForeignKey("applications.id"), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("objector", String(120), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("upheld", Boolean, nullable=True),
    Column("resolution", Text, nullable=False, default=""),
    Column("resolved_on", Date, nullable=True),
)

filings = Table(
    "filings",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("code", String(limits.CODE), nullable=False, unique=True),
    Column("filed_on", Date, nullable=False),
    Column("term_start", Date, nullable=False),
    Column("term_end", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Column("end_reason", String(10), nullable=True),
    Column("ended_on", Date, nullable=True),
    Column("application_id", ForeignKey("applications.id"), nullable=True),
)

# Every institution code ever assigned: codes are unique and never reused (SEL-05).
institution_codes = Table(
    "institution_codes",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("city_code", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=True),  # null for codes taken over from before casework
    UniqueConstraint("city_code", "year", "seq", name="uq_institution_codes_city_year_seq"),
)

# Terms of a filing: the first from filing, one more per passed renewal (ATT2-TERM, REN-05).
filing_terms = Table(
    "filing_terms",
    metadata,
    Column("filing_id", ForeignKey("filings.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("source", String(20), nullable=False),  # 备案 | 续期
    # SEL-11: 36 unless the city decided another length, with its reason
    Column("months", Integer, nullable=False, server_default=text("36")),
    Column("length_reason", Text, nullable=False, server_default=text("''")),
)

# Scope history (SEL-06): a row per project per period in scope.
filing_projects = Table(
    "filing_projects",
    metadata,
    _id(),
    Column("filing_id", ForeignKey("filings.id"), nullable=False),
    Column("project_code", ForeignKey("projects.project_code"), nullable=False),
    Column("added_on", Date, nullable=False),
    Column("removed_on", Date, nullable=True),
    Column("added_by", String(20), nullable=False),  # 遴选备案 | 范围新增
    Column("removal_reason", String(40), nullable=True),
    Column("application_id", ForeignKey("applications.id"), nullable=True),
)

# SEL-07: an explicit, reasoned exception to a quota ("原则上").
quota_overrides = Table(
    "quota_overrides",
    metadata,
    _id(),
    Column("application_id", ForeignKey("applications.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # 项目机构数 | 机构项目数
    Column("city_code", String(6), nullable=False),
    Column("project_code", String(20), nullable=True),
    Column("institution_id", Integer, nullable=False),
    Column("count_after", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("officer", String(80), nullable=False),
    Column("recorded_on", Date, nullable=False),
)

renewal_rounds = Table(
    "renewal_rounds",
    metadata,
    _id(),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("title", String(limits.TITLE), nullable=False),
    Column("plan", Text, nullable=False, default=""),
    Column("expiring_from", Date, nullable=False),
    Column("expiring_to", Date, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("rubric_id", String(40), nullable=False),
)

renewal_cases = Table(
    "renewal_cases",
    metadata,
    _id(),
    Column("round_id", ForeignKey("renewal_rounds.id"), nullable=False),
    Column("filing_id", ForeignKey("filings.id"), nullable=False),
    Column("status", String(10), nullable=False),
    Column("submitted_on", Date, nullable=True),
    Column("application", JSON, nullable=True),  # Attachment 5 contents
    Column("composite", Float, nullable=True),
    Column("grade", String(10), nullable=True),
    Column("veto_found", Boolean, nullable=True),
    Column("opinion", Text, nullable=False, default=""),  # the group's, Attachment 6 (REN-04)
    Column("decision_note", Text, nullable=False, default=""),  # the city's decision (REN-05)
    Column("decided_on", Date, nullable=True),
    Column("dropped_projects", JSON, nullable=False, default=list),
    UniqueConstraint("round_id", "filing_id", name="uq_renewal_cases_round_filing"),
)

exit_cases = Table(
    "exit_cases",
    metadata,
    _id(),
    Column("filing_id", ForeignKey("filings.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # 违规 | 自愿撤销
    Column("status", String(10), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("grounds", Text, nullable=False, default=""),
    Column("plan", Text, nullable=False, default=""),
    Column("findings", Text, nullable=False, default=""),
    Column("findings_received_on", Date, nullable=True),
    Column("statement_due", Date, nullable=True),
    Column("statement_received_on", Date, nullable=True),
    Column("statement", Text, nullable=False, default=""),
    Column("circumstance", Text, nullable=False, default=""),
    Column("basis", Text, nullable=False, default=""),
    Column("closing_work", Text, nullable=False, default=""),
    Column("closing_done_on", Date, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("source_incident_id", Integer, nullable=True),
    Column("source_renewal_id", Integer, nullable=True),
)

incidents = Table(
    "incidents",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("category", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("follow_ups", JSON, nullable=False, default=list),
    Column("closed_on", Date, nullable=True),
    Column("conclusion", Text, nullable=False, default=""),
)

documents = Table(
    "documents",
    metadata,
    _id(),
    Column("kind", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", Integer, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
)

# Append-only, hash-chained record of every command (see casework.store.audit).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("command", String(60), nullable=False),
    Column("rule_ids", String(200), nullable=False),
    Column("changes", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Refused attempts (permission or crafted input), kept apart from the command chain.
refusals = Table(
    "refusals",
    metadata,
    _id(),
    Column("at", String(40), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("command", String(60), nullable=False),
    Column("reason", Text, nullable=False),
)

# The chain's head, updated with every entry: removing the newest entries is detected too.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)


# === Data intake (casework.intake) ============================================================
# The institutions' own records, taken in by import and read by casework.domain.evidence. Each row
# keeps the digest of its content and the import that last wrote it: importing the same rows
# again adds nothing, changed rows are updated by their natural key.

# One row per accepted import (the audit entry holds the same counts).
intake_imports = Table(
    "intake_imports",
    metadata,
    _id(),
    Column("kind", String(20), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
)

# ATT1-STAFF: one row per person, role and project ("" for roles not held per project).
staff = Table(
    "staff",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("name", String(limits.PERSON_NAME), nullable=False),
    Column("role", String(10), nullable=False),
    Column("project_code", String(20), nullable=False, default=""),
    Column("employment", String(4), nullable=False),
    Column("qualification", String(20), nullable=True),
    Column("level", String(4), nullable=True),
    Column("title", String(4), nullable=True),
    Column("honours", String(limits.HONOURS), nullable=True),
    Column("trade_years", Float, nullable=True),
    Column("contract_months", Integer, nullable=True),
    Column("insurance_months", Integer, nullable=True),
    Column("other_units", Text, nullable=True),
    Column("digest", BigInteger, nullable=False),
    Column("import_id", ForeignKey("intake_imports.id"), nullable=False),
    UniqueConstraint(
        "institution_id", "id_number", "role", "project_code", name="uq_staff_person_role"
    ),
)

# ATT1-LEASE: owned or leased sites, with the lease's end and the area.
sites = Table(
    "sites",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("site_code", String(limits.CODE), nullable=False),
    Column("address", String(limits.ADDRESS), nullable=False),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("tenure", String(4), nullable=False),
    Column("lease_end", Date, nullable=True),
    Column("area", Float, nullable=False),
    Column("digest", BigInteger, nullable=False),
    Column("import_id", ForeignKey("intake_imports.id"), nullable=False),
    UniqueConstraint("institution_id", "site_code", name="uq_sites_institution_site"),
)

# Attachment 5 考核题库情况: 卷库 sets and 题库 items per project.
question_banks = Table(
    "question_banks",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("project_code", ForeignKey("projects.project_code"), nullable=False),
    Column("paper_sets", Integer, nullable=False),
    Column("items", Integer, nullable=False),
    Column("digest", BigInteger, nullable=False),
    Column("import_id", ForeignKey("intake_imports.id"), nullable=False),
    UniqueConstraint(
        "institution_id", "project_code", name="uq_question_banks_institution_project"
    ),
)

# ATT4-PLAN, ATT4-PUBLISH, ATT4-SCOPE: one row per assessment batch.
assessment_batches = Table(
    "assessment_batches",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("batch_no", String(limits.CODE), nullable=False),
    Column("project_code", ForeignKey("projects.project_code"), nullable=False),
    Column("site_code", String(limits.CODE), nullable=False),
    Column("plan_date", Date, nullable=False),
    Column("exam_date", Date, nullable=False),
    Column("publish_start", Date, nullable=True),
    Column("publish_end", Date, nullable=True),
    Column("digest", BigInteger, nullable=False),
    Column("import_id", ForeignKey("intake_imports.id"), nullable=False),
    UniqueConstraint("institution_id", "batch_no", name="uq_assessment_batches_institution_batch"),
)

# ATT4-SIGN, ATT5-STATS: one row per candidate and batch (about a million a province-year).
candidate_results = Table(
    "candidate_results",
    metadata,
    _id(),
    Column("batch_id", ForeignKey("assessment_batches.id"), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("gender", String(1), nullable=False),
    Column("age", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("evaluator_1", String(18), nullable=True),
    Column("evaluator_2", String(18), nullable=True),
    Column("evaluator_3", String(18), nullable=True),
    Column("digest", BigInteger, nullable=False),
    Column("import_id", ForeignKey("intake_imports.id"), nullable=False),
    UniqueConstraint("batch_id", "id_number", name="uq_candidate_results_batch_candidate"),
)

# ATT5-STATS 取证人次: certificates issued.
certificates = Table(
    "certificates",
    metadata,
    _id(),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("cert_no", String(limits.CODE), nullable=False, unique=True),
    Column("id_number", String(18), nullable=False, index=True),
    Column("project_code", ForeignKey("projects.project_code"), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("batch_id", ForeignKey("assessment_batches.id"), nullable=True),
    Column("digest", BigInteger, nullable=False),
    Column("import_id", ForeignKey("intake_imports.id"), nullable=False),
)


# --- Form drafts (0003) -----------------------------------------------------------------------
# What a user has typed into an app's form, per page and case, so that a reload or a new kernel
# brings it back. Sheets keep their own drafts in ``sheets``.
form_drafts = Table(
    "form_drafts",
    metadata,
    _id(),
    Column("username", String(80), nullable=False),
    Column("page", String(40), nullable=False),
    Column("case_key", String(80), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("username", "page", "case_key", name="uq_form_drafts_user_page_case"),
)


# === Evidence archive (casework.archive) ======================================================
# Archived reports of completed procedures: content-addressed files under CASEWORK_ARCHIVE and
# this manifest. Each entry is hash-chained to the one before (like the audit log) and names
# its files by SHA-256 and SM3 (GB/T 32905). Retention runs from the case's closing (EXIT-08).

archive_entries = Table(
    "archive_entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("procedure", String(20), nullable=False),
    Column("case_id", Integer, nullable=False),
    Column("city_code", String(6), nullable=False),
    Column("subject", String(40), nullable=False),  # filing:12 | application:3 (retention)
    Column("medium", String(4), nullable=False),  # 电子 | 纸质
    Column("rubric_id", String(40), nullable=False),
    Column("parameters", Text, nullable=False),
    Column("package_version", String(20), nullable=False),
    Column("files", Text, nullable=False),
    Column("figures", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# The manifest's head, moved with every entry: removing the newest entries is detected too.
archive_head = Table(
    "archive_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

# A legal hold blocks the destruction of everything archived about a subject.
archive_holds = Table(
    "archive_holds",
    metadata,
    _id(),
    Column("subject", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("placed_by", String(80), nullable=False),
    Column("placed_at", DateTime, nullable=False),
    Column("released_by", String(80), nullable=True),
    Column("released_at", DateTime, nullable=True),
    Column("release_reason", Text, nullable=False, default=""),
)

# Destruction decisions on expired entries (销毁 | 继续保存), themselves kept for good.
archive_disposals = Table(
    "archive_disposals",
    metadata,
    _id(),
    Column("entry_seq", ForeignKey("archive_entries.seq"), nullable=False),
    Column("decision", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(80), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)


# --- The province's part, catalog editions, certificates (0005) -------------------------------
# SEL-08, REN-08: what a city reported to the province, when and by whom, and the province's
# acknowledgement. ``subjects`` lists the cases the report covers; ``content`` is what was sent.
province_reports = Table(
    "province_reports",
    metadata,
    _id(),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("kind", String(10), nullable=False),  # 备案 | 范围调整 | 续期结果
    Column("subjects", JSON, nullable=False),
    Column("content", JSON, nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("sent_by", String(80), nullable=False),
    Column("acknowledged_on", Date, nullable=True),
    Column("acknowledged_by", String(80), nullable=True),
    Column("note", Text, nullable=False, default=""),
)

# SEL-09: the province's published catalog of institutions, as dated editions kept for ever;
# each edition holds its full list and what changed since the edition before.
catalog_editions = Table(
    "catalog_editions",
    metadata,
    _id(),
    Column("published_on", Date, nullable=False),
    Column("published_by", String(80), nullable=False),
    Column("entries", JSON, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    # #16: the audit, archive and refusal chain heads when it was published; a published
    # edition is a copy of them outside the database that `casework audit verify` can check
    Column("chain_heads", JSON, nullable=True),
)

# SEL-10: the city's local project list changes with a reason and a date; history kept.
city_project_changes = Table(
    "city_project_changes",
    metadata,
    _id(),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("project_code", ForeignKey("projects.project_code"), nullable=False),
    Column("change", String(4), nullable=False),  # 纳入 | 移出
    Column("reason", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("recorded_by", String(80), nullable=False),
)

# EXIT-10, SUP-04: corrections and revocations of certificate records, and results the city
# does not recognise (不予认定). A certificate without a confirmed 撤销/不予认定 stays valid,
# also after its institution left the catalog.
certificate_actions = Table(
    "certificate_actions",
    metadata,
    _id(),
    Column("certificate_id", ForeignKey("certificates.id"), nullable=False),
    Column("action", String(6), nullable=False),  # 更正 | 撤销 | 不予认定
    Column("reason", Text, nullable=False),
    Column("corrections", JSON, nullable=False, default=dict),
    Column("status", String(6), nullable=False),  # 待审核 | 已确认 | 已驳回
    Column("submitted_by", String(80), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("reviewed_by", String(80), nullable=True),
    Column("reviewed_on", Date, nullable=True),
    Column("review_note", Text, nullable=False, default=""),
)

# EXIT-09: at an investigation, the assessment data under way recorded for reference (记录备查):
# a frozen copy with its SHA-256 digest.
data_snapshots = Table(
    "data_snapshots",
    metadata,
    _id(),
    Column("exit_case_id", ForeignKey("exit_cases.id"), nullable=False, unique=True),
    Column("institution_id", ForeignKey("institutions.id"), nullable=False),
    Column("taken_on", Date, nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("batches", Integer, nullable=False),
    Column("results", Integer, nullable=False),
)


# --- The apps' own records (0006) --------------------------------------------------------------
# SEL-03, REN-04: a city's expert pool, kept in the app. The person (姓名, 工作单位) is the
# expert's user (role 专家, so that they can sign in); the pool keeps what the city knows of
# them: specialty, phone, the units they declared a conflict with (SUP-03) and whether the city
# still draws on them. Experts from outside the city may be in a city's pool.
expert_pool = Table(
    "expert_pool",
    metadata,
    _id(),
    Column("city_code", ForeignKey("cities.city_code"), nullable=False),
    Column("username", ForeignKey("users.username"), nullable=False),
    Column("specialty", String(limits.TITLE), nullable=False, default=""),
    Column("phone", String(limits.PHONE), nullable=False, default=""),
    Column("conflicts", JSON, nullable=False, default=list),  # institution ids (SUP-03)
    Column("active", Boolean, nullable=False, default=True),
    Column("added_on", Date, nullable=False),
    UniqueConstraint("city_code", "username", name="uq_expert_pool_city_user"),
)

# EXIT-03, EXIT-07, EXIT-08: the closing work (收尾) after a filing ended by expiry, a failed
# renewal or extinction, tracked part by part as after a withdrawal (EXIT-02); ``parts`` maps
# each part (收尾计划, 证书维护, 档案管理, 参评人员服务) to {"done_on", "note", "by"} once done.
closing_work = Table(
    "closing_work",
    metadata,
    _id(),
    Column("filing_id", ForeignKey("filings.id"), nullable=False, unique=True),
    Column("reason", String(10), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("parts", JSON, nullable=False),
    Column("completed_on", Date, nullable=True),
)

# The training clock (0010): only a store made by ``casework demo`` has its one row. The apps'
# "today" there is ``simulated_on``, which a city manager moves forward in a training session;
# a store without the row is a production store and its today is the real date.
training_clock = Table(
    "training_clock",
    metadata,
    _id(),
    Column("started_on", Date, nullable=False),
    Column("simulated_on", Date, nullable=False),
)
