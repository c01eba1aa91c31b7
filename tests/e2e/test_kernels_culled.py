"""Closed pages do not leave kernels behind (Voilà 0.5.13 keeps them, upstream voila#1458:
its shutdown request fails the XSRF check, which stays on; idle culling removes them)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from casework.registry import scenario
from casework.store.engine import open_store
from tests.backend import store_url

from .conftest import VoilaServer, start_voila, stop

pytestmark = pytest.mark.browser


def kernels(server: VoilaServer) -> list[psutil.Process]:
    """The live kernel processes of the server (zombies and exited ones do not count)."""
    alive = []
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(
                child.cmdline()
            ):
                alive.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return alive


@pytest.fixture
def culling_server(tmp_path: Path) -> Iterator[VoilaServer]:
    db_url = store_url(tmp_path / "casework.db")
    store = open_store(db_url)
    scenario.seed_reference(store)
    scenario.seed_city_users(store, "370100")
    store.dispose()
    srv = start_voila(
        db_url, "expert370100_1", tmp_path / "voila.log", cull_idle=4, cull_interval=2
    )
    yield srv
    stop(srv)


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
