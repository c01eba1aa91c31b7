"""Preheated kernels (``ServeOptions(preheat=True)``) on a real Voilà server, in Chromium.

Voilà runs a preheated kernel's page before anyone asks for it. Two things had to hold and are
proved here: the pool fills at all (Voilà 0.5.13 matches its preheat denylist against absolute
paths, and our first pattern denied every notebook), and a page taken from the pool shows the
data as of the visit and opens what its address names (the 待办 link's ``?panel=``), not what
was true when the kernel was preheated.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from casework import registry
from casework.registry import scenario
from casework.store.engine import open_store
from tests.backend import store_url

from .conftest import VoilaServer, logged, start_voila, stop

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def preheated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("preheated")
    db_url = store_url(work / "casework.db")
    store = open_store(db_url)
    scenario.seed_reference(store)
    case = scenario.renewing(store, city_code="370100", name="济南鲁锦织造有限公司", serial=1)
    expert = case["experts"][0]
    server = start_voila(
        db_url, expert, work / "voila.log", preheat=True, preheated=("index", "renewal_scoring")
    )
    try:
        yield {"server": server, "store": store, "expert": expert, "panel": case["panel_id"]}
    finally:
        stop(server)
        store.dispose()


def test_the_pool_fills_for_the_preheated_pages_only(preheated: dict[str, Any]) -> None:
    server: VoilaServer = preheated["server"]

    log = logged(server, "Kernel pool of renewal_scoring.ipynb is filled", 120)
    log = logged(server, "Kernel pool of index.ipynb is filled", 120)

    assert "Kernel pool of renewal_scoring.ipynb is filled" in log
    assert "Kernel pool of index.ipynb is filled" in log
    assert "Kernel pool of selection_panel.ipynb" not in log


def test_a_preheated_page_shows_the_data_of_the_visit_and_opens_its_link(
    browser: Any, preheated: dict[str, Any]
) -> None:
    server: VoilaServer = preheated["server"]
    assert "Kernel pool of renewal_scoring.ipynb is filled" in logged(
        server, "Kernel pool of renewal_scoring.ipynb is filled", 120
    )
    time.sleep(2)  # the pooled page has run: what follows happens after the preheating
    registry.declare_conflict_of_interest(
        preheated["store"],
        scenario.expert(preheated["expert"]),
        panel_id=preheated["panel"],
        no_conflict=True,
    )
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(90_000)

    page.goto(server.url("renewal_scoring") + f"&panel={preheated['panel']}")

    page.locator(".cw-item-R43").wait_for()  # the group's sheet, opened from the address
    assert "Using pre-heated kernel" in logged(server, "Using pre-heated kernel")
    assert page.get_by_text("签署声明并进入评估").count() == 0  # declared after preheating
    page.close()
