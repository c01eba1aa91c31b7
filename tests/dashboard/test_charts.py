"""Offline charts: SVG drawn in Python, well-formed, every number in a data attribute, every
text escaped; the quota map colours counts against 5 and outlines overrides (SEL-07)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from casework.dashboard import charts
from casework.domain import rules

SVG = "{http://www.w3.org/2000/svg}"
LIMIT = rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def rects(svg: str, css: str) -> list[ET.Element]:
    return [r for r in parsed(svg).iter(f"{SVG}rect") if css in (r.get("class") or "").split()]


def test_a_bar_chart_has_one_bar_per_label_carrying_its_value() -> None:
    values = pd.Series([16, 4, 0], index=["济南", "青岛", "淄博"])

    svg = charts.bar_chart(values, title="各市", unit="家")

    bars = rects(svg, "cw-bar")
    assert [(b.get("data-label"), b.get("data-value")) for b in bars] == [
        ("济南", "16"),
        ("青岛", "4"),
        ("淄博", "0"),
    ]
    widths = [float(b.get("width", "0")) for b in bars]
    assert widths[0] > widths[1] > widths[2] == 0


def test_stacked_columns_stack_each_series_and_label_the_total() -> None:
    frame = pd.DataFrame({"有效": [3, 1], "暂停": [1, 0]}, index=["2026-01", "2026-02"])

    svg = charts.stacked_columns(frame, title="续期", colors=charts.STATUS_COLORS)

    segs = rects(svg, "cw-seg")
    assert [(s.get("data-label"), s.get("data-series"), s.get("data-value")) for s in segs] == [
        ("2026-01", "有效", "3"),
        ("2026-01", "暂停", "1"),
        ("2026-02", "有效", "1"),
    ]
    totals = [t.text for t in parsed(svg).iter(f"{SVG}text")]
    assert "4" in totals


def test_the_quota_map_marks_cells_over_the_limit_and_outlines_overrides_sel_07() -> None:
    counts = pd.DataFrame({"济南": [6, 5], "青岛": [2, 0]}, index=["鲁锦织造", "面塑"])
    reason = "经局务会研究同意突破限制"

    svg = charts.heat_map(counts, limit=LIMIT, title="配额", notes={("鲁锦织造", "济南"): reason})

    cells = {(c.get("data-row"), c.get("data-col")): c for c in rects(svg, "cw-cell")}
    over = cells[("鲁锦织造", "济南")]
    assert "cw-over" in (over.get("class") or "")
    assert over.get("fill") == charts.heat_colour(6, LIMIT) != charts.heat_colour(5, LIMIT)
    assert over.get("stroke-width") == "2"
    assert reason in (over.findtext(f"{SVG}title") or "")
    assert cells[("面塑", "青岛")].get("data-value") == "0"
    assert "cw-over" not in (cells[("面塑", "济南")].get("class") or "")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "#f4f6f9"), (LIMIT, "#f0b429"), (LIMIT + 1, "#d64545")],
    ids=["empty", "at-limit", "over-limit"],
)
def test_heat_colours_distinguish_empty_full_and_over_the_limit(count: int, expected: str) -> None:
    assert charts.heat_colour(count, LIMIT) == expected


def test_labels_are_escaped_so_a_name_cannot_inject_markup() -> None:
    values = pd.Series([1], index=['<script>alert("x")</script>'])

    svg = charts.bar_chart(values, title="<b>标题</b>")

    assert "<script>" not in svg and "<b>" not in svg
    assert parsed(svg).find(f"{SVG}rect") is not None


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.bar_chart(pd.Series(dtype=int), title="空"),
        lambda: charts.stacked_columns(pd.DataFrame(), title="空", colors={}),
        lambda: charts.heat_map(pd.DataFrame(), limit=LIMIT, title="空"),
    ],
    ids=["bars", "columns", "heat"],
)
def test_an_empty_chart_says_there_is_no_data(draw: object) -> None:
    assert "暂无数据" in draw()  # type: ignore[operator]


def test_charts_reference_nothing_outside_the_page() -> None:
    svg = charts.heat_map(pd.DataFrame({"济南": [1]}, index=["面塑"]), limit=LIMIT, title="x")

    assert "href" not in svg and "<script" not in svg and "url(" not in svg
