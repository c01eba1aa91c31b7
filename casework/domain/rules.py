"""Every number of notice 鲁人社函〔2025〕23号 as a named constant, each citing its rule ID.

Rule IDs are those of ``../shared/regulation/RULES.md``; the notice itself is authoritative.
What the province may revise per rubric — items, points, veto items, the pass mark, the point
step and the composite method — lives in the rubric files of ``schemas/rubrics/`` instead
(:mod:`casework.domain.rubrics`); ``tests/test_rubrics.py`` pins the 2025.1 files to the notice.
"""

from __future__ import annotations

from typing import Final

NOTICE_NO: Final = "鲁人社函〔2025〕23号"
NOTICE_TITLE: Final = "关于做好专项职业能力考核机构备案管理工作的通知"
PILOT_SCHEME_NO: Final = "鲁人社字〔2023〕22号"

# --- Selection and filing (§一) -------------------------------------------------------------
PANEL_MIN: Final = 3
"""SEL-03: a selection panel has at least 3 members."""
PANEL_MAX: Final = 5
"""SEL-03: a selection panel has at most 5 members."""
NOTICE_MIN_WORKDAYS: Final = 5
"""SEL-05: proposed filings are publicly noticed for at least 5 working days."""
TERM_YEARS: Final = 3
"""SEL-05, ATT2-TERM: a filing runs 3 years (36 months)."""
TERM_MONTHS: Final = TERM_YEARS * 12
TERM_MONTHS_MAX: Final = 60
"""SEL-11: the term is normally (一般为) 3 years; another length is an exception the city
decides and records. The notice sets no bound: casework refuses more than 5 years (our reading,
a guard against typing errors)."""
MAX_INSTITUTIONS_PER_PROJECT_PER_CITY: Final = 5
"""SEL-07: in principle at most 5 institutions per project in one city."""
MAX_PROJECTS_PER_INSTITUTION: Final = 5
"""SEL-07: in principle at most 5 filed projects per institution."""

# --- Renewal (§二) --------------------------------------------------------------------------
GROUP_MIN: Final = 3
"""REN-04: a renewal group has at least 3 members."""
GROUP_MAX: Final = 5
"""REN-04: a renewal group has at most 5 members."""
PASS_MARK: Final = 60.0
"""REN-05: a composite score of 60 or more (60 included) is 合格 (Att.6 备注1). Grading reads the
``pass_mark`` of the rubric a case was scored under; this is the notice's mark (the 2025.1
rubric's, and the mark of :func:`casework.domain.scoring.grade` without a rubric)."""
MAX_SCORE: Final = 100.0
"""REN-07: Attachment 4 is scored out of 100."""
VERDICT_FULL: Final = "符合"
VERDICT_PARTIAL: Final = "基本符合"
VERDICT_NONE: Final = "不符合"
VERDICTS: Final = (VERDICT_FULL, VERDICT_PARTIAL, VERDICT_NONE)
"""REN-07: the three verdicts of an Attachment 4 item."""
GRADE_PASS: Final = "合格"
GRADE_FAIL: Final = "不合格"

# --- Exit (§三) -----------------------------------------------------------------------------
STATEMENT_WORKDAYS: Final = 15
"""EXIT-05: a written statement is due within 15 working days of receiving the findings."""
ARCHIVE_PAPER_YEARS: Final = 3
"""EXIT-08: paper archives are kept at least 3 years."""
ARCHIVE_ELECTRONIC_YEARS: Final = 5
"""EXIT-08: electronic archives are kept at least 5 years."""
TERMINATED_STATUS: Final = "终止备案"
"""EXIT-01: the catalog shows a removed institution as 终止备案."""

# --- Checks implied by the attachments ------------------------------------------------------
LEASE_MIN_YEARS: Final = 3
"""ATT1-LEASE: a leased site runs at least 3 years from the filing start."""
MIN_EXAM_AFFAIRS_STAFF: Final = 2
"""ATT1-STAFF: at least 2 full-time exam-affairs (考务管理) staff."""
MIN_QUALITY_SUPERVISORS: Final = 2
"""ATT1-STAFF: at least 2 full-time internal quality supervisors (内部质量督导)."""
MIN_EVALUATORS_PER_PROJECT: Final = 3
"""ATT1-STAFF: at least 3 evaluators (考评人员) per project."""
MIN_TECH_EXPERTS_PER_PROJECT: Final = 2
"""ATT1-STAFF: at least 2 technical-resource experts per project."""
EVALUATOR_MIN_TRADE_YEARS: Final = 3
"""ATT1-STAFF: an evaluator has 3 years in the trade after the qualifying certificate/title."""
MIN_CONTRACT_YEARS: Final = 1
"""ATT1-STAFF: full-time staff hold a labour contract of more than 1 year."""
MIN_INSURANCE_MONTHS: Final = 12
"""ATT1-STAFF: full-time staff have social insurance paid for at least 1 year."""
MAX_UNITS_PER_PART_TIMER: Final = 2
"""ATT1-STAFF: a part-time person may not serve 3 or more units (so at most 2)."""
MIN_EXPERIENCE_YEARS: Final = 2
"""ATT1-EXPERIENCE: at least 2 years of training and assessment in the project."""
REGION_DIVISION_PREFIX: Final = "37"
"""ATT1-REGION: a Shandong registration's division code begins with 37."""
PLAN_LEAD_WORKDAYS: Final = 5
"""ATT4-PLAN: each batch's plan is made at least 5 working days before the exam."""
RESULT_PUBLISH_WORKDAYS: Final = 5
"""ATT4-PUBLISH: each batch's results are shown for at least 5 working days."""
SIGNATURES_PER_CANDIDATE: Final = 3
"""ATT4-SIGN: each candidate's practical exam is signed by 3 evaluators."""
