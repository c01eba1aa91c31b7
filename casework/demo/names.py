"""Synthetic but plausible names for the demo province: institutions, people, credit codes.

Everything here is invented. City profiles give each of the 16 cities a weight (bigger cities
get more institutions), a few real districts (their division codes go into the 统一社会信用代码,
ATT1-REGION) and the local crafts it is known for, so that 潍坊 files 风筝 and 菏泽 牡丹.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from casework.domain.identifiers import USCC_ALPHABET, make_uscc


@dataclass(frozen=True)
class CityProfile:
    weight: int
    nickname: str
    districts: tuple[tuple[str, str], ...]
    specialties: tuple[str, ...]


PROFILES: dict[str, CityProfile] = {
    "370100": CityProfile(
        11,
        "泉城",
        (("370102", "历下区"), ("370103", "市中区"), ("370112", "历城区"), ("370114", "章丘区")),
        ("S0208", "S0113", "S0217", "S0215", "S0106", "S0409", "S0108"),
    ),
    "370200": CityProfile(
        11,
        "琴岛",
        (("370202", "市南区"), ("370203", "市北区"), ("370211", "黄岛区"), ("370215", "即墨区")),
        ("S0122", "S0221", "S0205", "S0211", "S0120", "S0416"),
    ),
    "370300": CityProfile(
        6,
        "齐都",
        (("370302", "淄川区"), ("370303", "张店区"), ("370304", "博山区"), ("370306", "周村区")),
        ("S0202", "S0111", "S0110", "S0218", "S0215"),
    ),
    "370400": CityProfile(
        4,
        "运河",
        (("370402", "市中区"), ("370403", "薛城区"), ("370405", "台儿庄区"), ("370481", "滕州市")),
        ("S0303", "S0407", "S0406", "S0402"),
    ),
    "370500": CityProfile(
        4,
        "黄河口",
        (("370502", "东营区"), ("370503", "河口区"), ("370522", "利津县"), ("370523", "广饶县")),
        ("S0305", "S0416", "S0211", "S0401"),
    ),
    "370600": CityProfile(
        8,
        "港城",
        (("370602", "芝罘区"), ("370611", "福山区"), ("370681", "龙口市"), ("370685", "招远市")),
        ("S0207", "S0209", "S0403", "S0404", "S0120", "S0117", "S0118"),
    ),
    "370700": CityProfile(
        10,
        "鸢都",
        (
            ("370702", "潍城区"),
            ("370781", "青州市"),
            ("370783", "寿光市"),
            ("370784", "安丘市"),
            ("370785", "高密市"),
        ),
        ("S0103", "S0104", "S0105", "S0107", "S0119", "S0115", "S0401", "S0409", "S0410"),
    ),
    "370800": CityProfile(
        8,
        "孔孟",
        (
            ("370811", "任城区"),
            ("370881", "曲阜市"),
            ("370829", "嘉祥县"),
            ("370828", "金乡县"),
            ("370826", "微山县"),
        ),
        ("S0101", "S0112", "S0114", "S0214", "S0304", "S0417"),
    ),
    "370900": CityProfile(
        5,
        "岱宗",
        (("370902", "泰山区"), ("370911", "岱岳区"), ("370982", "新泰市"), ("370983", "肥城市")),
        ("S0418", "S0411", "S0205", "S0201", "S0112"),
    ),
    "371000": CityProfile(
        4,
        "海韵",
        (("371002", "环翠区"), ("371003", "文登区"), ("371082", "荣成市"), ("371083", "乳山市")),
        ("S0121", "S0416", "S0210", "S0311", "S0211", "S0120"),
    ),
    "371100": CityProfile(
        4,
        "阳光",
        (("371102", "东港区"), ("371103", "岚山区"), ("371121", "五莲县"), ("371122", "莒县")),
        ("S0205", "S0408", "S0314", "S0311"),
    ),
    "371300": CityProfile(
        10,
        "沂蒙",
        (("371302", "兰山区"), ("371311", "罗庄区"), ("371326", "平邑县"), ("371329", "临沭县")),
        ("S0301", "S0216", "S0201", "S0213", "S0407", "S0517"),
    ),
    "371400": CityProfile(
        5,
        "运河",
        (("371402", "德城区"), ("371403", "陵城区"), ("371424", "临邑县"), ("371481", "乐陵市")),
        ("S0203", "S0106", "S0308", "S0405"),
    ),
    "371500": CityProfile(
        5,
        "水城",
        (("371502", "东昌府区"), ("371524", "东阿县"), ("371525", "冠县"), ("371581", "临清市")),
        ("S0204", "S0109", "S0108", "S0401"),
    ),
    "371600": CityProfile(
        4,
        "渤海",
        (("371602", "滨城区"), ("371603", "沾化区"), ("371621", "惠民县"), ("371625", "博兴县")),
        ("S0405", "S0310", "S0306", "S0302"),
    ),
    "371700": CityProfile(
        8,
        "牡丹",
        (("371702", "牡丹区"), ("371721", "曹县"), ("371722", "单县"), ("371726", "鄄城县")),
        ("S0212", "S0206", "S0219", "S0222", "S0309", "S0101", "S0220", "S0419"),
    ),
}

EXCLUSIVE: dict[str, frozenset[str]] = {
    "S0103": frozenset({"370700"}),
    "S0202": frozenset({"370300"}),
    "S0203": frozenset({"371400"}),
    "S0206": frozenset({"371700"}),
    "S0207": frozenset({"370600"}),
    "S0208": frozenset({"370100"}),
    "S0120": frozenset({"370200", "370600", "371000"}),
}
"""Projects named after a place are chosen only by that place."""

BRANDS = (
    "鲁韵",
    "齐鲁",
    "匠心",
    "恒信",
    "华艺",
    "宏达",
    "金穗",
    "丰源",
    "惠民",
    "康宁",
    "益家",
    "巧手",
    "百川",
    "启航",
    "乐业",
    "兴农",
    "绿源",
    "鑫盛",
    "瑞丰",
    "祥和",
    "德润",
    "锦程",
    "善水",
    "同心",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾田萧潘袁蔡蒋"
GIVEN = "建国伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红梅玉兰志刚海燕俊峰晓东文斌立新雪"
_SUFFIXES = ("栽培管理", "制作", "加工", "绘制", "服务", "运营")


def craft_label(project_name: str) -> str:
    """The craft as an institution name uses it: 潍坊风筝制作 → 潍坊风筝, 茶叶加工 → 茶叶."""
    for suffix in _SUFFIXES:
        if project_name.endswith(suffix) and len(project_name) > len(suffix) + 1:
            return project_name[: -len(suffix)]
    return project_name


def institution_name(
    rng: random.Random,
    *,
    city_name: str,
    district: str,
    nickname: str,
    craft: str,
    category: str,
    used: set[str],
) -> tuple[str, str, str]:
    """A unique name, the unit's kind and its USCC registration prefix (GB 32100: 91 company,
    93 farmers' cooperative, 52 private non-enterprise school, 51 association)."""
    place = "" if craft.startswith(city_name) else city_name
    bare = craft.removeprefix(city_name)
    forms = [
        (f"{place}{craft}职业培训学校", "民办非企业单位", "52"),
        (f"{place}{craft}技能培训学校", "民办非企业单位", "52"),
        (f"{city_name}市{bare}行业协会", "社会团体", "51"),
        (f"{place}{{brand}}{craft}有限公司", "企业", "91"),
        (f"{place}{craft}有限公司", "企业", "91"),
        (f"{place}{nickname}{craft}技艺传承中心", "民办非企业单位", "52"),
    ]
    if category in ("乡村振兴", "乡村手工业"):
        forms.append((f"{district}{{brand}}{craft}专业合作社", "农民专业合作社", "93"))
    rng.shuffle(forms)
    brands = list(BRANDS)
    rng.shuffle(brands)
    for pattern, kind, prefix in forms:
        for brand in brands if "{brand}" in pattern else [""]:
            name = pattern.replace("{brand}", brand)
            if name not in used:
                used.add(name)
                return name, kind, prefix
    name = f"{city_name}{district}{craft}职业培训学校{len(used)}"
    used.add(name)
    return name, "民办非企业单位", "52"


def _org_check(body8: str) -> str:
    """GB 11714 check character of an organisation code (USCC positions 9–17)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    remainder = 11 - sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def credit_code(rng: random.Random, prefix: str, division: str, used: set[str]) -> str:
    """A valid, unique 统一社会信用代码 registered in ``division`` (a Shandong code, 37…)."""
    letters = [c for c in USCC_ALPHABET if c.isalpha()]
    while True:
        body8 = (
            "MA"
            + rng.choice("3456789")
            + "".join(rng.choice(USCC_ALPHABET[:10] + "".join(letters)) for _ in range(5))
        )
        code = make_uscc(prefix + division + body8 + _org_check(body8))
        if code not in used:
            used.add(code)
            return code


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(9))


def expert_units(city_name: str) -> tuple[str, ...]:
    """Where a city's experts work: never an applicant unit (SUP-03 checks the unit)."""
    return (
        f"{city_name}市职业技能鉴定指导中心",
        "山东劳动职业技术学院",
        f"{city_name}职业学院",
        f"{city_name}市工艺美术学会",
        "山东省非物质文化遗产保护中心",
        f"{city_name}市农业科学研究院",
        f"{city_name}技师学院",
        "山东省职业技能鉴定指导中心",
    )
