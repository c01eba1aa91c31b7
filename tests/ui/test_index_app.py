"""The index page: the signed-in user and the apps of their role, or a refusal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.registry import scenario
from casework.ui import index
from casework.ui.identity import IDENTITY_VARIABLES
from casework.ui.pages import pages_for
from tests.registry.conftest import JINAN, World

from .worlds import Template, clone, context, two_filings


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("index"))


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    copy = clone(template, tmp_path)
    yield copy
    copy.store.dispose()


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def signed_in(monkeypatch: pytest.MonkeyPatch, world: World, username: str | None) -> None:
    for name in IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    if username is not None:
        monkeypatch.setenv("CASEWORK_USER", username)
    monkeypatch.setenv("CASEWORK_DB", world.url)


def test_a_city_officer_sees_name_role_and_the_city_apps_as_relative_links(world: World) -> None:
    ctx = context(world, scenario.city_officer(JINAN).username)

    page = index.build(ctx)

    heading, apps = page.children[0].value, page.children[1].value
    assert "370100经办人" in heading and "市级经办" in heading
    assert links(apps) == [f"./{p.notebook}.ipynb" for p in pages_for("市级经办")]
    assert "./exits.ipynb" in links(apps) and "./supervision.ipynb" in links(apps)
    assert "退出" in apps and "EXIT-05" in apps and "日常监管" in apps and "SUP-02" in apps


def test_an_expert_sees_only_the_expert_apps(world: World) -> None:
    ctx = context(world, world.experts[JINAN][0])

    page = index.build(ctx)

    assert links(page.children[1].value) == ["./selection_panel.ipynb", "./renewal_scoring.ipynb"]
    assert "退出" not in page.children[1].value


def test_the_notebook_entry_shows_the_configured_user(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(monkeypatch, world, scenario.city_manager(JINAN).username)

    page = index.app()

    assert "370100负责人" in page.children[0].value and "市级负责人" in page.children[0].value


@pytest.mark.parametrize(
    ("username", "refusal"),
    [(None, "未识别登录用户"), ("intruder", "未找到有效用户“intruder”")],
    ids=["unauthenticated", "unknown"],
)
def test_an_unknown_or_unauthenticated_user_sees_a_chinese_refusal(
    world: World, monkeypatch: pytest.MonkeyPatch, username: str | None, refusal: str
) -> None:
    signed_in(monkeypatch, world, username)

    page = index.app()

    assert refusal in page.children[1].value and "cw-error" in page.children[1].value
    assert "href" not in page.children[1].value
