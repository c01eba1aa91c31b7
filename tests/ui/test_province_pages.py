"""The province's part in the apps: 报送省厅 (SEL-08, REN-08), 考核机构目录 (SEL-09),
本地考核项目目录 (SEL-10) and 证书维护 (EXIT-10, SUP-04), driven in plain pytest."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from casework import registry as r
from casework.intake import import_file
from casework.queries.certificates import certificate_status
from casework.queries.province import (
    catalog_editions_list,
    city_year_projects,
    province_reports_of,
    year_catalog,
)
from casework.registry import scenario
from casework.store.tables import catalog_editions, certificate_actions, institutions
from casework.store.tables import province_reports as reports_table
from casework.ui import catalog_editions as editions_page
from casework.ui import certificates as certificates_page
from casework.ui import city_projects as city_projects_page
from casework.ui import province_reports as reports_page
from tests.registry.conftest import JINAN, World

from .worlds import OFFICER, OTHER_CITY, Template, clone, context, count, make_template, texts

TODAY = date(2025, 8, 1)
PROVINCE = scenario.PROVINCE_ACTOR.username


def build(world: World) -> dict[str, Any]:
    return {
        "cleared": world.filed("济南待报送培训学校", stop_at="公示无异议"),
        "filed": world.filed("济南鲁锦织造有限公司"),
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("province_pages"), build)


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


def as_user(world: World, username: str) -> Any:
    return context(world, username, today=TODAY)


def link_bytes(html: str) -> bytes:
    return base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1))  # type: ignore[union-attr]


def test_a_city_reports_a_cleared_filing_and_the_province_acknowledges_it_sel_08(
    world: World, template: Template
) -> None:
    city = reports_page.CityReportsPage(as_user(world, OFFICER))
    application = template["cleared"]["application_id"]

    offered = [v for _, v in city.cases.options]
    city.cases.value = (application,)
    city.send.click()
    province = reports_page.ProvinceReportsPage(as_user(world, PROVINCE))
    province.report.value = province.report.options[0][1]
    province.ack.click()

    assert offered == [application]
    (sent,) = [s for s in province_reports_of(world.store) if s.acknowledged_on is not None]
    assert sent.institutions == ("济南待报送培训学校",) and sent.acknowledged_on == TODAY
    assert city.cases.options == ()
    assert "济南待报送培训学校" in texts(province.widget)


def test_a_crafted_case_outside_the_offered_ones_is_not_reported_sel_08(
    world: World, template: Template
) -> None:
    city = reports_page.CityReportsPage(as_user(world, OFFICER))
    before = count(world, reports_table)  # the filed institution was reported when filed

    city.cases.set_state({"index": [7]})
    city.send.click()

    assert count(world, reports_table) == before


def test_the_province_publishes_an_edition_and_anyone_downloads_it_sel_09(
    world: World,
) -> None:
    province = editions_page.EditionsPage(as_user(world, PROVINCE))
    previewed = texts(province.preview)

    province.publish.click()
    city = editions_page.EditionsPage(as_user(world, OFFICER))
    city.fmt.value = "xlsx"
    city.download.click()

    assert "济南鲁锦织造有限公司" in previewed and "新增" in previewed
    assert catalog_editions_list(world.store)["期数"].tolist() == [1]
    sheet = pd.read_excel(io.BytesIO(link_bytes(city.link.value)), sheet_name="目录")
    assert "济南鲁锦织造有限公司" in sheet["考核机构名称"].tolist()
    assert not city.may_publish and city.publish not in city.widget.children


def test_a_city_cannot_publish_an_edition_even_by_a_crafted_click_sel_09(world: World) -> None:
    city = editions_page.EditionsPage(as_user(world, OFFICER))

    city.publish.click()

    assert count(world, catalog_editions) == 0
    assert "无权" in city.messages.widget.value


def test_the_city_takes_a_project_out_of_its_local_list_with_a_reason_sel_10(
    world: World,
) -> None:
    page = city_projects_page.CityProjectsPage(as_user(world, OFFICER))

    page.exclude.value = ("P007",)
    page.reason.value = "本地已无培训需求"
    page.save.click()

    assert "P007" not in {v for _, v in page.exclude.options}
    assert "本地已无培训需求" in page.history.value


def certificates_of(world: World, template: Template) -> str:
    """One certificate of the Jinan filing, imported as its institution would upload it."""
    inst = template["filed"]["institution_id"]
    with world.store.read() as conn:
        uscc = conn.execute(select(institutions.c.uscc).where(institutions.c.id == inst)).scalar()
    r.add_user(
        world.store,
        r.SYSTEM_ACTOR,
        username="jinan_head",
        display_name="鲁锦负责人",
        role="机构",
        institution_id=inst,
    )
    rows = (
        "机构统一社会信用代码,证书编号,身份证号,考核项目,发证日期\n"
        f"{uscc},ZS-0001,110101199003074514,P001,2025-07-01\n"
    )
    import_file(world.store, scenario.city_officer(JINAN), "certificates", rows.encode(), "c.csv")
    return "ZS-0001"


def test_an_institution_revokes_its_own_certificate_in_the_app_exit_10(
    world: World, template: Template
) -> None:
    cert = certificates_of(world, template)
    page = certificates_page.CertificatesPage(as_user(world, "jinan_head"))

    page.cert_no.value = cert
    page.look.click()
    page.action.value = "撤销"
    page.reason.value = "复核发现考生未参加考核"
    page.submit.click()

    status = certificate_status(world.store, cert)
    assert not status.valid and status.invalid_since == TODAY
    assert "复核发现考生未参加考核" in page.changes.value


def test_another_city_cannot_see_or_mark_the_certificate_sup_04(
    world: World, template: Template
) -> None:
    cert = certificates_of(world, template)
    page = certificates_page.CertificatesPage(as_user(world, OTHER_CITY))

    page.cert_no.value = cert
    page.look.click()
    page.refuse_nos.value = cert
    page.refuse_reason.value = "替考"
    page.refuse.click()

    assert page.found.value == ""
    assert count(world, certificate_actions) == 0
    assert certificate_status(world.store, cert).valid


def test_the_province_publishes_the_years_project_catalog_in_the_app_sel_01(world: World) -> None:
    page = editions_page.EditionsPage(as_user(world, PROVINCE))
    page.catalog_year.value = 2026
    page.catalog_lines.value = "P001\nP901，面塑制作，民间工艺"

    page.catalog_button.click()

    assert set(year_catalog(world.store, 2026)["project_code"]) >= {"P001", "P901"}
    assert "新列入" in page.messages.widget.value


def test_a_new_project_without_a_name_is_refused_and_nothing_published_sel_01(
    world: World,
) -> None:
    page = editions_page.EditionsPage(as_user(world, PROVINCE))
    page.catalog_year.value = 2026
    page.catalog_lines.value = "P902"

    page.catalog_button.click()

    assert "P902" not in set(year_catalog(world.store, 2026)["project_code"])
    assert "项目名称" in page.messages.widget.value


def test_the_city_chooses_its_projects_from_the_years_catalog_in_the_app_sel_01(
    world: World,
) -> None:
    r.publish_catalog(
        world.store,
        scenario.PROVINCE_ACTOR,
        year=2025,
        entries=[{"project_code": "P903", "name": "剪纸技艺", "category": ""}],
    )
    page = city_projects_page.CityProjectsPage(as_user(world, OFFICER))
    offered = {v for _, v in page.choose.options}

    page.choose.value = ("P903",)
    page.choose_button.click()

    assert "P903" in offered
    assert "P903" in city_year_projects(world.store, JINAN, 2025)
    assert "P903" not in {v for _, v in page.choose.options}
