"""机构数据 app driven in plain pytest (SUP-01): the seven intake kinds with their templates, an
institution's own uploads, and what the page must refuse."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casework.domain.identifiers import make_uscc
from casework.intake import KINDS, template
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.store.tables import refusals, sites
from casework.ui import institution_data
from casework.ui.institution_data import InstitutionDataPage, UploadSection
from tests.registry.conftest import JINAN, QINGDAO, World

from .worlds import OFFICER, OTHER_CITY, Template, clone, context, count, make_template, texts

TODAY = date(2025, 3, 10)
HEAD = "head_data_school"
OWN_USCC = make_uscc(f"52{JINAN}MJ0000031")
NEIGHBOUR_USCC = make_uscc(f"52{JINAN}MJ0000032")
HEADER = "机构统一社会信用代码,场地编号,场地地址,所在市,产权性质,租期截止日期,面积（平方米）\n"


def sites_csv(uscc: str) -> bytes:
    return (HEADER + f"{uscc},S1,济南市历下区经十路1号,济南,租赁,2029-12-31,320\n").encode()


def build_world(world: World) -> dict[str, Any]:
    own = world.institution("济南数据技能学校", serial=31)
    neighbour = world.institution("济南邻居培训中心", serial=32)
    scenario.ensure_user(world.store, Actor(HEAD, INSTITUTION, institution_id=own))
    return {"own": own, "neighbour": neighbour}


@pytest.fixture(scope="module")
def template_world(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("institution_data"), build_world)


@pytest.fixture
def world(template_world: Template, tmp_path: Path) -> World:
    world = clone(template_world, tmp_path)
    yield world
    world.store.dispose()


def upload(section: UploadSection, kind: str, data: bytes, name: str = "场地.csv") -> None:
    section.kind.value = kind
    section.upload.set_state(
        {"value": [{"name": name, "type": "text/csv", "size": len(data), "content": data,
                    "last_modified": 0}]}
    )  # fmt: skip
    section.button.click()


def hrefs(html: str) -> dict[str, bytes]:
    """The download name → the bytes of each data: link."""
    found = re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html)
    return {name: base64.b64decode(data) for name, data in found}


@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS))
def test_each_kind_offers_its_templates_as_data_links_with_the_templates_bytes(
    world: World, template_world: Template, kind: str
) -> None:
    page = InstitutionDataPage(context(world, HEAD, TODAY), template_world["own"])

    page.uploads.kind.value = kind

    links = hrefs(page.uploads.links.value)
    label = KINDS[kind].label
    assert links[f"{label}模板.csv"] == template(kind, "csv")
    assert links[f"{label}模板.xlsx"][:2] == b"PK"  # an xlsx (zip); its bytes carry a timestamp
    assert len(page.uploads.kind.options) == 7


def test_an_institution_head_uploads_its_own_sites(world: World, template_world: Template) -> None:
    page = InstitutionDataPage(context(world, HEAD, TODAY), template_world["own"])

    upload(page.uploads, "sites", sites_csv(OWN_USCC))

    assert count(world, sites) == 1
    assert "已导入" in page.uploads.messages.widget.value
    assert "<td>场地</td><td>1</td>" in page.counts.value


def test_a_file_naming_another_institution_is_refused_and_logged_sup_01(
    world: World, template_world: Template
) -> None:
    page = InstitutionDataPage(context(world, OFFICER, TODAY), template_world["own"])
    before = count(world, refusals)

    upload(page.uploads, "sites", sites_csv(NEIGHBOUR_USCC))

    message = page.uploads.messages.widget.value
    assert "cw-error" in message and "机构统一社会信用代码" in message and "SUP-01" in message
    assert count(world, sites) == 0 and count(world, refusals) == before + 1


def test_a_file_with_problems_shows_the_problem_table_and_writes_nothing(
    world: World, template_world: Template
) -> None:
    page = InstitutionDataPage(context(world, HEAD, TODAY), template_world["own"])
    bad = (HEADER + f"{OWN_USCC},S1,济南市历下区经十路1号,济南,借用,2029-13-31,-5\n").encode()

    upload(page.uploads, "sites", bad)

    assert "cw-table" in page.uploads.messages.widget.value
    assert count(world, sites) == 0


def test_uploading_without_a_file_is_refused_in_chinese(
    world: World, template_world: Template
) -> None:
    page = InstitutionDataPage(context(world, HEAD, TODAY), template_world["own"])

    page.uploads.button.click()

    assert "请先选择要导入的文件" in page.uploads.messages.widget.value


def test_a_crafted_kind_outside_the_options_is_refused_and_logged(
    world: World, template_world: Template
) -> None:
    page = InstitutionDataPage(context(world, HEAD, TODAY), template_world["own"])
    before = count(world, refusals)

    page.uploads.kind.set_state({"index": 99})

    assert page.uploads.kind.value == "institutions"
    assert count(world, refusals) == before + 1


def test_an_institution_head_cannot_open_another_institutions_data(
    world: World, template_world: Template
) -> None:
    page = institution_data.build(context(world, HEAD, TODAY), template_world["neighbour"])

    assert "只能查看和办理本机构的事项" in texts(page)


def test_another_citys_officer_cannot_open_the_data_sup_01(
    world: World, template_world: Template
) -> None:
    page = institution_data.build(context(world, OTHER_CITY, TODAY), template_world["own"])

    assert "SUP-01" in texts(page) and "其他城市" in texts(page)


def test_the_city_officer_picks_among_the_citys_institutions_only(
    world: World, template_world: Template
) -> None:
    qingdao = world.institution("青岛数据学校", QINGDAO, serial=33)

    page = institution_data.build(context(world, OFFICER, TODAY))

    offered = {v for _, v in page.children[1].children[0].options}
    assert {template_world["own"], template_world["neighbour"]} <= offered
    assert qingdao not in offered


def test_an_expert_sees_a_refusal(world: World) -> None:
    page = institution_data.build(context(world, world.experts[JINAN][0], TODAY))

    assert "无权使用本页面" in texts(page)


def test_the_notebook_entry_opens_the_heads_own_data(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.setenv("CASEWORK_USER", HEAD)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    page = institution_data.app()

    assert "济南数据技能学校" in texts(page) and 'class="cw-error"' not in texts(page)
