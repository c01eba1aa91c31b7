"""Through the hub in a browser (issue #8): the officers of Jinan and Qingdao sign in on the hub's
login page, each in a browser of their own; each one's Voilà server shows their own city's
institutions and cases and nothing of the other city, and one officer's browser cannot open the
other's server (SUP-01: a city acts only on the institutions it filed).

Headless Debian Chromium (the session fixture ``browser``) against a real JupyterHub over a
store seeded by :func:`tests.hub.hubserver.seed_city_cases`; the store is SQLite, or PostgreSQL
with ``CASEWORK_TEST_BACKEND=postgresql`` (``tests.backend``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.backend import store_url

from .hubserver import (
    CASES,
    JINAN,
    PASSWORD,
    QINGDAO,
    running_hub,
    seed_city_cases,
    skip_without_hub,
)

skip_without_hub()

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OFFICERS = {JINAN: f"officer{JINAN}", QINGDAO: f"officer{QINGDAO}"}
OTHER = {JINAN: QINGDAO, QINGDAO: JINAN}
CITY_NAMES = {JINAN: "济南", QINGDAO: "青岛"}
DASHBOARD_HEADING = "本市考核机构管理看板"
WAIT_MS = 120_000  # a spawn plus a kernel's first page on a busy 2-core machine


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hub-browser")
    with running_hub(store_url(root / "casework.db"), root, seed=seed_city_cases) as base:
        yield base


def app_url(base: str, username: str, notebook: str) -> str:
    return f"{base}/user/{username}/voila/render/{notebook}.ipynb"


def sign_in(browser: Any, base: str, username: str, then: str) -> Any:
    """A browser context of its own; the user signs in on the hub's form, bound for ``then``.

    Returns the page on its way to ``then``: the hub starts the user's server itself
    (``implicit_spawn_seconds``), with no "Server not running — Launch" page to click.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{base}/hub/login?next={quote(then.removeprefix(base))}")
    page.locator("#username_input").fill(username)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    return page


@pytest.fixture(scope="module")
def dashboards(browser: Any, hub: str) -> Iterator[dict[str, Any]]:
    """Each officer signed in and, their server started by the hub, is on their city dashboard
    (本市看板)."""
    pages = {
        city: sign_in(browser, hub, user, app_url(hub, user, "dashboard_city"))
        for city, user in OFFICERS.items()
    }
    for page in pages.values():  # both servers spawn at once, with no "Launch Server" click
        page.get_by_text(DASHBOARD_HEADING).wait_for()
    yield pages
    for page in pages.values():
        page.context.close()


def catalog_text(page: Any, own_filed: str) -> str:
    """The dashboard's 机构目录 (every filing of the city, any status)."""
    page.get_by_role("tab", name="机构目录").click()
    table = page.locator(".cw-table-catalog")
    table.get_by_text(own_filed).wait_for()
    return str(table.inner_text())


def decisions_page(dashboard: Any, hub: str, username: str, own_pending: str) -> Any:
    """研究确定 in a new tab: the city's applications whose panel has submitted every sheet."""
    page = dashboard.context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(app_url(hub, username, "decisions"), wait_until="domcontentloaded")
    page.get_by_text(own_pending).first.wait_for()
    return page


def test_officers_of_two_cities_signed_in_via_the_hub_each_see_only_their_own_citys_cases_sup_01(
    dashboards: dict[str, Any], hub: str, tmp_path: Path
) -> None:
    """SUP-01: each officer's 本市看板 lists their city's filed institution, 研究确定 their
    city's application awaiting a decision; neither page names the other city or its cases."""
    seen: dict[str, dict[str, str]] = {}

    for city, page in dashboards.items():
        filed, pending = CASES[city]
        seen[city] = {
            "catalog": catalog_text(page, filed),
            "dashboard": str(page.content()),
        }
        page.screenshot(path=str(tmp_path / f"dashboard_{city}.png"))
        decisions = decisions_page(page, hub, OFFICERS[city], pending)
        seen[city]["decisions"] = str(decisions.content())
        decisions.screenshot(path=str(tmp_path / f"decisions_{city}.png"))
        decisions.close()

    for city, texts in seen.items():
        filed, pending = CASES[city]
        other = OTHER[city]
        assert filed in texts["catalog"]
        assert pending in texts["decisions"]
        assert f"{CITY_NAMES[city]}（本市）" in texts["dashboard"]
        for text in texts.values():
            assert [name for name in CASES[other] if name in text] == []
            assert CITY_NAMES[other] not in text
            assert "Traceback" not in text


def test_the_jinan_officers_browser_cannot_open_the_qingdao_officers_server_sup_01(
    dashboards: dict[str, Any], hub: str
) -> None:
    """SUP-01 at the door: the hub refuses a signed-in officer another user's running server."""
    jinan = dashboards[JINAN].context.new_page()
    qingdao_app = app_url(hub, OFFICERS[QINGDAO], "dashboard_city")

    response = jinan.goto(qingdao_app, wait_until="load")
    jinan.wait_for_timeout(2_000)  # room for a page that would render late
    shown = str(jinan.content())

    assert dashboards[QINGDAO].get_by_text(DASHBOARD_HEADING).is_visible()  # it is running
    assert response is not None and response.status == 403
    assert jinan.url.startswith(f"{hub}/hub/api/oauth2/authorize"), jinan.url
    assert DASHBOARD_HEADING not in shown
    assert [name for name in CASES[QINGDAO] if name in shown] == []
    jinan.close()
