"""A small registry for the security tests, built once per session and copied for each test.

济南 and 青岛 each have an officer, a manager and one expert; 济南 holds one institution with a
filing taken over from before casework (3701LEGACY001, P001) and a user ``jia`` bound to it.
Stores follow ``CASEWORK_TEST_BACKEND`` (SQLite, or PostgreSQL under ``make test``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import registry as r
from casework.registry import SYSTEM_ACTOR, scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, refusals
from tests.backend import copy_store, store_url

JINAN, QINGDAO = "370100", "370200"
OFFICER, MANAGER = scenario.city_officer(JINAN), scenario.city_manager(JINAN)
QINGDAO_MANAGER = scenario.city_manager(QINGDAO)
PROVINCE = scenario.PROVINCE_ACTOR


@dataclass
class World:
    store: Store
    ids: dict[str, int]

    @property
    def institution_user(self) -> Actor:
        return Actor("jia", INSTITUTION, institution_id=self.ids["jia"])

    def count(self, table: object) -> int:
        with self.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]

    def refusals(self) -> list[tuple[str, str, str]]:
        """(actor, command, reason) of every logged refusal, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(refusals.c.actor, refusals.c.command, refusals.c.reason).order_by(
                    refusals.c.id
                )
            ).all()
        return [tuple(row) for row in rows]

    def snapshot(self) -> tuple[int, int]:
        """(audit entries, refusals)."""
        return self.count(audit_log), self.count(refusals)


@pytest.fixture(scope="session")
def security_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    path = tmp_path_factory.mktemp("security") / "casework.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    for city in (JINAN, QINGDAO):
        scenario.seed_city_users(store, city, experts=1)
        scenario.ensure_city_catalog(store, city, 2025, ("P001", "P002"))
    jia = scenario.new_institution(store, JINAN, "甲职业培训学校", 1)
    ids = {"jia": jia}
    ids["jia_filing"] = r.register_existing_filing(
        store,
        OFFICER,
        institution_id=jia,
        code="3701LEGACY001",
        term_start=date(2024, 3, 1),
        project_codes=["P001"],
        filed_on=date(2024, 3, 1),
        source="试点备案",
    )
    r.add_user(
        store,
        SYSTEM_ACTOR,
        username="jia",
        display_name="甲机构",
        role=INSTITUTION,
        institution_id=jia,
    )
    store.dispose()
    return store.url, ids


@pytest.fixture
def world(security_template: tuple[str, dict[str, int]], tmp_path: Path) -> Iterator[World]:
    source, ids = security_template
    store = open_store(copy_store(source, tmp_path), migrate=False)
    yield World(store, dict(ids))
    store.dispose()
