"""The demo province (``tests.demo_store``, built once per run), a copy for each test module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from sqlalchemy import text

from casework.registry.actors import Actor
from casework.registry.catalog import actor_for
from casework.store.engine import Store, open_store
from casework.ui.context import AppContext
from tests.demo_store import TODAY, shared_demo

JINAN, QINGDAO = "370100", "370200"


@dataclass
class Demo:
    store: Store
    url: str

    def actor(self, username: str) -> Actor:
        with self.store.read() as conn:
            return actor_for(conn, username)

    def context(self, username: str) -> AppContext:
        return AppContext(store=self.store, actor=self.actor(username), today=TODAY)

    def sql(self, query: str, **params: object) -> pd.DataFrame:
        with self.store.read() as conn:
            return pd.read_sql_query(text(query), conn, params=params)

    def count(self, query: str, **params: object) -> int:
        return int(self.sql(query, **params).iloc[0, 0])

    def refusals(self) -> int:
        return self.count("SELECT count(*) FROM refusals")


def other_city_markers(demo: Demo, city_code: str) -> list[str]:
    """Names and codes of other cities' institutions that no own-city text contains."""
    own = " ".join(
        demo.sql(
            "SELECT i.name || ' ' || coalesce(f.code, '') AS t FROM institutions i"
            " LEFT JOIN filings f ON f.institution_id = i.id WHERE i.city_code = :c",
            c=city_code,
        )["t"]
    )
    others = demo.sql(
        "SELECT i.name, f.code FROM institutions i LEFT JOIN filings f"
        " ON f.institution_id = i.id WHERE i.city_code != :c",
        c=city_code,
    )
    markers = set(others["name"]) | set(others["code"].dropna())
    return sorted(m for m in markers if m not in own)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A module's own copy of the demo store (refusals logged by one module stay there)."""
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("demo-copy"))
    store = open_store(url, migrate=False)
    yield Demo(store, url)
    store.dispose()
