"""The words institutions' data is written in: staff roles, employment, qualifications, tenure.

Each canonical value is what casework stores; the intake maps the spellings people type onto
these (``casework.intake.values``). The evaluator qualification of ATT1-STAFF is expressed as
grades so it can be checked on a whole roster at once.
"""

from __future__ import annotations

from typing import Final

# --- staff roles (Attachment 1 item 4, Attachment 5 人员情况) --------------------------------
EXAM_AFFAIRS: Final = "考务管理"
"""ATT1-STAFF: 专职考务管理人员 (at least 2 full-time)."""
SUPERVISOR: Final = "质量督导"
"""ATT1-STAFF: 专职内部质量督导人员 (at least 2 full-time)."""
EVALUATOR: Final = "考评人员"
"""ATT1-STAFF: 专、兼职考评人员 (at least 3 per project, qualified)."""
TECH_EXPERT: Final = "技术专家"
"""ATT1-STAFF: 技术资源建设专、兼职专家 (at least 2 per project)."""
QUESTION_EXPERT: Final = "命题专家"
"""Attachment 4 R13 and Attachment 5 命题专家数量."""
OTHER_STAFF: Final = "其他工作人员"
ROLES: Final = (EXAM_AFFAIRS, SUPERVISOR, EVALUATOR, TECH_EXPERT, QUESTION_EXPERT, OTHER_STAFF)
PROJECT_ROLES: Final = (EVALUATOR, TECH_EXPERT, QUESTION_EXPERT)
"""Roles held for one project: the roster names the project (ATT1-STAFF "每个项目")."""

FULL_TIME: Final = "专职"
PART_TIME: Final = "兼职"
EMPLOYMENT: Final = (FULL_TIME, PART_TIME)

# --- qualifications (ATT1-STAFF, evaluators) -------------------------------------------------
VOCATIONAL_QUALIFICATION: Final = "职业资格证书"
SKILL_LEVEL_CERTIFICATE: Final = "职业技能等级证书"
MASTER: Final = "技能带头人"
"""在相关专业领域具有较高的技艺和威望的技能带头人: qualifies without certificate or years."""
NO_QUALIFICATION: Final = "无"
QUALIFICATIONS: Final = (
    VOCATIONAL_QUALIFICATION,
    SKILL_LEVEL_CERTIFICATE,
    MASTER,
    NO_QUALIFICATION,
)
CERTIFICATE_GRADES: Final = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5}
"""Certificate levels, 一级 (高级技师) highest; 三级 is 高级工."""
CERTIFICATE_MIN_GRADE: Final = 3
"""ATT1-STAFF: 高级工（三级）及以上 — grade number 3 or lower."""
TITLE_RANKS: Final = {"初级": 1, "中级": 2, "副高级": 3, "正高级": 4}
"""专业技术职称 ranks; 中级 or higher qualifies an evaluator (ATT1-STAFF)."""
TITLE_MIN_RANK: Final = 2

# --- sites (ATT1-LEASE) ----------------------------------------------------------------------
OWNED: Final = "自有"
LEASED: Final = "租赁"
TENURES: Final = (OWNED, LEASED)

# --- institutions (Attachment 1 item 1) ------------------------------------------------------
INSTITUTION_KINDS: Final = (
    "企业",
    "院校",
    "社会团体",
    "民办非企业单位",
    "职业技能培训机构",
    "农民专业合作社",
    "事业单位",
    "其他",
)

MALE: Final = "男"
FEMALE: Final = "女"
GENDERS: Final = (MALE, FEMALE)
