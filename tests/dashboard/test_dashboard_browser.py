"""The dashboards end to end with the demo data: real Voilà servers (one per identity), real
kernels, headless Chromium. Counts equal the store and follow a filter; charts need nothing
from outside the server; a city manager's page and the widget messages sent to the browser
hold nothing of another city (SUP-01), and an institution's name opens its history page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.backend import copy_store
from tests.e2e.conftest import VoilaServer, start_voila, stop

from .conftest import JINAN, QINGDAO, Demo, other_city_markers

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
# Voilà's own lab template links Font Awesome from jsDelivr (blocked by the CSP; the page does
# not need it). Nothing else may be asked of the outside.
VOILA_TEMPLATE_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/"
TAB_TITLES = ("概览", "配额", "续期进度", "期限", "调查与退出", "续期结果", "机构目录")


@pytest.fixture(scope="module")
def servers(
    demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, VoilaServer]]:
    """A province server and a Jinan manager's server over one copy of the demo store."""
    folder = tmp_path_factory.mktemp("voila-dash")
    db_url = copy_store(demo.url, folder)
    users = {"province": "province", "city": "manager370100"}
    with ThreadPoolExecutor(2) as pool:
        started = {
            key: pool.submit(start_voila, db_url, user, folder / f"{key}.log")
            for key, user in users.items()
        }
        running = {key: future.result() for key, future in started.items()}
    yield running
    for server in running.values():
        stop(server)


def kpi(page: Any, status: str) -> Any:
    return page.locator(f'.cw-kpi[data-status="{status}"]')


def test_the_province_dashboard_counts_equal_the_store_and_follow_a_filter(
    browser: Any, servers: dict[str, VoilaServer], demo: Demo
) -> None:
    everywhere = demo.count("SELECT count(*) FROM filings WHERE status = '有效'")
    qingdao = demo.count(
        "SELECT count(*) FROM filings WHERE status = '有效' AND city_code = :c", c=QINGDAO
    )
    server = servers["province"]
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(90_000)
    local = f"http://127.0.0.1:{server.opts.port}/"
    outside: list[str] = []

    def offline(route: Any) -> None:  # as on a network without the internet
        outside.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith(local), offline)

    page.goto(server.url("dashboard_province"), wait_until="domcontentloaded")
    kpi(page, "有效").wait_for(timeout=120_000)
    shown = int(kpi(page, "有效").get_attribute("data-value"))
    page.locator(".cw-dashboard select").first.select_option(label="青岛")
    page.locator(f'.cw-kpi[data-status="有效"][data-value="{qingdao}"]').wait_for()
    page.get_by_role("tab", name="配额").click()
    page.locator("svg.cw-chart-quota").wait_for()

    assert shown == everywhere != qingdao
    assert page.locator("svg.cw-chart-quota rect.cw-cell").count() >= 1
    assert "Traceback" not in page.content()
    assert [u for u in outside if not u.startswith(VOILA_TEMPLATE_CDN)] == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("tab", name="概览").click()
    page.locator(".cw-dashboard select").first.select_option(label="全省")
    page.locator(f'.cw-kpi[data-status="有效"][data-value="{everywhere}"]').wait_for()
    page.locator("svg.cw-chart-cities").wait_for()
    page.screenshot(path=str(ARTIFACTS / "dashboard_province.png"), full_page=True)
    page.close()


def test_a_city_managers_page_and_widget_messages_hold_no_other_city_sup_01(
    browser: Any, servers: dict[str, VoilaServer], demo: Demo
) -> None:
    markers = other_city_markers(demo, JINAN)
    frames: list[str] = []

    def record(ws: Any) -> None:
        def keep(payload: str | bytes) -> None:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            frames.append(text)

        ws.on("framereceived", keep)

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(90_000)
    page.on("websocket", record)

    page.goto(servers["city"].url("dashboard_city"), wait_until="domcontentloaded")
    kpi(page, "有效").wait_for(timeout=120_000)
    for name in TAB_TITLES[1:]:
        page.get_by_role("tab", name=name).click()
        page.locator(".cw-sortable, .cw-chart").last.wait_for()
    page.wait_for_timeout(500)
    content = page.content()
    sent = "\n".join(frames)

    assert int(kpi(page, "有效").get_attribute("data-value")) == demo.count(
        "SELECT count(*) FROM filings WHERE status = '有效' AND city_code = :c", c=JINAN
    )
    assert "济南" in sent and "cw-kpi" in sent  # the frames carry the page's data
    escaped = [json.dumps(m)[1:-1] for m in markers]
    assert [m for m in markers if m in content] == []
    assert [m for m in [*markers, *escaped] if m in sent] == []
    assert "青岛" not in content and "青岛" not in sent
    link = page.locator(".cw-table-catalog a").first
    name = link.inner_text()
    with page.expect_popup() as opened:
        link.click()
    history = opened.value
    history.set_default_timeout(120_000)
    history.locator(".cw-card").wait_for()
    assert name in history.locator(".cw-card").inner_text()
    history.close()
    page.close()
