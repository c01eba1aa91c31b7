"""Fast worlds for the city officer's apps: build a scenario once per test module, then give
each test its own copy of the store (seeding a store takes seconds; copying it does not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from casework.registry.catalog import actor_for
from casework.store.engine import open_store
from casework.store.tables import audit_log, refusals
from casework.ui.context import AppContext
from tests.backend import copy_store, store_url
from tests.registry.conftest import JINAN, QINGDAO, World, seed_two_cities

OFFICER = f"officer{JINAN}"
MANAGER = f"manager{JINAN}"
OTHER_CITY = f"officer{QINGDAO}"


@dataclass
class Template:
    url: str
    experts: dict[str, list[str]]
    ids: dict[str, Any]


def make_template(folder: Path, build: Callable[[World], dict[str, Any]]) -> Template:
    """Seed a world (cities, users, a 2025–2028 catalog) and run ``build`` on it, once."""
    url = store_url(folder / "template.db")
    store = open_store(url)
    experts = seed_two_cities(store)
    ids = build(World(store, experts, url))
    store.dispose()  # checkpoints SQLite's WAL into the file; frees a PG template for copying
    return Template(url, experts, ids)


def clone(template: Template, folder: Path) -> World:
    url = copy_store(template.url, folder)
    return World(open_store(url, migrate=False), template.experts, url)


def context(world: World, username: str, today: date) -> AppContext:
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
