"""The renewal scoring app end to end: real Voilà, real kernel, headless Chromium.

An expert opens the app for a demo case, signs the declaration, fills a whole Attachment 4
sheet, sees the running total equal ``scoring``, submits, reloads and finds the sheet
saved and locked; a screenshot shows the Chinese text rendered with a CJK font.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.domain import rubrics, scoring
from casework.queries.sheets import my_sheet
from casework.registry import scenario
from casework.registry.sheets import renewal_frames
from casework.store.engine import Store, open_store
from casework.store.tables import refusals
from tests.backend import store_url

from .conftest import VoilaServer, start_voila, stop

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


@pytest.fixture(scope="module")
def case_db(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Store, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("e2e") / "casework.db"
    db_url = store_url(path)
    store = open_store(db_url)
    scenario.seed_reference(store)
    case = scenario.renewing(
        store,
        city_code="370100",
        name="济南鲁锦织造有限公司",
        serial=1,
        project_codes=("P001", "P002"),
    )
    experts = case["experts"]
    yield db_url, store, {"panel_id": case["panel_id"], "expert": experts[1]}
    store.dispose()


@pytest.fixture(scope="module")
def server(
    case_db: tuple[str, Store, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VoilaServer]:
    db_url, _, info = case_db
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    srv = start_voila(db_url, info["expert"], log)
    yield srv
    stop(srv)


def open_case(page: Any, server: VoilaServer) -> None:
    page.goto(server.url("renewal_scoring"), wait_until="domcontentloaded")
    page.get_by_role("button", name="打开").click(timeout=120_000)


def test_an_expert_fills_submits_and_finds_the_sheet_locked_after_reload(
    browser: Any, server: VoilaServer, case_db: tuple[str, Store, dict[str, Any]]
) -> None:
    _, store, info = case_db
    rubric = rubrics.load("renewal")
    rows = scenario.renewal_rows(83.5)
    expected = float(scoring.member_totals(rubric, renewal_frames(rows, [], "x")[0]).iloc[0])
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(60_000)

    open_case(page, server)
    page.get_by_text("本人已阅读并作出上述承诺").click()
    page.get_by_role("button", name="签署声明并进入评估").click()
    for row in rows:
        item = page.locator(f".cw-item-{row['item_id']}")
        item.get_by_role("button", name=row["verdict"], exact=True).click()
        if row["verdict"] == "基本符合":
            item.locator("select").select_option(label=f"{row['points']:g} 分")
    for veto in rubric.veto_items.veto_id:
        page.locator(f".cw-veto-{veto}").get_by_role("button", name="否", exact=True).click()
    page.get_by_text(f"合计：{expected:g} 分").wait_for()
    page.get_by_text("数据提示").first.wait_for()  # the evidence hints came once it was shown
    page.get_by_role("button", name="提交评分表").click()
    page.get_by_text("评分表已提交").wait_for()

    stored = my_sheet(store, info["panel_id"], info["expert"])
    assert stored is not None and stored["status"] == "已提交"
    assert stored["total"] == expected
    with store.read() as conn:  # a real page sends answers only, never state: nothing refused
        refused = conn.execute(select(refusals.c.reason)).scalars().all()
    assert not [r for r in refused if "评分表" in r], refused
    page.reload(wait_until="domcontentloaded")
    open_case(page, server)
    page.get_by_text("评分表已提交并锁定").wait_for()
    assert page.locator(".cw-item-R01 button").first.is_disabled()
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "renewal_scoring.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000
    page.close()


def test_without_the_token_the_app_is_not_served(server: VoilaServer) -> None:
    import urllib.request

    response = urllib.request.urlopen(
        f"http://127.0.0.1:{server.opts.port}/voila/render/renewal_scoring.ipynb", timeout=30
    )

    assert "/login" in response.geturl()


def test_the_page_shows_no_code(browser: Any, server: VoilaServer) -> None:
    page = browser.new_page()

    page.goto(server.url("renewal_scoring"), wait_until="networkidle")
    page.get_by_role("button", name="打开").wait_for(timeout=120_000)

    assert "renewal_scoring.app" not in page.content()
    assert "Traceback" not in page.content()
    page.close()


def test_the_index_waiting_link_opens_the_groups_sheet_without_a_click(
    browser: Any, server: VoilaServer
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(120_000)

    page.goto(server.url("index"), wait_until="domcontentloaded")
    page.get_by_role("link", name="续期评估组 · 济南鲁锦织造有限公司").click()

    # the group's own page: its SUP-03 declaration, or its sheet once the declaration is signed
    page.locator(".cw-item-R01").or_(page.get_by_text("利益冲突声明")).first.wait_for()
    assert "?panel=" in page.url
    page.close()
