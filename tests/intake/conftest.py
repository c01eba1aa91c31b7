"""A small registry for import tests, built once and copied for each test.

济南 holds institution 甲 (USCC ``make_corpus.USCC``) filed for P001 from 2025-03-01, with site
S1 and batch B1 (P001, exam 2025-05-12); 青岛 holds institution 乙, filed for P001 too. Users:
the cities' officers, ``jia`` (role 机构, bound to 甲).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import registry as r
from casework.intake import import_file
from casework.registry import SYSTEM_ACTOR, scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, refusals
from tests.backend import copy_store, store_url

from .make_corpus import USCC

JINAN, QINGDAO = "370100", "370200"
START = date(2025, 3, 3)
SITES = (
    "机构统一社会信用代码,场地编号,场地地址,所在市,产权性质,租期截止日期,面积（平方米）\n"
    f"{USCC},S1,济南市历下区经十路1号,济南,租赁,2029-12-31,320\n"
)
BATCHES = (
    "机构统一社会信用代码,批次号,考核项目,场地编号,计划制定日期,考核日期,结果公示开始日期,结果公示结束日期\n"
    f"{USCC},B1,P001,S1,2025-04-28,2025-05-12,2025-05-19,2025-05-23\n"
)
OFFICER = scenario.city_officer(JINAN)
QINGDAO_OFFICER = scenario.city_officer(QINGDAO)


@dataclass
class World:
    store: Store
    ids: dict[str, int]

    @property
    def institution_user(self) -> Actor:
        return Actor("jia", INSTITUTION, institution_id=self.ids["jia"], display_name="甲机构")

    def count(self, table: object) -> int:
        with self.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]

    def audit_entries(self) -> int:
        return self.count(audit_log)

    def refusals(self) -> list[str]:
        with self.store.read() as conn:
            return list(conn.execute(select(refusals.c.reason)).scalars())


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    path = tmp_path_factory.mktemp("intake") / "casework.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    experts = {c: scenario.seed_city_users(store, c) for c in (JINAN, QINGDAO)}
    for city in (JINAN, QINGDAO):
        for year in (2025, 2026, 2027):
            scenario.ensure_city_catalog(store, city, year, ("P001", "P002"))
    jia = scenario.new_institution(store, JINAN, "甲职业培训学校", 1)
    yi = scenario.new_institution(store, QINGDAO, "乙技能培训学校", 2)
    ids = {"jia": jia, "yi": yi}
    ids["jia_filing"] = scenario.select_and_file(
        store,
        city_code=JINAN,
        institution_id=jia,
        project_codes=("P001",),
        on=START,
        experts=experts[JINAN],
    )["filing_id"]
    ids["yi_filing"] = scenario.select_and_file(
        store,
        city_code=QINGDAO,
        institution_id=yi,
        project_codes=("P001",),
        on=START,
        experts=experts[QINGDAO],
    )["filing_id"]
    r.add_user(
        store,
        SYSTEM_ACTOR,
        username="jia",
        display_name="甲机构",
        role=INSTITUTION,
        institution_id=jia,
    )
    import_file(store, OFFICER, "sites", SITES.encode(), "sites.csv")
    import_file(store, OFFICER, "batches", BATCHES.encode(), "batches.csv")
    store.dispose()
    return store.url, ids


@pytest.fixture
def world(world_template: tuple[str, dict[str, int]], tmp_path: Path) -> Iterator[World]:
    source, ids = world_template
    store = open_store(copy_store(source, tmp_path), migrate=False)
    yield World(store, dict(ids))
    store.dispose()
