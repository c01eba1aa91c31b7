"""A seeded store with one filed institution per city, built once and copied for each test.

Filing an institution drives the whole selection procedure (a few seconds); copying the
finished SQLite file keeps each test's store fresh while the suite stays fast.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from casework.registry import scenario
from casework.store.engine import open_store
from tests.registry.conftest import JINAN, PROJECTS, QINGDAO, World

JINAN_NAME = "济南鲁锦织造有限公司"
QINGDAO_NAME = "青岛贝雕工作室"


def build_template(folder: Path) -> dict[str, Any]:
    """Seed a store in ``folder`` with a Jinan and a Qingdao filing; returns their ids."""
    path = folder / "casework.db"
    store = open_store(f"sqlite:///{path}")
    scenario.seed_reference(store)
    experts = {}
    for city in (JINAN, QINGDAO):
        experts[city] = scenario.seed_city_users(store, city)
        for year in (2025, 2026, 2027, 2028):
            scenario.ensure_city_catalog(store, city, year, PROJECTS)
    world = World(store, experts, path)
    jinan = world.filed(JINAN_NAME)
    qingdao = world.filed(QINGDAO_NAME, city=QINGDAO)
    store.dispose()
    return {"path": path, "experts": experts, "jinan": jinan, "qingdao": qingdao}


def copy_world(template: dict[str, Any], folder: Path) -> World:
    """A fresh copy of the template store in ``folder``."""
    source: Path = template["path"]
    target = folder / source.name
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    store = open_store(f"sqlite:///{target}", migrate=False)
    return World(store, template["experts"], target)
