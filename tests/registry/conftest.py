"""A fresh store per test (SQLite file or PostgreSQL database, see ``tests.backend``), seeded
with the cities, users and a small catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from casework.registry import scenario
from casework.store.engine import Store, open_store
from tests.backend import store_url

JINAN, QINGDAO = "370100", "370200"
PROJECTS = ("P001", "P002", "P003", "P004", "P005", "P006", "P007")
START = date(2025, 3, 3)


@dataclass
class World:
    store: Store
    experts: dict[str, list[str]]
    url: str

    def institution(self, name: str, city: str = JINAN, serial: int | None = None) -> int:
        serial = serial if serial is not None else abs(hash(name)) % 10_000_000
        return scenario.new_institution(self.store, city, name, serial)

    def filed(
        self,
        name: str,
        projects: tuple[str, ...] = ("P001",),
        city: str = JINAN,
        on: date = START,
        **kw: object,
    ) -> dict[str, int]:
        inst = self.institution(name, city)
        ids = scenario.select_and_file(
            self.store,
            city_code=city,
            institution_id=inst,
            project_codes=projects,
            on=on,
            experts=self.experts[city],
            **kw,
        )  # type: ignore[arg-type]
        ids["institution_id"] = inst
        return ids


def seed_two_cities(store: Store) -> dict[str, list[str]]:
    """The 16 cities; Jinan's and Qingdao's users and 2025–2028 catalogs. Returns the experts."""
    scenario.seed_reference(store)
    experts = {}
    for city in (JINAN, QINGDAO):
        experts[city] = scenario.seed_city_users(store, city)
        for year in (2025, 2026, 2027, 2028):
            scenario.ensure_city_catalog(store, city, year, PROJECTS)
    return experts


@pytest.fixture
def world(tmp_path: Path) -> World:
    url = store_url(tmp_path / "casework.db")
    store = open_store(url)
    yield World(store, seed_two_cities(store), url)
    store.dispose()
