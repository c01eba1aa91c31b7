"""The seven kinds of data an import takes, each declared once: columns, headers, spellings.

A :class:`Kind` names its Chinese template sheet, its columns (the schema field, the template
header, the other headers people use for it, how its text is read) and the natural key that
makes a second import of the same rows add nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pandera.pandas as pa

from casework.domain.evidence import vocabulary as v
from casework.intake import schemas, values


@dataclass(frozen=True)
class Field:
    """One column of a kind."""

    name: str
    header: str
    parse: str = "text"
    """text | code | int | float | months | date | bool | choice | level | title | list | city"""
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, ...]] | None = None
    words: Mapping[str, float] | None = None
    note: str = ""
    required: bool = True
    """Whether the column must be present in the file (its cells may still be optional)."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    model: type[pa.DataFrameModel]
    fields: tuple[Field, ...]
    natural_key: tuple[str, ...]
    note: str = ""
    headers: Mapping[str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", {f.name: f.header for f in self.fields})

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_USCC = Field(
    "uscc",
    "机构统一社会信用代码",
    "code",
    ("统一社会信用代码", "社会信用代码", "信用代码", "机构信用代码", "单位统一社会信用代码"),
    note="18位，GB 32100 校验",
)
_PROJECT = Field(
    "project_code",
    "考核项目",
    "code",
    ("考核项目代码", "项目代码", "项目", "项目名称", "考核项目名称", "所属项目", "所属考核项目"),
    note="项目代码或项目名称，须在考核项目目录中",
)
_ID = Field(
    "id_number",
    "身份证号",
    "code",
    ("居民身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
    note="18位居民身份证号，GB 11643 校验",
)
_CITY = Field(
    "city_code",
    "所在市",
    "city",
    ("城市", "所属市", "设区市", "所在城市", "所在地市", "行政区划代码"),
    note="市名（如 济南）或行政区划代码（如 370100）",
)
_BATCH = Field("batch_no", "批次号", "code", ("考核批次", "批次编号", "批次", "考核批次号"))
_SITE = Field("site_code", "场地编号", "code", ("场地代码", "考核场地编号", "考核场地", "场地"))
_DATE_NOTE = "日期，如 2025-03-05、2025/3/5、2025年3月5日"


def _evaluator(n: int, digit: str) -> Field:
    spelled = (
        f"考评员{n}",
        f"考评员{digit}",
        f"考评员签字{n}",
        f"考评员{n}签字",
        f"第{digit}考评员",
    )
    return Field(
        f"evaluator_{n}",
        f"考评员{n}身份证号",
        "code",
        (*spelled, *(f"{s}身份证号" for s in spelled)),
        note="签字考评员的身份证号；未签字留空",
        required=False,
    )


INSTITUTIONS: Final = Kind(
    "institutions",
    "机构名录",
    schemas.InstitutionsFile,
    (
        Field("name", "机构名称", aliases=("单位名称", "考核机构名称", "申报单位名称", "名称")),
        Field(
            "uscc",
            "统一社会信用代码",
            "code",
            ("社会信用代码", "信用代码", "机构统一社会信用代码"),
            note="18位，GB 32100 校验；须为山东省登记（37开头的登记机关代码）",
        ),
        _CITY,
        Field(
            "kind",
            "单位类型",
            "choice",
            ("机构类型", "类型", "主体类型", "单位性质"),
            values.KIND_CHOICES,
            note="、".join(v.INSTITUTION_KINDS),
        ),
        Field("address", "地址", aliases=("单位地址", "机构地址", "考核机构地址"), required=False),
        Field("contact", "联系人", required=False),
        Field("phone", "联系电话", aliases=("电话", "手机", "联系方式"), required=False),
    ),
    ("uscc",),
    "每行一个单位。已登记的单位再次导入时核对并更新联系信息，不会重复登记。",
)

STAFF: Final = Kind(
    "staff",
    "人员花名册",
    schemas.StaffFile,
    (
        _USCC,
        Field("name", "姓名", aliases=("人员姓名",)),
        _ID,
        Field(
            "role",
            "岗位",
            "choice",
            ("人员类别", "岗位类别", "类别", "角色", "职责", "人员类型"),
            values.ROLE_CHOICES,
            note="、".join(v.ROLES),
        ),
        Field(
            "project_code",
            "考核项目",
            "code",
            _PROJECT.aliases,
            note="考评人员、技术专家、命题专家必填（每人每项目一行）",
            required=False,
        ),
        Field(
            "employment",
            "专兼职",
            "choice",
            ("专职/兼职", "全职/兼职", "专/兼职", "专职或兼职", "用工性质", "用工形式", "聘用方式"),
            values.EMPLOYMENT_CHOICES,
            note="专职 或 兼职",
        ),
        Field(
            "qualification",
            "证书类别",
            "choice",
            ("资质类别", "资格类别", "资质", "证书类型"),
            values.QUALIFICATION_CHOICES,
            note="、".join(v.QUALIFICATIONS),
            required=False,
        ),
        Field(
            "level",
            "证书等级",
            "level",
            ("等级", "资质等级", "技能等级", "级别"),
            note="一级（高级技师）至五级（初级工），如 三级 或 高级工",
            required=False,
        ),
        Field(
            "title",
            "职称",
            "title",
            ("专业技术职称", "职称等级"),
            note="初级、中级、副高级、正高级",
            required=False,
        ),
        Field("honours", "荣誉称号", aliases=("称号", "荣誉"), note="如 齐鲁工匠", required=False),
        Field(
            "trade_years",
            "从业年限",
            "float",
            ("从事本职业年限", "本职业工作年限", "工作年限", "从业年数", "从业年限（年）"),
            note="取得证书或职称后从事本职业（相关职业）的年数",
            required=False,
        ),
        Field(
            "contract_months",
            "劳动合同期限（月）",
            "months",
            ("劳动合同期限", "合同期限", "合同期限（月）", "劳动合同月数"),
            words=values.CONTRACT_WORDS,
            note="月数；也可写 3年 或 无固定期限；专职人员必填",
            required=False,
        ),
        Field(
            "insurance_months",
            "社保缴纳月数",
            "months",
            ("社保月数", "社会保险缴纳月数", "缴纳社保月数", "社保缴费月数", "社保缴纳（月）"),
            note="在本单位连续缴纳社会保险的月数；专职人员必填",
            required=False,
        ),
        Field(
            "other_units",
            "其他任职单位",
            "list",
            ("兼职单位", "其他服务单位", "同时任职单位", "其他供职单位", "其他聘用单位"),
            note="兼职人员同时供职或受聘的其他单位，用 、 分隔",
            required=False,
        ),
    ),
    ("uscc", "id_number", "role", "project_code"),
    "每人每个岗位（考评人员等按项目）一行。",
)

SITES: Final = Kind(
    "sites",
    "场地",
    schemas.SitesFile,
    (
        _USCC,
        _SITE,
        Field("address", "场地地址", aliases=("地址", "考核场地地址")),
        _CITY,
        Field(
            "tenure",
            "产权性质",
            "choice",
            ("产权", "场地性质", "自有/租赁", "权属", "场地产权"),
            values.TENURE_CHOICES,
            note="自有 或 租赁",
        ),
        Field(
            "lease_end",
            "租期截止日期",
            "date",
            ("租期截止", "租赁截止日期", "租期至", "租赁到期日", "租期结束日期"),
            note="租赁场地必填；" + _DATE_NOTE,
            required=False,
        ),
        Field("area", "面积（平方米）", "float", ("面积", "场地面积", "建筑面积", "使用面积")),
    ),
    ("uscc", "site_code"),
)

BANKS: Final = Kind(
    "banks",
    "考核题库",
    schemas.BanksFile,
    (
        _USCC,
        _PROJECT,
        Field("paper_sets", "卷库（套）", "int", ("卷库", "卷库套数", "试卷套数", "卷库(套)")),
        Field(
            "items", "题库（道）", "int", ("题库", "题库道数", "试题数量", "试题道数", "题库(道)")
        ),
    ),
    ("uscc", "project_code"),
)

BATCHES: Final = Kind(
    "batches",
    "考核批次",
    schemas.BatchesFile,
    (
        _USCC,
        _BATCH,
        _PROJECT,
        _SITE,
        Field(
            "plan_date",
            "计划制定日期",
            "date",
            ("计划日期", "考核计划日期", "计划制定时间"),
            note=_DATE_NOTE,
        ),
        Field(
            "exam_date", "考核日期", "date", ("考试日期", "考核时间", "考试时间"), note=_DATE_NOTE
        ),
        Field(
            "publish_start",
            "结果公示开始日期",
            "date",
            (
                "公示开始日期",
                "结果公示开始",
                "公示开始",
                "公示时间开始",
                "公示期开始",
                "公示起始日期",
            ),
            note="尚未公示可留空",
            required=False,
        ),
        Field(
            "publish_end",
            "结果公示结束日期",
            "date",
            (
                "公示结束日期",
                "结果公示结束",
                "公示结束",
                "公示时间结束",
                "公示期结束",
                "公示截止日期",
            ),
            note="尚未公示可留空",
            required=False,
        ),
    ),
    ("uscc", "batch_no"),
    "每个考核批次一行。",
)

RESULTS: Final = Kind(
    "results",
    "考生成绩",
    schemas.ResultsFile,
    (
        _USCC,
        _BATCH,
        _ID,
        Field("gender", "性别", "choice", (), values.GENDER_CHOICES, note="男 或 女"),
        Field("age", "年龄", "int", ("考生年龄",)),
        Field("score", "成绩", "float", ("分数", "考核成绩", "总分", "得分", "成绩（分）")),
        Field(
            "passed",
            "是否通过",
            "bool",
            ("考核结果", "结果", "是否合格", "通过", "是否取证"),
            note="是/否、通过/不通过 或 合格/不合格",
        ),
        _evaluator(1, "一"),
        _evaluator(2, "二"),
        _evaluator(3, "三"),
    ),
    ("uscc", "batch_no", "id_number"),
    "每名考生每个批次一行；批次须先导入。",
)

CERTIFICATES: Final = Kind(
    "certificates",
    "证书发放",
    schemas.CertificatesFile,
    (
        _USCC,
        Field("cert_no", "证书编号", "code", ("证书号", "证书编码", "证书号码")),
        _ID,
        _PROJECT,
        Field(
            "issued_on",
            "发证日期",
            "date",
            ("发证时间", "颁发日期", "取证日期", "发放日期"),
            note=_DATE_NOTE,
        ),
        Field("batch_no", "批次号", "code", _BATCH.aliases, required=False),
    ),
    ("cert_no",),
    "每张证书一行。",
)

KINDS: Final = {
    k.key: k for k in (INSTITUTIONS, STAFF, SITES, BANKS, BATCHES, RESULTS, CERTIFICATES)
}
"""Every kind by its key (the ``KIND`` of ``casework import``)."""
BY_LABEL: Final = {k.label: k for k in KINDS.values()}


def kind_of(key_or_label: str) -> Kind:
    """The kind named by its key (``staff``) or its Chinese label (``人员花名册``)."""
    from casework.errors import NotFound

    found = KINDS.get(key_or_label) or BY_LABEL.get(key_or_label)
    if found is None:
        known = "、".join(f"{k.key}（{k.label}）" for k in KINDS.values())
        raise NotFound(f"未知的导入类型“{key_or_label}”，可选：{known}")
    return found
