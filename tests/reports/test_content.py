"""How a report prints values, and a form's static HTML: fast, without a kernel or Chromium."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from casework.reports.content import Field, Form, shown, table
from casework.reports.export import _css_string
from casework.reports.view import form_html, value_text


@pytest.mark.parametrize("value", [None, float("nan"), pd.NaT, pd.NA], ids=repr)
def test_a_missing_value_prints_as_a_dash_never_nan_none_or_nat(value: object) -> None:
    assert shown(value) == "—"
    assert value_text(Field("综合得分", value, "number")) == "—"
    assert "nan" not in table(("a",), [(value,)]).lower()


def test_a_stored_utc_timestamp_prints_in_asia_shanghai_time() -> None:
    naive_utc = datetime(2026, 12, 31, 17, 30)  # the store keeps naive UTC timestamps

    assert shown(naive_utc) == "2027年1月1日 01:30"
    assert shown(naive_utc.replace(tzinfo=UTC)) == "2027年1月1日 01:30"
    assert shown(date(2025, 3, 3)) == "2025年3月3日"


def test_a_form_as_static_html_keeps_every_word_and_line_of_its_fields() -> None:
    criterion = "2.1 有固定的办公场所、考核场所，如为自有产权，提供不动产权证明；" * 3
    plan = "收尾计划：已安排\n证书维护：已安排\n档案管理：已安排\n参评人员服务：已安排"
    form = Form(
        "退出案件1",
        (Field(criterion, "符合", "choice", ("符合", "不符合")), Field("方案", plan, "textarea")),
    )

    static = form_html(form)

    assert criterion in static and plan in static
    assert 'class="cw-static cw-form"' in static


def test_the_footer_is_a_safe_css_string_on_two_lines() -> None:
    assert _css_string('案件 "1" \\ x\n摘要') == '"案件 \\"1\\" \\\\ x\\A 摘要"'
