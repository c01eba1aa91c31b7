"""A seeded store with one filed institution per city, built once and copied for each test.

Filing an institution drives the whole selection procedure (a few seconds); copying the
finished store (SQLite file or PostgreSQL database) keeps each test's store fresh while the
suite stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casework.store.engine import open_store
from tests.backend import copy_store
from tests.registry.conftest import QINGDAO, World
from tests.ui.city_world import make_template

JINAN_NAME = "济南鲁锦织造有限公司"
QINGDAO_NAME = "青岛贝雕工作室"


def build_template(folder: Path) -> dict[str, Any]:
    """Seed a store in ``folder`` with a Jinan and a Qingdao filing; returns their ids."""
    template = make_template(
        folder,
        lambda world: {
            "jinan": world.filed(JINAN_NAME),
            "qingdao": world.filed(QINGDAO_NAME, city=QINGDAO),
        },
    )
    return {"url": template.url, "experts": template.experts, **template.ids}


def copy_world(template: dict[str, Any], folder: Path) -> World:
    """A fresh copy of the template store in ``folder``."""
    url = copy_store(template["url"], folder)
    return World(open_store(url, migrate=False), template["experts"], url)
