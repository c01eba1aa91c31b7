"""No spreadsheet casework writes holds a live formula (OWASP CSV injection): every csv/xlsx
cell starting with = + - @ tab or CR is neutralised by one function, and such names are refused
at import (INPUT-TEXT)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from casework.dashboard.publish import catalog_bytes
from casework.domain.cells import FORMULA_LEADS, neutralise
from casework.errors import ValidationFailed
from casework.intake import import_file
from casework.intake.templates import template
from casework.registry.export import export_catalog
from casework.store.tables import institutions

from .conftest import OFFICER, World

PAYLOAD = '=HYPERLINK("http://example.invalid/x","点击查看")'


@pytest.mark.parametrize("lead", FORMULA_LEADS, ids=repr)
def test_a_formula_like_text_gets_an_apostrophe(lead: str) -> None:
    assert neutralise(f"{lead}1+1") == f"'{lead}1+1"


@pytest.mark.parametrize("value", ["甲学校", "0531-1", 12, None, "a=b"], ids=repr)
def test_an_ordinary_value_is_left_as_it_is(value: object) -> None:
    assert neutralise(value) == value


@pytest.fixture
def formula_named(world: World) -> World:
    """The filed institution renamed to a formula, as an import before this release let in."""
    with world.store.write() as conn:
        conn.execute(
            update(institutions).where(institutions.c.id == world.ids["jia"]).values(name=PAYLOAD)
        )
    return world


def xlsx_cells(data: bytes) -> list[object]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row]


def test_the_catalog_xlsx_export_holds_no_formula_exit_01(
    formula_named: World, tmp_path: Path
) -> None:
    path = export_catalog(formula_named.store, fmt="xlsx", output=tmp_path / "目录.xlsx")

    cells = xlsx_cells(path.read_bytes())
    assert all(c.data_type != "f" for c in cells)  # type: ignore[attr-defined]
    assert f"'{PAYLOAD}" in [c.value for c in cells]  # type: ignore[attr-defined]


def test_the_catalog_csv_export_keeps_no_cell_starting_like_a_formula_exit_01(
    formula_named: World, tmp_path: Path
) -> None:
    path = export_catalog(formula_named.store, fmt="csv", output=tmp_path / "目录.csv")

    text = path.read_text(encoding="utf-8-sig")
    assert f"'{PAYLOAD}".replace('"', '""') in text
    assert f",{PAYLOAD}" not in text and f',"{PAYLOAD}' not in text


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_dashboard_download_holds_no_formula(formula_named: World, fmt: str) -> None:
    data = catalog_bytes(formula_named.store, fmt)

    if fmt == "xlsx":
        assert all(c.data_type != "f" for c in xlsx_cells(data))  # type: ignore[attr-defined]
    else:
        assert f"'{PAYLOAD}".replace('"', '""') in data.decode("utf-8-sig")


@pytest.mark.parametrize("kind", ["institutions", "staff", "results"])
def test_the_import_templates_hold_no_formula(kind: str) -> None:
    book = load_workbook(io.BytesIO(template(kind)))

    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_an_institution_name_starting_like_a_formula_is_refused_at_import(
    world: World, lead: str
) -> None:
    from casework.domain.identifiers import make_uscc

    rows = (
        "机构名称,统一社会信用代码,所在市,单位类型,联系电话\n"
        f"{lead}SUM(1),{make_uscc('52370100MJ0000055')},济南,民办非企业单位,0531-1\n"
    )

    with pytest.raises(ValidationFailed) as err:
        import_file(world.store, OFFICER, "institutions", rows.encode(), "i.csv")

    problem = err.value.problems.iloc[0]
    assert (problem["行"], problem["列"]) == (2, "机构名称")
    assert "公式" in problem["要求"]
