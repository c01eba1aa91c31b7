"""Fast worlds for the app tests: build a scenario once per test module, then give each test its
own copy of the store (seeding a store and driving procedures takes seconds; copying the
finished store — SQLite file or PostgreSQL database — does not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from casework.registry import scenario
from casework.registry.catalog import actor_for
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, refusals
from casework.ui.context import AppContext
from tests.backend import copy_store, store_url
from tests.registry.conftest import JINAN, QINGDAO, World, seed_two_cities

OFFICER = f"officer{JINAN}"
MANAGER = f"manager{JINAN}"
OTHER_CITY = f"officer{QINGDAO}"
TODAY = date(2027, 12, 1)
JINAN_NAME = "济南鲁锦织造有限公司"
QINGDAO_NAME = "青岛贝雕工作室"


@dataclass
class Template:
    """A seeded store built once; ``template[key]`` is one of the ids ``build`` returned."""

    url: str
    experts: dict[str, list[str]]
    ids: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.ids[key]


def seed_jinan(projects: tuple[str, ...], year: int) -> Callable[[Store], dict[str, list[str]]]:
    """A smaller seed: the cities, Jinan's users and Jinan's ``projects`` for ``year``."""

    def seed(store: Store) -> dict[str, list[str]]:
        scenario.seed_reference(store)
        experts = scenario.seed_city_users(store, JINAN)
        scenario.ensure_city_catalog(store, JINAN, year, projects)
        return {JINAN: experts}

    return seed


def make_template(
    folder: Path,
    build: Callable[[World], dict[str, Any]],
    seed: Callable[[Store], dict[str, list[str]]] = seed_two_cities,
) -> Template:
    """Seed a world (by default cities, users and a 2025–2028 catalog of Jinan and Qingdao) and
    run ``build`` on it, once."""
    url = store_url(folder / "template.db")
    store = open_store(url)
    experts = seed(store)
    ids = build(World(store, experts, url))
    store.dispose()  # checkpoints SQLite's WAL into the file; frees a PG template for copying
    return Template(url, experts, ids)


def clone(template: Template, folder: Path) -> World:
    """A fresh copy of the template's store in ``folder``."""
    url = copy_store(template.url, folder)
    return World(open_store(url, migrate=False), template.experts, url)


def two_filings(folder: Path) -> Template:
    """A Jinan and a Qingdao filing (ids under ``"jinan"`` and ``"qingdao"``)."""
    return make_template(
        folder,
        lambda world: {
            "jinan": world.filed(JINAN_NAME),
            "qingdao": world.filed(QINGDAO_NAME, city=QINGDAO),
        },
    )


def context(world: World, username: str, today: date = TODAY) -> AppContext:
    """The app context of ``username`` on ``today``."""
    with world.store.read() as conn:
        actor = actor_for(conn, username)
    return AppContext(store=world.store, actor=actor, today=today)


def count(world: World, table: Any) -> int:
    with world.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def refusal_reasons(world: World) -> list[str]:
    with world.store.read() as conn:
        return list(conn.execute(select(refusals.c.reason).order_by(refusals.c.id)).scalars())


def audit_count(world: World) -> int:
    return count(world, audit_log)


def texts(widget: Any) -> str:
    """All the HTML and descriptions shown under ``widget``, joined (for assertions)."""
    parts: list[str] = []
    stack = [widget]
    while stack:
        node = stack.pop()
        value = getattr(node, "value", None)
        if isinstance(value, str):
            parts.append(value)
        stack.extend(reversed(list(getattr(node, "children", ()))))
    return "\n".join(parts)


def browser_sends(widget: Any, content: Any) -> None:
    """A message from the page to ``widget`` as its comm delivers it (what a crafted page can
    send as well as a real one): ``model.send(content)`` in the widget's JavaScript."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def browser_sets(widget: Any, state: dict[str, Any]) -> None:
    """A state update from the page to ``widget`` (``model.set(...); model.save_changes()``)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})
