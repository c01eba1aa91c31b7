"""Every refused page open is logged (#16 item 7): an unknown sign-in, and a role the page is
not for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.store.tables import refusals
from casework.ui import catalog_editions, index, province_reports
from tests.registry.conftest import World

from .worlds import Template, clone, context, make_template, texts


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return make_template(tmp_path_factory.mktemp("refused"), lambda world: {})


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


def refused(world: World) -> list[tuple[str, str]]:
    with world.store.read() as conn:
        return [tuple(r) for r in conn.execute(select(refusals.c.actor, refusals.c.command))]


def test_an_unknown_sign_in_is_refused_and_logged(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.setenv("CASEWORK_USER", "nobody_here")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    page = index.app()

    assert "nobody_here" in texts(page) or "未找到" in texts(page)
    assert ("nobody_here", f"打开页面：{index.HEADING}") in refused(world)


@pytest.mark.parametrize("module", [province_reports, catalog_editions], ids=lambda m: m.__name__)
def test_an_expert_opening_a_managers_page_is_refused_and_logged(
    world: World, module: object
) -> None:
    ctx = context(world, world.experts["370100"][0])

    page = module.build(ctx)  # type: ignore[attr-defined]

    assert "无权使用本页面" in texts(page)
    assert (ctx.actor.username, module.HEADING) in refused(world)  # type: ignore[attr-defined]
