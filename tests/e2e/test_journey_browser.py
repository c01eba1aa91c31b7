"""The journey through the apps alone, on a store made by ``casework demo`` (a training store):
real ``casework serve`` processes, one per user, and headless Chromium. The test calls no
registry command; it reads the store back to compare with what the page showed.

Stages share one store, in order:
1. every page shows "演示环境 · 模拟日期 …" (the demo's today);
2. the served officer accepts (受理) the story's fresh application on the 申请 page;
3. the served city manager moves the training clock forward; the store holds the new date
   and the officer's next page acts on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from casework.demo.served import STORY_INSTITUTION
from casework.demo.story import MANAGER, OFFICER
from casework.queries.application_intake import city_applications
from casework.queries.training_clock import simulated_today
from casework.store.engine import Store, open_store
from tests.demo_store import TODAY, shared_demo

from .conftest import VoilaServer, start_voila, stop

pytestmark = pytest.mark.browser
BANNER = "演示环境 · 模拟日期 {day}"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("journey"))
    store = open_store(url)
    yield url, store
    store.dispose()


@pytest.fixture(scope="module")
def servers(
    journey: tuple[str, Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, VoilaServer]]:
    url, _ = journey
    logs = tmp_path_factory.mktemp("journey-voila")
    started = {u: start_voila(url, u, logs / f"{u}.log") for u in (OFFICER, MANAGER)}
    yield started
    for server in started.values():
        stop(server)


def new_page(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(90_000)
    return page


def story_status(store: Store) -> str:
    frame = city_applications(store, "370100")
    return str(frame[frame.institution == STORY_INSTITUTION].status.iloc[0])


def test_1_every_page_of_the_training_store_shows_the_simulated_date(
    browser: Any, servers: dict[str, VoilaServer]
) -> None:
    page = new_page(browser)

    page.goto(servers[OFFICER].url("index"), wait_until="domcontentloaded")

    page.get_by_text(BANNER.format(day=TODAY.isoformat())).wait_for()
    page.goto(servers[OFFICER].url("application"), wait_until="domcontentloaded")
    page.get_by_text(BANNER.format(day=TODAY.isoformat())).wait_for()
    page.close()


def test_2_the_officer_accepts_the_story_s_fresh_application(
    browser: Any, servers: dict[str, VoilaServer], journey: tuple[str, Store]
) -> None:
    _, store = journey
    assert story_status(store) == "已提交"
    page = new_page(browser)
    page.goto(servers[OFFICER].url("application"), wait_until="domcontentloaded")
    picker = page.locator("select", has=page.locator("option", has_text=STORY_INSTITUTION))

    label = picker.locator("option", has_text=STORY_INSTITUTION).first.inner_text()
    picker.first.select_option(label=label)
    page.get_by_role("button", name="打开", exact=True).first.click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_role("button", name="确认办理").click()
    page.get_by_text("已受理").first.wait_for()

    assert story_status(store) == "已受理"
    page.close()


def test_3_the_manager_moves_the_training_clock_and_the_next_page_acts_on_it(
    browser: Any, servers: dict[str, VoilaServer], journey: tuple[str, Store]
) -> None:
    _, store = journey
    later = TODAY + timedelta(days=9)
    page = new_page(browser)
    page.goto(servers[MANAGER].url("index"), wait_until="domcontentloaded")

    page.locator(".cw-training").wait_for()
    page.locator("input[type=date]").first.fill(later.isoformat())
    page.get_by_role("button", name="调整模拟日期").click()
    page.get_by_text(f"模拟日期已调整为{later.isoformat()}").wait_for()

    assert simulated_today(store) == later
    officer = new_page(browser)
    officer.goto(servers[OFFICER].url("index"), wait_until="domcontentloaded")
    officer.get_by_text(BANNER.format(day=later.isoformat())).wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "training_clock.png"))
    officer.close()
    page.close()
