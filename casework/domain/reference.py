"""Reference tables of Shandong loaded from ``schemas/reference/``: cities and a demo catalog.

- :func:`cities` — the 16 prefecture-level cities, their division codes (ATT1-REGION: ``37…``)
  and the bureau that files institutions (SEL-05, SUP-01).
- :func:`demo_catalog` — a SYNTHETIC project catalog in the shape of the one the province
  publishes each year (SEL-01), one row per project and year, for demo data and tests only.

The files are policy as data: a revision is a new file, and both tables are validated by a
strict pandera model once, on loading; the loaders are cached and hand out copies, so they do
not use ``@pa.check_types`` (it would validate the same table again on every call).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Final

import pandas as pd
import pandera.pandas as pa
import yaml
from pandera.typing import DataFrame, Series

from casework.domain import problems, rules
from casework.errors import NotFound, ValidationFailed
from casework.paths import policy_file

CITIES_FILE: Final = "cities.yaml"
DEMO_CATALOG_FILE: Final = "project-catalog-demo.yaml"
ENTRY_KEYS: Final = frozenset({"code", "name", "category", "from", "to"})
"""The fields of one project entry of a catalog file."""
PROJECT_CATEGORIES: Final = ("非遗传承", "特色产业", "乡村手工业", "乡村振兴", "就业创业")
"""SEL-01 (§一(一)): the needs a city's choice of projects serves — rural revitalisation,
local industries and rural handicrafts, intangible heritage, employment of key groups."""


class CityModel(pa.DataFrameModel):
    """One prefecture-level city of Shandong and its human-resources bureau."""

    city_code: Series[str] = pa.Field(
        str_matches=rf"^{rules.REGION_DIVISION_PREFIX}\d{{2}}00$", unique=True
    )
    name: Series[str] = pa.Field(str_length={"min_value": 2}, unique=True)
    full_name: Series[str] = pa.Field(str_endswith="市", unique=True)
    bureau: Series[str] = pa.Field(str_matches=r"^.+市人力资源和社会保障局$", unique=True)

    @pa.dataframe_check
    @classmethod
    def names_agree(cls, df: pd.DataFrame) -> pd.Series:
        """``full_name`` is ``name`` + 市 and the bureau is the full name's bureau."""
        bureau = df["full_name"] + "人力资源和社会保障局"
        return (df["full_name"] == df["name"] + "市") & (df["bureau"] == bureau)

    class Config:
        strict = True
        coerce = True


class CatalogModel(pa.DataFrameModel):
    """One project of the (demo) catalog in one year: long format."""

    project_code: Series[str] = pa.Field(str_matches=r"^S\d{4}$")
    name: Series[str] = pa.Field(str_length={"min_value": 2})
    category: Series[str] = pa.Field(isin=PROJECT_CATEGORIES)
    year: Series[int] = pa.Field(ge=2000, le=2100)

    @pa.dataframe_check
    @classmethod
    def code_and_name_pair_up(cls, df: pd.DataFrame) -> bool:
        """A code names one project and a project has one code, in every year."""
        pairs = df[["project_code", "name"]].drop_duplicates()
        return bool(pairs["project_code"].is_unique and pairs["name"].is_unique)

    class Config:
        strict = True
        coerce = True
        unique: ClassVar[list[str]] = ["project_code", "year"]


def _source(file_name: str, path: Path | None) -> Path:
    """The file to read, resolved before caching so that ``CASEWORK_SCHEMAS`` is honoured."""
    return (path or policy_file("reference", file_name)).resolve()


def _read(source: Path) -> dict[str, Any]:
    with source.open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict):
        raise ValidationFailed(f"参考数据文件“{source}”不是有效的YAML映射", problems.empty())
    return doc


def _validate(model: type[pa.DataFrameModel], df: pd.DataFrame, source: Path) -> pd.DataFrame:
    """Validate lazily; turn pandera's failure cases into a ValidationFailed table."""
    try:
        return model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        found = problems.from_failure_cases(exc, rule=None)
        raise ValidationFailed(f"参考数据文件“{source}”未通过校验", found) from exc


@cache
def _cities(source: Path) -> pd.DataFrame:
    doc = _read(source)
    entries = doc.get("cities") or []
    # Built from the entries as they are, so that the strict model sees any extra key.
    df = (
        pd.DataFrame(entries)
        if entries
        else pd.DataFrame(columns=list(CityModel.to_schema().columns))
    )
    return _validate(CityModel, df, source).reset_index(drop=True)


def cities(path: Path | None = None) -> DataFrame[CityModel]:
    """The 16 prefecture-level cities of Shandong (``schemas/reference/cities.yaml``)."""
    return DataFrame[CityModel](_cities(_source(CITIES_FILE, path)).copy())


def city(code_or_name: str, path: Path | None = None) -> dict[str, str]:
    """One city by division code (``370100``), name (``济南``), full name or bureau name.

    Raises:
        NotFound: no city of Shandong has that code or name.
    """
    table = _cities(_source(CITIES_FILE, path))
    key = str(code_or_name).strip()
    hits = table[(table[["city_code", "name", "full_name", "bureau"]] == key).any(axis=1)]
    if hits.empty:
        raise NotFound(
            f"未找到设区市“{code_or_name}”：请填写山东省16个设区市之一的名称或行政区划代码"
            "（如“济南”或“370100”）",
            value=code_or_name,
        )
    return {str(k): str(v) for k, v in hits.iloc[0].items()}


@cache
def _demo_catalog(source: Path) -> pd.DataFrame:
    doc = _read(source)
    first, last = int(doc["years"]["first"]), int(doc["years"]["last"])
    rows: list[dict[str, Any]] = []
    bad: list[tuple] = []
    for n, entry in enumerate(doc.get("projects") or [], start=1):
        if set(entry) != ENTRY_KEYS:
            bad.append(
                problems.problem(
                    n,
                    "、".join(sorted(set(entry) ^ ENTRY_KEYS)),
                    entry,
                    f"每个项目须恰有以下字段：{'、'.join(sorted(ENTRY_KEYS))}",
                    "SEL-01",
                )
            )
            continue
        start, end = int(entry["from"]), int(entry["to"])
        if not first <= start <= end <= last:
            bad.append(
                problems.problem(
                    n,
                    "from/to",
                    f"{start}–{end}",
                    f"列入目录的年份须在{first}–{last}年之间，且from不晚于to",
                    "SEL-01",
                )
            )
        rows.extend(
            {
                "project_code": entry["code"],
                "name": entry["name"],
                "category": entry["category"],
                "year": year,
            }
            for year in range(start, end + 1)
        )
    if bad:
        raise ValidationFailed(f"参考数据文件“{source}”的项目条目有误", problems.table(bad))
    df = pd.DataFrame(rows, columns=list(CatalogModel.to_schema().columns))
    df = _validate(CatalogModel, df, source)
    return df.sort_values(["year", "project_code"], ignore_index=True)


def demo_catalog(path: Path | None = None) -> DataFrame[CatalogModel]:
    """The SYNTHETIC demo catalog, one row per project and year it is listed (SEL-01).

    Demo data only: it is not the official 《山东省专项职业能力考核项目目录》.
    """
    return DataFrame[CatalogModel](_demo_catalog(_source(DEMO_CATALOG_FILE, path)).copy())
