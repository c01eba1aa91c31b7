"""The catalog published as a self-contained HTML page, xlsx and csv, with every status
including 终止备案 and its reason (EXIT-01); ``casework catalog export --format html``."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from casework.cli import main
from casework.dashboard.publish import catalog_bytes, catalog_html

from .conftest import JINAN, Demo


def test_the_html_catalog_lists_every_filing_with_terminated_reasons_exit_01(demo: Demo) -> None:
    ended = demo.sql("SELECT code, end_reason FROM filings WHERE status = '终止备案'")
    filings = demo.count("SELECT count(*) FROM filings")

    page = catalog_html(demo.store)

    assert page.count("<tr>") + page.count('<tr class="ended">') == filings + 1
    assert page.count('<tr class="ended">') == len(ended) > 0
    for code, reason in ended.itertuples(index=False):
        row = re.search(rf"<tr class=\"ended\">(?:(?!</tr>).)*{re.escape(code)}.*?</tr>", page)
        assert row is not None and "终止备案" in row.group(0) and reason in row.group(0)


def test_the_html_catalog_references_nothing_outside_itself(demo: Demo) -> None:
    page = catalog_html(demo.store)

    assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", page)
    assert page.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in page


def test_names_are_escaped_in_the_html_catalog(demo: Demo) -> None:
    page = catalog_html(demo.store)

    body = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "<script" not in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_hold_the_same_rows_as_the_page_exit_01(demo: Demo, fmt: str) -> None:
    data = catalog_bytes(demo.store, fmt)

    frame = (
        pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
        if fmt == "csv"
        else pd.read_excel(io.BytesIO(data), dtype=str)
    )

    assert len(frame) == demo.count("SELECT count(*) FROM filings")
    ended = frame[frame["备案状态"] == "终止备案"]
    assert len(ended) > 0 and ended["终止原因"].notna().all()


def test_a_city_catalog_holds_that_city_only(demo: Demo) -> None:
    page = catalog_html(demo.store, JINAN)

    assert page.count("<td>济南</td>") == demo.count(
        "SELECT count(*) FROM filings WHERE city_code = :c", c=JINAN
    )
    assert "<td>青岛</td>" not in page


def test_the_cli_exports_the_catalog_as_a_static_page(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "目录.html"

    code = main(["--db", demo.url, "catalog", "export", "--format", "html", "-o", str(out)])

    assert code == 0
    assert out.read_text(encoding="utf-8").count("终止备案") > 1
