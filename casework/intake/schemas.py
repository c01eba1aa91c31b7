"""The data contract of each kind of import: one strict pandera model per file kind.

The models check the typed table the parsers produce (``casework.intake.values``); a frame's
index is the row number in the file, so every failure names the row a user sees. Custom checks
carry a key as their ``error``; :data:`CHECKS` turns a key into the Chinese requirement, the
rule it enforces and the column to report it against.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from casework.domain import limits
from casework.domain.cells import LEADS_SHOWN, starts_like_formula
from casework.domain.evidence import vocabulary as v
from casework.domain.reference import cities
from casework.domain.rules import REGION_DIVISION_PREFIX
from casework.intake.idcheck import resident_id_ok, uscc_ok

GB_11643: Final = "GB 11643"
GB_32100: Final = "GB 32100"
CITY_CODES: Final = tuple(cities()["city_code"])
MAX_SCORE: Final = 100.0
"""Scores are recorded on a 100-point scale."""
MIN_AGE, MAX_AGE = 0, 120


class Check(NamedTuple):
    """What a custom check requires, in words, with its rule and the column it is about."""

    need: str
    rule: str
    column: str


CHECKS: Final = {
    "uscc": Check("统一社会信用代码应为18位且校验码正确", GB_32100, "uscc"),
    "region": Check(
        f"应为山东省行政区域内登记的单位（统一社会信用代码第3–4位为{REGION_DIVISION_PREFIX}）",
        "ATT1-REGION",
        "uscc",
    ),
    "id_number": Check("居民身份证号应为18位、出生日期有效且校验码正确", GB_11643, "id_number"),
    "evaluator_1": Check("考评员身份证号应为18位且校验码正确", GB_11643, "evaluator_1"),
    "evaluator_2": Check("考评员身份证号应为18位且校验码正确", GB_11643, "evaluator_2"),
    "evaluator_3": Check("考评员身份证号应为18位且校验码正确", GB_11643, "evaluator_3"),
    "gender_matches_id": Check(
        "性别应与身份证号第17位一致（奇数为男，偶数为女）", GB_11643, "gender"
    ),
    "project_for_role": Check(
        "考评人员、技术专家和命题专家须填写所属考核项目", "ATT1-STAFF", "project_code"
    ),
    "lease_end_for_lease": Check("租赁场地须填写租期截止日期", "ATT1-LEASE", "lease_end"),
    "publish_pair": Check("结果公示开始和结束日期应同时填写", "ATT4-PUBLISH", "publish_end"),
    "publish_order": Check("结果公示结束日期不能早于开始日期", "ATT4-PUBLISH", "publish_end"),
}


_CONTROL: Final = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def text_check(column: str, max_length: int) -> Any:
    """A check of ``column``: at most ``max_length`` characters, no control characters
    (``casework.domain.limits``, INPUT-TEXT), reported with its own wording in CHECKS."""
    key = f"text:{column}:{max_length}"
    CHECKS[key] = Check(f"不能超过{max_length}个字符，且不能含有控制字符", limits.TEXT_RULE, column)

    def within(cls: type, s: pd.Series) -> pd.Series:
        text = s.astype("string")
        ok = (text.str.len() <= max_length) & ~text.str.contains(_CONTROL, regex=True)
        return ok.fillna(True).astype(bool)

    return pa.check(column, error=key)(classmethod(within))


def not_formula(column: str) -> Any:
    """A check of a name ``column``: it may not start like a spreadsheet formula (OWASP)."""
    key = f"formula:{column}"
    CHECKS[key] = Check(
        f"不能以 {LEADS_SHOWN} 开头（电子表格会把它当作公式执行）", limits.TEXT_RULE, column
    )

    def inert(cls: type, s: pd.Series) -> pd.Series:
        return ~s.astype("string").map(
            lambda x: isinstance(x, str) and starts_like_formula(x), na_action="ignore"
        ).fillna(False).astype(bool)

    return pa.check(column, error=key)(classmethod(inert))


class _Base(pa.DataFrameModel):
    """Every data kind names its institution by 统一社会信用代码 (GB 32100)."""

    uscc: Series[str]

    @pa.check("uscc", error="uscc")
    @classmethod
    def uscc_checksum(cls, s: pd.Series) -> pd.Series:
        return uscc_ok(s)

    uscc_text = text_check("uscc", 18)

    class Config:
        strict = True
        coerce = True


class InstitutionsFile(_Base):
    """机构名录: the institutions (applicants and filed) of a city."""

    name: Series[str] = pa.Field(str_length={"min_value": 1})
    city_code: Series[str] = pa.Field(isin=CITY_CODES)
    kind: Series[str] = pa.Field(isin=v.INSTITUTION_KINDS)
    address: Series[str] = pa.Field(nullable=True)
    contact: Series[str] = pa.Field(nullable=True)
    phone: Series[str] = pa.Field(nullable=True)
    name_text = text_check("name", limits.UNIT_NAME)
    name_inert = not_formula("name")
    address_text = text_check("address", limits.ADDRESS)
    contact_text = text_check("contact", limits.CONTACT)
    contact_inert = not_formula("contact")
    phone_text = text_check("phone", limits.PHONE)

    @pa.check("uscc", error="region")
    @classmethod
    def in_shandong(cls, s: pd.Series) -> pd.Series:
        """ATT1-REGION: registered in Shandong (division code 37…)."""
        return ~uscc_ok(s) | (s.str.slice(2, 4) == REGION_DIVISION_PREFIX)

    class Config:
        unique = ["uscc"]  # noqa: RUF012 (pandera reads a list)


class StaffFile(_Base):
    """人员花名册 (ATT1-STAFF): one row per person, role and project."""

    name: Series[str] = pa.Field(str_length={"min_value": 1})
    id_number: Series[str]
    role: Series[str] = pa.Field(isin=v.ROLES)
    project_code: Series[str] = pa.Field(nullable=True)
    employment: Series[str] = pa.Field(isin=v.EMPLOYMENT)
    qualification: Series[str] = pa.Field(isin=v.QUALIFICATIONS, nullable=True)
    level: Series[str] = pa.Field(isin=tuple(v.CERTIFICATE_GRADES), nullable=True)
    title: Series[str] = pa.Field(isin=tuple(v.TITLE_RANKS), nullable=True)
    honours: Series[str] = pa.Field(nullable=True)
    trade_years: Series[float] = pa.Field(ge=0, le=70, nullable=True)
    contract_months: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True)
    insurance_months: Series[pd.Int64Dtype] = pa.Field(ge=0, le=720, nullable=True)
    other_units: Series[str] = pa.Field(nullable=True)
    name_text = text_check("name", limits.PERSON_NAME)
    name_inert = not_formula("name")
    project_code_text = text_check("project_code", limits.PROJECT_CODE)
    honours_text = text_check("honours", limits.HONOURS)
    other_units_text = text_check("other_units", limits.LONG_TEXT)

    @pa.check("id_number", error="id_number")
    @classmethod
    def resident_id(cls, s: pd.Series) -> pd.Series:
        return resident_id_ok(s)

    @pa.dataframe_check(error="project_for_role")
    @classmethod
    def project_for_role(cls, df: pd.DataFrame) -> pd.Series:
        return ~df["role"].isin(v.PROJECT_ROLES) | df["project_code"].notna()

    class Config:
        unique = ["uscc", "id_number", "role", "project_code"]  # noqa: RUF012 (pandera reads a list)


class SitesFile(_Base):
    """场地 (ATT1-LEASE): owned or leased, lease end, area."""

    site_code: Series[str]
    address: Series[str] = pa.Field(str_length={"min_value": 1})
    city_code: Series[str] = pa.Field(isin=CITY_CODES)
    tenure: Series[str] = pa.Field(isin=v.TENURES)
    lease_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    area: Series[float] = pa.Field(gt=0)
    site_code_text = text_check("site_code", limits.CODE)
    address_text = text_check("address", limits.ADDRESS)

    @pa.dataframe_check(error="lease_end_for_lease")
    @classmethod
    def lease_end_for_lease(cls, df: pd.DataFrame) -> pd.Series:
        return (df["tenure"] != v.LEASED) | df["lease_end"].notna()

    class Config:
        unique = ["uscc", "site_code"]  # noqa: RUF012 (pandera reads a list)


class BanksFile(_Base):
    """考核题库: 卷库 sets and 题库 items per project (Attachment 5 考核题库情况)."""

    project_code: Series[str]
    paper_sets: Series[pd.Int64Dtype] = pa.Field(ge=0)
    items: Series[pd.Int64Dtype] = pa.Field(ge=0)
    project_code_text = text_check("project_code", limits.PROJECT_CODE)

    class Config:
        unique = ["uscc", "project_code"]  # noqa: RUF012 (pandera reads a list)


class BatchesFile(_Base):
    """考核批次 (ATT4-PLAN, ATT4-PUBLISH, ATT4-SCOPE)."""

    batch_no: Series[str]
    project_code: Series[str]
    site_code: Series[str]
    plan_date: Series[pd.Timestamp]
    exam_date: Series[pd.Timestamp]
    publish_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    publish_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    batch_no_text = text_check("batch_no", limits.CODE)
    project_code_text = text_check("project_code", limits.PROJECT_CODE)
    site_code_text = text_check("site_code", limits.CODE)

    @pa.dataframe_check(error="publish_pair")
    @classmethod
    def publish_pair(cls, df: pd.DataFrame) -> pd.Series:
        return df["publish_start"].isna() == df["publish_end"].isna()

    @pa.dataframe_check(error="publish_order")
    @classmethod
    def publish_order(cls, df: pd.DataFrame) -> pd.Series:
        return ~(df["publish_end"] < df["publish_start"])

    class Config:
        unique = ["uscc", "batch_no"]  # noqa: RUF012 (pandera reads a list)


class ResultsFile(_Base):
    """考生成绩: one row per candidate and batch (ATT4-SIGN, ATT5-STATS)."""

    batch_no: Series[str]
    id_number: Series[str]
    gender: Series[str] = pa.Field(isin=v.GENDERS)
    age: Series[pd.Int64Dtype] = pa.Field(ge=MIN_AGE, le=MAX_AGE)
    score: Series[float] = pa.Field(ge=0, le=MAX_SCORE)
    passed: Series[pd.BooleanDtype]
    evaluator_1: Series[str] = pa.Field(nullable=True)
    evaluator_2: Series[str] = pa.Field(nullable=True)
    evaluator_3: Series[str] = pa.Field(nullable=True)
    batch_no_text = text_check("batch_no", limits.CODE)

    @pa.check("id_number", error="id_number")
    @classmethod
    def resident_id(cls, s: pd.Series) -> pd.Series:
        return resident_id_ok(s)

    @pa.check("evaluator_1", error="evaluator_1")
    @classmethod
    def evaluator_1_id(cls, s: pd.Series) -> pd.Series:
        return resident_id_ok(s)

    @pa.check("evaluator_2", error="evaluator_2")
    @classmethod
    def evaluator_2_id(cls, s: pd.Series) -> pd.Series:
        return resident_id_ok(s)

    @pa.check("evaluator_3", error="evaluator_3")
    @classmethod
    def evaluator_3_id(cls, s: pd.Series) -> pd.Series:
        return resident_id_ok(s)

    @pa.dataframe_check(error="gender_matches_id")
    @classmethod
    def gender_matches_id(cls, df: pd.DataFrame) -> pd.Series:
        digit = df["id_number"].str.slice(16, 17)
        odd, even = digit.isin(list("13579")), digit.isin(list("02468"))
        return (
            (odd & (df["gender"] == v.MALE)) | (even & (df["gender"] == v.FEMALE)) | ~(odd | even)
        )

    class Config:
        unique = ["uscc", "batch_no", "id_number"]  # noqa: RUF012 (pandera reads a list)


class CertificatesFile(_Base):
    """证书发放: certificates issued (ATT5-STATS 取证人次)."""

    cert_no: Series[str]
    id_number: Series[str]
    project_code: Series[str]
    issued_on: Series[pd.Timestamp]
    batch_no: Series[str] = pa.Field(nullable=True)
    cert_no_text = text_check("cert_no", limits.CODE)
    project_code_text = text_check("project_code", limits.PROJECT_CODE)
    batch_no_text = text_check("batch_no", limits.CODE)

    @pa.check("id_number", error="id_number")
    @classmethod
    def resident_id(cls, s: pd.Series) -> pd.Series:
        return resident_id_ok(s)

    class Config:
        unique = ["cert_no"]  # noqa: RUF012 (pandera reads a list)
