"""Closed pages do not leave kernels behind, and a server's kernels are bounded.

Voilà 0.5.13's page shuts its kernel down with a beacon that failed the XSRF check (upstream
voila#1458: the ``_xsrf`` cookie was never set); ``casework.kernels`` sets the cookie and the
check stays on, so a closed page's kernel ends at once. A page whose beacon never arrives (a
crashed browser; Playwright's plain ``page.close()`` runs no ``beforeunload``) is culled, or
evicted when a new page needs the room. Bounds are generous: these test behaviour, not speed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from casework.forkserver import kernels_of
from casework.registry import scenario
from casework.store.engine import open_store
from tests.backend import store_url

from .conftest import VoilaServer, logged, start_voila, stop

pytestmark = pytest.mark.browser


def kernels(server: VoilaServer) -> list[psutil.Process]:
    """The live kernel processes of the server, started or forked for it (zombies and exited
    ones do not count)."""
    return kernels_of(server.process.pid)


def expert_server(tmp_path: Path, **options: object) -> VoilaServer:
    db_url = store_url(tmp_path / "casework.db")
    store = open_store(db_url)
    scenario.seed_reference(store)
    scenario.seed_city_users(store, "370100")
    store.dispose()
    return start_voila(db_url, "expert370100_1", tmp_path / "voila.log", **options)


@pytest.fixture
def culling_server(tmp_path: Path) -> Iterator[VoilaServer]:
    srv = expert_server(tmp_path, cull_idle=4, cull_interval=2)
    yield srv
    stop(srv)


@pytest.fixture
def patient_server(tmp_path: Path) -> Iterator[VoilaServer]:
    """Culling far away (10 min): a kernel that ends here was ended by its page or for room."""
    srv = expert_server(tmp_path, cull_idle=600, cull_interval=60, max_kernels=2, evict_after=3)
    yield srv
    stop(srv)


def open_page(browser: Any, server: VoilaServer) -> Any:
    page = browser.new_page()
    page.goto(server.url("renewal_scoring"), wait_until="domcontentloaded")
    page.get_by_text("您目前没有参加的续期评估组").wait_for(timeout=120_000)
    return page


def settles(server: VoilaServer, count: int, seconds: float = 90) -> int:
    """The kernel count once it is ``count`` or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while len(kernels(server)) != count and time.monotonic() < deadline:
        time.sleep(0.5)
    return len(kernels(server))


def test_kernels_of_closed_pages_are_culled_and_do_not_pile_up(
    browser: Any, culling_server: VoilaServer
) -> None:
    for _ in range(3):
        page = browser.new_page()
        page.goto(culling_server.url("renewal_scoring"), wait_until="domcontentloaded")
        page.get_by_text("您目前没有参加的续期评估组").wait_for(timeout=120_000)
        page.close()
    opened = len(kernels(culling_server))

    deadline = time.monotonic() + 150
    while kernels(culling_server) and time.monotonic() < deadline:
        time.sleep(1)

    assert opened >= 1
    assert kernels(culling_server) == []


def test_a_closed_pages_kernel_is_shut_down_by_the_page_not_left_to_the_culler(
    browser: Any, patient_server: VoilaServer
) -> None:
    page = open_page(browser, patient_server)
    assert settles(patient_server, 1) == 1

    page.goto("about:blank")  # leaving the page runs beforeunload, as closing a tab does
    page.close()

    assert settles(patient_server, 0) == 0
    log = logged(patient_server, "casework 内核：已关闭")  # the administrator sees count, memory
    assert "casework 内核：已关闭" in log
    assert "_xsrf' argument missing" not in log


def test_the_kernels_are_bounded_and_a_kernel_without_a_page_makes_room(
    browser: Any, patient_server: VoilaServer
) -> None:
    lost = open_page(browser, patient_server)
    lost.close()  # no beforeunload: the beacon never arrives, the kernel stays without a page
    kept = open_page(browser, patient_server)
    assert settles(patient_server, 2) == 2
    time.sleep(4)  # longer than evict_after: the lost page's kernel may now be evicted

    third = open_page(browser, patient_server)  # room is made by ending the lost page's kernel
    fourth = browser.new_page()  # both kernels have a page: refused, not a third kernel
    refused = fourth.goto(patient_server.url("renewal_scoring"), wait_until="domcontentloaded")

    assert len(kernels(patient_server)) <= 2
    assert refused is not None and refused.status == 503
    assert "同时打开的页面已达上限（2个）" in fourth.content()
    log = patient_server.log.read_text(errors="replace")
    assert "为新页面腾出位置" in log and "已达上限 2 个" in log
    for page in (kept, third, fourth):
        page.close()
