"""The demo province, built once per test session at its smallest size (two institutions per
city, every state the dashboards know) and shared read-only; tests that write copy the file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from casework.demo import build_demo
from casework.demo.build import MIN_INSTITUTIONS
from casework.registry.actors import Actor
from casework.registry.catalog import actor_for
from casework.store.engine import Store, open_store
from casework.ui.context import AppContext

TODAY = date(2026, 10, 15)
JINAN, QINGDAO = "370100", "370200"


@dataclass
class Demo:
    store: Store
    path: Path

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


def copy_db(source: Path, folder: Path) -> Path:
    """A copy of a prepared SQLite store (with its WAL files) in ``folder``."""
    target = folder / source.name
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard-demo") / "casework.db"
    store = open_store(f"sqlite:///{path}")
    build_demo(store, seed=2025, institutions=MIN_INSTITUTIONS, today=TODAY)
    store.dispose()
    return path


@pytest.fixture(scope="module")
def demo(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A module's own copy of the demo store (refusals logged by one module stay there)."""
    path = copy_db(demo_path, tmp_path_factory.mktemp("demo-copy"))
    store = open_store(f"sqlite:///{path}", migrate=False)
    yield Demo(store, path)
    store.dispose()
