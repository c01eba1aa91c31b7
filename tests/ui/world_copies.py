"""A seeded store with one filed institution per city, built once and copied for each test.

Filing an institution drives the whole selection procedure (a few seconds); copying the
finished store (SQLite file or PostgreSQL database) keeps each test's store fresh while the
suite stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casework.registry import scenario
from casework.store.engine import open_store
from tests.backend import copy_store, store_url
from tests.registry.conftest import JINAN, PROJECTS, QINGDAO, World

JINAN_NAME = "济南鲁锦织造有限公司"
QINGDAO_NAME = "青岛贝雕工作室"


def build_template(folder: Path) -> dict[str, Any]:
    """Seed a store in ``folder`` with a Jinan and a Qingdao filing; returns their ids."""
    url = store_url(folder / "casework.db")
    store = open_store(url)
    scenario.seed_reference(store)
    experts = {}
    for city in (JINAN, QINGDAO):
        experts[city] = scenario.seed_city_users(store, city)
        for year in (2025, 2026, 2027, 2028):
            scenario.ensure_city_catalog(store, city, year, PROJECTS)
    world = World(store, experts, url)
    jinan = world.filed(JINAN_NAME)
    qingdao = world.filed(QINGDAO_NAME, city=QINGDAO)
    store.dispose()
    return {"url": url, "experts": experts, "jinan": jinan, "qingdao": qingdao}


def copy_world(template: dict[str, Any], folder: Path) -> World:
    """A fresh copy of the template store in ``folder``."""
    url = copy_store(template["url"], folder)
    return World(open_store(url, migrate=False), template["experts"], url)
