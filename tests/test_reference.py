"""Specifications of the reference data: Shandong's cities (ATT1-REGION) and the demo catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from casework.domain import reference, rules
from casework.errors import NotFound, ValidationFailed
from casework.paths import REPO_DIR

REFERENCE_DIR = REPO_DIR / "schemas" / "reference"
REFERENCE_FILES = sorted(REFERENCE_DIR.glob("*.yaml"))
LOADERS = {
    reference.CITIES_FILE: reference.cities,
    reference.DEMO_CATALOG_FILE: reference.demo_catalog,
}
CATALOG_YEARS = [2023, 2024, 2025, 2026]
PROBLEM_COLUMNS = ["行", "列", "值", "要求", "规则"]


def by_name(path: Path) -> str:
    return path.name


def raw(file_name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((REFERENCE_DIR / file_name).read_text(encoding="utf-8")))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- every file -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", REFERENCE_FILES, ids=by_name)
def test_every_reference_file_states_id_version_and_source(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert {"id", "version", "source", "title"} <= set(data)
    assert isinstance(data["version"], str)


def test_every_reference_file_of_this_module_is_present_and_loads() -> None:
    present = {path.name for path in REFERENCE_FILES}

    tables = {name: loader() for name, loader in LOADERS.items()}

    assert set(LOADERS) <= present
    assert all(len(table) > 0 for table in tables.values())


# --- cities ---------------------------------------------------------------------------------
def test_shandong_has_exactly_16_prefecture_level_cities() -> None:
    table = reference.cities()

    assert len(table) == 16
    assert list(table.columns) == ["city_code", "name", "full_name", "bureau"]


def test_att1_region_city_codes_are_unique_six_digit_shandong_codes() -> None:
    codes = reference.cities()["city_code"]

    assert codes.is_unique
    assert codes.str.fullmatch(r"\d{6}").all()
    assert codes.str.startswith(rules.REGION_DIVISION_PREFIX).all()


def test_former_laiwu_371200_is_not_a_city_any_more() -> None:
    codes = set(reference.cities()["city_code"])

    assert "371200" not in codes
    assert {"370100", "371300", "371700"} <= codes


@pytest.mark.parametrize(
    "key", ["370100", "济南", "济南市", "济南市人力资源和社会保障局", " 济南 "]
)
def test_a_city_is_found_by_code_name_full_name_or_bureau(key: str) -> None:
    found = reference.city(key)

    assert found == {
        "city_code": "370100",
        "name": "济南",
        "full_name": "济南市",
        "bureau": "济南市人力资源和社会保障局",
    }


@pytest.mark.parametrize(
    ("code", "name"),
    [("370200", "青岛"), ("370700", "潍坊"), ("371300", "临沂"), ("371700", "菏泽")],
)
def test_code_and_name_lookups_find_the_same_city(code: str, name: str) -> None:
    by_code = reference.city(code)
    by_name_ = reference.city(name)

    assert by_code == by_name_
    assert by_code["bureau"] == f"{name}市人力资源和社会保障局"


@pytest.mark.parametrize("key", ["莱芜", "371200", "北京", "110000", "", "济南区"])
def test_an_unknown_city_is_refused_with_a_chinese_message(key: str) -> None:
    with pytest.raises(NotFound) as info:
        reference.city(key)

    assert f"未找到设区市“{key}”" in info.value.message


def test_changing_a_returned_table_does_not_change_the_reference() -> None:
    table = reference.cities()
    table.loc[0, "name"] = "改动"

    again = reference.cities()

    assert again.loc[0, "name"] == "济南"


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"city_code": "350100"}, "city_code"),
        ({"bureau": "济南市人社局"}, "bureau"),
        ({"extra": "多余列"}, None),
    ],
    ids=["outside-shandong", "bureau-name", "extra-column"],
)
def test_a_city_file_breaking_the_model_is_refused_with_a_problem_table(
    tmp_path: Path, change: dict[str, str], column: str | None
) -> None:
    data = raw(reference.CITIES_FILE)
    data["cities"][0] = {**data["cities"][0], **change}
    path = write_yaml(tmp_path / "cities.yaml", data)

    with pytest.raises(ValidationFailed) as info:
        reference.cities(path)

    problems = info.value.problems
    assert list(problems.columns) == PROBLEM_COLUMNS
    assert column is None or column in set(problems["列"])


def test_a_duplicated_city_is_refused(tmp_path: Path) -> None:
    data = raw(reference.CITIES_FILE)
    data["cities"].append(data["cities"][0])
    path = write_yaml(tmp_path / "cities.yaml", data)

    with pytest.raises(ValidationFailed) as info:
        reference.cities(path)

    assert "city_code" in set(info.value.problems["列"])


# --- demo catalog ---------------------------------------------------------------------------
def test_the_demo_catalog_says_it_is_demo_data_not_the_official_catalog() -> None:
    text = (REFERENCE_DIR / reference.DEMO_CATALOG_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    assert data["demo"] is True
    assert "演示" in data["title"]
    assert "非" in data["source"] and "正式目录" in data["source"]
    assert "NOT THE OFFICIAL CATALOG" in text.splitlines()[0]


def test_the_demo_catalog_holds_about_100_projects_with_unique_names_and_codes() -> None:
    table = reference.demo_catalog()
    projects = table[["project_code", "name"]].drop_duplicates()

    assert 90 <= len(projects) <= 120
    assert projects["project_code"].is_unique
    assert projects["name"].is_unique
    assert projects["project_code"].str.fullmatch(r"S\d{4}").all()


def test_the_demo_catalog_is_long_with_one_row_per_project_and_year() -> None:
    table = reference.demo_catalog()

    assert list(table.columns) == ["project_code", "name", "category", "year"]
    assert not table.duplicated(["project_code", "year"]).any()


@pytest.mark.parametrize("year", CATALOG_YEARS)
def test_every_catalog_year_from_2023_to_2026_lists_projects(year: int) -> None:
    table = reference.demo_catalog()

    listed = table[table["year"] == year]

    assert len(listed) >= 80
    assert set(listed["category"]) == set(reference.PROJECT_CATEGORIES)


def test_the_demo_catalog_covers_only_2023_to_2026() -> None:
    years = set(reference.demo_catalog()["year"])

    assert years == set(CATALOG_YEARS)


def test_sel_01_projects_enter_and_leave_the_catalog_between_years() -> None:
    table = reference.demo_catalog()
    by_year = {year: set(table.loc[table["year"] == year, "name"]) for year in CATALOG_YEARS}

    assert "电商直播" in by_year[2024] - by_year[2023]
    assert "网店客服" in by_year[2024] - by_year[2025]
    assert all(by_year[y] != by_year[y + 1] for y in CATALOG_YEARS[:-1])


@pytest.mark.parametrize(
    "name", ["鲁锦织造", "煎饼制作", "潍坊风筝制作", "德州扒鸡制作", "海草房修缮", "家庭照护"]
)
def test_the_demo_catalog_contains_typical_shandong_projects(name: str) -> None:
    names = set(reference.demo_catalog()["name"])

    assert name in names


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"from": 2022}, "from/to"),
        ({"from": 2026, "to": 2024}, "from/to"),
    ],
    ids=["before-first-year", "from-after-to"],
)
def test_a_project_listed_outside_the_catalog_years_is_refused(
    tmp_path: Path, change: dict[str, int], column: str
) -> None:
    data = raw(reference.DEMO_CATALOG_FILE)
    data["projects"][0] = {**data["projects"][0], **change}
    path = write_yaml(tmp_path / "catalog.yaml", data)

    with pytest.raises(ValidationFailed) as info:
        reference.demo_catalog(path)

    assert info.value.problems.loc[0, "列"] == column
    assert info.value.problems.loc[0, "行"] == 1


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"category": "其他"}, "category"),
        ({"code": "X0101"}, "project_code"),
        ({"name": "鲁绣"}, None),  # same name as S0102 under another code
    ],
    ids=["unknown-category", "bad-code", "name-with-two-codes"],
)
def test_a_catalog_entry_breaking_the_model_is_refused(
    tmp_path: Path, change: dict[str, str], column: str | None
) -> None:
    data = raw(reference.DEMO_CATALOG_FILE)
    data["projects"][0] = {**data["projects"][0], **change}
    path = write_yaml(tmp_path / "catalog.yaml", data)

    with pytest.raises(ValidationFailed) as info:
        reference.demo_catalog(path)

    assert column is None or column in set(info.value.problems["列"])
    assert len(info.value.problems) >= 1


@pytest.mark.parametrize(
    ("change", "column"),
    [({"note": "多余"}, "note"), ({"to": None}, "to")],
    ids=["extra-key", "missing-key"],
)
def test_a_catalog_entry_with_extra_or_missing_fields_is_refused(
    tmp_path: Path, change: dict[str, str | None], column: str
) -> None:
    data = raw(reference.DEMO_CATALOG_FILE)
    entry = {**data["projects"][0], **change}
    data["projects"][0] = {k: v for k, v in entry.items() if v is not None}
    path = write_yaml(tmp_path / "catalog.yaml", data)

    with pytest.raises(ValidationFailed) as info:
        reference.demo_catalog(path)

    assert info.value.problems.loc[0, "列"] == column
    assert info.value.problems.loc[0, "行"] == 1
